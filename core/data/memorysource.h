#pragma once
// Batches from a split held in memory: the uint8 pixels of IDX-imported samples and their
// targets, shared by the sources drawn from it (training, held-out validation, test).
//   auto split = std::make_shared<MemorySplit>(loadSplit(project, dataset, "train", columns));
//   MemoryBatchSource train(split, Selection::holdOutTrain(6000), 128, true);
//   train.startEpoch(seed, 1);  while (auto batch = train.next()) …
// The hold-out is decided here from the seed: a std::mt19937_64(seed) shuffle of the split,
// the first `heldOut` samples validate, the rest train, and each epoch shuffles the training
// part again with the same generator — the orders of every earlier build.

#include "data/batchsource.h"
#include "store/records.h"

#include <algorithm>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace mtl::store {
class Project;
}

namespace mtl::data {

struct MemorySplit {
    at::Tensor images;                                        // uint8 [N, C, H, W], CPU
    std::vector<std::int64_t> sampleIds;                      // [N], in split order
    std::map<std::string, std::vector<std::int32_t>> columns; // name → values, -1 = missing
    // Map columns by name: [N, C, H, W] as stored — uint8, int16 holding uint16's bits, or
    // float32 — with a sample's missing map filled with its kind's "not labelled" value.
    std::map<std::string, at::Tensor> maps;
    std::vector<at::Tensor> targets; // per task [N, …] on the CPU, set by the caller
    std::int64_t size() const { return static_cast<std::int64_t>(sampleIds.size()); }
};

// Loads the images and the named label and map columns of one split. Throws Error(InvalidInput)
// when samples differ in size from the dataset or do not decode.
MemorySplit loadSplit(store::Project &project, const store::DatasetInfo &dataset,
                      const std::string &split, const std::vector<std::string> &columns);
// The same without the images (`images` stays undefined): what the decoding pipeline needs
// beside its SplitImages. `sampleIds` are the split's, in split order.
MemorySplit loadLabels(store::Project &project, const store::DatasetInfo &dataset,
                       const std::string &split, const std::vector<std::string> &columns,
                       std::vector<std::int64_t> sampleIds);

// uint8 [B, C, H, W] → float in [0, 1] (the normalisation of torchvision's ToTensor()).
at::Tensor toModelInput(const at::Tensor &images);

// Which samples of a split a source draws.
struct Selection {
    enum class Kind {
        All,          // every sample, in split order, every epoch
        HoldOutTrain, // all but the held-out samples, shuffled each epoch
        HoldOutVal,   // the held-out samples, in hold-out order, every epoch
    };
    Kind kind = Kind::All;
    std::int64_t heldOut = 0;
    static Selection all() { return {}; }
    static Selection holdOutTrain(std::int64_t heldOut) { return {Kind::HoldOutTrain, heldOut}; }
    static Selection holdOutVal(std::int64_t heldOut) { return {Kind::HoldOutVal, heldOut}; }
};

// The order a source visits a split's positions in, epoch by epoch, and this rank's share.
class EpochOrder {
public:
    EpochOrder(std::int64_t splitSize, Selection selection);
    std::int64_t selectedCount() const;
    // Samples this rank sees per epoch.
    std::int64_t perRank(int worldSize) const { return selectedCount() / std::max(1, worldSize); }
    // This rank's positions in the split for the epoch, in visiting order.
    const std::vector<std::int64_t> &start(std::uint64_t seed, int epoch, int rank, int worldSize);

private:
    std::int64_t m_size;
    Selection m_selection;
    // The epoch's order over the whole selection, and the generator after making it: the
    // next epoch continues from it instead of replaying every shuffle since the seed.
    std::vector<std::int64_t> m_order;
    std::mt19937_64 m_rng;
    std::uint64_t m_seed = 0;
    int m_epoch = -1;
    std::vector<std::int64_t> m_shard; // this rank's part of m_order
};

class MemoryBatchSource final : public BatchSource {
public:
    // dropSingleton: leave out a last batch of one sample (training: BatchNorm needs two).
    MemoryBatchSource(std::shared_ptr<const MemorySplit> split, Selection selection, int batchSize,
                      bool dropSingleton);

    std::int64_t samplesPerEpoch(int rank = 0, int worldSize = 1) const override;
    std::int64_t batchesPerEpoch(int rank = 0, int worldSize = 1) const override;
    void startEpoch(std::uint64_t seed, int epoch, int rank = 0, int worldSize = 1) override;
    std::optional<SampleBatch> next() override;
    void skip(std::int64_t batches) override;

private:
    std::shared_ptr<const MemorySplit> m_split;
    EpochOrder m_order;
    int m_batchSize;
    bool m_dropSingleton;
    const std::vector<std::int64_t> *m_shard = nullptr; // this rank's positions, in order
    std::int64_t m_position = 0, m_batchesLeft = 0;
};

// Makes a whole epoch's batches of another source in startEpoch(), before the caller's clock
// starts (at most `maxBatches` of them), then hands them out: a benchmark aid showing the
// training speed without the data path.
class PreloadedSource final : public BatchSource {
public:
    PreloadedSource(std::unique_ptr<BatchSource> inner, std::int64_t maxBatches);
    std::int64_t samplesPerEpoch(int rank = 0, int worldSize = 1) const override;
    std::int64_t batchesPerEpoch(int rank = 0, int worldSize = 1) const override;
    void startEpoch(std::uint64_t seed, int epoch, int rank = 0, int worldSize = 1) override;
    std::optional<SampleBatch> next() override;
    void skip(std::int64_t batches) override;

private:
    std::unique_ptr<BatchSource> m_inner;
    std::int64_t m_maxBatches;
    std::vector<SampleBatch> m_batches;
    std::size_t m_next = 0;
};

} // namespace mtl::data
