#pragma once
// alexnet: the 5-convolution, 3-fully-connected network of Krizhevsky et al. (NIPS 2012) that
// the MTL-CNN attribute paper (Abdulnabi et al., 2015) builds on; here its first two fully
// connected layers are stages and the third is each task's head. Seven stages: conv1..conv5
// with `width` × 1, 3, 6, 4, 4 channels (64: torchvision's 64-192-384-256-256), max pooling
// after conv1, conv2 and conv5, then fc6 and fc7 of `fc_units` with dropout. The flattened
// size fc6 reads comes from the input, so any image size the windows fit works. The ImageNet
// stem is conv 11×11 stride 4 and conv 5×5 with 3×3 pooling stride 2 (227×227 → 6×6 before
// fc6); the small-input stem (up to 64 px) uses 3×3 convolutions and 2×2 pooling throughout.
// The fc stages hand on [B, units, 1, 1], so pooling and per-stage modules treat every stage
// alike. Normalisation is off by default, as in the paper (which had local response
// normalisation, left out here as torchvision does).
//   auto net = std::make_shared<AlexNetImpl>(AlexNetOptions({3, 227, 227}));

#include "model/backbone.h"
#include "model/layers.h"

#include <array>

namespace mtl::model {

struct AlexNetOptions {
    explicit AlexNetOptions(const InputShape &input)
        : input_(input)
    {}
    TORCH_ARG(InputShape, input);
    TORCH_ARG(std::int64_t, width) = 64;
    TORCH_ARG(std::int64_t, fcUnits) = 4096;
    TORCH_ARG(double, dropout) = 0.5; // after fc6 and fc7, while training
    TORCH_ARG(Stem, stem) = Stem::Auto;
    TORCH_ARG(NormKind, norm) = NormKind::None;
    TORCH_ARG(StageRange, stages);
};

class AlexNetImpl final : public BackboneImpl {
public:
    // Throws Error(Config) at model.backbone for images the windows do not fit.
    explicit AlexNetImpl(const AlexNetOptions &options);
    int stageCount() const override { return 7; }
    FeatureShape stageShape(int stage) const override;
    torch::Tensor forwardStage(int stage, const torch::Tensor &x, StageState &state) override;
    std::vector<torch::Tensor> stageParameters(int stage) const override;
    std::string describe() const override;
    bool hasSpatialOutput() const override { return false; }

private:
    // Max pooling after a convolution stage: kernel 0 for none.
    std::int64_t poolKernel(int stage) const;

    Stem m_stem;
    double m_dropout;
    std::array<torch::nn::Conv2d, 5> m_conv{nullptr, nullptr, nullptr, nullptr, nullptr};
    std::array<torch::nn::Linear, 2> m_fc{nullptr, nullptr};
    std::array<Norm2d, 7> m_norm;
    std::array<FeatureShape, 7> m_shapes;
};

} // namespace mtl::model
