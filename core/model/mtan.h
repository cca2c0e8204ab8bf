#pragma once
// Multi-Task Attention Network (Liu, Johns, Davison, "End-to-End Multi-Task Learning with
// Attention", CVPR 2019): one shared backbone, and per task one soft-attention module per stage
// that picks that task's features out of the shared ones.
//
//   shared:  x → stage0 ─────────→ stage1 ─────────→ stage2
//                 │ s0               │ s1               │ s2
//   task t:       att0 ⊙ s0 = a0 ─ f1 ─ att1 ⊙ s1 = a1 ─ f2 ─ att2 ⊙ s2 = a2 → head_t
//
//   att_i: [s_i, f_i(a_{i-1})] → conv1×1 → BN → ReLU → conv1×1 → BN → sigmoid: a mask in
//          (0, 1) of s_i's shape (stage 0 reads s_0 alone);
//   f_i:   carries the task's attended features to stage i: on the way down (an encoder stage)
//          conv3×3 (C_{i-1} → C_i) → BN → ReLU, then max pooling to stage i's size; on the way
//          up (a decoder stage of segnet) bilinear interpolation to stage i's size (aligned
//          corners), then the conv → BN → ReLU, as the MTAN seed's SegNet-MTAN.
// The paper computes the mask from a stage's intermediate features and applies it to the
// stage's output; our stages hand out only their outputs, so both are s_i.
//
// masks "ones" switches attention off (every mask is 1, nothing of it is built): that is hard
// sharing, step for step — the ablation, and what the tests hold it to.
//   shared: undefined (each head reads its own attended features).
//   taps (when asked): "mtan.<task>.stage<i>": the mask, [B, C_i, H_i, W_i], detached.

#include "model/multitask.h"

#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>

#include <vector>

namespace mtl::model {

// One task's attention at one stage: the mask, and the block that carries the previous
// stage's attended features here (none at stage 0).
class AttentionBlockImpl final : public torch::nn::Module {
public:
    // previous: stage i − 1's shape (nullptr at stage 0); here: stage i's.
    AttentionBlockImpl(const FeatureShape *previous, const FeatureShape &here);
    // shared: s_i; previous: a_{i−1} (undefined at stage 0). Returns the mask.
    torch::Tensor mask(const torch::Tensor &shared, const torch::Tensor &previous);

private:
    torch::nn::Conv2d m_carry{nullptr}, m_squeeze{nullptr}, m_expand{nullptr};
    torch::nn::BatchNorm2d m_carryBn{nullptr}, m_squeezeBn{nullptr}, m_expandBn{nullptr};
    FeatureShape m_here;
};

class MtanImpl final : public MultiTaskModelImpl {
public:
    // learnMasks false: every mask is 1 (hard sharing; no attention is built).
    MtanImpl(const BackboneFactory &backbone, const std::vector<HeadSpec> &heads,
             const InputShape &input, bool learnMasks = true);
    ModelOutput forward(const torch::Tensor &x, bool collectTaps = false) override;
    std::vector<ParameterGroup> parameterGroups() const override;
    ModelDescription describe() const override;

private:
    BackbonePtr m_backbone;
    std::vector<HeadPtr> m_heads;
    std::vector<std::vector<std::shared_ptr<AttentionBlockImpl>>> m_attention; // [task][stage]
    std::vector<HeadSpec> m_specs;
    InputShape m_input;
    bool m_learnMasks;
};

} // namespace mtl::model
