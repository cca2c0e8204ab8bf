#pragma once
// Builds the optimiser named by the config's "optimizer" section.

#include "train/config.h"

#include <torch/optim/optimizer.h>

#include <memory>

namespace mtl::train {

std::unique_ptr<torch::optim::Optimizer> makeOptimizer(const OptimizerConfig &config,
                                                       const std::vector<at::Tensor> &parameters);

} // namespace mtl::train
