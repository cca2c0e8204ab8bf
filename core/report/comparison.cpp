#include "report/comparison.h"

#include "common/error.h"
#include "store/project.h"
#include "store/runmetrics.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>

namespace mtl::report {

namespace {

struct RunSetup {
    store::RunInfo info;
    std::vector<std::pair<std::string, std::string>> tasks; // (name, type), config order
    std::string sharing, weighting;
};

RunSetup setupOf(store::Project &project, const store::RunInfo &run)
{
    RunSetup setup;
    setup.info = run;
    const nlohmann::json config =
        nlohmann::json::parse(project.runs().experimentConfig(run.experimentId), nullptr, false);
    if (config.is_discarded() || !config.is_object())
        throw Error(ErrorCode::InvalidInput,
                    "run " + std::to_string(run.id) + " has no readable config in the project");
    for (const auto &task : config.value("tasks", nlohmann::json::array()))
        setup.tasks.emplace_back(task.value("name", ""), task.value("type", ""));
    const nlohmann::json model = config.value("model", nlohmann::json::object());
    setup.sharing = model.value("sharing", "");
    setup.weighting =
        config.value("weighting", nlohmann::json::object()).value("method", std::string());
    return setup;
}

std::string runName(std::int64_t id)
{
    return "run " + std::to_string(id);
}

} // namespace

const std::vector<std::string> &deltaMetrics(const std::string &taskType)
{
    static const std::map<std::string, std::vector<std::string>> table{
        {"classification", {"accuracy"}},
        {"attributes", {"accuracy"}},
        {"segmentation", {"miou", "pixel_accuracy"}},
        {"depth", {"abs_err", "rel_err"}},
        {"normals", {"angle_err", "median_angle_err", "within_11.25", "within_22.5", "within_30"}},
        {"reconstruction", {"l1"}},
    };
    static const std::vector<std::string> none;
    const auto it = table.find(taskType);
    return it == table.end() ? none : it->second;
}

Delta delta(const TaskValues &run, const TaskValues &baseline,
            const std::map<std::string, std::vector<std::string>> &metrics,
            std::vector<std::string> *skipped)
{
    Delta result;
    double allSum = 0.0;
    double taskSum = 0.0;
    int tasks = 0;
    for (const auto &[task, names] : metrics) {
        double sum = 0.0;
        int count = 0;
        for (const std::string &name : names) {
            const auto value = [&](const TaskValues &values) -> std::optional<double> {
                const auto t = values.find(task);
                if (t == values.end())
                    return std::nullopt;
                const auto m = t->second.find(name);
                if (m == t->second.end() || !std::isfinite(m->second))
                    return std::nullopt;
                return m->second;
            };
            const std::optional<double> mine = value(run), base = value(baseline);
            if (!mine || !base || *base == 0.0) {
                if (skipped)
                    skipped->push_back(task + "." + name);
                continue;
            }
            const double sign = store::lowerIsBetter(name) ? -1.0 : 1.0;
            const double change = sign * (*mine - *base) / *base * 100.0;
            sum += change;
            allSum += change;
            ++count;
        }
        if (count == 0)
            continue;
        result.perTask[task] = sum / count;
        taskSum += sum / count;
        ++tasks;
        result.metrics += count;
    }
    result.p = tasks > 0 ? taskSum / tasks : 0.0;
    result.m = result.metrics > 0 ? -allSum / result.metrics : 0.0;
    return result;
}

Comparison compareRuns(store::Project &project, const std::vector<std::int64_t> &ids,
                       std::optional<std::int64_t> baseline)
{
    if (ids.empty())
        throw Error(ErrorCode::InvalidInput, "no run to compare; give --runs A,B,…");
    const std::vector<store::RunInfo> all = project.runs().list();
    const auto find = [&](std::int64_t id) -> const store::RunInfo & {
        const auto it =
            std::find_if(all.begin(), all.end(), [id](const auto &r) { return r.id == id; });
        if (it == all.end())
            throw Error(ErrorCode::NotFound, runName(id) + " is not in " + project.path());
        return *it;
    };
    std::vector<RunSetup> setups;
    for (const std::int64_t id : ids)
        setups.push_back(setupOf(project, find(id)));
    Comparison comparison;
    comparison.dataset = setups.front().info.datasetName;
    const auto sameTasks = [](const RunSetup &a, const RunSetup &b) {
        auto x = a.tasks, y = b.tasks;
        std::sort(x.begin(), x.end());
        std::sort(y.begin(), y.end());
        return x == y;
    };

    // The baseline: given, or the newest completed independent run with the first run's tasks.
    RunSetup base;
    if (baseline) {
        base = setupOf(project, find(*baseline));
        comparison.dataset = base.info.datasetName;
    } else {
        std::optional<RunSetup> chosen;
        for (const store::RunInfo &run : all) { // oldest first
            if (run.status != store::RunStatus::Completed || run.datasetName != comparison.dataset)
                continue;
            RunSetup candidate = setupOf(project, run);
            if (candidate.sharing == "independent" && sameTasks(candidate, setups.front()))
                chosen = std::move(candidate);
        }
        if (!chosen) {
            std::string names;
            for (const auto &[name, type] : setups.front().tasks)
                names += (names.empty() ? "" : ", ") + name + " (" + type + ")";
            throw Error(ErrorCode::NotFound,
                        "no completed run with model.sharing independent and the tasks " + names +
                            " on dataset '" + comparison.dataset +
                            "' to compare with; train one "
                            "(--set model.sharing=independent) or give --baseline RUN");
        }
        base = std::move(*chosen);
        comparison.baselineChosen = true;
    }
    comparison.baseline = base.info.id;
    for (const auto &[name, type] : base.tasks) {
        comparison.tasks.push_back(name);
        comparison.taskTypes[name] = type;
        comparison.deltaMetrics[name] = deltaMetrics(type);
    }

    std::vector<RunSetup> ordered{base};
    for (RunSetup &setup : setups)
        if (setup.info.id != base.info.id &&
            std::none_of(ordered.begin(), ordered.end(),
                         [&](const RunSetup &s) { return s.info.id == setup.info.id; }))
            ordered.push_back(std::move(setup));
    for (const RunSetup &setup : ordered) {
        const std::string name = runName(setup.info.id);
        if (setup.info.datasetName != comparison.dataset)
            throw Error(ErrorCode::InvalidInput,
                        name + " trained on dataset '" + setup.info.datasetName + "', not '" +
                            comparison.dataset + "'; only runs on the same data compare");
        if (setup.info.status != store::RunStatus::Completed)
            throw Error(ErrorCode::InvalidInput,
                        name + " is " + toString(setup.info.status) +
                            ": only completed runs have a final evaluation to compare "
                            "(resume it with: mtlstudio-cli train PROJECT --resume " +
                            std::to_string(setup.info.id) + ")");
        store::RunMetrics metrics;
        metrics.add(project.runs().metrics(setup.info.id));
        const std::string split = metrics.finalSplit();
        if (comparison.split.empty())
            comparison.split = split;
        else if (split != comparison.split)
            throw Error(ErrorCode::InvalidInput,
                        name + " was finally evaluated on '" + split + "', " +
                            runName(base.info.id) + " on '" + comparison.split +
                            "'; only evaluations of the same split compare");
        ComparedRun run;
        run.id = setup.info.id;
        run.experiment = setup.info.experimentName;
        run.sharing = setup.sharing;
        run.weighting = setup.weighting;
        run.status = toString(setup.info.status);
        run.values = metrics.finalMetrics();
        for (const auto &[task, type] : setup.tasks)
            if (comparison.taskTypes.find(task) == comparison.taskTypes.end())
                comparison.notes.push_back(name + " has task '" + task +
                                           "', which the baseline does not: not in Δ");
        if (setup.info.id != base.info.id) {
            std::vector<std::string> skipped;
            const TaskValues baseValues = comparison.runs.front().values;
            run.delta = delta(run.values, baseValues, comparison.deltaMetrics, &skipped);
            for (const std::string &metric : skipped)
                comparison.notes.push_back(name + ": " + metric +
                                           " is missing (or 0 in the baseline): not in Δ");
        }
        comparison.runs.push_back(std::move(run));
    }
    return comparison;
}

} // namespace mtl::report
