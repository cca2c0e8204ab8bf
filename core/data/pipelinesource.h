#pragma once
// Batches made by worker threads: each decodes its samples (PNG/JPEG bytes in the project or
// files under the dataset's root), applies the "input" transforms (data/augment.h) and
// gathers the targets, a bounded number of batches ahead of the training step. Decoded
// images are kept across epochs while they fit the cache budget.
//   auto split = std::make_shared<PipelineSplit>(PipelineSplit{images, labels, geometry,
//                                                std::make_shared<DecodedCache>(…)});
//   PipelineBatchSource train(split, Selection::holdOutTrain(6000), 128, true,
//                             InputTransform(options, size, true), {2, 4});
//   train.startEpoch(seed, 1);  while (auto batch = train.next()) …
// The order of samples is MemoryBatchSource's (data::EpochOrder), and a sample's random
// transforms depend only on (seed, epoch, sample id): the batches are the same for any number
// of workers. A worker's error (a missing or damaged file) is thrown by next().

#include "data/augment.h"
#include "data/batchsource.h"
#include "data/memorysource.h"
#include "data/splitimages.h"

#include <atomic>
#include <condition_variable>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace mtl::data {

// Decoded images of one split, uint8 [H, W, C] each, kept once decoded: the first samples
// of the split (by position) that fit in `budgetBytes`. Thread-safe.
class DecodedCache {
public:
    DecodedCache(std::int64_t samples, std::size_t sampleBytes, std::size_t budgetBytes);
    // Copies sample `position`'s pixels to `out` when they are kept.
    bool get(std::int64_t position, std::uint8_t *out) const;
    // Keeps them when there is room for this position.
    void put(std::int64_t position, const std::uint8_t *pixels);
    std::int64_t capacity() const { return m_slots; }

private:
    std::int64_t m_slots;
    std::size_t m_sampleBytes;
    std::unique_ptr<std::uint8_t[]> m_pixels;
    std::unique_ptr<std::atomic<std::uint8_t>[]> m_state; // 0 empty, 1 being written, 2 kept
};

// What the sources over one split share.
struct PipelineSplit {
    std::shared_ptr<const SplitImages> images;
    // Labels, maps and per-task targets; its images stay undefined.
    std::shared_ptr<const MemorySplit> labels;
    std::vector<TargetGeometry> geometry; // per entry of labels->targets
    std::shared_ptr<DecodedCache> cache;  // null: nothing kept (raw pixels need no cache)
};

struct PipelineThreads {
    int workers = 1;  // decoding threads
    int prefetch = 4; // batches made ahead of next()
};

class PipelineBatchSource final : public BatchSource {
public:
    PipelineBatchSource(std::shared_ptr<const PipelineSplit> split, Selection selection,
                        int batchSize, bool dropSingleton, InputTransform transform,
                        PipelineThreads threads);
    ~PipelineBatchSource() override;
    PipelineBatchSource(const PipelineBatchSource &) = delete;
    PipelineBatchSource &operator=(const PipelineBatchSource &) = delete;

    std::int64_t samplesPerEpoch(int rank = 0, int worldSize = 1) const override;
    std::int64_t batchesPerEpoch(int rank = 0, int worldSize = 1) const override;
    void startEpoch(std::uint64_t seed, int epoch, int rank = 0, int worldSize = 1) override;
    std::optional<SampleBatch> next() override;
    void skip(std::int64_t batches) override;

    const InputTransform &transform() const { return m_transform; }

private:
    struct Made {
        std::optional<SampleBatch> batch;
        std::exception_ptr error;
    };
    void work();
    SampleBatch make(const std::vector<std::int64_t> &positions, std::uint64_t seed,
                     int epoch) const;

    std::shared_ptr<const PipelineSplit> m_split;
    EpochOrder m_order;
    int m_batchSize;
    bool m_dropSingleton;
    InputTransform m_transform;
    int m_prefetch;

    std::mutex m_lock;
    std::condition_variable m_changed;
    bool m_stop = false;
    std::uint64_t m_generation = 0; // bumped by startEpoch(): older work is dropped
    std::uint64_t m_seed = 0;
    int m_epoch = 0;
    const std::vector<std::int64_t> *m_shard = nullptr;
    std::int64_t m_batches = 0; // this epoch's
    std::int64_t m_taken = 0;   // batches handed out (or skipped)
    std::int64_t m_nextJob = 0; // the next batch a worker starts
    std::map<std::int64_t, Made> m_made;
    std::vector<std::thread> m_workers;
};

} // namespace mtl::data
