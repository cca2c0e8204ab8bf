#pragma once
// The makers of the weighting methods, one per class, for the registry in weighting.cpp.
// Internal to train/: the loss-scaling methods live in lossweighting.cpp, the gradient
// methods in gradientmethods.cpp and gradnorm.cpp.

#include "train/weighting.h"

#include <ATen/core/Tensor.h>

#include <memory>

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

// Σ_t weights[t]·losses[t] (+ the extra loss), back-propagated; weights may require grad.
void backwardWeighted(const std::vector<at::Tensor> &losses, const at::Tensor &weights,
                      const WeightingContext &context);

} // namespace mtl::train::detail
