#pragma once
// Runs compared side by side: every task-level metric of their final evaluations, and how much
// better or worse each run is than a baseline run on the same data, in the two conventions the
// multi-task papers use (docs/METRICS.md "Δp and Δm"):
//   Δp (LibMTL, the default): (1/T) Σ_t (1/M_t) Σ_m (−1)^{l_{t,m}} (M_{t,m} − B_{t,m}) / B_{t,m}
//      × 100, each task's metrics averaged first; positive when better.
//   Δm (Nash-MTL, FAMO): (1/K) Σ_k (−1)^{h_k} (M_k − B_k) / B_k × 100 over all K metrics at
//      once; positive when worse.
// l = 1 where lower is better, h = 1 where higher is better. Which metrics enter is fixed per
// task type (deltaMetrics()), as the papers fix them. No SQLite or LibTorch here beyond
// store::Project.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mtl::store {
class Project;
}

namespace mtl::report {

// The metrics Δp and Δm average for a task type: classification and attributes accuracy;
// segmentation miou, pixel_accuracy; depth abs_err, rel_err; normals angle_err,
// median_angle_err, within_11.25, within_22.5, within_30; reconstruction l1.
const std::vector<std::string> &deltaMetrics(const std::string &taskType);

// task → metric → value.
using TaskValues = std::map<std::string, std::map<std::string, double>>;

struct Delta {
    double p = 0.0;                        // Δp, % (positive: better)
    double m = 0.0;                        // Δm, % (positive: worse)
    std::map<std::string, double> perTask; // Δp_t of each task, %
    int metrics = 0;                       // how many metrics entered
};

// Δp and Δm of `run` against `baseline` over `metrics` (task → names). A metric missing on
// either side, or with a baseline of 0, does not enter (and is listed in `skipped` as
// "task.metric"). Tasks with no metric entering do not count in T.
Delta delta(const TaskValues &run, const TaskValues &baseline,
            const std::map<std::string, std::vector<std::string>> &metrics,
            std::vector<std::string> *skipped = nullptr);

struct ComparedRun {
    std::int64_t id = 0;
    std::string experiment;
    std::string sharing, weighting; // the config's model.sharing, weighting.method
    std::string status;
    TaskValues values;          // task-level metrics of the final evaluation
    std::optional<Delta> delta; // none for the baseline itself
};

struct Comparison {
    std::string dataset;
    std::string split;              // "test", or "val" when the runs had no test split
    std::int64_t baseline = 0;      // its run id
    bool baselineChosen = false;    // true: the default (newest independent run), not given
    std::vector<std::string> tasks; // in the baseline's config order
    std::map<std::string, std::string> taskTypes;
    std::map<std::string, std::vector<std::string>> deltaMetrics; // task → names entering Δ
    std::vector<ComparedRun> runs;  // the baseline first, then the others in the order given
    std::vector<std::string> notes; // what did not enter Δ and why
};

// Compares `runs` (ids) of one dataset with `baseline`, or when none, with the newest
// completed run whose model.sharing is "independent" and whose tasks (names and types) are
// the same as those of the first run. Throws Error(NotFound / InvalidInput) naming the run:
// not in the project, on another dataset, without a final evaluation; and when no baseline is
// found.
Comparison compareRuns(store::Project &project, const std::vector<std::int64_t> &runs,
                       std::optional<std::int64_t> baseline);

} // namespace mtl::report
