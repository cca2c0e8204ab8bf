#pragma once
// A task: which label columns it predicts, its loss, and how it is scored. One class per task
// type (classification, attributes, …), created by makeTask() from the config.

#include "store/records.h"
#include "train/config.h"

#include <ATen/core/Tensor.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace mtl::train {

// Label values of a split by column name, in sample order; -1 marks a missing label.
using ColumnValues = std::map<std::string, std::vector<std::int32_t>>;

struct MetricValue {
    std::string attribute; // empty for task-level values
    std::string name;      // "loss", "accuracy", …
    double value = 0.0;
};

// Accumulates predictions over an evaluation pass. Not thread-safe.
class TaskMeter {
public:
    virtual ~TaskMeter() = default;
    // output: the task's logits [B, outputs]; target: as built by Task::targets; loss: the
    // batch's mean loss.
    virtual void add(const at::Tensor &output, const at::Tensor &target, double loss) = 0;
    virtual std::vector<MetricValue> values() const = 0;
};

class Task {
public:
    explicit Task(TaskConfig config)
        : m_config(std::move(config))
    {
    }
    virtual ~Task() = default;

    const std::string &name() const { return m_config.name; }
    const TaskConfig &config() const { return m_config; }
    // Columns this task reads.
    virtual std::vector<std::string> columns() const = 0;
    // Logits per sample.
    virtual std::int64_t outputs() const = 0;
    // Target tensor for a whole split, on the CPU: [N] int64 (classification) or [N, A] float.
    virtual at::Tensor targets(const ColumnValues &values) const = 0;
    // Mean loss over the labelled samples of a batch (a scalar that requires grad).
    virtual at::Tensor loss(const at::Tensor &output, const at::Tensor &target) const = 0;
    virtual std::unique_ptr<TaskMeter> makeMeter() const = 0;

private:
    TaskConfig m_config;
};

// Validates the task's columns against the dataset; `keyPath` (e.g. "tasks[0]") names it in
// errors. Throws Error(Config).
std::unique_ptr<Task> makeTask(const TaskConfig &config, const store::DatasetInfo &dataset,
                               const std::string &keyPath);

} // namespace mtl::train
