// mtlstudio-cli compare: runs side by side with Δp and Δm against a baseline (docs/CLI.md).

#include "commands.h"

#include "report/comparison.h"
#include "store/project.h"
#include "store/runmetrics.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <set>

namespace cli {

using nlohmann::json;
using namespace mtl;

namespace {

std::string percent(double value)
{
    char text[32];
    std::snprintf(text, sizeof text, "%+.2f%%", value);
    return text;
}

// `text` padded with spaces to `width` characters (code points, not bytes: "Δ", "↑", "·").
std::string padded(const std::string &text, std::size_t width, bool right)
{
    std::size_t length = 0;
    for (const unsigned char c : text)
        length += (c & 0xC0) != 0x80;
    const std::string fill(length < width ? width - length : 0, ' ');
    return right ? fill + text : text + fill;
}

json comparisonJson(const report::Comparison &c)
{
    json runs = json::array();
    for (const report::ComparedRun &run : c.runs) {
        json item = {{"run_id", run.id},       {"experiment", run.experiment},
                     {"sharing", run.sharing}, {"weighting", run.weighting},
                     {"status", run.status},   {"baseline", run.id == c.baseline},
                     {"metrics", run.values}};
        if (run.delta) {
            item["delta_p"] = run.delta->p;
            item["delta_m"] = run.delta->m;
            item["delta_p_per_task"] = run.delta->perTask;
            item["delta_metrics_used"] = run.delta->metrics;
        } else {
            item["delta_p"] = 0.0;
            item["delta_m"] = 0.0;
        }
        runs.push_back(item);
    }
    return {{"dataset", c.dataset},
            {"split", c.split},
            {"baseline", c.baseline},
            {"baseline_chosen",
             c.baselineChosen ? "newest independent run with these tasks" : "given (--baseline)"},
            {"headline", "delta_p"},
            {"conventions",
             {{"delta_p", "LibMTL: per task the mean relative change of its metrics, then the "
                          "mean over tasks, in %; positive is better"},
              {"delta_m", "Nash-MTL/FAMO: the mean relative change over all metrics, in %; "
                          "positive is worse"}}},
            {"tasks", c.tasks},
            {"task_types", c.taskTypes},
            {"delta_metrics", c.deltaMetrics},
            {"runs", runs},
            {"notes", c.notes}};
}

void printComparison(const report::Comparison &c)
{
    std::printf("%zu runs on %s, %s split; baseline run %lld (%s)\n", c.runs.size(),
                c.dataset.c_str(), c.split.c_str(), static_cast<long long>(c.baseline),
                c.baselineChosen ? "the newest independent run with these tasks"
                                 : "given with --baseline");
    std::size_t taskWidth = 0;
    for (const std::string &task : c.tasks)
        taskWidth = std::max(taskWidth, task.size());
    const std::size_t labelWidth = taskWidth + 26, columnWidth = 22;
    const auto row = [&](const std::string &label, const std::vector<std::string> &cells) {
        std::string line = padded(label, labelWidth, false);
        for (const std::string &cell : cells)
            line += " " + padded(cell, columnWidth, true);
        std::printf("%s\n", line.c_str());
    };
    std::vector<std::string> heads, setups;
    for (const report::ComparedRun &run : c.runs) {
        heads.push_back("run " + std::to_string(run.id) + (run.id == c.baseline ? " (base)" : ""));
        setups.push_back(run.sharing + " · " + run.weighting);
    }
    std::printf("\n");
    row("", heads);
    row("", setups);
    for (const std::string &task : c.tasks) {
        std::set<std::string> names; // every task-level metric any run has
        for (const report::ComparedRun &run : c.runs)
            if (const auto it = run.values.find(task); it != run.values.end())
                for (const auto &[name, value] : it->second)
                    names.insert(name);
        const auto &entering = c.deltaMetrics.at(task);
        for (const std::string &name : names) {
            std::vector<std::string> cells;
            for (const report::ComparedRun &run : c.runs) {
                char text[32] = "—";
                if (const auto t = run.values.find(task); t != run.values.end())
                    if (const auto m = t->second.find(name); m != t->second.end())
                        std::snprintf(text, sizeof text, "%.4f", m->second);
                cells.push_back(text);
            }
            const bool inDelta =
                std::find(entering.begin(), entering.end(), name) != entering.end();
            row(padded(task, taskWidth, false) + "  " + name +
                    (store::lowerIsBetter(name) ? " ↓" : " ↑") + (inDelta ? " *" : ""),
                cells);
        }
    }
    std::vector<std::string> dp, dm;
    for (const report::ComparedRun &run : c.runs) {
        dp.push_back(run.delta ? percent(run.delta->p) : "baseline");
        dm.push_back(run.delta ? percent(run.delta->m) : "baseline");
    }
    std::printf("\n");
    row("Δp (LibMTL; + is better)", dp);
    for (const std::string &task : c.tasks) {
        std::vector<std::string> cells;
        for (const report::ComparedRun &run : c.runs) {
            const auto it = run.delta ? run.delta->perTask.find(task)
                                      : std::map<std::string, double>::const_iterator();
            cells.push_back(run.delta && it != run.delta->perTask.end() ? percent(it->second) : "");
        }
        row("  " + task, cells);
    }
    row("Δm (Nash-MTL/FAMO; − is better)", dm);
    std::printf("\n* enters Δp and Δm; ↑/↓ which way is better\n");
    for (const std::string &note : c.notes)
        std::printf("note: %s\n", note.c_str());
}

} // namespace

int runCompare(const CompareArgs &a)
{
    auto project = openForReading(a.project);
    const report::Comparison comparison = report::compareRuns(
        *project, a.runs, a.baseline > 0 ? std::optional<std::int64_t>(a.baseline) : std::nullopt);
    if (a.json)
        std::cout << comparisonJson(comparison).dump(-1, ' ', false, json::error_handler_t::replace)
                  << std::endl;
    else
        printComparison(comparison);
    return Ok;
}

} // namespace cli
