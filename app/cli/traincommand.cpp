// mtlstudio-cli train: one experiment, a queue of them (--config repeated), or a resumed run.
// A queue checks every config before the first run starts; then a run that fails (or cannot
// be set up for the data) does not stop it, a stop request (Ctrl-C, SIGUSR1) does.

#include "commands.h"

#include "progressprinter.h"

#include "store/project.h"
#include "store/runmetrics.h"
#include "train/catalog.h"
#include "train/trainer.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>
#include <map>

namespace cli {

using nlohmann::json;
using namespace mtl;

namespace {

// One entry of the queue: where its config came from, and what it became.
struct QueuedExperiment {
    std::string spec; // the --config argument (a file, or example:NAME)
    experiment::ExperimentConfig config;
    train::RunResult result;
    std::string setupError; // set when the run could not be set up; result is then empty
};

json metricsJson(const train::RunResult &result)
{
    json metrics = json::object();
    for (const auto &[task, values] : result.metrics) {
        json entry = values;
        auto attributes = result.attributeAccuracy.find(task);
        if (attributes != result.attributeAccuracy.end())
            entry["attributes"] = attributes->second;
        metrics[task] = entry;
    }
    return metrics;
}

void printOutcome(const std::string &project, const train::RunResult &result)
{
    const auto id = static_cast<long long>(result.runId);
    switch (result.status) {
    case store::RunStatus::Completed: {
        std::string summary;
        bool allAccuracy = true;
        for (const auto &[task, values] : result.metrics)
            if (const auto shown = store::headline(values)) {
                summary += (summary.empty() ? "" : ", ") + task + " " + shown->text();
                allAccuracy &= shown->name == "accuracy";
            }
        std::fprintf(stderr, "run %lld completed in %s (%.0f images/s): %s%s %s\n", id,
                     formatDuration(result.totalSeconds).c_str(), result.imagesPerSecond,
                     result.evalSplit.c_str(), allAccuracy ? " accuracy" : "", summary.c_str());
        if (!result.note.empty())
            std::fprintf(stderr, "  %s\n", result.note.c_str());
        std::fprintf(stderr, "results are in %s (mtlstudio-cli runs %s)\n", project.c_str(),
                     project.c_str());
        break;
    }
    case store::RunStatus::Stopped:
        if (!result.note.empty())
            std::fprintf(stderr, "run %lld %s; the model so far is saved in %s\n", id,
                         result.note.c_str(), project.c_str());
        else
            std::fprintf(stderr,
                         "run %lld stopped after %lld steps; the model so far is saved in %s\n", id,
                         static_cast<long long>(result.steps), project.c_str());
        std::fprintf(stderr, "continue it with: mtlstudio-cli train %s --resume %lld\n",
                     project.c_str(), id);
        break;
    default:
        std::fprintf(stderr, "run %lld failed: %s\n", id, result.error.c_str());
        break;
    }
}

json resultJson(const QueuedExperiment &entry, bool queued)
{
    const train::RunResult &result = entry.result;
    json out{{"run_id", result.runId},
             {"status", entry.setupError.empty() ? toString(result.status) : "failed"},
             {"metrics", metricsJson(result)},
             {"split", result.evalSplit},
             {"device", result.device},
             {"steps", result.steps},
             {"images_per_s", result.imagesPerSecond},
             {"train_seconds", result.trainSeconds},
             {"seconds", result.totalSeconds},
             {"error", entry.setupError.empty() ? result.error : entry.setupError},
             {"note", result.note}};
    if (queued)
        out["config"] = entry.spec;
    return out;
}

// Trains one experiment to its end; set-up errors throw (mtl::Error).
train::RunResult trainOne(const std::string &project, const experiment::ExperimentConfig &config,
                          const TrainArgs &a)
{
    train::TrainerOptions options;
    options.preloadBatches = a.preloaded;
    options.resumeRunId = a.resume;
    options.environment["front_end"] = "mtlstudio-cli";
    train::Trainer trainer(project, config, options);
    trainer.prepare();
    g_trainer.store(&trainer);
    if (g_interrupted.load())
        trainer.requestStop();
    ProgressPrinter printer(stderrIsTerminal());
    train::RunResult result = trainer.run(&printer);
    g_trainer.store(nullptr);
    printer.finishLine();
    return result;
}

int exitCodeOf(store::RunStatus status)
{
    if (status == store::RunStatus::Completed)
        return Ok;
    if (status == store::RunStatus::Stopped)
        return Interrupted;
    return RunFailed;
}

// Every config parses and names a dataset the project has, before anything trains.
std::vector<QueuedExperiment> checkQueue(const TrainArgs &a, store::Project &project)
{
    std::vector<QueuedExperiment> queue;
    for (std::size_t i = 0; i < a.configs.size(); ++i) {
        const std::string &spec = a.configs[i];
        QueuedExperiment entry{spec, {}, {}, {}};
        try {
            entry.config = train::loadExperiment(spec, a.overrides);
        } catch (const Error &e) {
            if (a.configs.size() == 1)
                throw;
            throw Error(e.code(), "--config " + std::to_string(i + 1) + " of " +
                                      std::to_string(a.configs.size()) + ": " + e.what() +
                                      " (nothing in the queue was run)");
        }
        if (a.configs.size() > 1 && !project.datasets().find(entry.config.dataset))
            throw Error(ErrorCode::NotFound, spec + ": dataset '" + entry.config.dataset +
                                                 "' is not in " + a.project +
                                                 " (nothing in the queue was run)");
        queue.push_back(std::move(entry));
    }
    return queue;
}

} // namespace

int runTrain(const TrainArgs &a)
{
    if (a.configs.empty() == (a.resume == 0))
        throw Error(ErrorCode::InvalidInput, "train needs --config FILE or --resume RUN");
    std::vector<QueuedExperiment> queue;
    {
        auto project = openProject(a.project); // fails early and clearly; reconciles old runs
        if (a.resume > 0) // a resumed run continues with the config it was started with
            queue.push_back({"--resume", train::configForResume(a.project, a.resume), {}, {}});
        else
            queue = checkQueue(a, *project);
    }
    if (queue.size() == 1) {
        QueuedExperiment &entry = queue.front();
        entry.result = trainOne(a.project, entry.config, a);
        printOutcome(a.project, entry.result);
        if (a.json)
            std::cout << resultJson(entry, false).dump() << std::endl;
        return exitCodeOf(entry.result.status);
    }

    int code = Ok;
    std::size_t done = 0;
    for (QueuedExperiment &entry : queue) {
        if (g_interrupted.load())
            break;
        std::fprintf(stderr, "queue %zu/%zu: %s\n", done + 1, queue.size(), entry.spec.c_str());
        try {
            entry.result = trainOne(a.project, entry.config, a);
            printOutcome(a.project, entry.result);
        } catch (const Error &e) { // this experiment cannot run here; the next may
            g_trainer.store(nullptr);
            entry.setupError = e.what();
            std::fprintf(stderr, "mtlstudio-cli: %s: %s\n", entry.spec.c_str(), e.what());
        }
        ++done;
        if (a.json)
            std::cout << resultJson(entry, true).dump() << std::endl;
        const store::RunStatus status =
            entry.setupError.empty() ? entry.result.status : store::RunStatus::Failed;
        if (status == store::RunStatus::Stopped) { // the user asked: the queue ends here
            code = Interrupted;
            break;
        }
        if (status != store::RunStatus::Completed)
            code = RunFailed;
    }

    // "queue of 4 experiments: 2 completed, 1 failed, 1 could not start", then one line each.
    std::map<std::string, int> counts;
    std::string lines;
    for (std::size_t i = 0; i < queue.size(); ++i) {
        const QueuedExperiment &entry = queue[i];
        std::string outcome;
        if (i >= done)
            outcome = "not started";
        else if (!entry.setupError.empty())
            outcome = "could not start";
        else
            outcome = toString(entry.result.status);
        ++counts[outcome];
        lines += "\n  " + entry.spec + ": " +
                 (i < done && entry.setupError.empty()
                      ? "run " + std::to_string(entry.result.runId) + " " + outcome
                      : outcome);
    }
    std::string tally;
    for (const char *outcome :
         {"completed", "failed", "could not start", "stopped", "interrupted", "not started"})
        if (const auto it = counts.find(outcome); it != counts.end())
            tally += (tally.empty() ? "" : ", ") + std::to_string(it->second) + " " + outcome;
    std::fprintf(stderr, "queue of %zu experiments: %s%s\n", queue.size(), tally.c_str(),
                 lines.c_str());
    if (code == Interrupted || done < queue.size())
        return Interrupted;
    return code;
}

} // namespace cli
