#pragma once
// A backbone maps an image batch to a feature vector per image. Sharing strategies decide
// how many backbones exist and how they are wired to the task heads.

#include <torch/nn/module.h>

#include <functional>
#include <memory>

namespace mtl::model {

struct InputShape {
    std::int64_t channels = 1, height = 28, width = 28;
};

class BackboneImpl : public torch::nn::Module {
public:
    // x: [B, C, H, W] float → [B, featureDim()]
    virtual torch::Tensor forward(const torch::Tensor &x) = 0;
    virtual std::int64_t featureDim() const = 0;
};

using BackbonePtr = std::shared_ptr<BackboneImpl>;
// Builds a fresh backbone each call (a strategy with one column per task calls it per task).
using BackboneFactory = std::function<BackbonePtr()>;

} // namespace mtl::model
