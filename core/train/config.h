#pragma once
// The experiment config (JSON), documented key by key in docs/CONFIG.md. Parsing checks types,
// ranges and names and reports the key path (e.g. "tasks[1].label") of the first problem.

#include <cstdint>
#include <string>
#include <vector>

namespace mtl::train {

struct TaskConfig {
    std::string name;
    std::string type;                // "classification" | "attributes"
    std::string label;               // classification: the categorical column
    std::vector<std::string> labels; // attributes: the binary columns
};

struct ModelConfig {
    std::string backbone = "small_cnn";
    std::string sharing = "hard";
};

struct WeightingConfig {
    std::string method = "equal";
};

struct OptimizerConfig {
    std::string name = "adam"; // "adam" | "sgd"
    double lr = 1e-3;
    double weightDecay = 0.0;
    double momentum = 0.9; // sgd only
};

struct TrainConfig {
    int epochs = 1;
    int batchSize = 128;
    std::int64_t maxStepsPerEpoch = 0; // 0: the whole split
    double valFraction = 0.1;          // held out from "train" for per-epoch validation
    std::uint64_t seed = 0;
    int threads = 0;                   // intra-op CPU threads; 0: one per core
    std::string device = "auto";       // "auto" | "cpu" | "cuda" | "cuda:N"
};

struct ExperimentConfig {
    std::string name;
    std::string dataset;
    std::vector<TaskConfig> tasks;
    ModelConfig model;
    WeightingConfig weighting;
    OptimizerConfig optimizer;
    TrainConfig train;

    // Parses and validates. `source` names the text in errors (a file path or "<config>").
    // Throws mtl::Error(ErrorCode::Config) with file:line:column for JSON syntax errors and
    // the key path for wrong or unknown keys.
    static ExperimentConfig parse(const std::string &text, const std::string &source = "<config>");
    static ExperimentConfig load(const std::string &path);
    // Canonical JSON with every key (defaults filled in), as stored with each experiment.
    std::string toJson(int indent = 2) const;
};

// Applies "a.b.c=value" overrides to config JSON text before parsing (value is JSON, or a
// plain string when it does not parse as JSON). Throws Error(Config) on a malformed override.
std::string applyOverrides(const std::string &text, const std::vector<std::string> &overrides,
                           const std::string &source = "<config>");

// Loads a config from `spec`: a file path, or "example:NAME" for a built-in example
// (resources/experiments/NAME.json), applies the overrides and parses it. Throws Error
// (NotFound for a missing file or example, Config for a bad config).
ExperimentConfig loadExperiment(const std::string &spec,
                                const std::vector<std::string> &overrides = {});
// Names of the built-in examples, for "example:NAME".
std::vector<std::string> exampleExperiments();

} // namespace mtl::train
