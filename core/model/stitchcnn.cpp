#include "model/stitchcnn.h"

#include "common/error.h"

#include <torch/nn/functional/dropout.h>
#include <torch/nn/functional/pooling.h>

namespace mtl::model {

StitchCnnImpl::StitchCnnImpl(const StitchCnnOptions &options)
    : BackboneImpl(options.stages())
    , m_dropout(options.dropout())
{
    const InputShape &in = options.input();
    if (in.height < 4 || in.width < 4) {
        ErrorLocation where;
        where.key = "model.backbone";
        throw Error(ErrorCode::Config,
                    "stitch_cnn needs images of at least 4×4 pixels, got " +
                        std::to_string(in.width) + "×" + std::to_string(in.height),
                    where);
    }
    checkRange("stitch_cnn");
    const std::int64_t w = options.width();
    m_shapes = {FeatureShape{w, in.height / 2, in.width / 2},
                FeatureShape{2 * w, in.height / 4, in.width / 4},
                FeatureShape{options.fcUnits(), 1, 1}};
    std::int64_t channels = in.channels;
    for (int stage = 0; stage < 2; ++stage) {
        const std::int64_t out = m_shapes[static_cast<std::size_t>(stage)].channels;
        if (builds(stage)) {
            const std::string n = std::to_string(stage + 1);
            m_conv[stage] = register_module(
                "conv" + n,
                torch::nn::Conv2d(torch::nn::Conv2dOptions(channels, out, 3).padding(1)));
            heInit(m_conv[stage]);
            m_norm[stage] = Norm2d(*this, n, options.norm(), out);
        }
        channels = out;
    }
    if (builds(2)) {
        m_fc = register_module("fc3", torch::nn::Linear(m_shapes[1].elements(), options.fcUnits()));
        heInit(m_fc);
        // BatchNorm2d over [B, units, 1, 1] is BatchNorm1d over [B, units], parameter for
        // parameter, so checkpoints of builds with BatchNorm1d load.
        m_norm[2] = Norm2d(*this, "3", options.norm(), options.fcUnits());
    }
}

FeatureShape StitchCnnImpl::stageShape(int stage) const
{
    return m_shapes.at(static_cast<std::size_t>(stage));
}

torch::Tensor StitchCnnImpl::forwardStage(int stage, const torch::Tensor &x, StageState &)
{
    namespace F = torch::nn::functional;
    if (stage < 2) {
        const auto s = static_cast<std::size_t>(stage);
        return torch::max_pool2d(torch::relu(m_norm.at(s)(m_conv[s](x))), 2);
    }
    torch::Tensor h = m_fc(x.flatten(1));
    h = torch::relu(m_norm[2](h.view({h.size(0), h.size(1), 1, 1})));
    return F::dropout(h, F::DropoutFuncOptions().p(m_dropout).training(is_training()));
}

std::vector<torch::Tensor> StitchCnnImpl::stageParameters(int stage) const
{
    if (!builds(stage))
        return {};
    std::vector<torch::Tensor> parameters =
        stage < 2 ? m_conv[static_cast<std::size_t>(stage)]->parameters() : m_fc->parameters();
    append(parameters, m_norm[static_cast<std::size_t>(stage)].parameters());
    return parameters;
}

std::string StitchCnnImpl::describe() const
{
    return "stitch_cnn (" + std::to_string(m_shapes[0].channels) + "-" +
           std::to_string(m_shapes[1].channels) + "-fc" + std::to_string(m_shapes[2].channels) +
           ")";
}

} // namespace mtl::model
