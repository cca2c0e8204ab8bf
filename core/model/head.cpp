#include "model/head.h"

#include "common/error.h"

#include <torch/nn/functional/linear.h>
#include <torch/nn/functional/upsampling.h>
#include <torch/nn/modules/linear.h>

#include <algorithm>

namespace mtl::model {

const char *toString(HeadSpec::Kind kind)
{
    return kind == HeadSpec::Kind::Vector ? "vector" : "dense";
}

VectorHeadImpl::VectorHeadImpl(std::int64_t inFeatures, std::int64_t outputs)
{
    // A Linear made and dropped here draws its initial values from the generator exactly as
    // the Linear heads of earlier builds did.
    torch::nn::Linear init(inFeatures, outputs);
    m_weight = register_parameter("weight", init->weight.detach().clone());
    m_bias = register_parameter("bias", init->bias.detach().clone());
}

torch::Tensor VectorHeadImpl::forward(const torch::Tensor &features)
{
    return torch::nn::functional::linear(features, m_weight, m_bias);
}

void copyBias(torch::Tensor &target, const std::vector<double> &bias)
{
    if (target.numel() != static_cast<std::int64_t>(bias.size()))
        throw Error(ErrorCode::Training, "a head of " + std::to_string(target.numel()) +
                                             " outputs cannot take " + std::to_string(bias.size()) +
                                             " bias values");
    torch::NoGradGuard noGrad;
    target.copy_(torch::tensor(bias, torch::kDouble).to(target.options()));
}

void VectorHeadImpl::setOutputBias(const std::vector<double> &bias)
{
    copyBias(m_bias, bias);
}

void DenseHeadImpl::setOutputBias(const std::vector<double> &bias)
{
    copyBias(m_out->bias, bias);
}

DenseHeadImpl::DenseHeadImpl(const FeatureShape &input, std::int64_t channels, std::int64_t height,
                             std::int64_t width)
    : m_height(height)
    , m_width(width)
{
    const std::int64_t mid = std::max<std::int64_t>(16, input.channels / 2);
    m_conv = register_module(
        "conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(input.channels, mid, 3).padding(1)));
    m_bn = register_module("bn", torch::nn::BatchNorm2d(mid));
    m_out = register_module("out", torch::nn::Conv2d(torch::nn::Conv2dOptions(mid, channels, 1)));
}

torch::Tensor DenseHeadImpl::forward(const torch::Tensor &features)
{
    namespace F = torch::nn::functional;
    const torch::Tensor logits = m_out(torch::relu(m_bn(m_conv(features))));
    if (logits.size(2) == m_height && logits.size(3) == m_width)
        return logits;
    return F::interpolate(logits, F::InterpolateFuncOptions()
                                      .size(std::vector<std::int64_t>{m_height, m_width})
                                      .mode(torch::kBilinear)
                                      .align_corners(false));
}

HeadPtr makeHead(const HeadSpec &spec, const FeatureShape &features, const InputShape &image)
{
    if (spec.kind == HeadSpec::Kind::Vector)
        return std::make_shared<VectorHeadImpl>(features.channels, spec.channels);
    return std::make_shared<DenseHeadImpl>(features, spec.channels, image.height, image.width);
}

} // namespace mtl::model
