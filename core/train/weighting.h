#pragma once
// Loss weighting: how per-task losses become gradients. A method either weights the losses
// and back-propagates their sum (equal, uncertainty, DWA, …) or manipulates per-task
// gradients of the shared parameters (PCGrad, MGDA, …); either way it owns backward().

#include "train/config.h"

#include <ATen/core/Tensor.h>

#include <memory>
#include <string>
#include <vector>

namespace mtl::train {

struct WeightingContext {
    std::vector<at::Tensor> sharedParameters; // the model's shared parameters
    std::int64_t step = 0;                    // 1-based global step
    int epoch = 0;                            // 1-based
};

class WeightingMethod {
public:
    virtual ~WeightingMethod() = default;
    virtual std::string name() const = 0;
    // Computes gradients for one batch (gradients were zeroed by the caller) and returns the
    // weight applied to each task's loss, in task order.
    virtual std::vector<double> backward(const std::vector<at::Tensor> &losses,
                                         const WeightingContext &context) = 0;
    // Called after each epoch with the mean training loss of each task.
    virtual void epochEnded(int epoch, const std::vector<double> &meanLosses) {}
    // Learnable parameters of the method itself (e.g. uncertainty's log-variances).
    virtual std::vector<at::Tensor> parameters() { return {}; }
};

// Equal weighting: every task's loss counts once (the plain sum).
class EqualWeighting final : public WeightingMethod {
public:
    std::string name() const override { return "equal"; }
    std::vector<double> backward(const std::vector<at::Tensor> &losses,
                                 const WeightingContext &context) override;
};

std::unique_ptr<WeightingMethod> makeWeighting(const WeightingConfig &config,
                                               std::size_t taskCount);

} // namespace mtl::train
