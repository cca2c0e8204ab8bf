#include "train/optimizer.h"

#include "common/error.h"
#include "train/registry.h"

#include <torch/optim/adam.h>
#include <torch/optim/sgd.h>

namespace mtl::train {

std::vector<std::string> optimizerNames() { return {"adam", "sgd"}; }

std::unique_ptr<torch::optim::Optimizer> makeOptimizer(const OptimizerConfig &config,
                                                       const std::vector<at::Tensor> &parameters)
{
    if (config.name == "adam")
        return std::make_unique<torch::optim::Adam>(
            parameters, torch::optim::AdamOptions(config.lr).weight_decay(config.weightDecay));
    if (config.name == "sgd")
        return std::make_unique<torch::optim::SGD>(
            parameters, torch::optim::SGDOptions(config.lr)
                            .momentum(config.momentum)
                            .weight_decay(config.weightDecay));
    throw Error(ErrorCode::Config, "unknown optimizer '" + config.name + "'");
}

} // namespace mtl::train
