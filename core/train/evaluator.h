#pragma once
// Evaluates a model on every batch of a source (the held-out validation part, or the test
// split): the tasks' metrics from mergeable meters, combined across the ranks of a
// data-parallel run, and each batch handed to the probes.
// Thread contract: the trainer's thread; sets no-grad and eval mode for the pass and puts the
// model back in training mode.

#include "data/batchsource.h"
#include "store/recordbatch.h"
#include "train/probe.h"
#include "train/task.h"

#include <c10/core/Device.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace mtl::model {
class MultiTaskModelImpl;
}

namespace mtl::train {

class Collective;

class Evaluator {
public:
    // Everything is borrowed and must outlive the evaluator.
    Evaluator(const std::vector<std::unique_ptr<Task>> &tasks,
              const std::vector<std::string> &taskNames, model::MultiTaskModelImpl &model,
              const c10::Device &device, Collective &collective, const std::vector<Probe *> &probes,
              c10::MemoryFormat memoryFormat = c10::MemoryFormat::Contiguous);

    struct Outcome {
        std::vector<store::MetricRow> rows; // per task: loss, accuracy, per attribute, …
        bool interrupted = false;           // `stop` said so before a batch; rows are empty
    };
    struct Callbacks {
        std::function<bool()> stop;           // asked before each batch
        std::function<void(double)> progress; // fraction of samples done, after each batch
    };
    // One pass over `source` (started at epoch 0 with `seed`); rows are labelled with split,
    // epoch and step. Probes' records go to `records`.
    Outcome run(data::BatchSource &source, std::uint64_t seed, const std::string &split, int epoch,
                std::int64_t step, store::RecordBatch &records, const Callbacks &callbacks);
    // The task-level metrics the meters record, from the first batch of `source` alone (no
    // probes, nothing recorded, this rank only): to check a metric name before training. A
    // task whose meter saw no label in that batch has no rows.
    std::vector<store::MetricRow> firstBatchMetrics(data::BatchSource &source, std::uint64_t seed);

    // The split of the run's final evaluation ("test", or "val" without a test split), which
    // probes see as EvalRecord::finalSplit.
    void setFinalSplit(std::string split) { m_finalSplit = std::move(split); }

    // The run's probe samples (`images`: float [N, C, H, W] in [0, 1] on the CPU, `sampleIds`
    // of `split`) through the model in eval mode with taps, for the probes that want them.
    // Nothing runs when none does.
    void runProbeSamples(const at::Tensor &images, const std::vector<std::int64_t> &sampleIds,
                         const std::string &split, int epoch, std::int64_t step, bool final,
                         store::RecordBatch &records);

private:
    const std::vector<std::unique_ptr<Task>> &m_tasks;
    const std::vector<std::string> &m_taskNames;
    model::MultiTaskModelImpl &m_model;
    c10::Device m_device;
    Collective &m_collective;
    std::vector<Probe *> m_probes;
    c10::MemoryFormat m_memoryFormat;
    std::string m_finalSplit;
};

} // namespace mtl::train
