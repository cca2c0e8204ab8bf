#pragma once
// The makers of the weighting methods, one per class, for the registry in weighting.cpp.
// Internal to train/: the loss-scaling methods live in lossweighting.cpp, the gradient
// methods in gradientmethods.cpp and gradnorm.cpp.

#include "train/weighting.h"

#include <ATen/core/Tensor.h>
#include <torch/optim/adam.h>

#include <memory>
#include <string>

namespace mtl::train::detail {

// Loss scaling: weights from the losses alone, one backward pass.
std::unique_ptr<WeightingMethod> makeStatic(const WeightingArgs &args);
std::unique_ptr<WeightingMethod> makeUncertainty(const WeightingArgs &args);
std::unique_ptr<WeightingMethod> makeDwa(const WeightingArgs &args);
std::unique_ptr<WeightingMethod> makeRlw(const WeightingArgs &args);
std::unique_ptr<WeightingMethod> makeGls(const WeightingArgs &args);
std::unique_ptr<WeightingMethod> makeFamo(const WeightingArgs &args);
std::unique_ptr<WeightingMethod> makeStch(const WeightingArgs &args);
std::unique_ptr<WeightingMethod> makeImtlLoss(const WeightingArgs &args); // imtl variant "loss"

// Gradient manipulation: per-task gradients of the shared part.
std::unique_ptr<WeightingMethod> makeGradNorm(const WeightingArgs &args);
std::unique_ptr<WeightingMethod> makePcGrad(const WeightingArgs &args);
std::unique_ptr<WeightingMethod> makeMgda(const WeightingArgs &args);
std::unique_ptr<WeightingMethod> makeCaGrad(const WeightingArgs &args);
std::unique_ptr<WeightingMethod> makeImtl(const WeightingArgs &args);
std::unique_ptr<WeightingMethod> makeGradDrop(const WeightingArgs &args);
std::unique_ptr<WeightingMethod> makeGradVac(const WeightingArgs &args);
std::unique_ptr<WeightingMethod> makeAlignedMtl(const WeightingArgs &args);
std::unique_ptr<WeightingMethod> makeUpGrad(const WeightingArgs &args);
std::unique_ptr<WeightingMethod> makeDualProj(const WeightingArgs &args);
std::unique_ptr<WeightingMethod> makeConfig(const WeightingArgs &args);
std::unique_ptr<WeightingMethod> makeNashMtl(const WeightingArgs &args);
std::unique_ptr<WeightingMethod> makeFairGrad(const WeightingArgs &args);
std::unique_ptr<WeightingMethod> makeDbMtl(const WeightingArgs &args);
std::unique_ptr<WeightingMethod> makeMoCo(const WeightingArgs &args);
std::unique_ptr<WeightingMethod> makeExcessMtl(const WeightingArgs &args);

// Several batches per step (WeightingContext::moreSamples).
std::unique_ptr<WeightingMethod> makeSdmGrad(const WeightingArgs &args);
std::unique_ptr<WeightingMethod> makeModo(const WeightingArgs &args);
std::unique_ptr<WeightingMethod> makeAutoLambda(const WeightingArgs &args);
std::unique_ptr<WeightingMethod> makeMoml(const WeightingArgs &args);
std::unique_ptr<WeightingMethod> makeForum(const WeightingArgs &args);

// IMTL-L's learned loss scale (Liu et al. 2021): e^{s_k}·L_k − s_k, s from 0, trained by the
// run's optimiser (the method's parameters()).
class LearnedLossScale {
public:
    LearnedLossScale(std::size_t count, const c10::Device &device);
    std::vector<at::Tensor> apply(const std::vector<at::Tensor> &losses) const;
    std::vector<double> factors() const; // e^{s_k}
    const at::Tensor &tensor() const { return m_scale; }
    void save(torch::serialize::OutputArchive &archive) const;
    void load(torch::serialize::InputArchive &archive);

private:
    at::Tensor m_scale;
};

// A method's own numbers trained by its own Adam (GradNorm's weights, FAMO's logits, Auto-λ's
// λ): a [n] double tensor on the CPU, saved in checkpoints with the Adam's moments.
class OwnVector {
public:
    OwnVector(const at::Tensor &initial, const torch::optim::AdamOptions &options);
    const at::Tensor &tensor() const { return m_values; } // requires grad; change under NoGrad
    at::Tensor values() const { return m_values.detach(); }
    void step(const at::Tensor &gradient); // one Adam step along `gradient` ([n])
    // Under `key`, and the Adam's state under "optimizer".
    void save(torch::serialize::OutputArchive &archive, const std::string &key) const;
    void load(torch::serialize::InputArchive &archive, const std::string &key);

private:
    at::Tensor m_values;
    torch::optim::Adam m_optimizer;
};

// losses[0] + losses[1] + … (not empty).
at::Tensor sumOf(const std::vector<at::Tensor> &terms);

// Σ_t weights[t]·losses[t] (+ the extra loss), back-propagated; weights may require grad.
void backwardWeighted(const std::vector<at::Tensor> &losses, const at::Tensor &weights,
                      const WeightingContext &context);

} // namespace mtl::train::detail
