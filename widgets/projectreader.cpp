#include "projectreader.h"

#include "common/error.h"
#include "store/project.h"
#include "textconv.h"
#include "train/config.h"

#include <algorithm>

namespace mtl::widgets {

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
            const auto config = mtl::train::ExperimentConfig::parse(
                project.runs().experimentConfig(info->experimentId));
            for (const auto &task : config.tasks)
                curves.tasks.push_back(task.name);
        } catch (const mtl::Error &) {
            // An experiment saved by a newer build: fall back to the tasks found in metrics.
        }
        bool hasTest = false;
        std::map<std::string, std::map<std::string, double>> valAttributes, testAttributes;
        for (const auto &row : project.runs().metrics(runId)) {
            if (!row.task.empty() && !row.attribute.empty() && row.name == "accuracy") {
                (row.split == "test" ? testAttributes : valAttributes)[row.task][row.attribute] =
                    row.value; // later epochs overwrite earlier ones
                continue;
            }
            if (row.task.empty() || !row.attribute.empty())
                continue;
            if (std::find(curves.tasks.begin(), curves.tasks.end(), row.task) ==
                curves.tasks.end())
                curves.tasks.push_back(row.task);
            if (row.split == "train" && row.name == "loss") {
                Curve &c = curves.trainLoss[row.task];
                c.keys.append(static_cast<double>(row.step));
                c.values.append(row.value);
            } else if (row.split == "val" && row.name == "accuracy") {
                Curve &c = curves.valAccuracy[row.task];
                c.keys.append(row.epoch);
                c.values.append(row.value);
            } else if (row.split == "test" && row.name == "accuracy") {
                curves.finalAccuracy[row.task] = row.value;
                hasTest = true;
            }
        }
        curves.evalSplit = hasTest ? QStringLiteral("test") : QStringLiteral("val");
        curves.attributeSplit = testAttributes.empty() ? QStringLiteral("val") : QStringLiteral("test");
        curves.attributeAccuracy = testAttributes.empty() ? valAttributes : testAttributes;
        if (!hasTest) // without a test split the last validation is the final evaluation
            for (const auto &[task, curve] : curves.valAccuracy)
                if (!curve.values.isEmpty())
                    curves.finalAccuracy[task] = curve.values.last();
    } catch (const mtl::Error &e) {
        curves.error = describe(e);
    }
    return curves;
}

} // namespace mtl::widgets
