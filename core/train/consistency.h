#pragma once
// How the transferred predictions of a cross-task consistency model
// (model::TransferredPrediction) enter the task losses the weighting method sees:
//   loss_b = (1 − w)·direct_b + w · mean over the transfers a→b of c(a→b)
//   c(a→b) = agreement(ŷ_a→b, detach(ŷ_b))   when held to the direct prediction
//          + task_b.loss(ŷ_a→b, y_b)          when held to the labels
// so a weighting method (uncertainty, GradNorm) weighs each task's direct and transferred
// parts together, as the paper's code does.

#include "model/multitask.h"

#include <ATen/core/Tensor.h>

#include <memory>
#include <string>
#include <vector>

namespace mtl::train {

class Task;

// The loss between two predictions in one task's output space, `reference` detached:
//   cross:  cross-entropy of output's logits with reference's arg-max classes
//   kl:     KL(softmax(reference) ‖ softmax(output)), summed over classes, mean over pixels
//   l1:     mean |output − reference|
//   ssim:   mean of (1 − SSIM)/2 over 3×3 windows (stride 1, no padding), clamped to [0, 1]
//   cosine: mean of 1 − cos(output, reference) over pixels (channels are the vector)
// Throws Error(Config) for another kind.
at::Tensor agreementLoss(const std::string &kind, const at::Tensor &output,
                         const at::Tensor &reference);

// Replaces losses[b] by the mixture above for every task b that transfers reach. Returns per
// task the mean transferred term c (undefined for tasks without transfers), for the record.
// targets: the batch's targets in task order, as Task::loss takes them.
std::vector<at::Tensor> foldTransfers(const std::vector<std::unique_ptr<Task>> &tasks,
                                      const model::ModelOutput &output,
                                      const std::vector<at::Tensor> &targets,
                                      std::vector<at::Tensor> &losses);

} // namespace mtl::train
