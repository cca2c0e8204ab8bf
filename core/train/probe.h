#pragma once
// Probes watch a run and record what it does beyond losses and metrics (task weights now;
// attention masks, cross-stitch α and predictions later). The trainer calls them on its own
// thread and writes what they collect with the next batch of metrics.

#include "store/records.h"

#include <memory>
#include <string>
#include <vector>

namespace mtl::train {

// What probes add; the trainer flushes it to the project file in one transaction.
struct RecordBatch {
    std::vector<store::MetricRow> metrics;
    std::vector<store::TaskWeightRow> taskWeights;
    bool empty() const { return metrics.empty() && taskWeights.empty(); }
    void clear()
    {
        metrics.clear();
        taskWeights.clear();
    }
};

struct StepRecord {
    std::int64_t step = 0; // 1-based global step
    int epoch = 0;         // 1-based
    const std::vector<std::string> *tasks = nullptr;
    const std::vector<double> *losses = nullptr;  // per task
    const std::vector<double> *weights = nullptr; // per task, as the weighting method applied
};

class Probe {
public:
    virtual ~Probe() = default;
    virtual std::string name() const = 0;
    virtual void afterStep(const StepRecord &step, RecordBatch &out) = 0;
};

// Records the loss weight of each task whenever it changes (and at the first step), so a
// weighting method's behaviour can be plotted as a step function.
class TaskWeightProbe final : public Probe {
public:
    std::string name() const override { return "task_weights"; }
    void afterStep(const StepRecord &step, RecordBatch &out) override;

private:
    std::vector<double> m_last;
};

} // namespace mtl::train
