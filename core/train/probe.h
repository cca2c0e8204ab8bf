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

// After each batch of an evaluation (validation or test), in no-grad mode.
struct EvalRecord {
    const std::string &split; // "val" or "test"
    int epoch = 0;
    std::int64_t step = 0;
    const std::vector<std::string> &tasks;
    const data::SampleBatch &batch;   // sample ids and targets (targets on the model's device)
    const model::ModelOutput &output; // with taps when a probe wantsTaps()
};

// After each epoch's validation, before its checkpoint.
struct EpochRecord {
    int epoch = 0;
    std::int64_t step = 0;
    const std::vector<std::string> &tasks;
    const model::MultiTaskModelImpl &model; // read-only
    // Per task, the names of its vector outputs (an attributes task's attributes); may be null.
    const std::vector<std::vector<std::string>> *outputs = nullptr;
};

class Probe {
public:
    virtual ~Probe() = default;
    virtual std::string name() const = 0;
    // True when evaluation forward passes must collect the model's taps for this probe.
    virtual bool wantsTaps() const { return false; }
    virtual void afterStep(const StepRecord &step, store::RecordBatch &out) {}
    virtual void afterEvalBatch(const EvalRecord &eval, store::RecordBatch &out) {}
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
// takes the shared features as they are; near 0: it ignores them). Records nothing for a
// model without attention.
class AttentionMaskProbe final : public Probe {
public:
    std::string name() const override { return "attention_masks"; }
    bool wantsTaps() const override { return true; }
    void afterEvalBatch(const EvalRecord &eval, store::RecordBatch &out) override;
    void afterEpoch(const EpochRecord &epoch, store::RecordBatch &out) override;

private:
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

using ProbeMaker = std::function<std::unique_ptr<Probe>(const nlohmann::json &options)>;
const Registry<ProbeMaker> &probeTypes();

// Throws Error(Config) for an unknown probe.
std::unique_ptr<Probe> makeProbe(const experiment::ProbeConfig &config);

} // namespace mtl::train
