#include "model/backbone.h"

#include "common/error.h"

namespace mtl::model {

torch::Tensor BackboneImpl::forwardStages(const torch::Tensor &x, int first, int last,
                                          StageState &state)
{
    torch::Tensor h = x;
    for (int stage = first; stage < last; ++stage)
        h = forwardStage(stage, h, state);
    return h;
}

torch::Tensor BackboneImpl::pool(const torch::Tensor &map)
{
    return map.mean({2, 3});
}

torch::Tensor BackboneImpl::forward(const torch::Tensor &x)
{
    StageState state;
    return pool(forwardStages(x, firstStage(), endStage(), state));
}

void BackboneImpl::checkRange(const std::string &name) const
{
    if (firstStage() < 0 || firstStage() > endStage() || endStage() > stageCount())
        throw Error(ErrorCode::Config, name + " has " + std::to_string(stageCount()) +
                                           " stages; stages " + std::to_string(firstStage()) +
                                           " to " + std::to_string(endStage()) + " were asked for");
}

} // namespace mtl::model
