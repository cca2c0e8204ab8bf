#pragma once
// What parts an experiment can be built from, as the config validator sees them: the names,
// help and options of every registered backbone, sharing strategy, task type, weighting
// method, optimiser, learning-rate schedule and probe. The registries of model/ and train/ fill it
// (train::catalog()); tests may hand the validator a catalog of their own.

#include "common/registry.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace mtl::experiment {

struct Catalog {
    std::vector<PartSpec> backbones, sharings, taskTypes, weightings, optimizers, schedulers,
        probes;
};

// The entry named `name`, or nullptr.
const PartSpec *findPart(const std::vector<PartSpec> &parts, const std::string &name);
std::vector<std::string> partNames(const std::vector<PartSpec> &parts);

// Checks `given` (an object, or null for "none given") against `options` and returns an object
// with every option, defaults filled in. Errors name `keyPath`.<option> in `source`: unknown
// keys (with the nearest known one), wrong types, values out of range, missing required ones.
// Throws Error(Config).
nlohmann::json validateOptions(const nlohmann::json &given, const std::vector<OptionSpec> &options,
                               const std::string &keyPath, const std::string &source);

// A part and the options that differ from its defaults, for headers and lists:
// "hard (split_at 2)", "small_cnn", "cross_stitch (granularity channel, after [1])".
std::string describePart(const std::string &name, const nlohmann::json &options,
                         const std::vector<PartSpec> &parts);

} // namespace mtl::experiment
