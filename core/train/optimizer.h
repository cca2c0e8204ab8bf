#pragma once
// The optimisers of this build (one registry entry each), and the function that builds the one
// a config's "optimizer" section names over the model's parameter groups, each group with its
// own learning rate and weight decay (optimizer.groups).

#include "common/registry.h"
#include "experiment/config.h"
#include "train/weighting.h"

#include <torch/optim/optimizer.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace mtl::train {

// Named parameters that take the same settings: a model's ParameterGroup, or "weighting".
struct ParameterSet {
    std::string name;
    bool head = false; // a task's head: "heads" in optimizer.groups applies to it
    std::vector<at::Tensor> parameters;
    double lrScale = 1.0; // the model's advice, when optimizer.groups says nothing
};

// The settings of one optimiser parameter group.
struct GroupSettings {
    std::vector<at::Tensor> parameters;
    double lr = 1e-3;
    double weightDecay = 0.0;
};

using OptimizerMaker = std::function<std::unique_ptr<torch::optim::Optimizer>(
    const std::vector<GroupSettings> &, const experiment::OptimizerConfig &)>;
const Registry<OptimizerMaker> &optimizers();

// The configured optimiser over `sets`, in order. Each set takes lr × lr_scale and its weight
// decay from optimizer.groups[its name], else optimizer.groups["heads"] for head sets, else
// the optimiser's own (lr × the set's own lrScale); neighbouring sets with equal settings share one
// group, so a config without groups gives one group of every parameter in order. Throws
// Error(Config) at optimizer.groups.<key> for a key that names no set (listing the ones there are).
std::unique_ptr<torch::optim::Optimizer> makeOptimizer(const experiment::OptimizerConfig &config,
                                                       const std::vector<ParameterSet> &sets);

// How `optimizer` would move each of its parameters (WeightingContext::stepRules): its group's
// learning rate and weight decay, and for SGD the momentum buffer times the momentum.
std::vector<WeightingContext::StepRule> stepRules(torch::optim::Optimizer &optimizer);

} // namespace mtl::train
