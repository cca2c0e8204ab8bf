#include "model/hardsharing.h"

#include "common/error.h"

namespace mtl::model {

HardSharingImpl::HardSharingImpl(const BackboneFactory &backbone,
                                 const std::vector<HeadSpec> &heads, const InputShape &input,
                                 int splitAt)
    : m_specs(heads)
    , m_input(input)
{
    const BackbonePtr probe = backbone({0, 0}); // shapes only, no layers
    m_stages = probe->stageCount();
    m_backboneName = probe->describe();
    if (splitAt > m_stages) {
        ErrorLocation where;
        where.key = "model.sharing_options.split_at";
        throw Error(ErrorCode::Config,
                    "is " + std::to_string(splitAt) + " but the backbone has " +
                        std::to_string(m_stages) + " stages (0 shares nothing, " +
                        std::to_string(m_stages) + " everything)",
                    where);
    }
    m_splitAt = splitAt < 0 ? m_stages : splitAt;
    // Built in this order (shared part, tails, heads), so that with everything shared the
    // parameters are those of earlier builds, in their order.
    if (m_splitAt > 0)
        m_shared = register_module("backbone", backbone({0, m_splitAt}));
    if (m_splitAt < m_stages) {
        const std::string prefix = m_splitAt == 0 ? "column_" : "tail_";
        for (const HeadSpec &head : heads)
            m_tails.push_back(register_module(prefix + head.task, backbone({m_splitAt, m_stages})));
    }
    for (const HeadSpec &head : heads) {
        m_anyVector |= head.kind == HeadSpec::Kind::Vector;
        m_anyDense |= head.kind == HeadSpec::Kind::Dense;
    }
    m_heads = registerHeads(*this, heads, probe->stageShape(m_stages - 1), input);
}

ModelOutput HardSharingImpl::forward(const torch::Tensor &x, bool collectTaps)
{
    ModelOutput out;
    StageState state;
    torch::Tensor map = x;
    for (int stage = 0; stage < m_splitAt; ++stage) {
        map = m_shared->forwardStage(stage, map, state);
        if (collectTaps)
            out.taps["shared.stage" + std::to_string(stage)] = map.detach();
    }
    out.tasks.reserve(m_heads.size());
    if (m_tails.empty()) {
        // Pooled once for all vector heads, so their gradients meet before the pooling.
        const torch::Tensor pooled = m_anyVector ? BackboneImpl::pool(map) : torch::Tensor();
        out.shared = m_anyDense ? map : pooled;
        for (auto &head : m_heads)
            out.tasks.push_back(
                head->forward(head->kind() == HeadSpec::Kind::Vector ? pooled : map));
        return out;
    }
    if (m_splitAt > 0)
        out.shared = map;
    std::vector<torch::Tensor> maps(m_tails.size(), map);
    for (std::size_t t = 0; t < m_tails.size(); ++t) {
        StageState own = state;
        for (int stage = m_splitAt; stage < m_stages; ++stage) {
            maps[t] = m_tails[t]->forwardStage(stage, maps[t], own);
            if (collectTaps)
                out.taps[m_specs[t].task + ".stage" + std::to_string(stage)] = maps[t].detach();
        }
    }
    out.tasks = runHeads(m_heads, maps);
    return out;
}

std::vector<ParameterGroup> HardSharingImpl::parameterGroups() const
{
    std::vector<ParameterGroup> groups;
    if (m_shared)
        groups.push_back({"shared", "", m_shared->parameters()});
    const std::string part = m_splitAt == 0 ? "column." : "tail.";
    for (std::size_t t = 0; t < m_tails.size(); ++t)
        groups.push_back({part + m_specs[t].task, m_specs[t].task, m_tails[t]->parameters()});
    for (std::size_t t = 0; t < m_heads.size(); ++t)
        groups.push_back({"head." + m_specs[t].task, m_specs[t].task, m_heads[t]->parameters()});
    return groups;
}

ModelDescription HardSharingImpl::describe() const
{
    ModelDescription d;
    const auto stageBlock = [&](const BackbonePtr &net, int stage, const std::string &name,
                                const std::string &role, const std::string &task) {
        std::int64_t count = 0;
        for (const torch::Tensor &p : net->stageParameters(stage))
            count += p.numel();
        d.blocks.push_back(
            {name + ".stage" + std::to_string(stage), role, task, net->stageShape(stage), count});
    };
    for (int stage = 0; stage < m_splitAt; ++stage)
        stageBlock(m_shared, stage, "backbone", "shared", "");
    for (std::size_t t = 0; t < m_tails.size(); ++t)
        for (int stage = m_splitAt; stage < m_stages; ++stage)
            stageBlock(m_tails[t], stage, (m_splitAt == 0 ? "column." : "tail.") + m_specs[t].task,
                       "task", m_specs[t].task);
    const std::int64_t features =
        m_heads.empty() ? 0 : (m_shared ? m_shared : m_tails[0])->featureDim();
    if (m_splitAt == m_stages)
        d.summary = "hard sharing: 1 " + m_backboneName + " backbone (" + std::to_string(features) +
                    "-d features), heads:";
    else if (m_splitAt == 0)
        d.summary = "independent: 1 " + m_backboneName + " per task (" + std::to_string(features) +
                    "-d features), heads:";
    else
        d.summary = "hard sharing of " + std::to_string(m_splitAt) + " of " +
                    std::to_string(m_stages) + " stages of " + m_backboneName + ", heads:";
    describeHeads(d, m_specs, m_heads, m_input);
    d.parameters = parameterCount(*this);
    return d;
}

} // namespace mtl::model
