#pragma once
// Loss weighting: how per-task losses become gradients. A method either weights the losses and
// back-propagates their sum (equal, uncertainty, DWA, …) or manipulates per-task gradients of
// the shared parameters or the shared representation (PCGrad, MGDA, …); either way it owns
// backward(). One class per method, registered in train/weighting.cpp with its options.
// Thread contract: the trainer's thread only, in this order per step: backward() (gradients
// zeroed by the caller), the gradient all-reduce, the optimiser step, afterOptimizerStep().

#include "common/registry.h"
#include "experiment/config.h"

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace torch::serialize {
class InputArchive;
class OutputArchive;
} // namespace torch::serialize

namespace mtl::train {

class Collective;
class Task;

struct WeightingContext {
    std::vector<at::Tensor> sharedParameters; // the model's shared parameters (may be empty)
    std::vector<at::Tensor> taskParameters;   // every other trainable parameter of the model
    at::Tensor
        sharedRepresentation; // what every head reads (ModelOutput::shared); may be undefined
    at::Tensor extraLoss;     // the model's own losses, summed; undefined when it adds none
    std::int64_t step = 0;    // 1-based global step
    int epoch = 0;            // 1-based
    Collective *collective = nullptr; // never null in the trainer
    // The objectives of the step's other batches, when the method asks for more than one
    // (samplesPerStep()): each batch drawn independently of the step's own (a second pass over
    // the training split in its own order), each its own forward with its graph. Their model
    // losses (extraLoss) are not included.
    std::vector<std::vector<at::Tensor>> moreSamples;
    // The objectives of sample s (0: the step's batch, 1…: moreSamples) computed again by a
    // forward of the current parameters, with or without their graph; the model's buffers
    // (BatchNorm statistics) are left as they were. FAMO's "losses after the update", Auto-λ's
    // losses at perturbed parameters. Valid until afterOptimizerStep() of the same step
    // returns; costs one forward pass per call.
    std::function<std::vector<at::Tensor>(std::size_t sample, bool withGradients)> objectivesAt;
    // How the optimiser would move each trainable parameter: θ − lr·(m + g + weightDecay·θ),
    // m the momentum buffer times the momentum (SGD after its first step; undefined else).
    // What a method needs to take a virtual step (Auto-λ). Costs nothing until called.
    struct StepRule {
        at::Tensor parameter;
        double lr = 0;
        double weightDecay = 0;
        at::Tensor momentum;
    };
    std::function<std::vector<StepRule>()> stepRules;
};

// A number a method learns or keeps per objective, recorded after each epoch by the
// weighting_state probe: uncertainty's log-variances s_k, GradNorm's weights w_k, …
struct LearnedValues {
    std::string name;           // the metric name, e.g. "log_variance"
    std::vector<double> values; // one per objective, in objectiveNames() order
};

class WeightingMethod {
public:
    virtual ~WeightingMethod() = default;
    virtual std::string name() const = 0;
    // One line for the run header: what the method balances and how, e.g. "pcgrad: per-task
    // gradients w.r.t. the shared representation (3 backward passes through the heads, 1 through
    // the shared layers)". hasRepresentation: the model exposes one (ModelOutput::shared).
    virtual std::string describe(bool hasRepresentation) const { return name(); }
    // Batches each step gives the method: 1, or more for a method that needs independent
    // samples of the gradients (SDMGrad, MoDo: 3) or a meta batch (Auto-λ: 2); the others
    // reach backward() as WeightingContext::moreSamples. The epoch stays one pass over the
    // training split: the other batches come from a second pass in its own order.
    virtual std::size_t samplesPerStep() const { return 1; }
    // Whether the method balances the gradients of the shared part (per-task gradients of the
    // shared parameters or representation): on a model that shares nothing it is the plain sum.
    virtual bool balancesSharedGradients() const { return false; }
    // Computes the gradients of one batch and returns the weight applied to each task's loss,
    // in task order. losses: one scalar per task. The extra loss, when defined, is added with
    // weight 1 to what is back-propagated.
    virtual std::vector<double> backward(const std::vector<at::Tensor> &losses,
                                         const WeightingContext &context) = 0;
    // After each whole epoch (not after a stop inside one), with the mean training loss of each
    // objective over the batches this process trained of it: after a resume inside the epoch,
    // those since the resume. A method that needs the whole epoch's mean keeps its own sums in
    // its state (DWA does).
    virtual void epochEnded(int epoch, const std::vector<double> &meanLosses) {}
    // After each optimiser step (e.g. GradNorm renormalises its weights here).
    virtual void afterOptimizerStep() {}
    // Learnable parameters of the method itself (e.g. uncertainty's log-variances); the trainer
    // gives them to the optimiser as the group "weighting".
    virtual std::vector<at::Tensor> parameters() { return {}; }
    // What the method has learned so far, beyond the weights it applies (backward()'s result,
    // which the task_weights probe records): empty for a method without such numbers.
    virtual std::vector<LearnedValues> learnedValues() const { return {}; }
    // The method's state (loss histories, running weights), stored in every checkpoint beside
    // the model and the optimiser, so a resumed run continues as if it had not stopped.
    virtual void save(torch::serialize::OutputArchive &archive) const {}
    virtual void load(torch::serialize::InputArchive &archive) {}
};

// Equal weighting: every task's loss counts once (the plain sum).
class EqualWeighting final : public WeightingMethod {
public:
    std::string name() const override { return "equal"; }
    std::vector<double> backward(const std::vector<at::Tensor> &losses,
                                 const WeightingContext &context) override;
};

// What a weighting method balances: one objective per task, or per loss term of a task.
struct Objective {
    std::string name;        // "<task>" or "<task>.<term>" (objectiveNames())
    bool regression = false; // a regression loss (depth, normals, reconstruction)
};

struct WeightingArgs {
    std::size_t taskCount = 0; // objectives.size()
    std::vector<Objective> objectives;
    nlohmann::json options; // validated against the entry's options, defaults filled in
    c10::Device device{c10::kCPU};
    std::uint64_t seed = 0; // train.seed: a method's random draws start from it
};
using WeightingMaker = std::function<std::unique_ptr<WeightingMethod>(const WeightingArgs &)>;
const Registry<WeightingMaker> &weightingMethods();

// What the tasks give the weighting to balance, in objectiveNames() order.
std::vector<Objective> objectivesOf(const std::vector<std::unique_ptr<Task>> &tasks);

// Throws Error(Config) for an unknown method or an option that does not fit the objectives
// (e.g. a static weight for a task that does not exist), naming the key.
std::unique_ptr<WeightingMethod> makeWeighting(const experiment::WeightingConfig &config,
                                               const std::vector<Objective> &objectives,
                                               const c10::Device &device, std::uint64_t seed = 0);

} // namespace mtl::train
