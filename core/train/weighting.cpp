#include "train/weighting.h"

#include "common/error.h"
#include "train/registry.h"

#include <ATen/ops/stack.h>

namespace mtl::train {

std::vector<double> EqualWeighting::backward(const std::vector<at::Tensor> &losses,
                                             const WeightingContext &)
{
    at::Tensor total = losses.front();
    for (std::size_t i = 1; i < losses.size(); ++i)
        total = total + losses[i];
    total.backward();
    return std::vector<double>(losses.size(), 1.0);
}

std::vector<std::string> weightingMethods() { return {"equal"}; }

std::unique_ptr<WeightingMethod> makeWeighting(const WeightingConfig &config, std::size_t)
{
    if (config.method == "equal")
        return std::make_unique<EqualWeighting>();
    throw Error(ErrorCode::Config, "unknown weighting method '" + config.method + "'");
}

} // namespace mtl::train
