#include "model/stitchcnn.h"

#include "common/error.h"

#include <torch/nn/functional/dropout.h>
#include <torch/nn/functional/pooling.h>
#include <torch/nn/init.h>

namespace mtl::model {

namespace {
// He initialisation for a ReLU network; biases start at zero.
template <typename Layer> void heInit(Layer &layer)
{
    torch::NoGradGuard noGrad;
    torch::nn::init::kaiming_normal_(layer->weight, 0.0, torch::kFanIn, torch::kReLU);
    layer->bias.zero_();
}
} // namespace

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
            m_bn[stage] = register_module("bn" + n, torch::nn::BatchNorm2d(out));
        }
        channels = out;
    }
    if (builds(2)) {
        m_fc = register_module("fc3", torch::nn::Linear(m_shapes[1].elements(), options.fcUnits()));
        heInit(m_fc);
        m_fcBn = register_module("bn3", torch::nn::BatchNorm1d(options.fcUnits()));
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
        return torch::max_pool2d(torch::relu(m_bn.at(s)(m_conv[s](x))), 2);
    }
    torch::Tensor h = torch::relu(m_fcBn(m_fc(x.flatten(1))));
    h = F::dropout(h, F::DropoutFuncOptions().p(m_dropout).training(is_training()));
    return h.view({h.size(0), h.size(1), 1, 1});
}

std::vector<torch::Tensor> StitchCnnImpl::stageParameters(int stage) const
{
    if (!builds(stage))
        return {};
    std::vector<torch::Tensor> parameters;
    const auto add = [&](const std::vector<torch::Tensor> &more) {
        parameters.insert(parameters.end(), more.begin(), more.end());
    };
    if (stage < 2) {
        add(m_conv[static_cast<std::size_t>(stage)]->parameters());
        add(m_bn[static_cast<std::size_t>(stage)]->parameters());
    } else {
        add(m_fc->parameters());
        add(m_fcBn->parameters());
    }
    return parameters;
}

std::string StitchCnnImpl::describe() const
{
    return "stitch_cnn (" + std::to_string(m_shapes[0].channels) + "-" +
           std::to_string(m_shapes[1].channels) + "-fc" + std::to_string(m_shapes[2].channels) +
           ")";
}

} // namespace mtl::model
