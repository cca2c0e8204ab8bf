#include "train/probe.h"

#include "common/error.h"
#include "model/multitask.h"

#include <cmath>

namespace mtl::train {

void TaskWeightProbe::afterStep(const StepRecord &step, store::RecordBatch &out)
{
    const std::vector<double> &weights = step.weights;
    bool changed = m_last.size() != weights.size();
    for (std::size_t i = 0; !changed && i < weights.size(); ++i)
        changed = std::abs(weights[i] - m_last[i]) > 1e-12;
    if (!changed)
        return;
    auto &rows = out.rows<store::TaskWeightRow>();
    for (std::size_t i = 0; i < weights.size(); ++i)
        rows.push_back({step.step, step.tasks[i], weights[i]});
    m_last = weights;
}

void TaskWeightProbe::loadState(const nlohmann::json &state)
{
    m_last.clear();
    if (state.is_array())
        m_last = state.get<std::vector<double>>();
}

void ParameterNormProbe::afterEpoch(const EpochRecord &epoch, store::RecordBatch &out)
{
    auto &rows = out.rows<store::MetricRow>();
    for (const model::ParameterGroup &group : epoch.model.parameterGroups()) {
        double squares = 0.0;
        for (const torch::Tensor &p : group.parameters)
            squares += p.detach().pow(2).sum().item<double>();
        rows.push_back({epoch.step, epoch.epoch, "train", group.task, group.name, "param_norm",
                        std::sqrt(squares)});
    }
}

const Registry<ProbeMaker> &probeTypes()
{
    static const Registry<ProbeMaker> table{
        {{"task_weights", "the loss weight of each task whenever it changes", {}},
         [](const nlohmann::json &) -> std::unique_ptr<Probe> {
             return std::make_unique<TaskWeightProbe>();
         }},
        {{"param_norms",
          "after each epoch, the L2 norm of each parameter group (shared, each head, …)",
          {}},
         [](const nlohmann::json &) -> std::unique_ptr<Probe> {
             return std::make_unique<ParameterNormProbe>();
         }},
    };
    return table;
}

std::unique_ptr<Probe> makeProbe(const experiment::ProbeConfig &config)
{
    const auto *entry = probeTypes().find(config.name);
    if (!entry)
        throw Error(ErrorCode::Config, "unknown probe '" + config.name + "'");
    return entry->make(config.options);
}

} // namespace mtl::train
