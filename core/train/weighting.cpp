#include "train/weighting.h"

#include "common/error.h"

namespace mtl::train {

std::vector<double> EqualWeighting::backward(const std::vector<at::Tensor> &losses,
                                             const WeightingContext &context)
{
    at::Tensor total = losses.front();
    for (std::size_t i = 1; i < losses.size(); ++i)
        total = total + losses[i];
    if (context.extraLoss.defined())
        total = total + context.extraLoss;
    total.backward();
    return std::vector<double>(losses.size(), 1.0);
}

const Registry<WeightingMaker> &weightingMethods()
{
    static const Registry<WeightingMaker> table{
        {{"equal", "every task's loss counts once: the plain sum", {}},
         [](const WeightingArgs &) -> std::unique_ptr<WeightingMethod> {
             return std::make_unique<EqualWeighting>();
         }},
    };
    return table;
}

std::unique_ptr<WeightingMethod> makeWeighting(const experiment::WeightingConfig &config,
                                               std::size_t taskCount, const c10::Device &device)
{
    const auto *entry = weightingMethods().find(config.method);
    if (!entry)
        throw Error(ErrorCode::Config, "unknown weighting method '" + config.method + "'");
    return entry->make({taskCount, config.options, device});
}

} // namespace mtl::train
