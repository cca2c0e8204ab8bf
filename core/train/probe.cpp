#include "train/probe.h"

#include <cmath>

namespace mtl::train {

void TaskWeightProbe::afterStep(const StepRecord &step, RecordBatch &out)
{
    const std::vector<double> &weights = *step.weights;
    bool changed = m_last.size() != weights.size();
    for (std::size_t i = 0; !changed && i < weights.size(); ++i)
        changed = std::abs(weights[i] - m_last[i]) > 1e-12;
    if (!changed)
        return;
    for (std::size_t i = 0; i < weights.size(); ++i)
        out.taskWeights.push_back({step.step, (*step.tasks)[i], weights[i]});
    m_last = weights;
}

} // namespace mtl::train
