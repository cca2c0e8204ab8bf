#pragma once
// Hard parameter sharing: one backbone shared by all tasks, its stages run in order, one head
// per task. Vector heads read the pooled last stage, dense heads its map.
//   shared = the pooled [B, D] features when every head is a vector head, else the map.
//   taps (when asked): "shared.stage<i>", each stage's output map, detached.

#include "model/multitask.h"

#include <vector>

namespace mtl::model {

class HardSharingImpl final : public MultiTaskModelImpl {
public:
    HardSharingImpl(const BackboneFactory &backbone, const std::vector<HeadSpec> &heads,
                    const InputShape &input);
    ModelOutput forward(const torch::Tensor &x, bool collectTaps = false) override;
    std::vector<ParameterGroup> parameterGroups() const override;
    ModelDescription describe() const override;

private:
    BackbonePtr m_backbone;
    std::vector<HeadPtr> m_heads;
    std::vector<HeadSpec> m_specs;
    InputShape m_input;
    bool m_anyVector = false, m_anyDense = false;
};

} // namespace mtl::model
