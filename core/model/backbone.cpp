#include "model/backbone.h"

namespace mtl::model {

torch::Tensor BackboneImpl::forwardStages(const torch::Tensor &x, int first, int last,
                                          StageState &state)
{
    torch::Tensor h = x;
    for (int stage = first; stage < last; ++stage)
        h = forwardStage(stage, h, state);
    return h;
}

torch::Tensor BackboneImpl::pool(const torch::Tensor &map) { return map.mean({2, 3}); }

torch::Tensor BackboneImpl::forward(const torch::Tensor &x)
{
    StageState state;
    return pool(forwardStages(x, 0, stageCount(), state));
}

} // namespace mtl::model
