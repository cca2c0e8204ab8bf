#pragma once
// resnet18 / resnet34: the BasicBlock residual networks of He et al. (CVPR 2016), the encoder of
// the cross-task consistency seed. Five stages: the stem, then layer1..layer4 of [2, 2, 2, 2]
// (18) or [3, 4, 6, 3] (34) blocks of two 3×3 convolutions with an identity (or 1×1
// projection) shortcut, `width` × 1, 2, 4, 8 channels, layers 2–4 halving the resolution.
// The ImageNet stem is conv 7×7 stride 2 and 3×3 max pooling stride 2; the small-input stem
// (28–64 px images, CIFAR-style) is one conv 3×3 stride 1, so a 28×28 image still has 4×4
// cells after layer4. Convolutions are He-initialised (fan out), as torchvision does.
//   auto net = std::make_shared<ResNetImpl>(ResNetOptions({3, 64, 64}).depth(18).width(32));

#include "model/backbone.h"
#include "model/layers.h"

#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/pimpl.h>

#include <array>

namespace mtl::model {

struct ResNetOptions {
    explicit ResNetOptions(const InputShape &input)
        : input_(input)
    {}
    TORCH_ARG(InputShape, input);
    TORCH_ARG(int, depth) = 18;          // 18 or 34
    TORCH_ARG(std::int64_t, width) = 64; // channels of the stem and layer1; doubled per layer
    TORCH_ARG(Stem, stem) = Stem::Auto;
    TORCH_ARG(NormKind, norm) = NormKind::Batch;
    TORCH_ARG(double, dropout) = 0.0; // on layer4's output, while training
    TORCH_ARG(StageRange, stages);
};

// conv 3×3 (stride s) → norm → ReLU → conv 3×3 → norm, plus the shortcut, → ReLU.
class BasicBlockImpl : public torch::nn::Module {
public:
    BasicBlockImpl(std::int64_t in, std::int64_t out, std::int64_t stride, NormKind norm);
    torch::Tensor forward(const torch::Tensor &x);

private:
    torch::nn::Conv2d m_conv1{nullptr}, m_conv2{nullptr}, m_project{nullptr};
    Norm2d m_norm1, m_norm2, m_projectNorm;
};
TORCH_MODULE(BasicBlock);

class ResNetImpl final : public BackboneImpl {
public:
    // Throws Error(Config) at model.backbone for a depth other than 18 or 34.
    explicit ResNetImpl(const ResNetOptions &options);
    int stageCount() const override { return 5; }
    FeatureShape stageShape(int stage) const override;
    torch::Tensor forwardStage(int stage, const torch::Tensor &x, StageState &state) override;
    std::vector<torch::Tensor> stageParameters(int stage) const override;
    std::string describe() const override;

private:
    int m_depth;
    Stem m_stem;
    double m_dropout;
    torch::nn::Conv2d m_stemConv{nullptr};
    Norm2d m_stemNorm;
    std::array<torch::nn::Sequential, 4> m_layers{nullptr, nullptr, nullptr, nullptr};
    std::array<FeatureShape, 5> m_shapes;
};

} // namespace mtl::model
