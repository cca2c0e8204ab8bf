#pragma once
// The mixture-of-experts family: experts are copies of the backbone's stages, and each task
// reads its own gated mixture of their outputs.
//
//   mmoe (Ma et al., KDD 2018): K shared experts, one softmax gate per task.
//   cgc (Tang et al., RecSys 2020): shared experts plus `task_experts` per task; a task's gate
//       mixes the shared ones and its own.
//   ple (same paper): CGC in levels, one level per stage; a shared gate over all of a level's
//       experts feeds the next level's shared experts, each task's gate its own.
//   dselect_k (Hazimeh et al., NeurIPS 2021): mmoe with a sparse gate that learns to pick k of
//       the K experts (binary codes through a smooth step), plus its regulariser.
//
//       x → [shared stages] ─┬→ expert_1 ─┐
//                            ├→ …        ├─ Σ_e g_t,e · expert_e → head_t   (g_t = gate_t(x))
//                            └→ expert_K ─┘
//
// A gate reads the flattened input of its level (the image, or the shared stages' output when
// shared_stages > 0), as LibMTL's gates read the image. The first `shared_stages` stages are
// shared by all (hard sharing before the experts). With an expert_backbone the experts are that
// network instead, whole (ple: a level per stage of it), reading the image or the shared stages'
// output, which may then be all of the model's backbone.
//   shared: the shared stages' output when there are any; else undefined.
//   taps (when asked): "gate.<task>.level<l>": the task's gate weights [B, experts] (the shared
//   experts first, then the task's own), detached.

#include "model/multitask.h"

#include <torch/nn/modules/linear.h>

#include <functional>
#include <string>
#include <vector>

namespace mtl::model {

struct GateOutput {
    torch::Tensor weights; // [B, experts], each row ≥ 0 and summing to (at most) 1
    torch::Tensor penalty; // a loss the gate adds (DSelect-k); undefined for none
};

class GateImpl : public torch::nn::Module {
public:
    // input: [B, D], the flattened input of the gate's level.
    virtual GateOutput forward(const torch::Tensor &input) = 0;
};
using GatePtr = std::shared_ptr<GateImpl>;

// Linear D → experts, softmax.
class SoftmaxGateImpl final : public GateImpl {
public:
    SoftmaxGateImpl(std::int64_t inputs, std::int64_t experts);
    GateOutput forward(const torch::Tensor &input) override;

private:
    torch::nn::Linear m_linear{nullptr};
};

// DSelect-k's per-example gate: k selectors, each choosing one of the experts through
// m = ⌈log2 experts⌉ smooth-step "bits" (a smooth step of width gamma is 0 below −γ/2, 1
// above γ/2, a cubic between), mixed by a softmax over the k. The penalty is the selectors'
// entropy (weight `entropy`, pushing each to one expert) and, when experts is not a power of 2,
// the inverse of the mass each selector gives to experts that exist; both averaged over the
// batch (LibMTL sums them). With k = 1 the softmax is 1 and not built.
class DSelectGateImpl final : public GateImpl {
public:
    DSelectGateImpl(std::int64_t inputs, std::int64_t experts, std::int64_t selected, double gamma,
                    double entropy);
    GateOutput forward(const torch::Tensor &input) override;

private:
    torch::nn::Linear m_codeLogits{nullptr}, m_selectorLogits{nullptr};
    torch::Tensor m_codes; // [experts, bits] bool: expert e's binary code, most significant first
    std::int64_t m_experts, m_selected, m_bits;
    double m_gamma, m_entropy;
};

struct ExpertsOptions {
    std::string name = "mmoe"; // for descriptions and taps
    int sharedExperts = 4;
    int taskExperts = 0;     // per task (cgc, ple)
    bool perStage = false;   // ple: one level of experts per stage
    int sharedStages = 0;    // stages before the experts, shared by all tasks
    bool sparseGate = false; // dselect_k
    int selected = 2;        // dselect_k: k
    double gamma = 1.0;      // dselect_k: smooth-step width
    double entropy = 1e-6;   // dselect_k: weight of the selectors' entropy
    // The experts' own architecture (expert_backbone), built for the input it is given (the
    // image, or the shared stages' output) and the stages asked for; empty: the experts are
    // the model backbone's stages after the shared ones.
    std::function<BackbonePtr(const InputShape &, StageRange)> expertBackbone;
};

class ExpertsImpl final : public MultiTaskModelImpl {
public:
    // Throws Error(Config) at model.sharing_options.<key> for no experts at all, shared_stages
    // leaving no stage to the experts, k beyond the experts, or an expert_backbone a head
    // cannot read.
    ExpertsImpl(const BackboneFactory &backbone, const std::vector<HeadSpec> &heads,
                const InputShape &input, const ExpertsOptions &options);
    ModelOutput forward(const torch::Tensor &x, bool collectTaps = false) override;
    std::vector<ParameterGroup> parameterGroups() const override;
    ModelDescription describe() const override;

private:
    // One gated layer of experts over stages [first, end).
    struct Level {
        int first = 0, end = 0;
        std::int64_t inputs = 0;                   // flattened size of the level's input
        std::vector<BackbonePtr> shared;           // [expert]
        std::vector<std::vector<BackbonePtr>> own; // [task][expert]
        std::vector<GatePtr> taskGates;            // [task]
        GatePtr sharedGate;                        // ple, all but the last level
    };
    GatePtr makeGate(std::int64_t inputs, std::int64_t experts) const;
    // Σ_e weights[:, e] · outputs[e].
    static torch::Tensor mix(const std::vector<torch::Tensor> &outputs,
                             const torch::Tensor &weights);

    ExpertsOptions m_options;
    BackbonePtr m_trunk; // the shared stages; null without
    std::vector<Level> m_levels;
    std::vector<HeadPtr> m_heads;
    std::vector<HeadSpec> m_specs;
    InputShape m_input;
    std::string m_backboneName; // what the experts are
    bool m_ownExperts = false;  // built from the expert_backbone
    int m_stages = 0;
};

} // namespace mtl::model
