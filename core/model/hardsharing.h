#pragma once
// Hard parameter sharing: the first `split_at` stages of the backbone are shared by all tasks,
// the remaining stages are built once per task ("tail_<task>"), then one head per task. With
// split_at = the stage count (the default) everything but the heads is shared; with 0 every
// task has its own network ("column_<task>"): that is the `independent` strategy, the
// single-task baseline. Vector heads read the pooled last stage, dense heads its map.
//   shared = the pooled [B, D] features when everything is shared and every head is a vector
//            head; else the map after the last shared stage; undefined when nothing is shared.
//   taps (when asked): "shared.stage<i>" for shared stages, "<task>.stage<i>" for the others.

#include "model/multitask.h"

#include <vector>

namespace mtl::model {

class HardSharingImpl : public MultiTaskModelImpl {
public:
    // splitAt: stages shared (-1: all). Throws Error(Config) at model.sharing_options.split_at
    // beyond the backbone's stage count.
    HardSharingImpl(const BackboneFactory &backbone, const std::vector<HeadSpec> &heads,
                    const InputShape &input, int splitAt = -1);
    ModelOutput forward(const torch::Tensor &x, bool collectTaps = false) override;
    std::vector<ParameterGroup> parameterGroups() const override;
    ModelDescription describe() const override;

protected:
    const std::vector<HeadSpec> &specs() const { return m_specs; }
    int splitAt() const { return m_splitAt; }
    int stageCount() const { return m_stages; }
    const InputShape &input() const { return m_input; }

private:
    BackbonePtr m_shared;             // stages [0, splitAt); null when splitAt is 0
    std::vector<BackbonePtr> m_tails; // per task, stages [splitAt, n); empty when all shared
    std::vector<HeadPtr> m_heads;
    std::vector<HeadSpec> m_specs;
    InputShape m_input;
    int m_stages = 0, m_splitAt = 0;
    std::string m_backboneName;
    bool m_anyVector = false, m_anyDense = false;
};

} // namespace mtl::model
