#pragma once
// Runs one experiment: loads the dataset from the project into batch sources, builds the
// model, trains with the configured weighting and optimiser, validates each epoch (Evaluator),
// checkpoints (Checkpointer), evaluates at the end, and writes everything to the project file
// through its own connection (RunJournal; only rank 0 of a data-parallel run writes). It knows
// no architecture, weighting method or file format: those are registered parts.
// Threads: construct anywhere; run() blocks and trains on the calling thread; setPaused(),
// requestStop() and requestStopAfterEpoch() may be called from any thread (atomic flags
// checked between batches).
// No LibTorch types here, so front ends compile without LibTorch headers.

#include "experiment/config.h"
#include "store/records.h"

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace mtl::train {

struct RunStartInfo {
    std::int64_t runId = 0;
    std::string device;
    std::string model;           // one-line description
    std::int64_t parameters = 0; // trainable, in total
    // backbone · strategy · weighting, e.g. "small_cnn · hard (split_at 2) · equal"
    std::string architecture;
    // The weighting method and how it takes its gradients, e.g. "pcgrad: per-task gradients
    // w.r.t. the shared representation (3 backward passes through the heads, 1 through …)".
    std::string weighting;
    // How it optimises (trainingText): "adam lr 0.001 · cosine · early stopping on val loss …".
    std::string optimizer;
    std::vector<std::string> tasks;
    std::int64_t stepsTotal = 0, stepsPerEpoch = 0;
    int epochs = 0;
    std::int64_t trainSamples = 0, valSamples = 0, evalSamples = 0;
    std::string evalSplit;            // "test" or "val" (final evaluation)
    std::int64_t resumedFromStep = 0; // > 0 when the run continues from a checkpoint
    int threads = 0;                  // CPU threads it trains with
    // What the run changed from its config, for the user (e.g. more threads than cores).
    std::vector<std::string> warnings;
    // What tasks learnt from the training split before the first step, one line per task
    // that did (e.g. "looks: pos_weight footwear 4.00, …" for pos_weight "balanced").
    std::vector<std::string> taskNotes;
};

struct StepProgress {
    std::int64_t runId = 0;
    std::int64_t step = 0, stepsTotal = 0; // global, 1-based
    int epoch = 0, epochs = 0;
    std::vector<double> taskLosses; // in task order
    double totalLoss = 0.0;         // weighted sum
    double imagesPerSecond = 0.0;   // training loop only, since the run started
    double etaSeconds = 0.0;        // remaining training steps at the current pace
};

struct EvaluationResult {
    std::int64_t runId = 0;
    std::int64_t step = 0;
    int epoch = 0;
    std::string split;                  // "val" each epoch, "test" at the end
    std::vector<store::MetricRow> rows; // as written to the project
};

class TrainerListener {
public:
    virtual ~TrainerListener() = default;
    virtual void runStarted(const RunStartInfo &) {}
    virtual void stepFinished(const StepProgress &) {}
    virtual void evaluated(const EvaluationResult &) {}
    virtual void statusChanged(std::int64_t runId, store::RunStatus status) {}
    // Evaluation progress, fraction in [0, 1].
    virtual void evaluating(const std::string &split, double fraction) {}
};

struct RunResult {
    std::int64_t runId = 0;
    store::RunStatus status = store::RunStatus::Failed;
    std::string error;
    // How a run that ended early ended (early stopping, a stop after an epoch) and which
    // weights the final evaluation used (train.keep_best); empty otherwise.
    std::string note;
    std::string device;
    std::string evalSplit;
    // task → metric name → value (final evaluation), and task → attribute → accuracy.
    std::map<std::string, std::map<std::string, double>> metrics;
    std::map<std::string, std::map<std::string, double>> attributeAccuracy;
    std::int64_t steps = 0;
    double imagesPerSecond = 0.0;
    double trainSeconds = 0.0;
    double totalSeconds = 0.0;
};

class Collective;
class Probe;

struct TrainerOptions {
    // Benchmark aid: prepare every batch of an epoch as float tensors before the clock starts,
    // so images/s shows the compute limit without the data path.
    bool preloadBatches = false;
    // How often buffered per-step metrics are written (one transaction each).
    int flushIntervalMs = 1000;
    // Continue this run (stopped, interrupted or failed) from its latest checkpoint instead of
    // starting a new one. The config must be the run's own (RunStore::experimentConfig).
    std::int64_t resumeRunId = 0;
    // Probes beyond the config's (tests, tools); called after the config's, on the training
    // thread. Shared so a caller can read what they saw after the run.
    std::vector<std::shared_ptr<Probe>> extraProbes;
    // The processes of a data-parallel run; null: this process alone (LocalCollective).
    std::shared_ptr<Collective> collective;
    // What the front end adds to the run's environment record (e.g. {"qt": "6.4.2"}).
    std::map<std::string, std::string> environment;
};

class Trainer {
public:
    Trainer(std::string projectPath, experiment::ExperimentConfig config,
            TrainerOptions options = {});
    ~Trainer();
    Trainer(const Trainer &) = delete;
    Trainer &operator=(const Trainer &) = delete;

    // Checks the config against the dataset and records the experiment and a queued run.
    // Throws mtl::Error (Config, NotFound, Store) when the run cannot be set up. Called by
    // run() if not called before.
    std::int64_t prepare();
    // Trains to the end, a stop request or a failure; records the outcome in the project.
    // Failures during training do not throw: the result says "failed" with the reason.
    RunResult run(TrainerListener *listener = nullptr);

    void setPaused(bool paused) { m_paused.store(paused); }
    bool isPaused() const { return m_paused.load(); }
    void requestStop() { m_stop.store(true); }
    bool stopRequested() const { return m_stop.load(); }
    // Finish the epoch being trained (its validation and checkpoint), then stop; the run can
    // be resumed from there. Ignored during the last epoch, which ends the run anyway.
    void requestStopAfterEpoch() { m_stopAfterEpoch.store(true); }
    bool stopAfterEpochRequested() const { return m_stopAfterEpoch.load(); }
    std::int64_t runId() const { return m_runId; }
    const experiment::ExperimentConfig &config() const { return m_config; }

private:
    struct Impl;
    std::string m_projectPath;
    experiment::ExperimentConfig m_config;
    TrainerOptions m_options;
    std::atomic<bool> m_paused{false}, m_stop{false}, m_stopAfterEpoch{false};
    std::int64_t m_runId = 0;
    std::unique_ptr<Impl> m_impl;
};

// The config run `runId` of the project was started with, for TrainerOptions::resumeRunId.
// Throws Error: NotFound for an unknown run, InvalidInput when the run cannot be resumed
// (only stopped, interrupted or failed runs can). Opens the project read-only; a quick read.
experiment::ExperimentConfig configForResume(const std::string &projectPath, std::int64_t runId);

// "cpu" or "cuda:N" for a config's device ("auto" picks CUDA when LibTorch sees a GPU).
// Throws Error(Config) when CUDA is asked for and not available.
std::string resolveDevice(const std::string &spec);

} // namespace mtl::train
