#pragma once

// Private to the trainer: the state of one run, shared by trainersetup.cpp (what prepare()
// builds) and trainer.cpp (the epochs run() drives). Nothing outside core/train includes it.

#include "data/batchsource.h"
#include "model/multitask.h"
#include "store/runstore.h"
#include "train/checkpointer.h"
#include "train/collective.h"
#include "train/evaluator.h"
#include "train/monitor.h"
#include "train/probe.h"
#include "train/runjournal.h"
#include "train/schedule.h"
#include "train/task.h"
#include "train/trainer.h"
#include "train/trainingloop.h"
#include "train/weighting.h"

#include <torch/optim/optimizer.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mtl::store {
class Project;
}

namespace mtl::train {

// A number as a message shows it (shortest form).
std::string numberText(double value);

// What the run runs on, recorded with it (runs.environment): enough to tell two machines'
// numbers apart and to rebuild the setting.
std::string environmentJson(const c10::Device &device, int threads, std::uint64_t seed,
                            const std::map<std::string, std::string> &extra);

// One run's set-up and state. prepare() fills the first block; run() the rest, then drives
// the epochs through trainEpoch(), validate() and the checkpointer.
struct Trainer::Impl {
    // prepare(): the run's plan, and the model with what trains it.
    std::unique_ptr<store::Project> project;
    std::unique_ptr<RunJournal> journal;
    std::shared_ptr<Collective> collective;
    store::DatasetInfo dataset;
    std::vector<std::unique_ptr<Task>> tasks;
    std::vector<std::string> taskNames;
    std::vector<std::vector<std::string>> taskOutputs; // per task: its heads' output names
    std::string evalSplit;
    std::int64_t trainSamples = 0, valSamples = 0, stepsPerEpoch = 0;
    torch::Device device{torch::kCPU};
    bool channelsLast = false; // train.memory_format
    c10::MemoryFormat memoryFormat() const
    {
        return channelsLast ? c10::MemoryFormat::ChannelsLast : c10::MemoryFormat::Contiguous;
    }
    std::optional<store::Checkpoint> resumeFrom; // set when continuing a run
    model::InputShape input;
    model::MultiTaskModelPtr model;
    std::vector<at::Tensor> sharedParameters;
    std::unique_ptr<torch::optim::Optimizer> optimizer;
    std::unique_ptr<WeightingMethod> weighting;
    std::vector<std::unique_ptr<Probe>> ownProbes;
    std::vector<Probe *> probes; // the config's, then TrainerOptions::extraProbes
    std::unique_ptr<Evaluator> evaluator;
    std::unique_ptr<Checkpointer> checkpointer;
    std::unique_ptr<Schedule> schedule;
    std::unique_ptr<LearningRates> rates;  // null for scheduler "none"
    std::unique_ptr<EpochMonitor> monitor; // null when nothing follows the validation metric
    std::string monitorUsers;              // who follows it, for messages

    // run(): the data.
    std::unique_ptr<data::BatchSource> trainSource, valSource, testSource;
    std::unique_ptr<data::BatchSource> otherSamples; // the weighting's second pass, or null
    std::int64_t testSamples = 0;
    // train.probe_samples of the final evaluation's split: images float [N, C, H, W] on the
    // CPU, and their sample ids (empty when no probe wants them).
    at::Tensor probeImages;
    std::vector<std::int64_t> probeIds;

    TrainingLoop::Progress progress;
    std::vector<store::MetricRow> lastValidation;
    std::optional<store::Checkpoint> best; // train.keep_best: the best epoch's, this session
    std::int64_t checkpointStep = -1;      // the last checkpoint saved or resumed from
    int checkpointEpoch = 0;

    void loadData(const experiment::ExperimentConfig &config, bool preload);
    // The "input" transforms for this dataset (training: the random ones on). Throws
    // Error(Config) at the input key that does not fit it.
    data::InputTransform inputTransform(const data::InputOptions &options, bool training) const;
    // Chooses the probe samples (seeded) from the final evaluation's source.
    void chooseProbeSamples(const experiment::ExperimentConfig &config);
    // The probe samples through the model for the probes (after an epoch, or the final
    // evaluation).
    void probeSamples(int epoch, bool final);
    void buildModel(const experiment::ExperimentConfig &config, const TrainerOptions &options);
    // Whether the model exposes one representation all task heads read (ModelOutput::shared).
    bool hasSharedRepresentation();
    Evaluator::Outcome evaluate(data::BatchSource &source, const std::string &split, int epoch,
                                const experiment::ExperimentConfig &config,
                                TrainerListener *listener, const std::atomic<bool> &stop);
    // The run's final evaluation: the test split, or else the validation of the last epoch;
    // with train.keep_best, of the best epoch's weights (then `note` says so). `interrupted`
    // when a stop request cut it short.
    EvaluationResult finalEvaluation(const experiment::ExperimentConfig &config, std::int64_t runId,
                                     int lastEpoch, TrainerListener *listener,
                                     const std::atomic<bool> &stop, std::string &note,
                                     bool &interrupted);
};

} // namespace mtl::train
