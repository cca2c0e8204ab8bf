#pragma once
// stitch_cnn: the column of the cross-stitch networks' Fashion-MNIST set-up (Misra et al.,
// CVPR 2016, as its TensorFlow reproduction trains it): conv 3×3 of 32 → BatchNorm → ReLU →
// 2×2 max pool, conv 3×3 of 64 → BatchNorm → ReLU → 2×2 max pool, fully connected 1024 →
// BatchNorm → ReLU → dropout (keep 0.8); He (Kaiming normal) initialisation. Three stages;
// for a 28×28 image [32, 14, 14], [64, 7, 7] and [1024, 1, 1] (the FC stage as a 1×1 map, so
// pooling and cross-stitch units treat every stage alike).
//   auto net = std::make_shared<StitchCnnImpl>(StitchCnnOptions({1, 28, 28}));

#include "model/backbone.h"
#include "model/layers.h"

#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include <array>

namespace mtl::model {

struct StitchCnnOptions {
    explicit StitchCnnOptions(const InputShape &input)
        : input_(input)
    {}
    TORCH_ARG(InputShape, input);
    TORCH_ARG(std::int64_t, width) = 32;     // channels of conv1; conv2 has twice as many
    TORCH_ARG(std::int64_t, fcUnits) = 1024; // units of the fully connected stage
    TORCH_ARG(double, dropout) = 0.2;        // after the FC stage (the seed's keep_prob 0.8)
    TORCH_ARG(NormKind, norm) = NormKind::Batch;
    TORCH_ARG(StageRange, stages);
};

class StitchCnnImpl final : public BackboneImpl {
public:
    // Throws Error(Config) for images smaller than 4×4.
    explicit StitchCnnImpl(const StitchCnnOptions &options);
    int stageCount() const override { return 3; }
    FeatureShape stageShape(int stage) const override;
    torch::Tensor forwardStage(int stage, const torch::Tensor &x, StageState &state) override;
    std::vector<torch::Tensor> stageParameters(int stage) const override;
    std::string describe() const override;
    bool hasSpatialOutput() const override { return false; }

private:
    std::array<torch::nn::Conv2d, 2> m_conv{nullptr, nullptr};
    std::array<Norm2d, 3> m_norm; // the FC stage's normalises [B, units, 1, 1]
    torch::nn::Linear m_fc{nullptr};
    double m_dropout;
    std::array<FeatureShape, 3> m_shapes;
};

} // namespace mtl::model
