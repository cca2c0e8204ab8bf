#pragma once
// Where the trainer's batches come from. The trainer asks a BatchSource for one epoch's batches
// at a time; the in-memory split of IDX-imported pixels is one implementation
// (data/memorysource.h), a decoding image pipeline with worker threads is another.
// Contract: the same (seed, epoch, rank, worldSize) gives the same batches in the same order,
// whatever the thread count; the ranks of one epoch see disjoint samples, the same number each.
// Thread contract: startEpoch() and next() are called from one thread (the trainer's); an
// implementation may use threads of its own behind them.

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <optional>
#include <vector>

namespace mtl::data {

struct SampleBatch {
    at::Tensor images;                  // float [B, C, H, W] in [0, 1], on the CPU
    std::vector<std::int64_t> sampleIds; // the project's sample ids, in batch order
    std::vector<at::Tensor> targets;    // per task, [B, …] as the task's targets(), on the CPU
    std::int64_t size() const { return static_cast<std::int64_t>(sampleIds.size()); }
};

class BatchSource {
public:
    virtual ~BatchSource() = default;
    // Samples this rank sees per epoch.
    virtual std::int64_t samplesPerEpoch(int rank = 0, int worldSize = 1) const = 0;
    // Batches this rank gets per epoch (a last batch of a single sample is dropped where
    // BatchNorm could not train on it).
    virtual std::int64_t batchesPerEpoch(int rank = 0, int worldSize = 1) const = 0;
    // Starts epoch `epoch` (1-based; 0 for a source that does not shuffle) of rank `rank`.
    virtual void startEpoch(std::uint64_t seed, int epoch, int rank = 0, int worldSize = 1) = 0;
    // The next batch of the epoch; nullopt when it is over. May block while a batch is made.
    virtual std::optional<SampleBatch> next() = 0;
    // Passes over the next `batches` batches of the epoch (a resumed run's done ones).
    virtual void skip(std::int64_t batches)
    {
        for (std::int64_t i = 0; i < batches && next(); ++i) {
        }
    }
};

// Batches of `batchSize` over `samples`; with dropSingleton a last batch of one sample is left
// out (BatchNorm cannot train on it).
inline std::int64_t batchCount(std::int64_t samples, std::int64_t batchSize, bool dropSingleton)
{
    std::int64_t batches = (samples + batchSize - 1) / batchSize;
    if (dropSingleton && samples % batchSize == 1)
        --batches;
    return batches;
}

} // namespace mtl::data
