#pragma once
// The subcommands of mtlstudio-cli, one function each; main.cpp parses the command line and
// calls them. Each returns the process's exit code or throws mtl::Error (mapped by
// exitCodeFor()). Their output is the contract of docs/CLI.md.

#include "common/error.h"

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace mtl::store {
class Project;
}
namespace mtl::train {
class Trainer;
}

namespace cli {

enum ExitCode { Ok = 0, BadInput = 2, RunFailed = 3, Interrupted = 130 };

// Set by the signal handler; a running trainer is asked to stop through g_trainer.
extern std::atomic<bool> g_interrupted;
extern std::atomic<mtl::train::Trainer *> g_trainer;

int exitCodeFor(const mtl::Error &e);

struct ImportArgs {
    std::string project, name, format = "idx", images, labels, split = "train", classNames,
                               classAttributes, attributeGroups, dir;
    // Image-file formats (csv, celeba, awa, folders).
    std::string root, table, partition, pathColumn, splitColumn, onError, resize;
    // Dense formats (nyuv2, cityscapes).
    std::string classes, depthScale;
    std::uint64_t seed = 0;
    std::int64_t count = 0;
    bool json = false;
};

struct TrainArgs {
    std::string project;
    std::vector<std::string> configs; // more than one: a queue, run one after another
    std::int64_t resume = 0;
    std::vector<std::string> overrides;
    bool json = false, preloaded = false;
};

struct CompareArgs {
    std::string project;
    std::vector<std::int64_t> runs;
    std::int64_t baseline = 0; // 0: the newest independent run with the same tasks
    bool json = false;
};

struct LabelsArgs {
    std::string project, dataset, exportTo, applyFrom, split;
    bool undo = false, redo = false, history = false, json = false;
};

int runImport(const ImportArgs &args);
// Exactly one of export, apply, undo, redo and history (main.cpp checks).
int runLabels(const LabelsArgs &args);
// With `log` (a dataset name): that dataset's import log instead of the list.
// Points a dataset of image files at the folder it moved to (checked to hold its images).
int runRelocate(const std::string &project, const std::string &dataset, const std::string &root);
int runDatasets(const std::string &project, bool asJson, const std::string &log = {});
int runRuns(const std::string &project, bool asJson);
int runParts(bool asJson);
int runTrain(const TrainArgs &args);
int runCompare(const CompareArgs &args);

// Opens an existing project to read it: nothing is written (but for upgrading an older
// schema), so read-only files list too; runs of killed processes read as interrupted.
std::unique_ptr<mtl::store::Project> openForReading(const std::string &path);
// Opens an existing project to write to it, after checking it is an undamaged project, and
// marks runs of killed processes as interrupted.
std::unique_ptr<mtl::store::Project> openProject(const std::string &path);
bool stderrIsTerminal();

} // namespace cli
