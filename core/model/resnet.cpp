#include "model/resnet.h"

#include "common/error.h"

#include <torch/nn/functional/pooling.h>
#include <torch/nn/init.h>

namespace mtl::model {

namespace {

torch::nn::Conv2d conv(std::int64_t in, std::int64_t out, std::int64_t kernel, std::int64_t stride,
                       bool bias)
{
    torch::nn::Conv2d c(
        torch::nn::Conv2dOptions(in, out, kernel).stride(stride).padding(kernel / 2).bias(bias));
    torch::NoGradGuard noGrad;
    torch::nn::init::kaiming_normal_(c->weight, 0.0, torch::kFanOut, torch::kReLU);
    if (bias)
        c->bias.zero_();
    return c;
}

Error configError(const std::string &message)
{
    ErrorLocation where;
    where.key = "model.backbone";
    return Error(ErrorCode::Config, message, where);
}

} // namespace

BasicBlockImpl::BasicBlockImpl(std::int64_t in, std::int64_t out, std::int64_t stride,
                               NormKind norm)
{
    const bool bias = norm == NormKind::None;
    m_conv1 = register_module("conv1", conv(in, out, 3, stride, bias));
    m_norm1 = Norm2d(*this, "1", norm, out);
    m_conv2 = register_module("conv2", conv(out, out, 3, 1, bias));
    m_norm2 = Norm2d(*this, "2", norm, out);
    if (stride != 1 || in != out) {
        m_project = register_module("project", conv(in, out, 1, stride, bias));
        m_projectNorm = Norm2d(*this, "_project", norm, out);
    }
}

torch::Tensor BasicBlockImpl::forward(const torch::Tensor &x)
{
    const torch::Tensor h = m_norm2(m_conv2(torch::relu(m_norm1(m_conv1(x)))));
    const torch::Tensor shortcut = m_project.is_empty() ? x : m_projectNorm(m_project(x));
    return torch::relu(h + shortcut);
}

ResNetImpl::ResNetImpl(const ResNetOptions &options)
    : BackboneImpl(options.stages())
    , m_depth(options.depth())
    , m_stem(resolveStem(options.stem(), options.input().height, options.input().width))
    , m_dropout(options.dropout())
{
    if (m_depth != 18 && m_depth != 34)
        throw configError("resnet is built with 18 or 34 layers, not " + std::to_string(m_depth));
    const std::string name = "resnet" + std::to_string(m_depth);
    checkRange(name);
    const InputShape &in = options.input();
    const std::int64_t w = options.width();
    const NormKind norm = options.norm();
    const std::array<int, 4> blocks =
        m_depth == 18 ? std::array<int, 4>{2, 2, 2, 2} : std::array<int, 4>{3, 4, 6, 3};

    std::int64_t h = in.height, wd = in.width;
    if (m_stem == Stem::ImageNet) {
        h = windowOutput(windowOutput(h, 7, 2, 3), 3, 2, 1);
        wd = windowOutput(windowOutput(wd, 7, 2, 3), 3, 2, 1);
    }
    m_shapes[0] = {w, h, wd};
    for (int layer = 0; layer < 4; ++layer) {
        if (layer > 0) {
            h = windowOutput(h, 3, 2, 1);
            wd = windowOutput(wd, 3, 2, 1);
        }
        m_shapes[static_cast<std::size_t>(layer + 1)] = {w << layer, h, wd};
    }
    if (h < 1 || wd < 1)
        throw configError(name + " cannot take " + std::to_string(in.width) + "×" +
                          std::to_string(in.height) + " images");

    if (builds(0)) {
        m_stemConv = register_module("conv1", conv(in.channels, w, m_stem == Stem::ImageNet ? 7 : 3,
                                                   m_stem == Stem::ImageNet ? 2 : 1,
                                                   norm == NormKind::None));
        m_stemNorm = Norm2d(*this, "1", norm, w);
    }
    for (int layer = 0; layer < 4; ++layer) {
        if (!builds(layer + 1))
            continue;
        torch::nn::Sequential seq;
        std::int64_t channels = layer == 0 ? w : w << (layer - 1);
        for (int b = 0; b < blocks[static_cast<std::size_t>(layer)]; ++b) {
            const std::int64_t out = w << layer;
            seq->push_back(BasicBlock(channels, out, b == 0 && layer > 0 ? 2 : 1, norm));
            channels = out;
        }
        m_layers[static_cast<std::size_t>(layer)] =
            register_module("layer" + std::to_string(layer + 1), seq);
    }
}

FeatureShape ResNetImpl::stageShape(int stage) const
{
    return m_shapes.at(static_cast<std::size_t>(stage));
}

torch::Tensor ResNetImpl::forwardStage(int stage, const torch::Tensor &x, StageState &)
{
    if (stage == 0) {
        torch::Tensor h = torch::relu(m_stemNorm(m_stemConv(x)));
        return m_stem == Stem::ImageNet ? torch::max_pool2d(h, 3, 2, 1) : h;
    }
    torch::Tensor h = m_layers.at(static_cast<std::size_t>(stage - 1))->forward(x);
    return stage == 4 && m_dropout > 0 ? torch::dropout(h, m_dropout, is_training()) : h;
}

std::vector<torch::Tensor> ResNetImpl::stageParameters(int stage) const
{
    if (!builds(stage))
        return {};
    if (stage > 0)
        return m_layers.at(static_cast<std::size_t>(stage - 1))->parameters();
    std::vector<torch::Tensor> parameters = m_stemConv->parameters();
    append(parameters, m_stemNorm.parameters());
    return parameters;
}

std::string ResNetImpl::describe() const
{
    return "resnet" + std::to_string(m_depth) + " (" + std::to_string(m_shapes[1].channels) + "-" +
           std::to_string(m_shapes[4].channels) + ", " +
           (m_stem == Stem::ImageNet ? "ImageNet" : "small-input") + " stem)";
}

} // namespace mtl::model
