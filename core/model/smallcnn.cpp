#include "model/smallcnn.h"

#include "common/error.h"

#include <torch/nn/functional/dropout.h>
#include <torch/nn/functional/pooling.h>

namespace mtl::model {

SmallCnnImpl::SmallCnnImpl(const SmallCnnOptions &options)
    : BackboneImpl(options.stages())
    , m_dropout(options.dropout())
{
    const InputShape &in = options.input();
    if (in.height < 4 || in.width < 4) {
        ErrorLocation where;
        where.key = "model.backbone";
        throw Error(ErrorCode::Config,
                    "small_cnn needs images of at least 4×4 pixels, got " +
                        std::to_string(in.width) + "×" + std::to_string(in.height),
                    where);
    }
    checkRange("small_cnn");
    const std::int64_t w = options.width();
    std::int64_t channels = in.channels;
    for (int stage = 0; stage < 3; ++stage) {
        const std::int64_t out = w << stage;
        const std::string n = std::to_string(stage + 1);
        // Names as in earlier builds ("conv1", "bn1", …): their checkpoints still load.
        if (builds(stage)) {
            m_conv[stage] = register_module(
                "conv" + n,
                torch::nn::Conv2d(torch::nn::Conv2dOptions(channels, out, 3).padding(1)));
            m_norm[stage] = Norm2d(*this, n, options.norm(), out);
        }
        channels = out;
    }
    m_shapes = {FeatureShape{w, in.height / 2, in.width / 2},
                FeatureShape{2 * w, in.height / 4, in.width / 4},
                FeatureShape{4 * w, in.height / 4, in.width / 4}};
}

FeatureShape SmallCnnImpl::stageShape(int stage) const
{
    return m_shapes.at(static_cast<std::size_t>(stage));
}

torch::Tensor SmallCnnImpl::forwardStage(int stage, const torch::Tensor &x, StageState &)
{
    const auto s = static_cast<std::size_t>(stage);
    torch::Tensor h = torch::relu(m_norm.at(s)(m_conv[s](x)));
    if (stage < 2)
        return torch::max_pool2d(h, 2);
    return m_dropout > 0 ? torch::dropout(h, m_dropout, is_training()) : h;
}

std::vector<torch::Tensor> SmallCnnImpl::stageParameters(int stage) const
{
    if (!builds(stage))
        return {};
    const auto s = static_cast<std::size_t>(stage);
    std::vector<torch::Tensor> parameters = m_conv.at(s)->parameters();
    append(parameters, m_norm.at(s).parameters());
    return parameters;
}

std::string SmallCnnImpl::describe() const
{
    return "small_cnn (" + std::to_string(m_shapes[0].channels) + "-" +
           std::to_string(m_shapes[1].channels) + "-" + std::to_string(m_shapes[2].channels) + ")";
}

} // namespace mtl::model
