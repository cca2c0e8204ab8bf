#pragma once
// Builds the multi-task network named by a config's "model" section.

#include "model/multitask.h"
#include "train/config.h"

namespace mtl::model {

// Throws Error(Config) for unknown names (parse() already rejects them).
MultiTaskModelPtr buildModel(const train::ModelConfig &config, const InputShape &input,
                             const std::vector<HeadSpec> &heads);

} // namespace mtl::model
