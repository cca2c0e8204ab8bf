#include "data/memorysource.h"

#include "common/error.h"
#include "data/splitimages.h"
#include "store/project.h"

#include <torch/types.h>

#include <algorithm>
#include <cstring>
#include <numeric>
#include <unordered_map>

namespace mtl::data {

namespace {

at::ScalarType memoryType(store::MapType type)
{
    switch (type) {
    case store::MapType::UInt8:
        return torch::kUInt8;
    case store::MapType::UInt16:
        return torch::kInt16; // the bits, read back with & 0xFFFF
    case store::MapType::Float32:
        return torch::kFloat32;
    }
    return torch::kUInt8;
}

at::Tensor loadMaps(store::Project &project, const store::DatasetInfo &dataset,
                    const std::string &split, const store::MapColumn &column,
                    const std::vector<std::int64_t> &sampleIds)
{
    const auto n = static_cast<std::int64_t>(sampleIds.size());
    const std::int64_t c = column.channels, h = dataset.height, w = dataset.width;
    const double missing =
        column.kind == store::MapKind::Segmentation ? store::kSegmentationIgnore : 0.0;
    at::Tensor hwc = torch::full({n, h, w, c}, missing, memoryType(column.type));
    auto *out = static_cast<std::uint8_t *>(hwc.data_ptr());
    const std::size_t itemSize = static_cast<std::size_t>(h * w * c) * byteSize(column.type);
    std::unordered_map<std::int64_t, std::int64_t> position; // sample id → row
    for (std::int64_t i = 0; i < n; ++i)
        position.emplace(sampleIds[static_cast<std::size_t>(i)], i);
    project.datasets().forEachMap(dataset.id, split, column, [&](const store::StoredMap &map) {
        const auto row = position.find(map.sampleId);
        if (map.width != w || map.height != h || row == position.end())
            throw Error(ErrorCode::InvalidInput,
                        "the '" + column.name + "' map of sample " + std::to_string(map.sampleId) +
                            " is " + std::to_string(map.width) + "×" + std::to_string(map.height) +
                            "; dataset '" + dataset.name + "' has " + std::to_string(w) + "×" +
                            std::to_string(h) + " images");
        std::memcpy(out + row->second * itemSize, map.data, itemSize);
    });
    return hwc.permute({0, 3, 1, 2}).contiguous();
}

} // namespace

MemorySplit loadLabels(store::Project &project, const store::DatasetInfo &dataset,
                       const std::string &split, const std::vector<std::string> &columns,
                       std::vector<std::int64_t> sampleIds)
{
    MemorySplit result;
    result.sampleIds = std::move(sampleIds);
    for (const std::string &name : columns) {
        if (const store::MapColumn *map = dataset.map(name)) {
            result.maps[name] = loadMaps(project, dataset, split, *map, result.sampleIds);
            continue;
        }
        const store::LabelColumn *column = dataset.column(name);
        if (!column)
            throw Error(ErrorCode::InvalidInput,
                        "column '" + name + "' is not in dataset '" + dataset.name + "'");
        result.columns[name] = project.datasets().labelsOf(dataset.id, split, column->id);
    }
    return result;
}

MemorySplit loadSplit(store::Project &project, const store::DatasetInfo &dataset,
                      const std::string &split, const std::vector<std::string> &columns)
{
    const SplitImages images = SplitImages::load(project, dataset, split);
    MemorySplit result = loadLabels(project, dataset, split, columns, images.sampleIds());
    result.images = images.all();
    return result;
}

at::Tensor toModelInput(const at::Tensor &images)
{
    return images.to(torch::kFloat32).div_(255.0);
}

EpochOrder::EpochOrder(std::int64_t splitSize, Selection selection)
    : m_size(splitSize)
    , m_selection(selection)
{}

std::int64_t EpochOrder::selectedCount() const
{
    switch (m_selection.kind) {
    case Selection::Kind::All:
        return m_size;
    case Selection::Kind::HoldOutTrain:
        return m_size - m_selection.heldOut;
    case Selection::Kind::HoldOutVal:
        return m_selection.heldOut;
    }
    return 0;
}

const std::vector<std::int64_t> &EpochOrder::start(std::uint64_t seed, int epoch, int rank,
                                                   int worldSize)
{
    const bool shuffles = m_selection.kind == Selection::Kind::HoldOutTrain;
    const bool continues = m_epoch >= 0 && m_seed == seed && shuffles && m_epoch + 1 == epoch;
    if (continues) {
        std::shuffle(m_order.begin(), m_order.end(), m_rng);
    } else if (!(m_epoch >= 0 && m_seed == seed && (!shuffles || m_epoch == epoch))) {
        std::vector<std::int64_t> order(static_cast<std::size_t>(m_size));
        std::iota(order.begin(), order.end(), 0);
        const auto heldOut = static_cast<std::ptrdiff_t>(m_selection.heldOut);
        switch (m_selection.kind) {
        case Selection::Kind::All:
            m_order = std::move(order);
            break;
        case Selection::Kind::HoldOutVal:
        case Selection::Kind::HoldOutTrain:
            m_rng.seed(seed);
            std::shuffle(order.begin(), order.end(), m_rng);
            if (m_selection.kind == Selection::Kind::HoldOutVal)
                m_order.assign(order.begin(), order.begin() + heldOut);
            else
                m_order.assign(order.begin() + heldOut, order.end());
            break;
        }
        for (int e = 1; shuffles && e <= epoch; ++e)
            std::shuffle(m_order.begin(), m_order.end(), m_rng);
    }
    m_seed = seed;
    m_epoch = epoch;
    // This rank's share: every worldSize-th sample, the same count on every rank.
    const int world = std::max(1, worldSize);
    const std::int64_t count = perRank(world);
    m_shard.resize(static_cast<std::size_t>(count));
    for (std::int64_t i = 0; i < count; ++i)
        m_shard[static_cast<std::size_t>(i)] = m_order[static_cast<std::size_t>(i * world + rank)];
    return m_shard;
}

MemoryBatchSource::MemoryBatchSource(std::shared_ptr<const MemorySplit> split, Selection selection,
                                     int batchSize, bool dropSingleton)
    : m_split(std::move(split))
    , m_order(m_split->size(), selection)
    , m_batchSize(batchSize)
    , m_dropSingleton(dropSingleton)
{
    if (m_batchSize < 1 || selection.heldOut < 0 || selection.heldOut > m_split->size())
        throw Error(ErrorCode::Training, "a batch source of batch size " +
                                             std::to_string(m_batchSize) + " holding out " +
                                             std::to_string(selection.heldOut) + " of " +
                                             std::to_string(m_split->size()) + " samples");
}

std::int64_t MemoryBatchSource::samplesPerEpoch(int, int worldSize) const
{
    return m_order.perRank(worldSize);
}

std::int64_t MemoryBatchSource::batchesPerEpoch(int rank, int worldSize) const
{
    return batchCount(samplesPerEpoch(rank, worldSize), m_batchSize, m_dropSingleton);
}

void MemoryBatchSource::skip(std::int64_t batches)
{
    const std::int64_t n = std::min(batches, m_batchesLeft);
    m_batchesLeft -= n;
    m_position = std::min<std::int64_t>(m_position + n * m_batchSize,
                                        static_cast<std::int64_t>(m_shard->size()));
}

void MemoryBatchSource::startEpoch(std::uint64_t seed, int epoch, int rank, int worldSize)
{
    m_shard = &m_order.start(seed, epoch, rank, worldSize);
    m_position = 0;
    m_batchesLeft = batchesPerEpoch(rank, worldSize);
}

std::optional<SampleBatch> MemoryBatchSource::next()
{
    if (m_batchesLeft <= 0)
        return std::nullopt;
    --m_batchesLeft;
    const std::vector<std::int64_t> &shard = *m_shard;
    const std::int64_t count =
        std::min<std::int64_t>(m_batchSize, static_cast<std::int64_t>(shard.size()) - m_position);
    const at::Tensor index = torch::from_blob(const_cast<std::int64_t *>(shard.data()) + m_position,
                                              {count}, torch::kInt64);
    SampleBatch batch;
    batch.images = toModelInput(m_split->images.index_select(0, index));
    batch.sampleIds.reserve(static_cast<std::size_t>(count));
    for (std::int64_t i = 0; i < count; ++i)
        batch.sampleIds.push_back(m_split->sampleIds[static_cast<std::size_t>(
            shard[static_cast<std::size_t>(m_position + i)])]);
    for (const at::Tensor &target : m_split->targets)
        batch.targets.push_back(target.index_select(0, index));
    m_position += count;
    return batch;
}

PreloadedSource::PreloadedSource(std::unique_ptr<BatchSource> inner, std::int64_t maxBatches)
    : m_inner(std::move(inner))
    , m_maxBatches(maxBatches)
{}

std::int64_t PreloadedSource::samplesPerEpoch(int rank, int worldSize) const
{
    return m_inner->samplesPerEpoch(rank, worldSize);
}

std::int64_t PreloadedSource::batchesPerEpoch(int rank, int worldSize) const
{
    return m_inner->batchesPerEpoch(rank, worldSize);
}

void PreloadedSource::startEpoch(std::uint64_t seed, int epoch, int rank, int worldSize)
{
    m_inner->startEpoch(seed, epoch, rank, worldSize);
    m_batches.clear();
    m_next = 0;
    while (static_cast<std::int64_t>(m_batches.size()) < m_maxBatches) {
        std::optional<SampleBatch> batch = m_inner->next();
        if (!batch)
            break;
        m_batches.push_back(std::move(*batch));
    }
}

void PreloadedSource::skip(std::int64_t batches)
{
    m_next = std::min(m_batches.size(),
                      m_next + static_cast<std::size_t>(std::max<std::int64_t>(0, batches)));
}

std::optional<SampleBatch> PreloadedSource::next()
{
    if (m_next >= m_batches.size())
        return std::nullopt;
    return std::move(m_batches[m_next++]);
}

} // namespace mtl::data
