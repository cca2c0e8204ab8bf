#pragma once
// Cross-stitch networks (Misra et al., "Cross-stitch Networks for Multi-task Learning",
// CVPR 2016): one column of the backbone per task and, after chosen stages, a cross-stitch
// unit that replaces each task's activation by a learnt linear combination of all tasks':
//   x̃_t = Σ_s α_ts x_s          (granularity "layer": α is T×T;
//                                 "channel": one T×T matrix per channel, α is C×T×T)
// initialised near the identity (α_tt = alpha_self, α_ts = alpha_other; 0.9 / 0.1 in the
// paper). α is the parameter group "cross_stitch", trained at 100× the learning rate by
// default (the paper's advice; optimizer.groups.cross_stitch changes it).
//
//   x ─┬─ column_a: stage0 ─┐ ┌─ stage1 ─┐ ┌─ stage2 ─┐ ┌─ head_a
//      │                    ├─┤          ├─┤          ├─┤
//      └─ column_b: stage0 ─┘ └─ stage1 ─┘ └─ stage2 ─┘ └─ head_b
//                         unit 0       unit 1       unit 2
//
//   shared: undefined (no tensor is read by every head).
//   taps (when asked): "cross_stitch.after_stage<i>": the unit's α, detached.

#include "model/multitask.h"

#include <vector>

namespace mtl::model {

struct CrossStitchOptions {
    std::vector<int> after;  // stages followed by a unit; empty: every stage
    bool perChannel = false; // granularity "channel"
    double alphaSelf = 0.9, alphaOther = 0.1;
    bool learnAlpha = true; // false: α stays as initialised (a buffer, not trained)
};

// One cross-stitch unit between the columns of T tasks with C channels at that stage.
class CrossStitchUnitImpl final : public torch::nn::Module {
public:
    CrossStitchUnitImpl(int tasks, std::int64_t channels, const CrossStitchOptions &options);
    // One [B, C, H, W] per task → the mixed ones, in the same order.
    std::vector<torch::Tensor> forward(const std::vector<torch::Tensor> &columns);
    const torch::Tensor &alpha() const { return m_alpha; }

private:
    torch::Tensor m_alpha; // [T, T] or [C, T, T]
    bool m_perChannel;
};

class CrossStitchImpl final : public MultiTaskModelImpl {
public:
    // Throws Error(Config) at model.sharing_options.after for a stage that does not exist.
    CrossStitchImpl(const BackboneFactory &backbone, const std::vector<HeadSpec> &heads,
                    const InputShape &input, const CrossStitchOptions &options);
    ModelOutput forward(const torch::Tensor &x, bool collectTaps = false) override;
    std::vector<ParameterGroup> parameterGroups() const override;
    ModelDescription describe() const override;

private:
    std::vector<BackbonePtr> m_columns;
    std::vector<std::shared_ptr<CrossStitchUnitImpl>> m_units; // by stage; null: none there
    std::vector<HeadPtr> m_heads;
    std::vector<HeadSpec> m_specs;
    InputShape m_input;
    std::string m_backboneName;
    bool m_learnAlpha;
};

} // namespace mtl::model
