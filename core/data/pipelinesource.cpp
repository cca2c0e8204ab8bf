#include "data/pipelinesource.h"

#include "common/error.h"

#include <torch/types.h>

#include <algorithm>
#include <cstring>

namespace mtl::data {

DecodedCache::DecodedCache(std::int64_t samples, std::size_t sampleBytes, std::size_t budgetBytes)
    : m_slots(sampleBytes == 0 ? 0
                               : std::min<std::int64_t>(
                                     samples, static_cast<std::int64_t>(budgetBytes / sampleBytes)))
    , m_sampleBytes(sampleBytes)
{
    if (m_slots <= 0) {
        m_slots = 0;
        return;
    }
    // Not zeroed: the pages are only touched as images are kept.
    m_pixels.reset(new std::uint8_t[static_cast<std::size_t>(m_slots) * sampleBytes]);
    m_state.reset(new std::atomic<std::uint8_t>[static_cast<std::size_t>(m_slots)]);
    for (std::int64_t i = 0; i < m_slots; ++i)
        m_state[i].store(0, std::memory_order_relaxed);
}

bool DecodedCache::get(std::int64_t position, std::uint8_t *out) const
{
    if (position < 0 || position >= m_slots ||
        m_state[position].load(std::memory_order_acquire) != 2)
        return false;
    std::memcpy(out, m_pixels.get() + position * m_sampleBytes, m_sampleBytes);
    return true;
}

void DecodedCache::put(std::int64_t position, const std::uint8_t *pixels)
{
    if (position < 0 || position >= m_slots)
        return;
    std::uint8_t empty = 0;
    if (!m_state[position].compare_exchange_strong(empty, 1, std::memory_order_acq_rel))
        return; // kept already, or another worker is keeping it
    std::memcpy(m_pixels.get() + position * m_sampleBytes, pixels, m_sampleBytes);
    m_state[position].store(2, std::memory_order_release);
}

PipelineBatchSource::PipelineBatchSource(std::shared_ptr<const PipelineSplit> split,
                                         Selection selection, int batchSize, bool dropSingleton,
                                         InputTransform transform, PipelineThreads threads)
    : m_split(std::move(split))
    , m_order(m_split->images->size(), selection)
    , m_batchSize(batchSize)
    , m_dropSingleton(dropSingleton)
    , m_transform(std::move(transform))
    , m_prefetch(std::max(1, threads.prefetch))
{
    const std::int64_t n = m_split->images->size();
    if (m_batchSize < 1 || selection.heldOut < 0 || selection.heldOut > n)
        throw Error(ErrorCode::Training, "a batch source of batch size " +
                                             std::to_string(m_batchSize) + " holding out " +
                                             std::to_string(selection.heldOut) + " of " +
                                             std::to_string(n) + " samples");
    if (m_split->labels->size() != n || m_split->geometry.size() != m_split->labels->targets.size())
        throw Error(ErrorCode::Training, "the pipeline's labels do not match its images");
    for (int i = 0; i < std::max(1, threads.workers); ++i)
        m_workers.emplace_back([this] { work(); });
}

PipelineBatchSource::~PipelineBatchSource()
{
    {
        const std::lock_guard<std::mutex> lock(m_lock);
        m_stop = true;
    }
    m_changed.notify_all();
    for (std::thread &worker : m_workers)
        worker.join();
}

std::int64_t PipelineBatchSource::samplesPerEpoch(int, int worldSize) const
{
    return m_order.perRank(worldSize);
}

std::int64_t PipelineBatchSource::batchesPerEpoch(int rank, int worldSize) const
{
    return batchCount(samplesPerEpoch(rank, worldSize), m_batchSize, m_dropSingleton);
}

void PipelineBatchSource::startEpoch(std::uint64_t seed, int epoch, int rank, int worldSize)
{
    {
        const std::lock_guard<std::mutex> lock(m_lock);
        ++m_generation;
        m_made.clear();
        m_shard = &m_order.start(seed, epoch, rank, worldSize);
        m_seed = seed;
        m_epoch = epoch;
        m_batches = batchesPerEpoch(rank, worldSize);
        m_taken = 0;
        m_nextJob = 0;
    }
    m_changed.notify_all();
}

void PipelineBatchSource::skip(std::int64_t batches)
{
    {
        const std::lock_guard<std::mutex> lock(m_lock);
        m_taken = std::min(m_batches, m_taken + std::max<std::int64_t>(0, batches));
        m_nextJob = std::max(m_nextJob, m_taken);
        m_made.erase(m_made.begin(), m_made.lower_bound(m_taken));
    }
    m_changed.notify_all();
}

std::optional<SampleBatch> PipelineBatchSource::next()
{
    std::unique_lock<std::mutex> lock(m_lock);
    if (!m_shard || m_taken >= m_batches)
        return std::nullopt;
    const std::int64_t wanted = m_taken;
    m_changed.wait(lock, [&] { return m_made.count(wanted) > 0; });
    Made made = std::move(m_made[wanted]);
    m_made.erase(wanted);
    ++m_taken;
    lock.unlock();
    m_changed.notify_all(); // room for one more batch ahead
    if (made.error)
        std::rethrow_exception(made.error);
    return std::move(made.batch);
}

void PipelineBatchSource::work()
{
    for (;;) {
        std::vector<std::int64_t> positions;
        std::uint64_t generation = 0, seed = 0;
        int epoch = 0;
        std::int64_t job = 0;
        {
            std::unique_lock<std::mutex> lock(m_lock);
            m_changed.wait(lock, [&] {
                return m_stop ||
                       (m_shard && m_nextJob < m_batches && m_nextJob < m_taken + m_prefetch);
            });
            if (m_stop)
                return;
            job = m_nextJob++;
            generation = m_generation;
            seed = m_seed;
            epoch = m_epoch;
            const auto &shard = *m_shard;
            const std::size_t first = static_cast<std::size_t>(job * m_batchSize);
            const std::size_t last =
                std::min(shard.size(), first + static_cast<std::size_t>(m_batchSize));
            positions.assign(shard.begin() + static_cast<std::ptrdiff_t>(first),
                             shard.begin() + static_cast<std::ptrdiff_t>(last));
        }
        Made made;
        try {
            made.batch = make(positions, seed, epoch);
        } catch (...) {
            made.error = std::current_exception();
        }
        {
            const std::lock_guard<std::mutex> lock(m_lock);
            if (generation != m_generation || job < m_taken)
                continue; // a new epoch started, or the batch was skipped
            m_made[job] = std::move(made);
        }
        m_changed.notify_all();
    }
}

SampleBatch PipelineBatchSource::make(const std::vector<std::int64_t> &positions,
                                      std::uint64_t seed, int epoch) const
{
    const SplitImages &images = *m_split->images;
    const MemorySplit &labels = *m_split->labels;
    const ImageSize out = m_transform.output();
    const auto count = static_cast<std::int64_t>(positions.size());
    SampleBatch batch;
    batch.images = torch::empty({count, out.channels, out.height, out.width}, torch::kFloat32);
    float *pixelsOut = batch.images.data_ptr<float>();
    const std::size_t outPlanes = static_cast<std::size_t>(out.channels) * out.height * out.width;
    std::vector<std::uint8_t *> inputTargets; // reconstruction targets, filled with the image
    for (std::size_t t = 0; t < labels.targets.size(); ++t) {
        const at::Tensor &all = labels.targets[t];
        const TargetGeometry &geometry = m_split->geometry[t];
        if (geometry.kind == TargetGeometry::Kind::Input) {
            batch.targets.push_back(
                torch::empty({count, out.channels, out.height, out.width}, torch::kUInt8));
            continue;
        }
        std::vector<std::int64_t> shape = all.sizes().vec();
        shape[0] = count;
        if (geometry.kind != TargetGeometry::Kind::None) {
            shape[2] = out.height;
            shape[3] = out.width;
        }
        batch.targets.push_back(torch::empty(shape, all.options()));
    }
    std::vector<std::uint8_t> hwc(images.sampleBytes());
    batch.sampleIds.reserve(positions.size());
    for (std::int64_t b = 0; b < count; ++b) {
        const std::int64_t position = positions[static_cast<std::size_t>(b)];
        const std::int64_t sampleId = labels.sampleIds[static_cast<std::size_t>(position)];
        batch.sampleIds.push_back(sampleId);
        if (!m_split->cache || !m_split->cache->get(position, hwc.data())) {
            images.read(position, hwc.data());
            if (m_split->cache)
                m_split->cache->put(position, hwc.data());
        }
        const SampleDraw draw = m_transform.draw(seed, epoch, sampleId);
        std::uint8_t *pixels = nullptr;
        for (std::size_t t = 0; t < labels.targets.size(); ++t)
            if (m_split->geometry[t].kind == TargetGeometry::Kind::Input)
                pixels = batch.targets[t].data_ptr<std::uint8_t>() + b * outPlanes;
        m_transform.image(hwc.data(), draw, pixelsOut + b * outPlanes, pixels);
        for (std::size_t t = 0; t < labels.targets.size(); ++t) {
            const TargetGeometry &geometry = m_split->geometry[t];
            const at::Tensor &all = labels.targets[t];
            at::Tensor &target = batch.targets[t];
            const std::size_t rowIn =
                static_cast<std::size_t>(all.numel() / std::max<std::int64_t>(1, all.size(0))) *
                all.element_size();
            const std::size_t rowOut =
                static_cast<std::size_t>(target.numel() / std::max<std::int64_t>(1, count)) *
                target.element_size();
            const auto *from = static_cast<const char *>(all.data_ptr()) + position * rowIn;
            auto *to = static_cast<char *>(target.data_ptr()) + b * rowOut;
            switch (geometry.kind) {
            case TargetGeometry::Kind::None:
                std::memcpy(to, from, rowIn);
                break;
            case TargetGeometry::Kind::Map:
            case TargetGeometry::Kind::Normals:
                m_transform.map(from, static_cast<int>(all.size(1)), all.scalar_type(), geometry,
                                draw, to);
                break;
            case TargetGeometry::Kind::Input:
                break; // written with the image
            }
        }
    }
    return batch;
}

} // namespace mtl::data
