#include "model/segnet.h"

#include "common/error.h"

#include <torch/nn/functional/dropout.h>
#include <torch/nn/functional/pooling.h>

#include <algorithm>

namespace mtl::model {

SegNetImpl::SegNetImpl(const SegNetOptions &options)
    : BackboneImpl(options.stages())
    , m_blocks(options.blocks())
    , m_dropout(options.dropout())
{
    const InputShape &in = options.input();
    const std::int64_t w = options.width();
    // Encoder: channels w·2^min(i, 3); each pooling halves (floor) the map.
    std::vector<std::int64_t> channels;
    FeatureShape shape = in;
    for (int i = 0; i < m_blocks; ++i) {
        channels.push_back(w << std::min(i, 3));
        m_before.push_back({channels.back(), shape.height, shape.width});
        shape = {channels.back(), shape.height / 2, shape.width / 2};
        if (shape.height < 1 || shape.width < 1) {
            ErrorLocation where;
            where.key = "model.backbone_options.blocks";
            throw Error(ErrorCode::Config,
                        "segnet with " + std::to_string(m_blocks) + " blocks pools " +
                            std::to_string(in.width) + "×" + std::to_string(in.height) +
                            " images below 1 pixel; use at most " + std::to_string(i) + " blocks",
                        where);
        }
        m_shapes.push_back(shape);
    }
    // Decoder: stage blocks + j mirrors encoder stage k = blocks − 1 − j, back to the size
    // before its pooling, with the channels of encoder stage k − 1 (w for the last).
    for (int j = 0; j < m_blocks; ++j) {
        const int k = m_blocks - 1 - j;
        const FeatureShape &before = m_before[static_cast<std::size_t>(k)];
        m_shapes.push_back(
            {k == 0 ? w : channels[static_cast<std::size_t>(k - 1)], before.height, before.width});
    }
    checkRange("segnet");
    m_stages.resize(static_cast<std::size_t>(2 * m_blocks));
    for (int stage = 0; stage < 2 * m_blocks; ++stage) {
        if (!builds(stage))
            continue;
        const bool encoder = stage < m_blocks;
        const std::int64_t input =
            stage == 0 ? in.channels : m_shapes[static_cast<std::size_t>(stage - 1)].channels;
        const std::int64_t output = m_shapes[static_cast<std::size_t>(stage)].channels;
        // The encoder reaches its channels in the first convolution, the decoder in the second.
        const std::int64_t middle = encoder ? output : input;
        const std::string n =
            (encoder ? "enc" : "dec") + std::to_string(encoder ? stage + 1 : 2 * m_blocks - stage);
        Block &b = m_stages[static_cast<std::size_t>(stage)];
        const NormKind norm = options.norm();
        b.first = register_module(
            n + "_conv1", torch::nn::Conv2d(torch::nn::Conv2dOptions(input, middle, 3).padding(1)));
        b.firstNorm = Norm2d(*this, n + "_1", norm, middle);
        b.second = register_module(
            n + "_conv2",
            torch::nn::Conv2d(torch::nn::Conv2dOptions(middle, output, 3).padding(1)));
        b.secondNorm = Norm2d(*this, n + "_2", norm, output);
        heInit(b.first);
        heInit(b.second);
    }
}

FeatureShape SegNetImpl::stageShape(int stage) const
{
    return m_shapes.at(static_cast<std::size_t>(stage));
}

torch::Tensor SegNetImpl::forwardStage(int stage, const torch::Tensor &x, StageState &state)
{
    Block &b = m_stages.at(static_cast<std::size_t>(stage));
    namespace F = torch::nn::functional;
    const auto convs = [&](const torch::Tensor &h) {
        return torch::relu(b.secondNorm(b.second(torch::relu(b.firstNorm(b.first(h))))));
    };
    if (stage < m_blocks) {
        auto [pooled, indices] =
            F::max_pool2d_with_indices(convs(x), F::MaxPool2dFuncOptions(2).stride(2));
        state.skips.push_back(indices);
        if (stage == m_blocks - 1 && m_dropout > 0)
            pooled = torch::dropout(pooled, m_dropout, is_training());
        return pooled;
    }
    const int k = 2 * m_blocks - 1 - stage;
    if (static_cast<int>(state.skips.size()) <= k)
        throw Error(ErrorCode::Training, "segnet decoder stage " + std::to_string(stage) +
                                             " ran without the pooling indices of encoder stage " +
                                             std::to_string(k));
    const FeatureShape &before = m_before[static_cast<std::size_t>(k)];
    const torch::Tensor unpooled = torch::max_unpool2d(x, state.skips[static_cast<std::size_t>(k)],
                                                       {before.height, before.width});
    return convs(unpooled);
}

std::vector<torch::Tensor> SegNetImpl::stageParameters(int stage) const
{
    if (!builds(stage))
        return {};
    const Block &b = m_stages.at(static_cast<std::size_t>(stage));
    std::vector<torch::Tensor> parameters = b.first->parameters();
    append(parameters, b.firstNorm.parameters());
    append(parameters, b.second->parameters());
    append(parameters, b.secondNorm.parameters());
    return parameters;
}

std::string SegNetImpl::describe() const
{
    std::string channels;
    for (int i = 0; i < m_blocks; ++i)
        channels += (i ? "-" : "") + std::to_string(m_shapes[static_cast<std::size_t>(i)].channels);
    return "segnet (" + channels + ", " + std::to_string(m_blocks) + " decoder stages)";
}

} // namespace mtl::model
