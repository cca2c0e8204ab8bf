#include "commands.h"

#include "common/registry.h"
#include "data/imagetable.h"
#include "data/importer.h"
#include "store/project.h"
#include "store/projectfile.h"
#include "train/catalog.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <optional>
#include <sstream>
#include <unistd.h>

namespace cli {

using nlohmann::json;
using namespace mtl;

std::atomic<bool> g_interrupted{false};
std::atomic<train::Trainer *> g_trainer{nullptr};

bool stderrIsTerminal()
{
    return isatty(fileno(stderr)) == 1;
}

namespace {

json datasetJson(const store::DatasetInfo &d)
{
    json splits = json::object();
    for (const auto &s : d.splits)
        splits[s.name] = s.samples;
    json columns = json::array();
    for (const auto &c : d.columns) {
        json column = {{"name", c.name}, {"kind", toString(c.kind)}};
        if (c.kind == store::ColumnKind::Categorical)
            column["categories"] = c.categories;
        if (!c.group.empty())
            column["group"] = c.group;
        columns.push_back(column);
    }
    json maps = json::array();
    for (const auto &m : d.maps) {
        json map = {{"name", m.name},           {"kind", toString(m.kind)},
                    {"type", toString(m.type)}, {"channels", m.channels},
                    {"scale", m.scale},         {"offset", m.offset}};
        if (!m.categories.empty())
            map["categories"] = m.categories;
        maps.push_back(map);
    }
    return {{"id", d.id},
            {"name", d.name},
            {"format", d.format},
            {"source", d.source},
            {"created_at", d.createdAt},
            {"width", d.width},
            {"height", d.height},
            {"channels", d.channels},
            {"root", d.root},
            {"samples", d.totalSamples()},
            {"splits", splits},
            {"columns", columns},
            {"maps", maps},
            {"pixel_mean", d.pixelMean},
            {"pixel_std", d.pixelStd},
            {"stats_images", d.statsImages},
            {"label_edits", d.labelEdits}};
}

json runJson(const store::RunInfo &r)
{
    return {{"id", r.id},
            {"experiment", r.experimentName},
            {"dataset", r.datasetName},
            {"status", toString(r.status)},
            {"device", r.device},
            {"created_at", r.createdAt},
            {"started_at", r.startedAt},
            {"finished_at", r.finishedAt},
            {"steps_done", r.stepsDone},
            {"steps_total", r.stepsTotal},
            {"images_per_s", r.imagesPerSecond},
            {"error", r.error},
            {"note", r.note},
            {"environment", json::parse(r.environment, nullptr, false)}};
}

} // namespace

std::unique_ptr<store::Project> openProject(const std::string &path)
{
    auto project = std::make_unique<store::Project>(path, store::Project::OpenMode::MustExist,
                                                    store::Project::Checks::Integrity);
    project->reconcileInterruptedRuns();
    return project;
}

std::unique_ptr<store::Project> openForReading(const std::string &path)
{
    return std::make_unique<store::Project>(path, store::Project::OpenMode::Read,
                                            store::Project::Checks::Integrity);
}

int exitCodeFor(const Error &e)
{
    switch (e.code()) {
    case ErrorCode::Interrupted:
        return Interrupted;
    case ErrorCode::Training:
        return RunFailed;
    default:
        return BadInput;
    }
}

int runImport(const ImportArgs &a)
{
    auto importer = data::makeImporter(a.format);
    data::ImportRequest request;
    request.dataset = a.name;
    request.split = a.split;
    request.files = {{"images", a.images},
                     {"labels", a.labels},
                     {"class-names", a.classNames},
                     {"class-attributes", a.classAttributes},
                     {"attribute-groups", a.attributeGroups},
                     {"dir", a.dir},
                     {"root", a.root},
                     {"table", a.table},
                     {"partition", a.partition}};
    request.options = {{"path-column", a.pathColumn}, {"split-column", a.splitColumn},
                       {"on-error", a.onError},       {"resize", a.resize},
                       {"classes", a.classes},        {"depth-scale", a.depthScale}};
    request.seed = a.seed;
    request.count = a.count;
    // Each flag applies to some formats only: a flag another format would use is a mistake.
    const std::string composing = "multi-fashion fashion-scenes";
    const std::string imageFiles = "csv celeba awa folders";
    const std::string dense = "nyuv2 cityscapes";
    struct FlagUse {
        const char *flag;
        bool given;
        std::string formats; // the formats it applies to
    };
    const std::vector<FlagUse> applies{
        {"--images", !a.images.empty(), "idx"},
        {"--labels", !a.labels.empty(), "idx"},
        {"--class-names", !a.classNames.empty(), "idx " + dense},
        {"--class-attributes", !a.classAttributes.empty(), "idx folders"},
        {"--attribute-groups", !a.attributeGroups.empty(), "idx folders"},
        {"--dir", !a.dir.empty(), "fashion-mnist " + composing},
        {"--seed", a.seed != 0, composing},
        {"--count", a.count != 0, composing},
        {"--root", !a.root.empty(), imageFiles + " " + dense},
        {"--table", !a.table.empty(), "csv celeba"},
        {"--partition", !a.partition.empty(), "celeba"},
        {"--path-column", !a.pathColumn.empty(), "csv"},
        {"--split-column", !a.splitColumn.empty(), "csv"},
        {"--resize", !a.resize.empty(), imageFiles},
        {"--on-error", !a.onError.empty(), imageFiles + " " + dense},
        {"--classes", !a.classes.empty(), "cityscapes"},
        {"--depth-scale", !a.depthScale.empty(), dense},
    };
    for (const auto &[flag, given, formats] : applies) {
        std::istringstream in(formats);
        std::vector<std::string> names;
        for (std::string name; in >> name;)
            names.push_back(name);
        if (!given || std::count(names.begin(), names.end(), a.format) > 0)
            continue;
        std::string list;
        for (std::size_t i = 0; i < names.size(); ++i)
            list += (i == 0 ? "" : i + 1 == names.size() ? " and " : ", ") + names[i];
        throw Error(ErrorCode::InvalidInput,
                    std::string(flag) + " applies to --format " + list + " only");
    }
    // A new project is made under a temporary name and put in place when the import has
    // committed: a failed or killed first import leaves no project, empty or partial, behind.
    // An existing empty file is taken as a new project too (nothing in it to lose).
    std::error_code ec;
    const bool created = !std::filesystem::exists(a.project, ec) ||
                         (std::filesystem::is_regular_file(a.project, ec) &&
                          std::filesystem::file_size(a.project, ec) == 0);
    std::optional<store::PendingProjectFile> pending;
    if (created) {
        pending.emplace(a.project);
        std::filesystem::remove(a.project, ec); // the empty file, if any
    }
    std::optional<store::Project> opened;
    opened.emplace(created ? pending->workingPath() : a.project,
                   store::Project::OpenMode::CreateIfMissing, store::Project::Checks::Integrity);
    const bool terminal = stderrIsTerminal();
    int lastPercent = -1;
    const auto summary =
        importer->run(*opened, request, [&](double fraction, const std::string &stage) {
            const int percent = static_cast<int>(fraction * 100);
            if (terminal && percent != lastPercent) {
                std::fprintf(stderr, "\r\033[Kimporting: %3d%% %s", percent, stage.c_str());
                std::fflush(stderr);
                lastPercent = percent;
            }
            return !g_interrupted.load();
        });
    opened.reset(); // closed, its journal folded in, before it is put in place
    if (pending)
        pending->commit();
    if (terminal)
        std::fprintf(stderr, "\r\033[K");
    json splits = json::object();
    std::string splitText;
    for (const auto &s : summary.added) {
        splits[s.name] = s.samples;
        splitText += (splitText.empty() ? "" : ", ") + std::to_string(s.samples) + " " + s.name;
    }
    std::fprintf(stderr, "%s dataset '%s': %s samples in %.2f s; columns: %s\n",
                 summary.created ? "created" : "appended to", summary.dataset.c_str(),
                 splitText.c_str(), summary.seconds, joinNames(summary.columns).c_str());
    if (summary.skipped > 0) {
        std::fprintf(stderr,
                     "skipped %lld %s (--on-error skip); the log is stored in the "
                     "project: mtlstudio-cli datasets %s --log %s\n",
                     static_cast<long long>(summary.skipped),
                     (dense.find(a.format) != std::string::npos
                          ? (summary.skipped == 1 ? "sample" : "samples")
                          : (summary.skipped == 1 ? "row" : "rows")),
                     a.project.c_str(), summary.dataset.c_str());
    }
    constexpr std::size_t kShown = 10;
    for (std::size_t i = 0; i < summary.log.size() && i < kShown; ++i)
        std::fprintf(stderr, "  %s\n", summary.log[i].c_str());
    if (summary.log.size() > kShown)
        std::fprintf(stderr, "  … %zu more lines in the log\n", summary.log.size() - kShown);
    if (a.json)
        std::cout << json{{"dataset", summary.dataset}, {"dataset_id", summary.datasetId},
                          {"created", summary.created}, {"splits", splits},
                          {"columns", summary.columns}, {"skipped", summary.skipped},
                          {"seconds", summary.seconds}}
                         .dump()
                  << std::endl;
    return Ok;
}

namespace {
// The import log of one dataset: every import, and the rows --on-error skip left out.
int printImportLog(store::Project &project, const std::string &name, bool asJson)
{
    const auto dataset = project.datasets().find(name);
    if (!dataset)
        throw Error(ErrorCode::NotFound, "no dataset '" + name + "' in " + project.path());
    const auto imports = project.datasets().imports(dataset->id);
    if (asJson) {
        json list = json::array();
        for (const auto &i : imports)
            list.push_back({{"created_at", i.createdAt},
                            {"format", i.format},
                            {"source", i.source},
                            {"added", i.added},
                            {"skipped", i.skipped},
                            {"log", i.log}});
        std::cout << json{{"dataset", name}, {"imports", list}}.dump(-1, ' ', false,
                                                                     json::error_handler_t::replace)
                  << std::endl;
        return Ok;
    }
    if (imports.empty())
        std::cout << "no import of '" << name << "' was logged (imported by an earlier build)\n";
    for (const auto &i : imports) {
        std::cout << i.createdAt << "  " << i.format << " from " << i.source << ": " << i.added
                  << " samples added, " << i.skipped << " rows skipped\n";
        std::istringstream lines(i.log);
        for (std::string line; std::getline(lines, line);)
            std::cout << "  " << line << "\n";
    }
    return Ok;
}
} // namespace

int runDatasets(const std::string &path, bool asJson, const std::string &log)
{
    auto project = openForReading(path);
    if (!log.empty())
        return printImportLog(*project, log, asJson);
    const auto datasets = project->datasets().list();
    if (asJson) {
        json list = json::array();
        for (const auto &d : datasets)
            list.push_back(datasetJson(d));
        std::cout << json{{"datasets", list}}.dump(-1, ' ', false, json::error_handler_t::replace)
                  << std::endl;
        return Ok;
    }
    if (datasets.empty())
        std::cout << "no datasets in " << path << "; add one with: mtlstudio-cli import\n";
    for (const auto &d : datasets) {
        std::string splits;
        for (const auto &s : d.splits)
            splits += (splits.empty() ? "" : ", ") + s.name + " " + std::to_string(s.samples);
        std::cout << d.name << "  (" << d.format << ", " << d.width << "x" << d.height << "x"
                  << d.channels << ")\n";
        if (!d.root.empty())
            std::cout << "  images:  " << d.root << "\n";
        if (!d.pixelMean.empty()) {
            std::cout << "  pixels:  mean";
            for (const double m : d.pixelMean)
                std::cout << " " << std::fixed << std::setprecision(3) << m;
            std::cout << ", std";
            for (const double v : d.pixelStd)
                std::cout << " " << v;
            std::cout << std::defaultfloat << std::setprecision(6) << " (train, " << d.statsImages
                      << " images)\n";
        }
        std::cout << "  splits:  " << splits << "\n  columns:";
        if (d.columns.empty())
            std::cout << " none (the dataset has maps only)";
        for (const auto &c : d.columns) {
            std::cout << " " << c.name;
            if (c.kind == store::ColumnKind::Categorical)
                std::cout << "[" << c.categories.size() << "]";
        }
        std::cout << "\n";
        std::vector<std::pair<std::string, std::string>> groups; // name, members
        for (const auto &c : d.columns) {
            if (c.group.empty())
                continue;
            auto it = std::find_if(groups.begin(), groups.end(),
                                   [&](const auto &g) { return g.first == c.group; });
            if (it == groups.end())
                it = groups.insert(groups.end(), {c.group, c.name});
            else
                it->second += ", " + c.name;
        }
        if (!groups.empty()) {
            std::cout << "  groups: ";
            for (std::size_t g = 0; g < groups.size(); ++g)
                std::cout << (g ? "; " : " ") << groups[g].first << " (" << groups[g].second << ")";
            std::cout << "\n";
        }
        if (!d.maps.empty()) {
            std::cout << "  maps:   ";
            for (const auto &m : d.maps) {
                std::cout << " " << m.name << " (" << toString(m.kind);
                if (m.kind == store::MapKind::Segmentation)
                    std::cout << ", " << m.categories.size() << " classes";
                std::cout << ")";
            }
            std::cout << "\n";
        }
    }
    return Ok;
}

int runRelocate(const std::string &path, const std::string &name, const std::string &root)
{
    auto project = openProject(path);
    const auto before = project->datasets().find(name);
    const std::size_t checked = data::relocateDataset(*project, name, root);
    const auto after = project->datasets().find(name);
    std::fprintf(stderr, "dataset '%s' now reads its images from %s (was %s; %zu paths checked)\n",
                 name.c_str(), after->root.c_str(), before->root.c_str(), checked);
    return Ok;
}

int runRuns(const std::string &path, bool asJson)
{
    auto project = openForReading(path);
    const auto runs = project->runs().list();
    if (asJson) {
        json list = json::array();
        for (const auto &r : runs)
            list.push_back(runJson(r));
        std::cout << json{{"runs", list}}.dump(-1, ' ', false, json::error_handler_t::replace)
                  << std::endl;
        return Ok;
    }
    if (runs.empty()) {
        std::cout << "no runs in " << path << "; start one with: mtlstudio-cli train\n";
        return Ok;
    }
    std::printf("%5s  %-20s %-16s %-11s %-7s %12s %9s  %s\n", "run", "experiment", "dataset",
                "status", "device", "steps", "img/s", "started");
    for (const auto &r : runs) {
        const std::string steps = std::to_string(r.stepsDone) + "/" + std::to_string(r.stepsTotal);
        std::printf("%5lld  %-20s %-16s %-11s %-7s %12s %9.0f  %s\n", static_cast<long long>(r.id),
                    r.experimentName.c_str(), r.datasetName.c_str(), toString(r.status),
                    r.device.c_str(), steps.c_str(), r.imagesPerSecond, r.startedAt.c_str());
        if (!r.error.empty() && r.status != store::RunStatus::Completed)
            std::printf("       %s\n", r.error.c_str());
        if (!r.note.empty())
            std::printf("       %s\n", r.note.c_str());
    }
    return Ok;
}

// An option's bound as JSON: an integer for integer options.
json bound(const OptionSpec &o, double value)
{
    if (o.type == OptionSpec::Type::Integer || o.type == OptionSpec::Type::IntegerList)
        return static_cast<std::int64_t>(value);
    return value;
}

json optionJson(const OptionSpec &o)
{
    json option = {{"name", o.name}, {"type", toString(o.type)}, {"help", o.help}};
    option["default"] = o.defaultValue; // null: required
    if (o.type == OptionSpec::Type::Integer || o.type == OptionSpec::Type::Number ||
        o.type == OptionSpec::Type::NumberOrChoice || o.type == OptionSpec::Type::IntegerList ||
        o.type == OptionSpec::Type::NumberList) { // a list's bounds are its elements'
        option["min"] = bound(o, o.min);
        option["max"] = bound(o, o.max);
    }
    if (!o.choices.empty())
        option["choices"] = o.choices;
    return option;
}

std::string optionText(const OptionSpec &o)
{
    std::string text = std::string(toString(o.type));
    if (o.type == OptionSpec::Type::Integer || o.type == OptionSpec::Type::Number)
        text += " " + bound(o, o.min).dump() + " … " + bound(o, o.max).dump();
    if (o.type == OptionSpec::Type::IntegerList || o.type == OptionSpec::Type::NumberList)
        text += " of " + bound(o, o.min).dump() + " … " + bound(o, o.max).dump();
    if (o.type == OptionSpec::Type::Choice)
        text += " (" + joinNames(o.choices) + ")";
    if (o.type == OptionSpec::Type::NumberOrChoice)
        text = "number " + bound(o, o.min).dump() + " … " + bound(o, o.max).dump() +
               ", a list of such, or " + joinNames(o.choices, " or ");
    if (o.type == OptionSpec::Type::NameLists && !o.choices.empty())
        text += " or " + joinNames(o.choices, " or ");
    text += o.defaultValue.is_null() ? ", required" : ", default " + o.defaultValue.dump();
    return text + ": " + o.help;
}

// Every registered part by kind, with its options: what configs may name.
int runParts(bool asJson)
{
    const experiment::Catalog &c = train::catalog();
    std::vector<PartSpec> formats = data::importers().specs();
    const std::vector<std::pair<const char *, const std::vector<PartSpec> *>> kinds{
        {"backbones", &c.backbones},   {"sharings", &c.sharings},     {"task_types", &c.taskTypes},
        {"weightings", &c.weightings}, {"optimizers", &c.optimizers}, {"schedulers", &c.schedulers},
        {"probes", &c.probes},         {"import_formats", &formats}};
    if (asJson) {
        json root = json::object();
        for (const auto &[kind, parts] : kinds) {
            json list = json::array();
            for (const PartSpec &part : *parts) {
                json options = json::array();
                for (const OptionSpec &o : part.options)
                    options.push_back(optionJson(o));
                list.push_back({{"name", part.name}, {"help", part.help}, {"options", options}});
            }
            root[kind] = list;
        }
        std::cout << root.dump() << std::endl;
        return Ok;
    }
    for (const auto &[kind, parts] : kinds) {
        std::cout << kind << ":\n";
        for (const PartSpec &part : *parts) {
            std::cout << "  " << part.name << "  " << part.help << "\n";
            for (const OptionSpec &o : part.options)
                std::cout << "      " << o.name << "  " << optionText(o) << "\n";
        }
    }
    return Ok;
}

} // namespace cli
