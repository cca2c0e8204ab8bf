#include "model/hardsharing.h"

namespace mtl::model {

HardSharingImpl::HardSharingImpl(const BackboneFactory &backbone,
                                 const std::vector<HeadSpec> &heads, const InputShape &input)
    : m_specs(heads)
    , m_input(input)
{
    m_backbone = register_module("backbone", backbone());
    const FeatureShape last = m_backbone->stageShape(m_backbone->stageCount() - 1);
    for (const HeadSpec &head : heads) {
        const bool vector = head.kind == HeadSpec::Kind::Vector;
        m_anyVector |= vector;
        m_anyDense |= !vector;
        const FeatureShape features = vector ? FeatureShape{last.channels, 1, 1} : last;
        m_heads.push_back(register_module("head_" + head.task, makeHead(head, features, input)));
    }
}

ModelOutput HardSharingImpl::forward(const torch::Tensor &x, bool collectTaps)
{
    ModelOutput out;
    StageState state;
    torch::Tensor map = x;
    for (int stage = 0; stage < m_backbone->stageCount(); ++stage) {
        map = m_backbone->forwardStage(stage, map, state);
        if (collectTaps)
            out.taps["shared.stage" + std::to_string(stage)] = map.detach();
    }
    // Pooled once for all vector heads, so their gradients meet before the pooling.
    const torch::Tensor pooled = m_anyVector ? BackboneImpl::pool(map) : torch::Tensor();
    out.shared = m_anyDense ? map : pooled;
    out.tasks.reserve(m_heads.size());
    for (auto &head : m_heads)
        out.tasks.push_back(head->forward(head->kind() == HeadSpec::Kind::Vector ? pooled : map));
    return out;
}

std::vector<ParameterGroup> HardSharingImpl::parameterGroups() const
{
    std::vector<ParameterGroup> groups{{"shared", "", m_backbone->parameters()}};
    for (std::size_t t = 0; t < m_heads.size(); ++t)
        groups.push_back({"head." + m_specs[t].task, m_specs[t].task, m_heads[t]->parameters()});
    return groups;
}

ModelDescription HardSharingImpl::describe() const
{
    ModelDescription d;
    for (int stage = 0; stage < m_backbone->stageCount(); ++stage) {
        std::int64_t count = 0;
        for (const torch::Tensor &p : m_backbone->stageParameters(stage))
            count += p.numel();
        d.blocks.push_back({"backbone.stage" + std::to_string(stage), "shared", "",
                            m_backbone->stageShape(stage), count});
    }
    d.summary = "hard sharing: 1 " + m_backbone->describe() + " backbone (" +
                std::to_string(m_backbone->featureDim()) + "-d features), heads:";
    for (std::size_t t = 0; t < m_heads.size(); ++t) {
        const HeadSpec &spec = m_specs[t];
        const FeatureShape shape = spec.kind == HeadSpec::Kind::Vector
                                       ? FeatureShape{spec.channels, 1, 1}
                                       : FeatureShape{spec.channels, m_input.height, m_input.width};
        d.blocks.push_back({"head." + spec.task, "task", spec.task, shape,
                            parameterCount(*m_heads[t])});
        d.summary += " " + spec.task + "[" + std::to_string(spec.channels) +
                     (spec.kind == HeadSpec::Kind::Dense ? "×H×W" : "") + "]";
    }
    d.parameters = parameterCount(*this);
    return d;
}

} // namespace mtl::model
