#pragma once
// One epoch of training: batches from the source, forward, per-task losses, the weighting
// method's backward, the gradient all-reduce across ranks (the seam for data parallelism),
// the optimiser step, the step's records and probes, pause and stop between batches. The
// Trainer sets the parts up and runs validation, checkpoints and the final evaluation around
// it. Everything is borrowed from the Trainer and must outlive the loop.
// Thread contract: the trainer's thread; `stop` and `paused` may be set from any thread.

#include "train/trainer.h"

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <vector>

namespace torch::optim {
class Optimizer;
}
namespace mtl::data {
class BatchSource;
struct SampleBatch;
} // namespace mtl::data
namespace mtl::model {
class MultiTaskModelImpl;
struct ModelOutput;
}

namespace mtl::train {

class Collective;
class LearningRates;
class Probe;
class RunJournal;
class Task;
class WeightingMethod;

struct TrainingParts {
    const std::vector<std::unique_ptr<Task>> &tasks;
    const std::vector<std::string> &taskNames;
    model::MultiTaskModelImpl &model;
    torch::optim::Optimizer &optimizer;
    WeightingMethod &weighting;
    Collective &collective;
    const std::vector<Probe *> &probes;
    RunJournal &journal;
    c10::Device device;
    c10::MemoryFormat memoryFormat = c10::MemoryFormat::Contiguous; // of each image batch
    // The second pass over the training split the weighting method's other batches come from
    // (WeightingMethod::samplesPerStep() > 1; else null), and the run's seed for its order.
    data::BatchSource *moreSamples = nullptr;
    std::uint64_t seed = 0;
    LearningRates *rates = nullptr; // the schedule; null: the optimiser's rates stay
    double clipNorm = 0.0;          // optimizer.clip_norm; 0: no clipping
    experiment::DebugConfig debug;  // test aids (a NaN on purpose)
};

class TrainingLoop {
public:
    struct Control {
        const std::atomic<bool> &stop, &paused;
        std::function<void(store::RunStatus)> setStatus; // records and reports a status
        std::function<void(int epoch)> checkpoint;       // saves one now
        std::int64_t checkpointEverySteps = 0;           // 0: every checkpointEverySeconds
        double checkpointEverySeconds = 120.0;
    };
    struct Progress {
        std::int64_t runId = 0;
        std::int64_t step = 0;      // global steps done, 1-based after the first
        std::int64_t firstStep = 0; // where this session started (resumed runs: > 0)
        std::int64_t stepsTotal = 0;
        int epochs = 0;
        std::int64_t imagesTrained = 0; // in this session
        double trainSeconds = 0.0;      // in this session, pauses excluded
        double imagesPerSecond = 0.0;
    };

    TrainingLoop(const TrainingParts &parts, Control control, Progress &progress);

    // Trains batches [firstBatch, batches) of `epoch` from `source` (already started).
    // Returns how many it trained; fewer when a stop was requested. Calls epochEnded() on the
    // weighting method with the mean losses when it trained any. Throws Error(Training) when
    // a loss stops being finite or the source runs dry.
    std::int64_t runEpoch(data::BatchSource &source, int epoch, std::int64_t firstBatch,
                          std::int64_t batches, TrainerListener *listener);

private:
    struct Sample {
        at::Tensor images;
        std::vector<at::Tensor> targets;
    };
    Sample onDevice(const data::SampleBatch &batch) const;
    // The next batch of the second pass: passes follow each other, the first placed after the
    // (samplesPerStep() − 1)·step batches the steps before this session drew.
    data::SampleBatch nextOtherBatch();
    // The objectives of `sample` by a new forward, the model's buffers kept as they were.
    std::vector<at::Tensor> objectivesAgain(const Sample &sample, bool withGradients);
    void waitWhilePaused();
    void checkpointIfDue(int epoch);
    // Throws Error(Training) naming the step, the task and the value when a task's loss (or
    // one of its terms) is not finite; the parameters are as the step before left them.
    void checkLosses(std::int64_t step, const std::vector<at::Tensor> &taskLosses,
                     const std::vector<at::Tensor> &objectives, std::vector<double> &losses,
                     std::vector<double> &objectiveLosses) const;
    // The norm of the gradient of every parameter the optimiser steps, clipped to clipNorm
    // when that is set; throws Error(Training) naming the parameter when it is not finite.
    double checkAndClipGradients(std::int64_t step);
    // The objectives the weighting balances for one forward's output (taskLosses and
    // transferTerms filled on the way), in objectiveNames() order.
    std::vector<at::Tensor> objectivesOf(const model::ModelOutput &output,
                                         const std::vector<at::Tensor> &targets,
                                         std::vector<at::Tensor> &taskLosses,
                                         std::vector<at::Tensor> &transferTerms) const;

    TrainingParts m_parts;
    Control m_control;
    Progress &m_progress;
    std::vector<at::Tensor> m_sharedParameters;
    std::vector<at::Tensor> m_taskParameters; // every other trainable one
    std::vector<std::string> m_objectives;         // objectiveNames(tasks)
    std::vector<std::vector<std::string>> m_terms; // per task: its lossTerms(), once
    std::size_t m_samplesPerStep = 1;
    int m_otherPass = 0; // the second pass's current one, 1-based; 0 before the first
    bool m_paused = false;
    std::chrono::steady_clock::time_point m_lastCheckpoint = std::chrono::steady_clock::now();
};

} // namespace mtl::train
