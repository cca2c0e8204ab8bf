#include "projectreader.h"

#include "common/error.h"
#include "store/project.h"
#include "store/runmetrics.h"
#include "textconv.h"
#include "train/catalog.h"

#include <algorithm>

namespace mtl::widgets {

QString scoreSeries(const std::string &task, const std::string &scoreName)
{
    const std::string label = mtl::store::scoreLabel(scoreName);
    return label.empty() ? toQt(task) : QStringLiteral("%1 (%2)").arg(toQt(task), toQt(label));
}

using mtl::store::Project;

ProjectSnapshot readProjectSnapshot(const QString &path)
{
    ProjectSnapshot snapshot;
    snapshot.path = path;
    try {
        Project project(toStd(path), Project::OpenMode::ReadOnly);
        snapshot.datasets = project.datasets().list();
        snapshot.runs = project.runs().list();
        std::sort(snapshot.runs.begin(), snapshot.runs.end(),
                  [](const auto &a, const auto &b) { return a.id > b.id; });
    } catch (const mtl::Error &e) {
        snapshot.error = describe(e);
    }
    return snapshot;
}

RunCurves readRunCurves(const QString &path, qint64 runId)
{
    RunCurves curves;
    curves.runId = runId;
    try {
        Project project(toStd(path), Project::OpenMode::ReadOnly);
        const auto info = project.runs().find(runId);
        if (!info)
            throw mtl::Error(mtl::ErrorCode::NotFound,
                             "run " + std::to_string(runId) + " is not in the project");
        curves.info = *info;
        try {
            const auto config =
                mtl::train::parseExperiment(project.runs().experimentConfig(info->experimentId));
            for (const auto &task : config.tasks)
                curves.tasks.push_back(task.name);
            curves.architecture = toQt(mtl::train::architectureText(config.model) + " · " +
                                       mtl::train::weightingText(config.weighting));
        } catch (const mtl::Error &) {
            // An experiment saved by a newer build: fall back to the tasks found in metrics.
        }
        mtl::store::RunMetrics metrics;
        metrics.add(project.runs().metrics(runId));
        for (const std::string &task : metrics.tasks())
            if (std::find(curves.tasks.begin(), curves.tasks.end(), task) == curves.tasks.end())
                curves.tasks.push_back(task);
        const auto toCurve = [](const std::vector<mtl::store::RunMetrics::Point> &points) {
            Curve curve;
            for (const auto &point : points) {
                curve.keys.append(point.key);
                curve.values.append(point.value);
            }
            return curve;
        };
        for (const std::string &task : curves.tasks) {
            const Curve loss = toCurve(metrics.trainLoss(task));
            if (!loss.keys.isEmpty())
                curves.trainLoss[task] = loss;
            const std::string score = metrics.scoreName(task);
            if (score.empty())
                continue;
            curves.scoreNames[task] = score;
            const Curve accuracy = toCurve(metrics.validation(task, score));
            if (!accuracy.keys.isEmpty())
                curves.valAccuracy[task] = accuracy;
        }
        curves.evalSplit = toQt(metrics.finalSplit());
        for (const auto &[task, values] : metrics.finalMetrics()) {
            const auto accuracy = values.find(metrics.scoreName(task));
            if (accuracy != values.end())
                curves.finalAccuracy[task] = accuracy->second;
        }
        curves.attributeSplit = curves.evalSplit;
        curves.attributeAccuracy = metrics.finalAttributes("accuracy");
    } catch (const mtl::Error &e) {
        curves.error = describe(e);
    }
    return curves;
}

} // namespace mtl::widgets
