#include "model/mtan.h"

#include <torch/nn/functional/pooling.h>
#include <torch/nn/functional/upsampling.h>

namespace mtl::model {

AttentionBlockImpl::AttentionBlockImpl(const FeatureShape *previous, const FeatureShape &here)
    : m_here(here)
{
    namespace nn = torch::nn;
    const std::int64_t c = here.channels;
    if (previous) {
        m_carry = register_module(
            "carry", nn::Conv2d(nn::Conv2dOptions(previous->channels, c, 3).padding(1)));
        m_carryBn = register_module("carry_bn", nn::BatchNorm2d(c));
    }
    m_squeeze =
        register_module("squeeze", nn::Conv2d(nn::Conv2dOptions(previous ? 2 * c : c, c, 1)));
    m_squeezeBn = register_module("squeeze_bn", nn::BatchNorm2d(c));
    m_expand = register_module("expand", nn::Conv2d(nn::Conv2dOptions(c, c, 1)));
    m_expandBn = register_module("expand_bn", nn::BatchNorm2d(c));
}

torch::Tensor AttentionBlockImpl::mask(const torch::Tensor &shared, const torch::Tensor &previous)
{
    torch::Tensor input = shared;
    if (m_carry) {
        namespace F = torch::nn::functional;
        const std::vector<std::int64_t> size{m_here.height, m_here.width};
        const bool same = previous.size(2) == m_here.height && previous.size(3) == m_here.width;
        const bool down = previous.size(2) > m_here.height || previous.size(3) > m_here.width;
        // A decoder stage (segnet): up bilinearly first, then the convolution, as the MTAN
        // seed's SegNet-MTAN does; an encoder stage: the convolution, then max pooling down.
        const torch::Tensor up = same || down ? previous
                                              : F::interpolate(previous, F::InterpolateFuncOptions()
                                                                             .size(size)
                                                                             .mode(torch::kBilinear)
                                                                             .align_corners(true));
        torch::Tensor carried = torch::relu(m_carryBn(m_carry(up)));
        if (down)
            carried = F::adaptive_max_pool2d(carried, F::AdaptiveMaxPool2dFuncOptions(size));
        input = torch::cat({shared, carried}, 1);
    }
    return torch::sigmoid(m_expandBn(m_expand(torch::relu(m_squeezeBn(m_squeeze(input))))));
}

MtanImpl::MtanImpl(const BackboneFactory &backbone, const std::vector<HeadSpec> &heads,
                   const InputShape &input, bool learnMasks)
    : m_specs(heads)
    , m_input(input)
    , m_learnMasks(learnMasks)
{
    // The backbone and the heads first, in the order and with the names of `hard`, so that
    // with masks of 1 the network is hard sharing from the same seed; attention after them.
    m_backbone = register_module("backbone", backbone({0, -1}));
    const int stages = m_backbone->stageCount();
    m_heads = registerHeads(*this, heads, m_backbone->stageShape(stages - 1), input);
    if (!learnMasks)
        return;
    for (const HeadSpec &head : heads) {
        std::vector<std::shared_ptr<AttentionBlockImpl>> blocks;
        for (int stage = 0; stage < stages; ++stage) {
            const FeatureShape here = m_backbone->stageShape(stage);
            const FeatureShape previous = stage > 0 ? m_backbone->stageShape(stage - 1) : here;
            blocks.push_back(register_module(
                "attention_" + head.task + "_" + std::to_string(stage),
                std::make_shared<AttentionBlockImpl>(stage > 0 ? &previous : nullptr, here)));
        }
        m_attention.push_back(std::move(blocks));
    }
}

ModelOutput MtanImpl::forward(const torch::Tensor &x, bool collectTaps)
{
    ModelOutput out;
    StageState state;
    torch::Tensor map = x;
    std::vector<torch::Tensor> attended(m_heads.size());
    for (int stage = 0; stage < m_backbone->stageCount(); ++stage) {
        map = m_backbone->forwardStage(stage, map, state);
        for (std::size_t t = 0; t < m_attention.size(); ++t) {
            const torch::Tensor mask = m_attention[t][static_cast<std::size_t>(stage)]->mask(
                map, stage > 0 ? attended[t] : torch::Tensor());
            attended[t] = mask * map;
            if (collectTaps)
                out.taps["mtan." + m_specs[t].task + ".stage" + std::to_string(stage)] =
                    mask.detach();
        }
    }
    if (!m_learnMasks)
        std::fill(attended.begin(), attended.end(), map);
    // Tasks that read the same tensor (masks of 1) share its pooling, as under hard sharing.
    out.tasks = runHeads(m_heads, attended);
    return out;
}

std::vector<ParameterGroup> MtanImpl::parameterGroups() const
{
    std::vector<ParameterGroup> groups{{"shared", "", m_backbone->parameters()}};
    for (std::size_t t = 0; t < m_heads.size(); ++t)
        groups.push_back({"head." + m_specs[t].task, m_specs[t].task, m_heads[t]->parameters()});
    for (std::size_t t = 0; t < m_attention.size(); ++t) {
        ParameterGroup group{"attention." + m_specs[t].task, m_specs[t].task, {}};
        for (const auto &block : m_attention[t])
            for (const torch::Tensor &p : block->parameters())
                group.parameters.push_back(p);
        groups.push_back(std::move(group));
    }
    return groups;
}

ModelDescription MtanImpl::describe() const
{
    ModelDescription d;
    for (int stage = 0; stage < m_backbone->stageCount(); ++stage) {
        std::int64_t count = 0;
        for (const torch::Tensor &p : m_backbone->stageParameters(stage))
            count += p.numel();
        d.blocks.push_back({"backbone.stage" + std::to_string(stage), "shared", "",
                            m_backbone->stageShape(stage), count});
    }
    for (std::size_t t = 0; t < m_attention.size(); ++t)
        for (std::size_t stage = 0; stage < m_attention[t].size(); ++stage)
            d.blocks.push_back({"attention." + m_specs[t].task + ".stage" + std::to_string(stage),
                                "task", m_specs[t].task,
                                m_backbone->stageShape(static_cast<int>(stage)),
                                parameterCount(*m_attention[t][stage])});
    d.summary = std::string(m_learnMasks ? "MTAN" : "MTAN with masks of 1 (hard sharing)") +
                ": 1 " + m_backbone->describe() + " backbone, " +
                std::to_string(m_attention.empty() ? 0 : m_attention[0].size()) +
                " attention modules per task, heads:";
    describeHeads(d, m_specs, m_heads, m_input);
    d.parameters = parameterCount(*this);
    return d;
}

} // namespace mtl::model
