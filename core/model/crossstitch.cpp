#include "model/crossstitch.h"

#include "common/error.h"

#include <torch/types.h>

#include <algorithm>

namespace mtl::model {

CrossStitchUnitImpl::CrossStitchUnitImpl(int tasks, std::int64_t channels,
                                         const CrossStitchOptions &options)
    : m_perChannel(options.perChannel)
{
    torch::Tensor alpha = torch::full({tasks, tasks}, options.alphaOther);
    alpha.fill_diagonal_(options.alphaSelf);
    if (m_perChannel)
        alpha = alpha.unsqueeze(0).repeat({channels, 1, 1}).contiguous();
    m_alpha =
        options.learnAlpha ? register_parameter("alpha", alpha) : register_buffer("alpha", alpha);
}

std::vector<torch::Tensor> CrossStitchUnitImpl::forward(const std::vector<torch::Tensor> &columns)
{
    const torch::Tensor stacked = torch::stack(columns); // [T, B, C, H, W]
    const torch::Tensor mixed = m_perChannel ? torch::einsum("cts,sbchw->tbchw", {m_alpha, stacked})
                                             : torch::einsum("ts,sbchw->tbchw", {m_alpha, stacked});
    std::vector<torch::Tensor> result;
    result.reserve(columns.size());
    for (std::int64_t t = 0; t < mixed.size(0); ++t)
        result.push_back(mixed[t]);
    return result;
}

CrossStitchImpl::CrossStitchImpl(const BackboneFactory &backbone,
                                 const std::vector<HeadSpec> &heads, const InputShape &input,
                                 const CrossStitchOptions &options)
    : m_specs(heads)
    , m_input(input)
    , m_learnAlpha(options.learnAlpha)
{
    const BackbonePtr probe = backbone({0, 0});
    const int stages = probe->stageCount();
    m_backboneName = probe->describe();
    std::vector<int> after = options.after;
    if (after.empty())
        for (int stage = 0; stage < stages; ++stage)
            after.push_back(stage);
    for (const int stage : after)
        if (stage < 0 || stage >= stages) {
            ErrorLocation where;
            where.key = "model.sharing_options.after";
            throw Error(ErrorCode::Config,
                        "stage " + std::to_string(stage) + " does not exist: " + m_backboneName +
                            " has stages 0 to " + std::to_string(stages - 1),
                        where);
        }
    // Columns first, in task order, then the units, then the heads: with α fixed to the
    // identity the parameters are exactly those of `independent`.
    for (const HeadSpec &head : heads)
        m_columns.push_back(register_module("column_" + head.task, backbone({0, stages})));
    m_units.resize(static_cast<std::size_t>(stages));
    for (const int stage : after)
        if (!m_units[static_cast<std::size_t>(stage)])
            m_units[static_cast<std::size_t>(stage)] = register_module(
                "cross_stitch_" + std::to_string(stage),
                std::make_shared<CrossStitchUnitImpl>(static_cast<int>(heads.size()),
                                                      probe->stageShape(stage).channels, options));
    m_heads = registerHeads(*this, heads, probe->stageShape(stages - 1), input);
}

ModelOutput CrossStitchImpl::forward(const torch::Tensor &x, bool collectTaps)
{
    ModelOutput out;
    const std::size_t tasks = m_columns.size();
    std::vector<torch::Tensor> maps(tasks, x);
    std::vector<StageState> states(tasks);
    for (std::size_t stage = 0; stage < m_units.size(); ++stage) {
        for (std::size_t t = 0; t < tasks; ++t)
            maps[t] = m_columns[t]->forwardStage(static_cast<int>(stage), maps[t], states[t]);
        if (const auto &unit = m_units[stage]) {
            maps = unit->forward(maps);
            if (collectTaps)
                out.taps["cross_stitch.after_stage" + std::to_string(stage)] =
                    unit->alpha().detach().clone();
        }
    }
    out.tasks = runHeads(m_heads, maps);
    return out;
}

std::vector<ParameterGroup> CrossStitchImpl::parameterGroups() const
{
    std::vector<ParameterGroup> groups;
    for (std::size_t t = 0; t < m_columns.size(); ++t)
        groups.push_back(
            {"column." + m_specs[t].task, m_specs[t].task, m_columns[t]->parameters()});
    ParameterGroup alpha{"cross_stitch", "", {}, 100.0};
    for (const auto &unit : m_units)
        if (unit && m_learnAlpha)
            alpha.parameters.push_back(unit->alpha());
    if (!alpha.parameters.empty())
        groups.push_back(alpha);
    for (std::size_t t = 0; t < m_heads.size(); ++t)
        groups.push_back({"head." + m_specs[t].task, m_specs[t].task, m_heads[t]->parameters()});
    return groups;
}

ModelDescription CrossStitchImpl::describe() const
{
    ModelDescription d;
    for (std::size_t t = 0; t < m_columns.size(); ++t)
        for (int stage = 0; stage < static_cast<int>(m_units.size()); ++stage) {
            std::int64_t count = 0;
            for (const torch::Tensor &p : m_columns[t]->stageParameters(stage))
                count += p.numel();
            d.blocks.push_back({"column." + m_specs[t].task + ".stage" + std::to_string(stage),
                                "task", m_specs[t].task, m_columns[t]->stageShape(stage), count});
        }
    int units = 0;
    for (std::size_t stage = 0; stage < m_units.size(); ++stage)
        if (const auto &unit = m_units[stage]) {
            ++units;
            d.blocks.push_back({"cross_stitch.after_stage" + std::to_string(stage), "internal", "",
                                m_columns[0]->stageShape(static_cast<int>(stage)),
                                m_learnAlpha ? unit->alpha().numel() : 0});
        }
    d.summary = "cross-stitch: " + std::to_string(m_columns.size()) + " " + m_backboneName +
                " columns, " + std::to_string(units) + " units, heads:";
    describeHeads(d, m_specs, m_heads, m_input);
    d.parameters = parameterCount(*this);
    return d;
}

} // namespace mtl::model
