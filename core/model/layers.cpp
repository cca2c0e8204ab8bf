#include "model/layers.h"

#include <torch/nn/init.h>

namespace mtl::model {

NormKind normKind(const std::string &name)
{
    if (name == "group")
        return NormKind::Group;
    if (name == "none")
        return NormKind::None;
    return NormKind::Batch;
}

const char *toString(NormKind kind)
{
    switch (kind) {
    case NormKind::Batch:
        return "batch";
    case NormKind::Group:
        return "group";
    case NormKind::None:
        return "none";
    }
    return "batch";
}

Stem stemKind(const std::string &name)
{
    if (name == "small")
        return Stem::Small;
    if (name == "imagenet")
        return Stem::ImageNet;
    return Stem::Auto;
}

Stem resolveStem(Stem stem, std::int64_t height, std::int64_t width)
{
    if (stem != Stem::Auto)
        return stem;
    return std::min(height, width) <= 64 ? Stem::Small : Stem::ImageNet;
}

std::int64_t groupCount(std::int64_t channels)
{
    for (std::int64_t g = std::min<std::int64_t>(32, channels); g > 1; --g)
        if (channels % g == 0)
            return g;
    return 1;
}

Norm2d::Norm2d(torch::nn::Module &owner, const std::string &suffix, NormKind kind,
               std::int64_t channels)
{
    if (kind == NormKind::Batch)
        m_batch = owner.register_module("bn" + suffix, torch::nn::BatchNorm2d(channels));
    else if (kind == NormKind::Group)
        m_group = owner.register_module("gn" + suffix,
                                        torch::nn::GroupNorm(groupCount(channels), channels));
}

torch::Tensor Norm2d::operator()(const torch::Tensor &x)
{
    if (!m_batch.is_empty())
        return m_batch->forward(x);
    if (!m_group.is_empty())
        return m_group->forward(x);
    return x;
}

std::vector<torch::Tensor> Norm2d::parameters() const
{
    if (!m_batch.is_empty())
        return m_batch->parameters();
    if (!m_group.is_empty())
        return m_group->parameters();
    return {};
}

void heInit(torch::nn::Conv2d &conv)
{
    torch::NoGradGuard noGrad;
    torch::nn::init::kaiming_normal_(conv->weight, 0.0, torch::kFanIn, torch::kReLU);
    if (conv->bias.defined())
        conv->bias.zero_();
}

void heInit(torch::nn::Linear &linear)
{
    torch::NoGradGuard noGrad;
    torch::nn::init::kaiming_normal_(linear->weight, 0.0, torch::kFanIn, torch::kReLU);
    if (linear->bias.defined())
        linear->bias.zero_();
}

std::int64_t windowOutput(std::int64_t size, std::int64_t kernel, std::int64_t stride,
                          std::int64_t padding)
{
    const std::int64_t span = size + 2 * padding - kernel;
    return span < 0 ? 0 : span / stride + 1;
}

void append(std::vector<torch::Tensor> &a, const std::vector<torch::Tensor> &b)
{
    a.insert(a.end(), b.begin(), b.end());
}

} // namespace mtl::model
