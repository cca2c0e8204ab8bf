#include "model/experts.h"

#include "common/error.h"
#include "model/layers.h"

#include <torch/nn/init.h>

#include <cmath>

namespace mtl::model {

namespace {

Error optionError(const std::string &key, const std::string &message)
{
    ErrorLocation where;
    where.key = "model.sharing_options." + key;
    return Error(ErrorCode::Config, message, where);
}

std::int64_t parameterSum(const std::vector<torch::Tensor> &parameters)
{
    std::int64_t count = 0;
    for (const torch::Tensor &p : parameters)
        count += p.numel();
    return count;
}

// DSelect-k's smooth step: 0 below −γ/2, 1 above γ/2, −2/γ³·t³ + 3/(2γ)·t + 1/2 between.
torch::Tensor smoothStep(const torch::Tensor &t, double gamma)
{
    const torch::Tensor cubic =
        (-2.0 / (gamma * gamma * gamma)) * t.pow(3) + (3.0 / (2.0 * gamma)) * t + 0.5;
    return torch::where(t <= -gamma / 2, torch::zeros_like(t),
                        torch::where(t >= gamma / 2, torch::ones_like(t), cubic));
}

} // namespace

SoftmaxGateImpl::SoftmaxGateImpl(std::int64_t inputs, std::int64_t experts)
    : m_linear(register_module("linear", torch::nn::Linear(inputs, experts)))
{}

GateOutput SoftmaxGateImpl::forward(const torch::Tensor &input)
{
    return {torch::softmax(m_linear(input), 1), {}};
}

DSelectGateImpl::DSelectGateImpl(std::int64_t inputs, std::int64_t experts, std::int64_t selected,
                                 double gamma, double entropy)
    : m_experts(experts)
    , m_selected(selected)
    , m_bits(static_cast<std::int64_t>(std::ceil(std::log2(static_cast<double>(experts)))))
    , m_gamma(gamma)
    , m_entropy(entropy)
{
    m_codeLogits = register_module("code_logits", torch::nn::Linear(inputs, selected * m_bits));
    // With one selector its softmax weight is 1: no layer to learn it.
    if (selected > 1)
        m_selectorLogits = register_module("selector_logits", torch::nn::Linear(inputs, selected));
    {
        // As the reference implementation starts them: codes near the middle of the step.
        torch::NoGradGuard noGrad;
        for (torch::Tensor &p : m_codeLogits->parameters())
            p.uniform_(-gamma / 100, gamma / 100);
        if (!m_selectorLogits.is_empty())
            for (torch::Tensor &p : m_selectorLogits->parameters())
                p.uniform_(-0.05, 0.05);
    }
    torch::Tensor codes = torch::zeros({experts, m_bits}, torch::kBool);
    for (std::int64_t e = 0; e < experts; ++e)
        for (std::int64_t b = 0; b < m_bits; ++b)
            codes[e][b] = ((e >> (m_bits - 1 - b)) & 1) != 0;
    m_codes = register_buffer("codes", codes);
}

GateOutput DSelectGateImpl::forward(const torch::Tensor &input)
{
    const std::int64_t batch = input.size(0);
    // [B, k, 1, bits] against the codes [1, 1, E, bits]: each selector's weight per expert is
    // the product over the bits of s or 1 − s.
    const torch::Tensor steps =
        smoothStep(m_codeLogits(input).view({batch, m_selected, 1, m_bits}), m_gamma);
    const torch::Tensor selectors =
        torch::where(m_codes.view({1, 1, m_experts, m_bits}), steps, 1 - steps).prod(3);
    GateOutput out;
    if (m_selectorLogits.is_empty()) {
        out.weights = selectors.squeeze(1); // [B, E]
    } else {
        const torch::Tensor mixture = torch::softmax(m_selectorLogits(input), 1); // [B, k]
        out.weights = (mixture.unsqueeze(2) * selectors).sum(1);
    }
    torch::Tensor penalty =
        -(selectors * torch::log(selectors + 1e-6)).sum({1, 2}).mean() * m_entropy;
    if ((m_experts & (m_experts - 1)) != 0) // codes that name no expert: keep away from them
        penalty = penalty + (1.0 / selectors.sum(2)).sum(1).mean();
    out.penalty = penalty;
    return out;
}

ExpertsImpl::ExpertsImpl(const BackboneFactory &backbone, const std::vector<HeadSpec> &heads,
                         const InputShape &input, const ExpertsOptions &options)
    : m_options(options)
    , m_specs(heads)
    , m_input(input)
{
    const BackbonePtr probe = backbone({0, 0});
    m_stages = probe->stageCount();
    m_ownExperts = static_cast<bool>(options.expertBackbone);
    const int shared = options.sharedStages;
    // An expert_backbone may follow the whole model backbone; its own stages are otherwise left.
    const int maxShared = m_ownExperts ? m_stages : m_stages - 1;
    if (shared < 0 || shared > maxShared)
        throw optionError("shared_stages",
                          "is " + std::to_string(shared) + " but " + probe->describe() + " has " +
                              std::to_string(m_stages) + " stages" +
                              (m_ownExperts ? " (0 … " + std::to_string(maxShared) + ")"
                                            : "; the experts need at least the last one (0 … " +
                                                  std::to_string(maxShared) + ")"));
    if (options.sharedExperts + options.taskExperts < 1) // cgc, ple: both set to 0
        throw optionError("task_experts",
                          "is 0 and so is shared_experts: a task's gate needs at least one "
                          "expert to choose from");
    if (options.sparseGate && options.selected > options.sharedExperts)
        throw optionError("selected", "picks " + std::to_string(options.selected) + " of " +
                                          std::to_string(options.sharedExperts) + " experts");
    if (options.sparseGate && options.sharedExperts < 2)
        throw optionError("experts", "DSelect-k chooses among at least 2 experts");

    // What the experts read, and what they are: the backbone's later stages, or their own net.
    const InputShape expertInput = shared == 0 ? input : probe->stageShape(shared - 1);
    const BackboneFactory experts =
        m_ownExperts ? BackboneFactory([make = options.expertBackbone, expertInput](
                                           StageRange stages) { return make(expertInput, stages); })
                     : backbone;
    const BackbonePtr expertProbe = m_ownExperts ? experts({0, 0}) : probe;
    const int firstStage = m_ownExperts ? 0 : shared;
    const int endStage = expertProbe->stageCount();
    m_backboneName = expertProbe->describe();
    const std::string expertKey = m_ownExperts ? "expert_backbone" : "shared_stages";
    if (m_ownExperts && !expertProbe->hasSpatialOutput())
        for (const HeadSpec &head : heads)
            if (head.kind == HeadSpec::Kind::Dense)
                throw optionError("expert_backbone", "task '" + head.task +
                                                         "' needs a per-pixel output, but " +
                                                         m_backboneName + " ends in a vector");

    // A level per stage mixes the experts' maps after every stage, so no expert's own state
    // (segnet's pooling indices) reaches its later stages: those stages must be shared.
    if (options.perStage && expertProbe->stateStages() > firstStage && firstStage + 1 < endStage)
        throw optionError(
            expertKey, options.name + " mixes experts after every stage, but the decoder of " +
                           m_backboneName + " needs the pooling indices of its first " +
                           std::to_string(expertProbe->stateStages()) + " stages" +
                           (m_ownExperts ? "; choose another expert_backbone"
                                         : ": share at least those (shared_stages " +
                                               std::to_string(expertProbe->stateStages()) + ")"));

    // Levels: one over all expert stages, or (ple) one per stage.
    for (int first = firstStage; first < endStage;
         first = options.perStage ? first + 1 : endStage) {
        Level level;
        level.first = first;
        level.end = options.perStage ? first + 1 : endStage;
        level.inputs = first == firstStage ? expertInput.elements()
                                           : expertProbe->stageShape(first - 1).elements();
        m_levels.push_back(std::move(level));
    }
    const auto prefix = [&](std::size_t l) {
        return options.perStage ? "l" + std::to_string(l) + "_" : std::string();
    };
    const std::int64_t tasks = static_cast<std::int64_t>(heads.size());

    // Registered in the order of parameterGroups(): everything shared (the shared stages, the
    // shared experts and gates), then per task its experts and its gates, then the heads.
    if (shared > 0)
        m_trunk = register_module("trunk", backbone({0, shared}));
    for (std::size_t l = 0; l < m_levels.size(); ++l) {
        Level &level = m_levels[l];
        for (int e = 0; e < options.sharedExperts; ++e)
            level.shared.push_back(register_module(prefix(l) + "expert" + std::to_string(e),
                                                   experts({level.first, level.end})));
        if (options.perStage && l + 1 < m_levels.size() && options.sharedExperts > 0)
            level.sharedGate = register_module(
                prefix(l) + "gate_shared",
                makeGate(level.inputs, options.sharedExperts + tasks * options.taskExperts));
    }
    for (const HeadSpec &head : heads) {
        for (std::size_t l = 0; l < m_levels.size(); ++l) {
            Level &level = m_levels[l];
            level.own.emplace_back();
            for (int e = 0; e < options.taskExperts; ++e)
                level.own.back().push_back(
                    register_module(prefix(l) + "expert_" + head.task + std::to_string(e),
                                    experts({level.first, level.end})));
        }
        for (std::size_t l = 0; l < m_levels.size(); ++l)
            m_levels[l].taskGates.push_back(register_module(
                prefix(l) + "gate_" + head.task,
                makeGate(m_levels[l].inputs, options.sharedExperts + options.taskExperts)));
    }
    m_heads = registerHeads(*this, heads, expertProbe->stageShape(endStage - 1), input);
}

GatePtr ExpertsImpl::makeGate(std::int64_t inputs, std::int64_t experts) const
{
    if (m_options.sparseGate)
        return std::make_shared<DSelectGateImpl>(inputs, experts, m_options.selected,
                                                 m_options.gamma, m_options.entropy);
    return std::make_shared<SoftmaxGateImpl>(inputs, experts);
}

torch::Tensor ExpertsImpl::mix(const std::vector<torch::Tensor> &outputs,
                               const torch::Tensor &weights)
{
    const torch::Tensor stacked = torch::stack(outputs, 1); // [B, E, C, H, W]
    std::vector<std::int64_t> shape(static_cast<std::size_t>(stacked.dim()), 1);
    shape[0] = weights.size(0);
    shape[1] = weights.size(1);
    return (stacked * weights.view(shape)).sum(1);
}

ModelOutput ExpertsImpl::forward(const torch::Tensor &x, bool collectTaps)
{
    ModelOutput out;
    StageState state;
    torch::Tensor sharedIn = x;
    if (m_trunk) {
        sharedIn = m_trunk->forwardStages(x, 0, m_options.sharedStages, state);
        out.shared = sharedIn;
    }
    const std::size_t tasks = m_specs.size();
    std::vector<torch::Tensor> taskIn(tasks, sharedIn);
    std::vector<torch::Tensor> penalties(tasks);
    for (std::size_t l = 0; l < m_levels.size(); ++l) {
        Level &level = m_levels[l];
        const auto run = [&](const BackbonePtr &expert, const torch::Tensor &in) {
            // Experts of their own architecture read nothing the trunk's stages handed on.
            StageState own = m_ownExperts ? StageState{} : state;
            return expert->forwardStages(in, level.first, level.end, own);
        };
        std::vector<torch::Tensor> sharedOut;
        for (const BackbonePtr &expert : level.shared)
            sharedOut.push_back(run(expert, sharedIn));
        std::vector<torch::Tensor> everyOut = sharedOut; // what the shared gate mixes
        std::vector<torch::Tensor> next(tasks);
        for (std::size_t t = 0; t < tasks; ++t) {
            std::vector<torch::Tensor> candidates = sharedOut;
            for (const BackbonePtr &expert : level.own[t]) {
                candidates.push_back(run(expert, taskIn[t]));
                everyOut.push_back(candidates.back());
            }
            const GateOutput gate = level.taskGates[t]->forward(taskIn[t].flatten(1));
            next[t] = mix(candidates, gate.weights);
            if (gate.penalty.defined())
                penalties[t] = penalties[t].defined() ? penalties[t] + gate.penalty : gate.penalty;
            if (collectTaps)
                out.taps["gate." + m_specs[t].task + ".level" + std::to_string(l)] =
                    gate.weights.detach();
        }
        if (level.sharedGate)
            sharedIn = mix(everyOut, level.sharedGate->forward(sharedIn.flatten(1)).weights);
        taskIn = std::move(next);
    }
    for (std::size_t t = 0; t < tasks; ++t)
        if (penalties[t].defined())
            out.extraLosses.emplace_back(m_options.name + "." + m_specs[t].task, penalties[t]);
    out.tasks = runHeads(m_heads, taskIn);
    return out;
}

std::vector<ParameterGroup> ExpertsImpl::parameterGroups() const
{
    ParameterGroup shared{"shared", "", {}};
    if (m_trunk)
        append(shared.parameters, m_trunk->parameters());
    for (const Level &level : m_levels) {
        for (const BackbonePtr &expert : level.shared)
            append(shared.parameters, expert->parameters());
        if (level.sharedGate)
            append(shared.parameters, level.sharedGate->parameters());
    }
    std::vector<ParameterGroup> groups{shared};
    for (std::size_t t = 0; t < m_specs.size(); ++t) {
        const std::string &task = m_specs[t].task;
        ParameterGroup experts{"experts." + task, task, {}}, gates{"gate." + task, task, {}};
        for (const Level &level : m_levels) {
            for (const BackbonePtr &expert : level.own[t])
                append(experts.parameters, expert->parameters());
            append(gates.parameters, level.taskGates[t]->parameters());
        }
        if (!experts.parameters.empty())
            groups.push_back(std::move(experts));
        groups.push_back(std::move(gates));
    }
    for (std::size_t t = 0; t < m_heads.size(); ++t)
        groups.push_back({"head." + m_specs[t].task, m_specs[t].task, m_heads[t]->parameters()});
    return groups;
}

ModelDescription ExpertsImpl::describe() const
{
    ModelDescription d;
    const auto expertBlock = [&](const BackbonePtr &net, const Level &level,
                                 const std::string &name, const std::string &role,
                                 const std::string &task) {
        std::int64_t count = 0;
        for (int stage = level.first; stage < level.end; ++stage)
            count += parameterSum(net->stageParameters(stage));
        d.blocks.push_back({name, role, task, net->stageShape(level.end - 1), count});
    };
    if (m_trunk)
        for (int stage = 0; stage < m_options.sharedStages; ++stage)
            d.blocks.push_back({"trunk.stage" + std::to_string(stage), "shared", "",
                                m_trunk->stageShape(stage),
                                parameterSum(m_trunk->stageParameters(stage))});
    for (std::size_t l = 0; l < m_levels.size(); ++l) {
        const Level &level = m_levels[l];
        const std::string at = m_options.perStage ? "level" + std::to_string(l) + "." : "";
        for (std::size_t e = 0; e < level.shared.size(); ++e)
            expertBlock(level.shared[e], level, at + "expert" + std::to_string(e), "shared", "");
        for (std::size_t t = 0; t < m_specs.size(); ++t) {
            const std::string &task = m_specs[t].task;
            for (std::size_t e = 0; e < level.own[t].size(); ++e)
                expertBlock(level.own[t][e], level, at + "expert." + task + std::to_string(e),
                            "task", task);
            d.blocks.push_back({at + "gate." + task, "task", task,
                                FeatureShape{m_options.sharedExperts + m_options.taskExperts, 1, 1},
                                parameterCount(*level.taskGates[t])});
        }
        if (level.sharedGate)
            d.blocks.push_back(
                {at + "gate.shared", "internal", "",
                 FeatureShape{static_cast<std::int64_t>(level.shared.size()) +
                                  static_cast<std::int64_t>(m_specs.size()) * m_options.taskExperts,
                              1, 1},
                 parameterCount(*level.sharedGate)});
    }
    std::string experts = std::to_string(m_options.sharedExperts) + " shared";
    if (m_options.taskExperts > 0)
        experts += " + " + std::to_string(m_options.taskExperts) + " per task";
    d.summary = m_options.name + ": " + experts + " " + m_backboneName + " experts";
    if (m_options.perStage)
        d.summary += " in " + std::to_string(m_levels.size()) + " levels";
    if (m_options.sharedStages > 0)
        d.summary += " after " + std::to_string(m_options.sharedStages) + " shared stages" +
                     (m_ownExperts ? " of " + m_trunk->describe() : "");
    if (m_options.sparseGate)
        d.summary += ", DSelect-" + std::to_string(m_options.selected) + " gates";
    d.summary += ", heads:";
    describeHeads(d, m_specs, m_heads, m_input);
    d.parameters = parameterCount(*this);
    return d;
}

} // namespace mtl::model
