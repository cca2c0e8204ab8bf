#pragma once
// The engine's entry point for configs: the catalog of every registered part (backbones,
// sharing strategies, task types, weighting methods, optimisers, probes) and the config
// reading that validates against it. No LibTorch types here, so front ends include it.

#include "experiment/config.h"

#include <string>
#include <vector>

namespace mtl::train {

// Built once from the registries of model/ and train/; valid for the program's lifetime.
const experiment::Catalog &catalog();

// ExperimentConfig::parse against catalog().
experiment::ExperimentConfig parseExperiment(const std::string &text,
                                             const std::string &source = "<config>");
// Reads `spec` (a file path, or "example:NAME"), applies the overrides ("key.path=value") and
// parses it. Throws Error (NotFound for a missing file or example, Config for a bad config).
experiment::ExperimentConfig loadExperiment(const std::string &spec,
                                            const std::vector<std::string> &overrides = {});

// The backbone and the sharing strategy with the options changed from their defaults, for run
// headers and lists: "small_cnn · hard (split_at 2)".
std::string architectureText(const experiment::ModelConfig &model);

// The weighting method with the options changed from their defaults: "mgda (normalization l2)".
std::string weightingText(const experiment::WeightingConfig &weighting);

// How the run optimises, for run headers: the optimiser with its learning rate and the options
// changed from their defaults, the schedule, clipping, early stopping and keep_best:
// "sgd lr 0.1 (nesterov true) · cosine (warmup_steps 100) · clip_norm 1 · early stopping on
// val loss (patience 3) · keep best".
std::string trainingText(const experiment::ExperimentConfig &config);

} // namespace mtl::train
