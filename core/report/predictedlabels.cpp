#include "report/predictedlabels.h"

#include "common/error.h"
#include "store/project.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>

namespace mtl::report {

namespace {

int columnIndex(const store::DatasetInfo &dataset, const std::string &name)
{
    for (std::size_t c = 0; c < dataset.columns.size(); ++c)
        if (dataset.columns[c].name == name)
            return static_cast<int>(c);
    return -1;
}

} // namespace

std::vector<store::RunInfo> runsOfDataset(store::Project &project,
                                          const store::DatasetInfo &dataset)
{
    std::vector<store::RunInfo> runs;
    for (const store::RunInfo &run : project.runs().list())
        if (run.datasetName == dataset.name)
            runs.push_back(run);
    std::sort(runs.begin(), runs.end(),
              [](const store::RunInfo &a, const store::RunInfo &b) { return a.id > b.id; });
    return runs;
}

PredictedLabels predictedLabels(store::Project &project, const store::DatasetInfo &dataset,
                                std::int64_t runId)
{
    const auto run = project.runs().find(runId);
    if (!run)
        throw Error(ErrorCode::NotFound, "no run " + std::to_string(runId) + " in the project");
    if (run->datasetName != dataset.name)
        throw Error(ErrorCode::InvalidInput, "run " + std::to_string(runId) + " trained on '" +
                                                 run->datasetName + "', not '" + dataset.name +
                                                 "'");
    const nlohmann::json config =
        nlohmann::json::parse(project.runs().experimentConfig(run->experimentId), nullptr, false);
    // Task name → its columns: the label of a classification task, the labels of an
    // attributes task.
    std::map<std::string, std::vector<int>> taskColumns;
    if (config.is_object())
        for (const auto &task : config.value("tasks", nlohmann::json::array())) {
            std::vector<int> columns;
            if (task.value("type", "") == "classification")
                columns.push_back(columnIndex(dataset, task.value("label", "")));
            else if (task.value("type", "") == "attributes")
                for (const auto &label : task.value("labels", nlohmann::json::array()))
                    columns.push_back(
                        columnIndex(dataset, label.is_string() ? label.get<std::string>() : ""));
            taskColumns[task.value("name", "")] = columns;
        }
    // The newest row of each task (rows come in epoch order).
    std::map<std::string, store::PredictionRow> newest;
    for (store::PredictionRow &row : project.runs().predictions(runId))
        if (row.kind == "class_probabilities" || row.kind == "attribute_probabilities")
            newest[row.task] = std::move(row);
    PredictedLabels result;
    result.runId = runId;
    for (const auto &[task, row] : newest) {
        const auto columns = taskColumns.find(task);
        if (columns == taskColumns.end())
            continue;
        const bool classes = row.kind == "class_probabilities";
        if (!classes && static_cast<std::int64_t>(columns->second.size()) != row.valuesPerSample())
            continue; // a config and predictions that do not match: nothing to say
        result.split = row.split;
        result.epoch = std::max(result.epoch, row.epoch);
        const std::size_t first = result.columns.size();
        const std::size_t per = static_cast<std::size_t>(row.valuesPerSample());
        result.columns.insert(result.columns.end(), columns->second.begin(), columns->second.end());
        for (std::size_t s = 0; s < row.sampleIds.size(); ++s) {
            PredictedLabels::Sample &sample = result.samples[row.sampleIds[s]];
            const float *values = row.values.data() + s * per;
            sample.values.resize(first, -1);
            sample.confidence.resize(first, 0.0f);
            if (classes) {
                const auto best = std::max_element(values, values + per);
                sample.values.push_back(static_cast<std::int32_t>(best - values));
                sample.confidence.push_back(*best);
            } else {
                for (std::size_t a = 0; a < per; ++a) {
                    const bool positive = values[a] >= 0.5f;
                    sample.values.push_back(positive ? 1 : 0);
                    sample.confidence.push_back(positive ? values[a] : 1.0f - values[a]);
                }
            }
        }
    }
    // Samples a task did not predict keep -1 there.
    for (auto &[id, sample] : result.samples) {
        sample.values.resize(result.columns.size(), -1);
        sample.confidence.resize(result.columns.size(), 0.0f);
    }
    // Columns the dataset does not have (renamed since) are dropped with their values.
    for (std::size_t k = result.columns.size(); k-- > 0;)
        if (result.columns[k] < 0) {
            result.columns.erase(result.columns.begin() + static_cast<std::ptrdiff_t>(k));
            for (auto &[id, sample] : result.samples) {
                sample.values.erase(sample.values.begin() + static_cast<std::ptrdiff_t>(k));
                sample.confidence.erase(sample.confidence.begin() + static_cast<std::ptrdiff_t>(k));
            }
        }
    if (result.columns.empty())
        throw Error(ErrorCode::InvalidInput,
                    "run " + std::to_string(runId) +
                        " recorded no class or attribute predictions of this dataset's columns "
                        "(the predictions probe records them at the final evaluation; its "
                        "config's \"probes\" may have left it out)");
    return result;
}

} // namespace mtl::report
