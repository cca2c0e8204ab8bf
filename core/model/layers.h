#pragma once
// Building blocks every backbone shares: the normalisation a config chooses (`norm`: batch,
// group or none), the stem (ImageNet or small input), He initialisation, and the output size of a
// convolution or pooling window.
//   Norm2d bn(*this, "1", NormKind::Batch, 64); // registers "bn1" in the owning module
//   h = torch::relu(bn(conv(x)));

#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>

#include <string>
#include <vector>

namespace mtl::model {

enum class NormKind { Batch, Group, None };
// "batch", "group", "none"; anything else is Batch (validation has refused it already).
NormKind normKind(const std::string &name);
const char *toString(NormKind kind);

// One normalisation layer over [B, C, H, W] (a vector stage passes [B, C, 1, 1]). Not a
// module of its own: it registers its layer in the owner as "bn<suffix>" (BatchNorm, as
// earlier builds named it, so their checkpoints load), "gn<suffix>" (GroupNorm with up to 32
// groups) or not at all (none), so parameter names stay flat.
class Norm2d {
public:
    Norm2d() = default;
    Norm2d(torch::nn::Module &owner, const std::string &suffix, NormKind kind,
           std::int64_t channels);
    torch::Tensor operator()(const torch::Tensor &x);
    std::vector<torch::Tensor> parameters() const;
    // Whether a layer normalises (a convolution before it then needs no bias).
    bool normalises() const { return !m_batch.is_empty() || !m_group.is_empty(); }

private:
    torch::nn::BatchNorm2d m_batch{nullptr};
    torch::nn::GroupNorm m_group{nullptr};
};

// GroupNorm's group count for `channels`: the largest divisor of channels up to 32.
std::int64_t groupCount(std::int64_t channels);

// The first layers of a backbone made for ImageNet-sized images, or their small-image variant.
enum class Stem {
    Auto,     // Small for images of at most 64 px on their shorter side, else ImageNet
    Small,    // conv 3×3 stride 1
    ImageNet, // conv 7×7 stride 2, max pool 3×3 stride 2 (AlexNet: conv 11×11 stride 4, …)
};
// "auto", "small", "imagenet"; anything else is Auto.
Stem stemKind(const std::string &name);
// Auto resolved for an image of height × width.
Stem resolveStem(Stem stem, std::int64_t height, std::int64_t width);

// He (Kaiming normal, fan in, ReLU) weights and zero biases.
void heInit(torch::nn::Conv2d &conv);
void heInit(torch::nn::Linear &linear);

// Output length of a window of `kernel`, `stride` and `padding` over `size` elements (0 or less:
// the window does not fit).
std::int64_t windowOutput(std::int64_t size, std::int64_t kernel, std::int64_t stride,
                          std::int64_t padding);

// Concatenates b onto a.
void append(std::vector<torch::Tensor> &a, const std::vector<torch::Tensor> &b);

} // namespace mtl::model
