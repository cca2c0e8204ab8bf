#pragma once
// The experiment config (JSON), documented key by key in docs/CONFIG.md. Parsing checks types,
// ranges and names and reports the key path (e.g. "tasks[1].label") of the first problem.
// This layer sits below model/ and train/: it knows the parts a run can use only through the
// Catalog it is given (train/catalog.h gives the built-in one), so nothing here depends on
// LibTorch.

#include "data/inputoptions.h"
#include "experiment/catalog.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mtl::experiment {

struct TaskConfig {
    std::string name;
    std::string type;                // a registered task type ("classification", "attributes")
    std::string label;               // classification: the categorical column
    std::vector<std::string> labels; // attributes: the binary columns
    nlohmann::json options = nlohmann::json::object(); // the type's options, defaults filled
};

struct ModelConfig {
    std::string backbone = "small_cnn";
    std::string sharing = "hard";
    nlohmann::json backboneOptions = nlohmann::json::object(); // defaults filled
    nlohmann::json sharingOptions = nlohmann::json::object();
};

struct WeightingConfig {
    std::string method = "equal";
    nlohmann::json options = nlohmann::json::object(); // the method's options, defaults filled
};

// Learning rate and weight decay of one of the model's parameter groups ("shared", "heads",
// "head.<task>", or a strategy's own group such as "cross_stitch").
struct ParameterGroupConfig {
    double lrScale = 1.0;              // multiplies optimizer.lr
    std::optional<double> weightDecay; // unset: optimizer.weight_decay
};

struct OptimizerConfig {
    std::string name = "adam"; // a registered optimiser: adam, adamw, sgd, rmsprop
    double lr = 1e-3;
    double weightDecay = 0.0;
    // The optimiser's own options (sgd: momentum, nesterov; adam: beta1, …), defaults filled;
    // written beside name and lr in the JSON ("optimizer": {"name": "sgd", "momentum": 0.9}).
    nlohmann::json options = nlohmann::json::object();
    double clipNorm = 0.0; // the gradient of all parameters clipped to this norm; 0: never
    std::map<std::string, ParameterGroupConfig> groups; // by group name; checked by the trainer
};

// How the learning rate changes during the run: a registered schedule and its options.
struct SchedulerConfig {
    std::string name = "none";
    nlohmann::json options = nlohmann::json::object(); // defaults filled
};

struct TrainConfig {
    int epochs = 1;
    int batchSize = 128;
    std::int64_t maxStepsPerEpoch = 0; // 0: the whole split
    double valFraction = 0.1;          // held out from "train" for per-epoch validation
    std::uint64_t seed = 0;
    int threads = 0;             // intra-op CPU threads; 0: one per core
    std::string device = "auto"; // "auto" | "cpu" | "cuda" | "cuda:N"
    // How image batches and 4-D weights are laid out: "contiguous" (NCHW) | "channels_last".
    std::string memoryFormat = "channels_last";
    // Mixed precision on a CUDA device: forward passes under autocast in bfloat16. Ignored (and
    // said so) on the CPU.
    bool amp = false;
    // A checkpoint every N training steps besides each epoch's; 0: every 2 minutes of training.
    std::int64_t checkpointEverySteps = 0;
    // The validation metric that early stopping, keep_best and the plateau schedule follow:
    // "loss" or another metric name (its mean over the tasks that record it), or "TASK.METRIC".
    std::string monitor = "loss";
    int patience = 0;      // early stopping after this many epochs without improvement; 0: off
    double minDelta = 0.0; // what counts as an improvement of the monitored metric
    bool keepBest = false; // the final evaluation uses the best epoch's weights (by monitor)
    // Samples of the final evaluation's split chosen by seed that probes look at each epoch
    // (attention-mask images, predicted maps); 0: none.
    int probeSamples = 32;
};

// Test aids, documented as such: make the run fail on purpose.
struct DebugConfig {
    std::int64_t nanAtStep = 0; // 0: never
    std::string nanIn = "loss"; // "loss" (the task's loss) | "gradient" (a shared gradient)
    std::string nanTask;        // the task whose loss turns NaN; empty: the first
    bool operator==(const DebugConfig &o) const
    {
        return nanAtStep == o.nanAtStep && nanIn == o.nanIn && nanTask == o.nanTask;
    }
};

struct ProbeConfig {
    std::string name;
    nlohmann::json options = nlohmann::json::object();
};

struct ExperimentConfig {
    std::string name;
    std::string dataset;
    std::vector<TaskConfig> tasks;
    ModelConfig model;
    WeightingConfig weighting;
    OptimizerConfig optimizer;
    SchedulerConfig scheduler;
    TrainConfig train;
    data::InputOptions input; // "input": what the model sees of each image, and how it is read
    DebugConfig debug;
    std::vector<ProbeConfig> probes; // what the run records beyond losses and metrics

    // Parses and validates against the parts `catalog` lists. `source` names the text in
    // errors (a file path or "<config>"). Throws mtl::Error(ErrorCode::Config) with
    // file:line:column for JSON syntax errors and the key path for wrong or unknown keys.
    static ExperimentConfig parse(const std::string &text, const std::string &source,
                                  const Catalog &catalog);
    // Canonical JSON with every key (defaults filled in), as stored with each experiment.
    std::string toJson(int indent = 2) const;
};

// The probes a config without "probes" records.
std::vector<ProbeConfig> defaultProbes();

// Applies "a.b.c=value" overrides to config JSON text before parsing (value is JSON, or a
// plain string when it does not parse as JSON). Throws Error(Config) on a malformed override.
std::string applyOverrides(const std::string &text, const std::vector<std::string> &overrides,
                           const std::string &source = "<config>");

// The text of a config named by `spec`: a file path, or "example:NAME" for a built-in example
// (resources/experiments/NAME.json); `source` is set to what errors should name. Throws Error
// (NotFound for a missing file or example, Config for one that cannot be read).
std::string readExperimentText(const std::string &spec, std::string &source);
// Names of the built-in examples, for "example:NAME".
std::vector<std::string> exampleExperiments();

} // namespace mtl::experiment
