#pragma once
// The backbones and sharing strategies of this build, one registry entry each, and the
// function that builds the network a config's "model" section names. Adding a backbone or a
// strategy: one class plus one entry in model/factory.cpp (name, help, options, maker).

#include "common/registry.h"
#include "experiment/config.h"
#include "model/multitask.h"

#include <functional>
#include <vector>

namespace mtl::model {

// options: the entry's options as validated from the config (defaults filled in).
using BackboneMaker = std::function<BackbonePtr(const InputShape &, const nlohmann::json &options,
                                                StageRange stages)>;
using SharingMaker =
    std::function<MultiTaskModelPtr(const BackboneFactory &, const std::vector<HeadSpec> &,
                                    const InputShape &, const nlohmann::json &options)>;

const Registry<BackboneMaker> &backbones();
const Registry<SharingMaker> &sharings();

// Throws Error(Config) for unknown names (parsing already rejects them) and for inputs a
// backbone cannot take.
MultiTaskModelPtr buildModel(const experiment::ModelConfig &config, const InputShape &input,
                             const std::vector<HeadSpec> &heads);

} // namespace mtl::model
