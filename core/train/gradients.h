#pragma once
// The gradient collector the gradient-manipulation methods share (PCGrad, MGDA, CAGrad, …):
// per-task gradients as one matrix, and a combined gradient written back to the parameters.
// A method is then a function of a [T, P] matrix, testable with a hand-written one.
// Thread contract: the trainer's thread (grad mode is per thread).

#include <ATen/core/Tensor.h>

#include <vector>

namespace mtl::train {

// Row t: the gradient of losses[t] with respect to `inputs` (the shared parameters, or the
// shared representation), each input flattened, concatenated in order: [T, P], float, on the
// inputs' device. The autograd graph is kept for further backward passes; inputs a loss does
// not reach get zeros.
at::Tensor taskGradients(const std::vector<at::Tensor> &losses,
                         const std::vector<at::Tensor> &inputs);

// Adds `flat` ([P], as laid out by taskGradients) to the .grad of `parameters`.
void accumulateGradient(const at::Tensor &flat, const std::vector<at::Tensor> &parameters);

} // namespace mtl::train
