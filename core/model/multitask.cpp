#include "model/multitask.h"

namespace mtl::model {

std::vector<torch::Tensor> MultiTaskModelImpl::sharedParameters() const
{
    std::vector<torch::Tensor> shared;
    for (ParameterGroup &group : parameterGroups())
        if (group.name == "shared")
            shared.insert(shared.end(), group.parameters.begin(), group.parameters.end());
    return shared;
}

std::int64_t parameterCount(const torch::nn::Module &module)
{
    std::int64_t count = 0;
    for (const torch::Tensor &p : module.parameters())
        if (p.requires_grad())
            count += p.numel();
    return count;
}

} // namespace mtl::model
