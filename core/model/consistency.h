#pragma once
// Cross-task consistency (the XTasC-Net of Nakano et al., "Cross-Task Consistency Learning
// Framework for Multi-Task Learning", 2021): one shared encoder, one decoder per task, and a
// task-transfer network per ordered pair of dense tasks that maps task a's prediction into
// task b's space. The transferred prediction is held to b's direct prediction (and, if asked,
// to b's labels), so each task's decoder learns from what the other tasks predict.
//
//   x → encoder ─┬─ decoder_a → head_a → ŷ_a ──→ T_a→b ──→ ŷ_a→b ~ ŷ_b (detached) [, y_b]
//                └─ decoder_b → head_b → ŷ_b ──→ T_b→a ──→ ŷ_b→a ~ ŷ_a (detached) [, y_a]
//
// The encoder is the backbone's first split_at stages (segnet: its encoder), the decoders are
// the rest, built once per task (as hard sharing with split_at). A transfer network is three
// levels of two 3×3 convolutions + ReLU and a 2×2 max pooling, then three of bilinear
// upsampling and two 3×3 convolutions + ReLU, then a 1×1 convolution (the paper's
// BaseTaskTransferNet, widths w, 2w, 4w). Its input: log-softmax of segmentation logits,
// unit normals, depth as predicted. Losses (train/consistency.h): the target task's loss
// becomes (1 − w)·direct + w·transferred, w = gamma for segmentation targets, alpha for the
// others (depth, normals, reconstruction), as in the paper's code.
//   shared: the encoder's output map. taps: those of hard sharing.

#include "model/hardsharing.h"
#include "model/layers.h"

#include <torch/nn/modules/conv.h>

#include <string>
#include <vector>

namespace mtl::model {

struct ConsistencyOptions {
    int splitAt = -1;    // -1: the backbone's encoder (segnet), else every stage
    double alpha = 0.01; // weight of transfers into depth, normals and reconstruction
    double gamma = 0.01; // weight of transfers into segmentation
    bool againstDirect = true, againstTruth = false; // "target": direct, ground_truth, both
    std::string segmentationAgreement = "cross";     // cross | kl
    std::string depthAgreement = "l1";               // l1 | ssim
    std::int64_t transferWidth = 16;
    NormKind transferNorm = NormKind::None;
    std::vector<std::vector<std::string>> pairs; // [from, to] task names; empty: every pair
};

// One task-transfer network: [B, in, H, W] → [B, out, H, W].
class TransferNetImpl final : public torch::nn::Module {
public:
    TransferNetImpl(std::int64_t in, std::int64_t out, std::int64_t width, NormKind norm);
    torch::Tensor forward(const torch::Tensor &x);

private:
    struct Conv {
        torch::nn::Conv2d conv{nullptr};
        Norm2d norm;
    };
    Conv conv(const std::string &name, std::int64_t in, std::int64_t out, NormKind norm);
    torch::Tensor run(Conv &c, const torch::Tensor &x);

    std::vector<Conv> m_down, m_up; // two per level
    torch::nn::Conv2d m_out{nullptr};
};

class ConsistencyImpl final : public HardSharingImpl {
public:
    // Throws Error(Config) at model.sharing with fewer than two dense tasks, and at
    // model.sharing_options.pairs for a pair that does not name two different dense tasks.
    ConsistencyImpl(const BackboneFactory &backbone, const std::vector<HeadSpec> &heads,
                    const InputShape &input, const ConsistencyOptions &options);
    // Hard sharing's outputs; while training, plus one transferred prediction per pair.
    ModelOutput forward(const torch::Tensor &x, bool collectTaps = false) override;
    std::vector<ParameterGroup> parameterGroups() const override;
    ModelDescription describe() const override;

private:
    struct Pair {
        std::size_t from = 0, to = 0;
        std::shared_ptr<TransferNetImpl> net;
    };
    torch::Tensor transferInput(std::size_t task, const torch::Tensor &prediction) const;

    ConsistencyOptions m_options;
    std::vector<Pair> m_pairs;
};

} // namespace mtl::model
