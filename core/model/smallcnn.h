#pragma once
// small_cnn: three 3x3 conv blocks (32, 64, 128 channels, padding 1, BatchNorm, ReLU), 2x2
// max-pool after the first two, global average pooling: a 128-d feature per image.
//   auto net = std::make_shared<SmallCnnImpl>(SmallCnnOptions(1).width(32));

#include "model/backbone.h"

#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/pimpl.h>

namespace mtl::model {

struct SmallCnnOptions {
    explicit SmallCnnOptions(std::int64_t inChannels)
        : in_channels_(inChannels)
    {
    }
    TORCH_ARG(std::int64_t, in_channels);
    TORCH_ARG(std::int64_t, width) = 32; // channels of the first block; doubled per block
};

class SmallCnnImpl final : public BackboneImpl {
public:
    explicit SmallCnnImpl(const SmallCnnOptions &options);
    torch::Tensor forward(const torch::Tensor &x) override;
    std::int64_t featureDim() const override { return m_featureDim; }

private:
    torch::nn::Conv2d m_conv1{nullptr}, m_conv2{nullptr}, m_conv3{nullptr};
    torch::nn::BatchNorm2d m_bn1{nullptr}, m_bn2{nullptr}, m_bn3{nullptr};
    std::int64_t m_featureDim;
};

} // namespace mtl::model
