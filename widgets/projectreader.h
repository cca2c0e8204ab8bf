#pragma once
// Reads what the views show from a project file. Each call opens its own read-only connection,
// so these run on any thread (QtConcurrent), never blocking the GUI thread on a query.

#include "store/records.h"

#include <QString>
#include <QVector>

#include <map>
#include <string>
#include <vector>

namespace mtl::widgets {

struct ProjectSnapshot {
    QString path;
    std::vector<mtl::store::DatasetInfo> datasets;
    std::vector<mtl::store::RunInfo> runs; // newest first
    QString error;                         // empty on success
};

ProjectSnapshot readProjectSnapshot(const QString &path);

struct Curve {
    QVector<double> keys, values;
};

// What a run recorded, shaped for the plots.
// "semantic (mIoU)" for a task scored by another metric than accuracy, else the task.
QString scoreSeries(const std::string &task, const std::string &scoreName);

struct RunCurves {
    qint64 runId = 0;
    mtl::store::RunInfo info;
    std::vector<std::string> tasks; // in config order
    QString
        architecture; // backbone, sharing and weighting from the run's config:
                      // "small_cnn · hard (split_at 2) · pcgrad"
    std::map<std::string, Curve> trainLoss; // task → (step, loss)
    // Each task's score (store::scoreMetrics(): accuracy, or mIoU, δ<1.25, ≤11.25° for dense
    // tasks), per validation and on the final evaluation, and which metric it is.
    std::map<std::string, Curve> valAccuracy;      // task → (epoch, score)
    std::map<std::string, double> finalAccuracy;   // task → score on evalSplit
    std::map<std::string, std::string> scoreNames; // task → "accuracy", "miou", …
    QString evalSplit;                             // "test" (or "val" without a test split)
    // Per-attribute accuracy of "attributes" tasks: task → attribute → accuracy, from the final
    // evaluation when there is one, else from the latest validation (attributeSplit says which).
    std::map<std::string, std::map<std::string, double>> attributeAccuracy;
    QString attributeSplit;
    QString error;
};

RunCurves readRunCurves(const QString &path, qint64 runId);

} // namespace mtl::widgets
