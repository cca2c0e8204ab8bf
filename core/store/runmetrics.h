#pragma once
// What a run's metric rows say, read in one place for every front end (the trainer's result,
// the workbench's curves and run header, the CLI's progress lines): the training loss of each
// task per step, each validation metric per epoch, and the final evaluation — the test split
// when one was evaluated, else the latest validation. Rows are added in the order they were
// recorded: all at once from the project file, or as they arrive during a live run.
// No SQLite here; not thread-safe (one owner).

#include "store/records.h"

#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

namespace mtl::store {

// The metric a one-line summary shows for a task, from its task-level values: the first of
// accuracy, miou (segmentation), abs_err (depth), angle_err (normals), l1 (reconstruction)
// it has; nullopt when none.
struct Headline {
    std::string name;
    double value = 0.0;
    // "87.12%" for accuracy, "mIoU 45.20%", "abs_err 0.412", "angle_err 21.3°", "l1 0.052".
    std::string text() const;
};
std::optional<Headline> headline(const std::map<std::string, double> &values);

// A task's score: the share in [0, 1], higher better, that stands for it beside the others on
// one plot — accuracy, else miou (segmentation), delta1 (depth) or within_11.25 (normals).
// scoreLabel() is how a legend names it: "" for accuracy (the plot's own word), "mIoU",
// "δ<1.25", "≤11.25°".
const std::vector<std::string> &scoreMetrics();
std::string scoreLabel(const std::string &metric);

// Which way a metric improves: losses and errors (loss, *_loss, *_err, rmse, l1) fall, the rest
// rise.
bool lowerIsBetter(const std::string &metric);

class RunMetrics {
public:
    struct Point {
        double key = 0.0; // step (training loss) or epoch (validation)
        double value = 0.0;
    };
    using Values = std::map<std::string, std::map<std::string, double>>;

    void add(const MetricRow &row);
    void add(const std::vector<MetricRow> &rows);

    // Tasks in the order their rows first came; the run-level total ("") is not one of them.
    const std::vector<std::string> &tasks() const { return m_tasks; }
    // (step, loss) of `task` on the training split; task "" is the weighted total.
    std::vector<Point> trainLoss(const std::string &task) const;
    // (epoch, value) of a task-level metric on the validation split.
    std::vector<Point> validation(const std::string &task,
                                  const std::string &name = "accuracy") const;
    // The latest value of one metric; attribute "" for task-level ones.
    std::optional<double> latest(const std::string &split, const std::string &task,
                                 const std::string &attribute, const std::string &name) const;

    // The first of scoreMetrics() recorded for `task` (any split); empty when none.
    std::string scoreName(const std::string &task) const;

    // "test" when a test evaluation was recorded, else "val".
    std::string finalSplit() const { return m_hasTest ? "test" : "val"; }
    // Task-level metrics of the final evaluation: task → name → value.
    Values finalMetrics() const;
    // Per-attribute values of the final evaluation: task → attribute → value of `name`.
    Values finalAttributes(const std::string &name = "accuracy") const;

private:
    using Key = std::tuple<std::string, std::string, std::string, std::string>;
    std::vector<std::string> m_tasks;
    std::map<std::string, std::vector<Point>> m_trainLoss;
    std::map<std::pair<std::string, std::string>, std::vector<Point>> m_validation;
    std::map<Key, double> m_latest; // (split, task, attribute, name) → value
    bool m_hasTest = false;
};

} // namespace mtl::store
