#pragma once
// A task: which label columns it predicts, its head, its loss, and how it is scored. One class
// per task type (classification, attributes, …), registered in train/tasks.cpp and created by
// makeTask() from the config.

#include "common/registry.h"
#include "data/augment.h"
#include "experiment/config.h"
#include "model/head.h"
#include "store/records.h"

#include <ATen/core/Tensor.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace mtl::train {

// Label values of a split by column name, in sample order; -1 marks a missing label.
using ColumnValues = std::map<std::string, std::vector<std::int32_t>>;

// What a split's targets are made from: its label columns, its maps ([N, C, H, W] as
// data::MemorySplit holds them) and its images (uint8 [N, C, H, W]), for reconstruction.
struct SplitLabels {
    const ColumnValues &columns;
    const std::map<std::string, at::Tensor> &maps;
    const at::Tensor &images;
};

struct MetricValue {
    std::string attribute; // empty for task-level values
    std::string name;      // "loss", "accuracy", …
    double value = 0.0;
};

// Accumulates predictions over an evaluation pass. Not thread-safe. Meters of the same task
// that saw different samples (other processes, other threads) combine exactly: after
// a.merge(b.state()), a.values() are those of one meter that saw both.
class TaskMeter {
public:
    virtual ~TaskMeter() = default;
    // output: the task's output for a batch; target: the batch's rows of Task::targets();
    // loss: the batch's mean loss.
    virtual void add(const at::Tensor &output, const at::Tensor &target, double loss) = 0;
    virtual std::vector<MetricValue> values() const = 0;
    // The accumulated sums and counts (exact integers where they count), fixed length per task.
    virtual std::vector<double> state() const = 0;
    // Adds another meter's state(); throws Error(Training) when its length does not match.
    virtual void merge(const std::vector<double> &state) = 0;
};

// What a task predicted for a batch as a user reads it (the predictions probe): `kind` as
// store::PredictionRow names it and float values [B, …] on the CPU — class or attribute
// probabilities, or for a dense task (`dense`) its map: class indices, depth, unit normals or
// the reconstructed image.
struct Prediction {
    std::string kind;
    at::Tensor values;
    bool dense = false;
};

class Task {
public:
    explicit Task(experiment::TaskConfig config)
        : m_config(std::move(config))
    {}
    virtual ~Task() = default;

    const std::string &name() const { return m_config.name; }
    const experiment::TaskConfig &config() const { return m_config; }
    // Columns this task reads.
    virtual std::vector<std::string> columns() const = 0;
    // What the model must output for this task.
    virtual model::HeadSpec head() const = 0;
    // Target tensor for a whole split, on the CPU: [N] int64 (classification), [N, A] float
    // (attributes), or a map [N, C, H, W] in its stored type (dense tasks decode per batch).
    virtual at::Tensor targets(const SplitLabels &split) const = 0;
    // How targets() follow the image through the input transforms (data/augment.h): a
    // per-sample value by default; dense tasks return Map, Normals or Input.
    virtual data::TargetGeometry targetGeometry() const { return {}; }
    // Called once before training with the targets of the whole training split (validation
    // hold-out included), for what the loss learns from the data (e.g. balanced weights).
    virtual void fit(const at::Tensor &trainTargets) {}
    // What fit() learnt, for the run header; empty when nothing.
    virtual std::string fitted() const { return {}; }
    // The bias a new run's head starts from, one value per output channel, as fit() learnt it
    // (depth: the training split's mean depth); empty: the head's own initialisation.
    virtual std::vector<double> outputPrior() const { return {}; }
    // Mean loss over the labelled samples of a batch (a scalar that requires grad).
    virtual at::Tensor loss(const at::Tensor &output, const at::Tensor &target) const = 0;
    // What the weighting method balances for this task. Empty (the default): one loss, loss().
    // Otherwise the names of its terms (an attributes task with per_attribute: its attributes),
    // and termLosses() gives one scalar per term for a batch; loss() is then only reported.
    virtual std::vector<std::string> lossTerms() const { return {}; }
    virtual std::vector<at::Tensor> termLosses(const at::Tensor &output,
                                               const at::Tensor &target) const
    {
        return {loss(output, target)};
    }
    virtual std::unique_ptr<TaskMeter> makeMeter() const = 0;
    virtual Prediction predict(const at::Tensor &output) const = 0;
    // A regression loss (depth, normals, reconstruction), for weighting methods that treat
    // those differently (uncertainty's ½e^(−s)·L + s/2).
    virtual bool regression() const { return false; }

private:
    experiment::TaskConfig m_config;
};

// What the weighting method balances, in order: each task's name, or for a task with loss
// terms "<task>.<term>" per term (task names hold no '.').
std::vector<std::string> objectiveNames(const std::vector<std::unique_ptr<Task>> &tasks);

// keyPath (e.g. "tasks[0]") names the task in errors.
using TaskMaker = std::function<std::unique_ptr<Task>(
    const experiment::TaskConfig &, const store::DatasetInfo &, const std::string &keyPath)>;
const Registry<TaskMaker> &taskTypes();

// Validates the task's columns against the dataset. Throws Error(Config) naming keyPath.
std::unique_ptr<Task> makeTask(const experiment::TaskConfig &config,
                               const store::DatasetInfo &dataset, const std::string &keyPath);

} // namespace mtl::train
