#include "model/mtlcnn.h"

#include "common/error.h"
#include "common/registry.h"
#include "model/layers.h"

#include <torch/nn/init.h>

#include <cmath>
#include <map>
#include <set>

namespace mtl::model {

FactoredHeadImpl::FactoredHeadImpl(torch::Tensor latent, std::int64_t attributes)
    : m_latent(std::move(latent))
{
    const std::int64_t k = m_latent.size(1);
    // As a linear layer K → A is initialised: U(±1/√K) for S and b.
    const double bound = 1.0 / std::sqrt(static_cast<double>(k));
    m_s = register_parameter("S", torch::empty({k, attributes}).uniform_(-bound, bound));
    m_bias = register_parameter("bias", torch::empty({attributes}).uniform_(-bound, bound));
}

torch::Tensor FactoredHeadImpl::forward(const torch::Tensor &features)
{
    return torch::addmm(m_bias, features.mm(m_latent), m_s);
}

MtlCnnImpl::MtlCnnImpl(const BackboneFactory &backbone, const std::vector<HeadSpec> &heads,
                       const InputShape &input, const MtlCnnOptions &options)
    : m_specs(heads)
    , m_input(input)
    , m_options(options)
{
    // attribute name → (task, column)
    std::map<std::string, std::pair<std::size_t, std::int64_t>> attributes;
    std::vector<std::string> names;
    std::vector<std::vector<std::string>> groups = options.groups;
    std::map<std::string, std::size_t> groupOf; // dataset group name → index in groups
    for (std::size_t t = 0; t < heads.size(); ++t)
        if (heads[t].type == "attributes") {
            if (heads[t].channels != static_cast<std::int64_t>(heads[t].outputs.size())) {
                ErrorLocation where;
                where.key = "tasks[" + std::to_string(t) + "].options.head";
                throw Error(ErrorCode::Config,
                            "mtl_cnn factors one logit per attribute (W = L·S); task '" +
                                heads[t].task +
                                "' has a 2-way branch per attribute — use head "
                                "sigmoid with mtl_cnn",
                            where);
            }
            for (std::size_t a = 0; a < heads[t].outputs.size(); ++a) {
                attributes.emplace(heads[t].outputs[a],
                                   std::make_pair(t, static_cast<std::int64_t>(a)));
                names.push_back(heads[t].outputs[a]);
                const std::string group =
                    a < heads[t].outputGroups.size() ? heads[t].outputGroups[a] : std::string();
                if (!options.groupsFromDataset || group.empty())
                    continue;
                const auto [it, fresh] = groupOf.emplace(group, groups.size());
                if (fresh)
                    groups.emplace_back();
                groups[it->second].push_back(heads[t].outputs[a]);
            }
        }
    if (attributes.empty()) {
        ErrorLocation where;
        where.key = "model.sharing";
        throw Error(ErrorCode::Config,
                    "mtl_cnn decomposes the classifiers of attributes; none of the tasks is an "
                    "attributes task",
                    where);
    }
    if (options.groupsFromDataset && groups.empty()) {
        ErrorLocation where;
        where.key = "model.sharing_options.groups";
        throw Error(ErrorCode::Config,
                    "\"dataset\": the dataset gives none of the attributes (" + joinNames(names) +
                        ") a group; import it with --attribute-groups, or list the groups here",
                    where);
    }
    m_datasetGroups.resize(groupOf.size());
    for (const auto &[group, index] : groupOf)
        m_datasetGroups[index] = group + " " + std::to_string(groups[index].size());

    m_backbone = register_module("backbone", backbone({0, -1}));
    const std::int64_t d = m_backbone->featureDim();
    // As a linear layer D → K is initialised.
    const double bound = 1.0 / std::sqrt(static_cast<double>(d));
    m_latent = register_parameter("latent_L",
                                  torch::empty({d, options.latentTasks}).uniform_(-bound, bound));

    const FeatureShape last = m_backbone->stageShape(m_backbone->stageCount() - 1);
    m_factored.resize(heads.size());
    for (std::size_t t = 0; t < heads.size(); ++t) {
        const HeadSpec &spec = heads[t];
        m_anyDense |= spec.kind == HeadSpec::Kind::Dense;
        if (spec.type == "attributes") {
            m_factored[t] = std::make_shared<FactoredHeadImpl>(m_latent, spec.channels);
            m_heads.push_back(register_module("head_" + spec.task, m_factored[t]));
        } else {
            const FeatureShape features =
                spec.kind == HeadSpec::Kind::Vector ? FeatureShape{last.channels, 1, 1} : last;
            m_heads.push_back(
                register_module("head_" + spec.task, makeHead(spec, features, input)));
        }
    }

    // Groups: the configured ones (every name checked), then every other attribute alone.
    std::set<std::string> grouped;
    for (std::size_t g = 0; g < groups.size(); ++g)
        for (std::size_t i = 0; i < groups[g].size(); ++i) {
            if (!attributes.count(groups[g][i])) {
                ErrorLocation where;
                where.key = "model.sharing_options.groups[" + std::to_string(g) + "][" +
                            std::to_string(i) + "]";
                throw Error(ErrorCode::Config,
                            "'" + groups[g][i] + "' is not an attribute of an attributes task (" +
                                joinNames(names) + ")",
                            where);
            }
            grouped.insert(groups[g][i]);
        }
    for (const std::string &name : names)
        if (!grouped.count(name))
            groups.push_back({name});
    for (const auto &members : groups) {
        std::map<std::size_t, std::vector<std::int64_t>> byTask;
        for (const std::string &name : members) {
            const auto &[task, column] = attributes.at(name);
            byTask[task].push_back(column);
        }
        Group group;
        for (const auto &[task, columns] : byTask)
            group.columns.emplace_back(task, torch::tensor(columns, torch::kLong));
        m_groups.push_back(std::move(group));
    }
}

torch::Tensor MtlCnnImpl::groupPenalty() const
{
    torch::Tensor total = torch::zeros({}, m_latent.options());
    for (const Group &group : m_groups) {
        std::vector<torch::Tensor> parts;
        for (const auto &[task, columns] : group.columns)
            parts.push_back(
                m_factored[task]->combination().index_select(1, columns.to(m_latent.device())));
        const torch::Tensor members = parts.size() == 1 ? parts[0] : torch::cat(parts, 1);
        // ‖S[k, g]‖₂ per latent task; the small ε keeps the gradient finite at 0.
        total = total + (members.pow(2).sum(1) + 1e-12).sqrt().sum();
    }
    return total;
}

ModelOutput MtlCnnImpl::forward(const torch::Tensor &x, bool collectTaps)
{
    ModelOutput out;
    StageState state;
    const torch::Tensor map = m_backbone->forwardStages(x, 0, m_backbone->stageCount(), state);
    const torch::Tensor pooled = BackboneImpl::pool(map);
    out.shared = m_anyDense ? map : pooled;
    for (const HeadPtr &head : m_heads)
        out.tasks.push_back(head->forward(head->kind() == HeadSpec::Kind::Vector ? pooled : map));
    if (m_options.groupLambda > 0)
        out.extraLosses.emplace_back("mtl_cnn.group_sparsity",
                                     m_options.groupLambda * groupPenalty());
    if (m_options.latentLambda > 0)
        out.extraLosses.emplace_back("mtl_cnn.latent_l1",
                                     m_options.latentLambda * m_latent.abs().sum());
    if (collectTaps) {
        out.taps["mtl_cnn.L"] = m_latent.detach().clone();
        for (std::size_t t = 0; t < m_factored.size(); ++t)
            if (m_factored[t])
                out.taps["mtl_cnn.S." + m_specs[t].task] =
                    m_factored[t]->combination().detach().clone();
    }
    return out;
}

void MtlCnnImpl::beforeOptimizerStep(std::int64_t step)
{
    if (m_options.alternateEvery <= 0)
        return;
    const bool updateLatent = ((step - 1) / m_options.alternateEvery) % 2 == 1;
    if (updateLatent) {
        for (const auto &head : m_factored)
            if (head)
                for (torch::Tensor &p : head->parameters())
                    p.mutable_grad().reset();
    } else {
        m_latent.mutable_grad().reset();
    }
}

std::vector<ParameterGroup> MtlCnnImpl::parameterGroups() const
{
    // L is this module's own parameter, so parameters() lists it before the children's.
    std::vector<ParameterGroup> groups{{"latent", "", {m_latent}},
                                       {"shared", "", m_backbone->parameters()}};
    for (std::size_t t = 0; t < m_heads.size(); ++t)
        groups.push_back({"head." + m_specs[t].task, m_specs[t].task, m_heads[t]->parameters()});
    return groups;
}

ModelDescription MtlCnnImpl::describe() const
{
    ModelDescription d;
    for (int stage = 0; stage < m_backbone->stageCount(); ++stage) {
        std::int64_t count = 0;
        for (const torch::Tensor &p : m_backbone->stageParameters(stage))
            count += p.numel();
        d.blocks.push_back({"backbone.stage" + std::to_string(stage), "shared", "",
                            m_backbone->stageShape(stage), count});
    }
    d.blocks.push_back(
        {"latent_tasks", "shared", "", FeatureShape{m_latent.size(1), 1, 1}, m_latent.numel()});
    d.summary =
        "MTL-CNN: 1 " + m_backbone->describe() + " backbone, " + std::to_string(m_latent.size(1)) +
        " latent tasks, " + std::to_string(m_groups.size()) + " attribute groups" +
        (m_datasetGroups.empty() ? std::string()
                                 : " (from the dataset: " + joinNames(m_datasetGroups) + ")") +
        ", heads:";
    describeHeads(d, m_specs, m_heads, m_input);
    d.parameters = parameterCount(*this);
    return d;
}

} // namespace mtl::model
