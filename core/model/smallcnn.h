#pragma once
// small_cnn: three stages of a 3×3 convolution (padding 1), BatchNorm and ReLU, with 32, 64 and
// 128 channels (`width` × 1, 2, 4); the first two end in 2×2 max pooling. For a 28×28 image the
// stages give [32, 14, 14], [64, 7, 7] and [128, 7, 7]; pooled, a 128-d vector per image.
// `norm` replaces BatchNorm by GroupNorm or nothing; `dropout` drops elements of the last
// stage's map while training.
//   auto net = std::make_shared<SmallCnnImpl>(SmallCnnOptions({1, 28, 28}).width(32));

#include "model/backbone.h"
#include "model/layers.h"

#include <torch/nn/modules/conv.h>
#include <torch/nn/pimpl.h>

#include <array>

namespace mtl::model {

struct SmallCnnOptions {
    explicit SmallCnnOptions(const InputShape &input)
        : input_(input)
    {}
    TORCH_ARG(InputShape, input);
    TORCH_ARG(std::int64_t, width) = 32; // channels of the first stage; doubled per stage
    TORCH_ARG(NormKind, norm) = NormKind::Batch;
    TORCH_ARG(double, dropout) = 0.0; // on the last stage's output, while training
    TORCH_ARG(StageRange, stages);    // which stages to build (default: all)
};

class SmallCnnImpl final : public BackboneImpl {
public:
    // Throws Error(Config) for images smaller than 4×4 (two poolings would leave nothing).
    explicit SmallCnnImpl(const SmallCnnOptions &options);
    int stageCount() const override { return 3; }
    FeatureShape stageShape(int stage) const override;
    torch::Tensor forwardStage(int stage, const torch::Tensor &x, StageState &state) override;
    std::vector<torch::Tensor> stageParameters(int stage) const override;
    std::string describe() const override;

private:
    std::array<torch::nn::Conv2d, 3> m_conv{nullptr, nullptr, nullptr};
    std::array<Norm2d, 3> m_norm;
    double m_dropout;
    std::array<FeatureShape, 3> m_shapes;
};

} // namespace mtl::model
