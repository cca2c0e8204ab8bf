#pragma once
// Probes watch a run and record what it does beyond losses and metrics: task weights, and (with
// later issues) predictions, attention masks, cross-stitch α, gradient conflict. The config
// chooses them ("probes": [...], default ["task_weights"]); each is registered in
// train/probe.cpp with its options. What they collect goes into the run's RecordBatch, which
// the trainer writes with its next flush, in one transaction.
// Thread contract: the trainer's thread only. The records passed to a hook are valid during the
// call; tensors in them are detached (taps) or must not be modified (outputs, the model).

#include "common/registry.h"
#include "experiment/config.h"
#include "store/recordbatch.h"

#include <ATen/core/Tensor.h>
#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace mtl::data {
struct SampleBatch;
}
namespace mtl::model {
struct ModelOutput;
class MultiTaskModelImpl;
} // namespace mtl::model

namespace mtl::train {

class Task;
class WeightingMethod;

// After a training step (forward, backward and optimiser step done).
struct StepRecord {
    std::int64_t step = 0; // 1-based global step
    int epoch = 0;         // 1-based
    // What the weighting method balanced (objectiveNames(): the tasks, or "<task>.<term>" for
    // a task with loss terms), each one's loss and the weight it applied.
    const std::vector<std::string> &tasks;
    const std::vector<double> &losses;
    const std::vector<double> &weights;
    const model::ModelOutput &output; // the step's forward pass (taps not collected)
};

// During a training step, after the forward pass and before the weighting's backward: what a
// probe may differentiate (it must keep the graph: the step's backward comes after it).
struct BackwardRecord {
    std::int64_t step = 0;
    int epoch = 0;
    const std::vector<std::string> &objectives;      // as StepRecord::tasks
    const std::vector<at::Tensor> &losses;           // one scalar per objective, with its graph
    const at::Tensor &sharedRepresentation;          // ModelOutput::shared; undefined: none
    const std::vector<at::Tensor> &sharedParameters; // may be empty (nothing shared)
};

// After each batch of an evaluation (validation or test), in no-grad mode.
struct EvalRecord {
    const std::string &split; // "val" or "test"
    int epoch = 0;
    std::int64_t step = 0;
    const std::vector<std::string> &tasks;
    const data::SampleBatch &batch;   // sample ids and targets (targets on the model's device)
    const model::ModelOutput &output; // with taps when a probe wantsTaps()
    const std::vector<std::unique_ptr<Task>> *taskObjects = nullptr; // in `tasks` order
    // The split of the run's final evaluation: the test split, or (without one) every
    // validation, the last of which the final evaluation reports.
    bool finalSplit = false;
};

// After an evaluation pass went over the whole split (not after an interrupted one).
struct EvaluationEnd {
    const std::string &split;
    int epoch = 0;
    std::int64_t step = 0;
    bool finalSplit = false; // as EvalRecord::finalSplit
};

// The run's probe samples (train.probe_samples, fixed for the run) through the model in eval
// mode with taps, after each epoch's validation.
struct ProbeSampleRecord {
    int epoch = 0;
    std::int64_t step = 0;
    const std::string &split; // where the probe samples come from: the final evaluation's split
    // true: after the final evaluation, with the weights it evaluated (train.keep_best: the
    // best epoch's); false: after an epoch's validation.
    bool final = false;
    const std::vector<std::string> &tasks;
    const std::vector<std::unique_ptr<Task>> &taskObjects;
    const std::vector<std::int64_t> &sampleIds;
    const model::ModelOutput &output; // batch = the probe samples in sampleIds order
};

// After each epoch's validation, before its checkpoint.
struct EpochRecord {
    int epoch = 0;
    std::int64_t step = 0;
    const std::vector<std::string> &tasks;
    const model::MultiTaskModelImpl &model; // read-only
    // Per task, the names of its vector outputs (an attributes task's attributes); may be null.
    const std::vector<std::vector<std::string>> *outputs = nullptr;
    const WeightingMethod *weighting = nullptr;           // the run's; may be null
    const std::vector<std::string> *objectives = nullptr; // what it balances (StepRecord::tasks)
};

class Probe {
public:
    virtual ~Probe() = default;
    virtual std::string name() const = 0;
    // True when evaluation forward passes must collect the model's taps for this probe.
    virtual bool wantsTaps() const { return false; }
    virtual void beforeBackward(const BackwardRecord &step, store::RecordBatch &out) {}
    virtual void afterStep(const StepRecord &step, store::RecordBatch &out) {}
    virtual void afterEvalBatch(const EvalRecord &eval, store::RecordBatch &out) {}
    virtual void afterEvaluation(const EvaluationEnd &end, store::RecordBatch &out) {}
    // True when the trainer must run the probe samples through the model after each epoch.
    virtual bool wantsProbeSamples() const { return false; }
    virtual void afterProbeSamples(const ProbeSampleRecord &samples, store::RecordBatch &out) {}
    virtual void afterEpoch(const EpochRecord &epoch, store::RecordBatch &out) {}
    // What the probe remembers between hooks, kept in every checkpoint so a resumed run
    // records as if it had not stopped.
    virtual nlohmann::json saveState() const { return nullptr; }
    virtual void loadState(const nlohmann::json &state) {}
};

// Records the loss weight of each task whenever it changes (and at the first step), so a
// weighting method's behaviour can be plotted as a step function.
class TaskWeightProbe final : public Probe {
public:
    std::string name() const override { return "task_weights"; }
    void afterStep(const StepRecord &step, store::RecordBatch &out) override;
    nlohmann::json saveState() const override { return m_last; }
    void loadState(const nlohmann::json &state) override;

private:
    std::vector<double> m_last;
};

// After each epoch, the L2 norm of every parameter group of the model, as metric rows
// (split "train", task = the group's task, attribute = the group's name, name "param_norm"):
// how far the shared and the task-specific parts move.
class ParameterNormProbe final : public Probe {
public:
    std::string name() const override { return "param_norms"; }
    void afterEpoch(const EpochRecord &epoch, store::RecordBatch &out) override;
};

// After each epoch, every cross-stitch unit's mixing weights α as metric rows: split "train",
// task = the task whose activation is mixed (α's row), attribute "after_stage<i>.<source
// task>" (its column), name "cross_stitch_alpha"; channel-wise α is averaged over the
// channels. Records nothing for a model without cross-stitch units.
class CrossStitchAlphaProbe final : public Probe {
public:
    std::string name() const override { return "cross_stitch_alpha"; }
    void afterEpoch(const EpochRecord &epoch, store::RecordBatch &out) override;
};

// The mean of each MTAN attention mask over the validation split, per task and stage, after
// each epoch: split "val", task, attribute "stage<i>", name "attention_mean" (1: the task
// takes the shared features as they are; near 0: it ignores them). With option images (the
// default), also each probe sample's mask per task and stage, averaged over its channels, as
// an 8-bit grayscale PNG (store::ProbeImageRow, name "attention.stage<i>", 255 = 1).
// Records nothing for a model without attention.
class AttentionMaskProbe final : public Probe {
public:
    explicit AttentionMaskProbe(bool images = true)
        : m_images(images)
    {}
    std::string name() const override { return "attention_masks"; }
    bool wantsTaps() const override { return true; }
    bool wantsProbeSamples() const override { return m_images; }
    void afterEvalBatch(const EvalRecord &eval, store::RecordBatch &out) override;
    void afterProbeSamples(const ProbeSampleRecord &samples, store::RecordBatch &out) override;
    void afterEpoch(const EpochRecord &epoch, store::RecordBatch &out) override;

private:
    bool m_images;
    // tap name → (sum of per-sample means, samples) over this epoch's validation
    std::map<std::string, std::pair<double, std::int64_t>> m_sums;
};

// The mean weight each task's gate gives each expert over the validation split, after each
// epoch: split "val", task, attribute "level<l>.expert<e>" (the shared experts first, then the
// task's own), name "gate_weight". Records nothing for a model without gates (mmoe, cgc, ple,
// dselect_k have them).
class GateWeightProbe final : public Probe {
public:
    std::string name() const override { return "gate_weights"; }
    bool wantsTaps() const override { return true; }
    void afterEvalBatch(const EvalRecord &eval, store::RecordBatch &out) override;
    void afterEpoch(const EpochRecord &epoch, store::RecordBatch &out) override;

private:
    // tap name → (per-expert sums of the weights, samples) over this epoch's validation
    std::map<std::string, std::pair<std::vector<double>, std::int64_t>> m_sums;
};

// After each epoch, MTL-CNN's latent task matrix L and combination vectors S as metric rows
// (split "train"): the L2 norm of each latent task's column of L (task empty, attribute
// "latent<k>", name "latent_norm") and each attribute's weight on each latent task (task,
// attribute "<attribute>.latent<k>", name "latent_weight"). Records nothing without mtl_cnn.
class LatentTaskProbe final : public Probe {
public:
    std::string name() const override { return "latent_tasks"; }
    void afterEpoch(const EpochRecord &epoch, store::RecordBatch &out) override;
};

// After each epoch, what the weighting method has learned per objective (learnedValues()):
// split "train", task = the objective's task, attribute = its loss term (empty for a whole
// task), name as the method says: "log_variance" (uncertainty's s_k), "gradnorm_weight",
// "imtl_log_scale", "famo_logit". Records nothing for a method without learned values.
class WeightingStateProbe final : public Probe {
public:
    std::string name() const override { return "weighting_state"; }
    void afterEpoch(const EpochRecord &epoch, store::RecordBatch &out) override;
};

// Predictions of every task for every sample of the final evaluation (class probabilities,
// attribute probabilities), one store::PredictionRow per split and task; with option
// every_epoch also of each validation. Dense tasks record their maps of the probe samples only,
// after the final evaluation (every_epoch: after each epoch too).
class PredictionProbe final : public Probe {
public:
    explicit PredictionProbe(bool everyEpoch)
        : m_everyEpoch(everyEpoch)
    {}
    std::string name() const override { return "predictions"; }
    void afterEvalBatch(const EvalRecord &eval, store::RecordBatch &out) override;
    void afterEvaluation(const EvaluationEnd &end, store::RecordBatch &out) override;
    bool wantsProbeSamples() const override { return true; }
    void afterProbeSamples(const ProbeSampleRecord &samples, store::RecordBatch &out) override;

private:
    bool m_everyEpoch;
    std::map<std::string, store::PredictionRow> m_pending; // task → this evaluation's so far
};

// Every `every` steps, how the tasks' gradients on what they share agree: the gradient of each
// objective (task, or task.term) with respect to the shared representation (space
// "representation": one backward through the heads per objective) or the shared parameters
// ("parameters": through the whole shared network); "auto" takes the representation when
// the model has one. Metric rows on split "train", task "": per objective (attribute = its
// name) "task_grad_norm"; per pair (attribute "a|b") "grad_cosine" and
// "grad_magnitude_similarity" 2‖gₐ‖‖g_b‖/(‖gₐ‖² + ‖g_b‖²); and (attribute "")
// "grad_condition_number" σ_max/σ_min of the [T, P] gradient matrix (not recorded when σ_min
// is 0). Records nothing for a model that shares nothing.
class GradientConflictProbe final : public Probe {
public:
    GradientConflictProbe(std::int64_t every, std::string space)
        : m_every(every)
        , m_space(std::move(space))
    {}
    std::string name() const override { return "gradient_conflict"; }
    void beforeBackward(const BackwardRecord &step, store::RecordBatch &out) override;

private:
    std::int64_t m_every;
    std::string m_space;
};

using ProbeMaker = std::function<std::unique_ptr<Probe>(const nlohmann::json &options)>;
const Registry<ProbeMaker> &probeTypes();

// Throws Error(Config) for an unknown probe.
std::unique_ptr<Probe> makeProbe(const experiment::ProbeConfig &config);

} // namespace mtl::train
