#pragma once
// The makers of the weighting methods, one per class, for the registry in weighting.cpp.
// Internal to train/: the loss-scaling methods live in lossweighting.cpp, the gradient
// methods in gradientmethods.cpp and gradnorm.cpp.

#include "train/weighting.h"

#include <memory>

namespace mtl::train::detail {

// Loss scaling: weights from the losses alone, one backward pass.
std::unique_ptr<WeightingMethod> makeStatic(const WeightingArgs &args);
std::unique_ptr<WeightingMethod> makeUncertainty(const WeightingArgs &args);
std::unique_ptr<WeightingMethod> makeDwa(const WeightingArgs &args);
std::unique_ptr<WeightingMethod> makeRlw(const WeightingArgs &args);
std::unique_ptr<WeightingMethod> makeGls(const WeightingArgs &args);
std::unique_ptr<WeightingMethod> makeFamo(const WeightingArgs &args);

// Gradient manipulation: per-task gradients of the shared part.
std::unique_ptr<WeightingMethod> makeGradNorm(const WeightingArgs &args);
std::unique_ptr<WeightingMethod> makePcGrad(const WeightingArgs &args);
std::unique_ptr<WeightingMethod> makeMgda(const WeightingArgs &args);
std::unique_ptr<WeightingMethod> makeCaGrad(const WeightingArgs &args);

// Σ_t weights[t]·losses[t] (+ the extra loss), back-propagated; weights may require grad.
void backwardWeighted(const std::vector<at::Tensor> &losses, const at::Tensor &weights,
                      const WeightingContext &context);

} // namespace mtl::train::detail
