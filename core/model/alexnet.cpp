#include "model/alexnet.h"

#include "common/error.h"

#include <torch/nn/functional/dropout.h>
#include <torch/nn/functional/pooling.h>

namespace mtl::model {

namespace {
constexpr std::array<std::int64_t, 5> kMultiplier{1, 3, 6, 4, 4};
} // namespace

std::int64_t AlexNetImpl::poolKernel(int stage) const
{
    if (stage != 0 && stage != 1 && stage != 4)
        return 0;
    return m_stem == Stem::ImageNet ? 3 : 2;
}

AlexNetImpl::AlexNetImpl(const AlexNetOptions &options)
    : BackboneImpl(options.stages())
    , m_stem(resolveStem(options.stem(), options.input().height, options.input().width))
    , m_dropout(options.dropout())
{
    checkRange("alexnet");
    const InputShape &in = options.input();
    const bool imagenet = m_stem == Stem::ImageNet;
    const std::int64_t w = options.width();
    const NormKind norm = options.norm();

    std::int64_t h = in.height, wd = in.width, channels = in.channels;
    for (int stage = 0; stage < 5; ++stage) {
        const auto s = static_cast<std::size_t>(stage);
        const std::int64_t kernel = imagenet && stage == 0 ? 11 : imagenet && stage == 1 ? 5 : 3;
        const std::int64_t stride = imagenet && stage == 0 ? 4 : 1;
        const std::int64_t padding = imagenet && stage == 0 ? 2 : kernel / 2;
        h = windowOutput(h, kernel, stride, padding);
        wd = windowOutput(wd, kernel, stride, padding);
        if (const std::int64_t pool = poolKernel(stage)) {
            h = windowOutput(h, pool, 2, 0);
            wd = windowOutput(wd, pool, 2, 0);
        }
        if (h < 1 || wd < 1) {
            ErrorLocation where;
            where.key = "model.backbone";
            throw Error(ErrorCode::Config,
                        "alexnet with the " + std::string(imagenet ? "ImageNet" : "small-input") +
                            " stem cannot take " + std::to_string(in.width) + "×" +
                            std::to_string(in.height) + " images (nothing is left after conv" +
                            std::to_string(stage + 1) + ")",
                        where);
        }
        const std::int64_t out = w * kMultiplier[s];
        m_shapes[s] = {out, h, wd};
        if (builds(stage)) {
            m_conv[s] =
                register_module("conv" + std::to_string(stage + 1),
                                torch::nn::Conv2d(torch::nn::Conv2dOptions(channels, out, kernel)
                                                      .stride(stride)
                                                      .padding(padding)));
            heInit(m_conv[s]);
            m_norm[s] = Norm2d(*this, std::to_string(stage + 1), norm, out);
        }
        channels = out;
    }
    std::int64_t features = m_shapes[4].elements();
    for (int fc = 0; fc < 2; ++fc) {
        const auto s = static_cast<std::size_t>(5 + fc);
        m_shapes[s] = {options.fcUnits(), 1, 1};
        if (builds(5 + fc)) {
            m_fc[static_cast<std::size_t>(fc)] = register_module(
                "fc" + std::to_string(6 + fc), torch::nn::Linear(features, options.fcUnits()));
            heInit(m_fc[static_cast<std::size_t>(fc)]);
            m_norm[s] = Norm2d(*this, std::to_string(6 + fc), norm, options.fcUnits());
        }
        features = options.fcUnits();
    }
}

FeatureShape AlexNetImpl::stageShape(int stage) const
{
    return m_shapes.at(static_cast<std::size_t>(stage));
}

torch::Tensor AlexNetImpl::forwardStage(int stage, const torch::Tensor &x, StageState &)
{
    namespace F = torch::nn::functional;
    const auto s = static_cast<std::size_t>(stage);
    if (stage < 5) {
        torch::Tensor h = torch::relu(m_norm[s](m_conv.at(s)(x)));
        const std::int64_t pool = poolKernel(stage);
        return pool ? torch::max_pool2d(h, pool, 2) : h;
    }
    torch::Tensor h = m_fc.at(s - 5)(x.flatten(1));
    h = torch::relu(m_norm[s](h.view({h.size(0), h.size(1), 1, 1})));
    return F::dropout(h, F::DropoutFuncOptions().p(m_dropout).training(is_training()));
}

std::vector<torch::Tensor> AlexNetImpl::stageParameters(int stage) const
{
    if (!builds(stage))
        return {};
    const auto s = static_cast<std::size_t>(stage);
    std::vector<torch::Tensor> parameters =
        stage < 5 ? m_conv.at(s)->parameters() : m_fc.at(s - 5)->parameters();
    append(parameters, m_norm.at(s).parameters());
    return parameters;
}

std::string AlexNetImpl::describe() const
{
    std::string text = "alexnet (";
    for (int stage = 0; stage < 5; ++stage)
        text += std::to_string(m_shapes[static_cast<std::size_t>(stage)].channels) + "-";
    return text + "fc" + std::to_string(m_shapes[5].channels) + "-fc" +
           std::to_string(m_shapes[6].channels) + ", " +
           (m_stem == Stem::ImageNet ? "ImageNet" : "small-input") + " stem)";
}

} // namespace mtl::model
