#pragma once
// A multi-task network: one output tensor per task, in the order of the config's tasks.
// Sharing strategies (hard, cross-stitch, MTAN, …) are subclasses.

#include "model/backbone.h"

#include <string>
#include <vector>

namespace mtl::model {

struct HeadSpec {
    std::string task;
    std::int64_t outputs = 1; // logits per sample
};

class MultiTaskModelImpl : public torch::nn::Module {
public:
    // x: [B, C, H, W] → one [B, outputs] tensor per task
    virtual std::vector<torch::Tensor> forward(const torch::Tensor &x) = 0;
    // Parameters shared by all tasks (what gradient-based weighting methods look at).
    virtual std::vector<torch::Tensor> sharedParameters() = 0;
    virtual std::string describe() const = 0;
};

using MultiTaskModelPtr = std::shared_ptr<MultiTaskModelImpl>;

} // namespace mtl::model
