// mtlstudio-cli labels: a dataset's labels out to a CSV table, corrections back in from one,
// and the history of corrections with undo and redo (docs/CLI.md).

#include "commands.h"

#include "data/labeltable.h"
#include "store/labeledits.h"
#include "store/project.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>
#include <set>

namespace cli {

using nlohmann::json;
using namespace mtl;

namespace {

std::string valueText(const store::DatasetInfo &dataset, std::int64_t columnId,
                      std::optional<std::int32_t> value)
{
    if (!value)
        return "-";
    for (const store::LabelColumn &column : dataset.columns)
        if (column.id == columnId && column.kind == store::ColumnKind::Categorical &&
            *value < static_cast<std::int32_t>(column.categories.size()))
            return column.categories[static_cast<std::size_t>(*value)];
    return std::to_string(*value);
}

std::string columnName(const store::DatasetInfo &dataset, std::int64_t columnId)
{
    for (const store::LabelColumn &column : dataset.columns)
        if (column.id == columnId)
            return column.name;
    return "column " + std::to_string(columnId);
}

json editJson(const store::DatasetInfo &dataset, const store::LabelEdit &edit)
{
    return {{"step", edit.step},
            {"sample", edit.sampleId},
            {"column", columnName(dataset, edit.columnId)},
            {"old", valueText(dataset, edit.columnId, edit.oldValue)},
            {"new", valueText(dataset, edit.columnId, edit.newValue)},
            {"created_at", edit.createdAt},
            {"source", edit.source},
            {"undone", edit.undone}};
}

} // namespace

int runLabels(const LabelsArgs &args)
{
    const bool reads = !args.exportTo.empty() || args.history;
    auto project = reads ? openForReading(args.project) : openProject(args.project);
    const auto dataset = project->datasets().find(args.dataset);
    if (!dataset)
        throw Error(ErrorCode::NotFound, "no dataset '" + args.dataset + "' in " + args.project);
    store::LabelEdits edits(project->db());
    json summary = {{"dataset", dataset->name}};
    if (!args.exportTo.empty()) {
        if (!args.split.empty() && dataset->splitSize(args.split) == 0)
            throw Error(ErrorCode::InvalidInput,
                        "dataset '" + dataset->name + "' has no split '" + args.split + "'");
        const std::int64_t rows = data::exportLabels(*project, *dataset, args.exportTo, args.split);
        std::fprintf(stderr, "wrote the labels of %lld samples of dataset '%s' to %s\n",
                     static_cast<long long>(rows), dataset->name.c_str(), args.exportTo.c_str());
        summary["exported"] = rows;
        summary["file"] = args.exportTo;
    } else if (!args.applyFrom.empty()) {
        const auto changes = data::readLabelChanges(*project, *dataset, args.applyFrom);
        const std::int64_t step =
            edits.apply(dataset->id, changes, "labels --apply " + args.applyFrom);
        std::set<std::int64_t> samples;
        for (const auto &change : changes)
            samples.insert(change.sampleId);
        if (step == 0)
            std::fprintf(stderr, "%s matches dataset '%s': nothing changed\n",
                         args.applyFrom.c_str(), dataset->name.c_str());
        else
            std::fprintf(stderr,
                         "changed %zu labels of %zu samples of dataset '%s' (step %lld; undo "
                         "with: mtlstudio-cli labels %s --dataset '%s' --undo)\n",
                         changes.size(), samples.size(), dataset->name.c_str(),
                         static_cast<long long>(step), args.project.c_str(), dataset->name.c_str());
        summary["changed"] = changes.size();
        summary["samples"] = samples.size();
        summary["step"] = step;
    } else if (args.undo || args.redo) {
        const std::int64_t step = args.undo ? edits.undo(dataset->id) : edits.redo(dataset->id);
        const char *verb = args.undo ? "undid" : "redid";
        if (step == 0)
            std::fprintf(stderr, "nothing to %s in dataset '%s'\n", args.undo ? "undo" : "redo",
                         dataset->name.c_str());
        else
            std::fprintf(stderr, "%s step %lld of dataset '%s' (%zu labels)\n", verb,
                         static_cast<long long>(step), dataset->name.c_str(),
                         edits.step(step).size());
        summary[args.undo ? "undone" : "redone"] = step;
    } else {
        const auto history = edits.history(dataset->id);
        json list = json::array();
        for (const auto &edit : history)
            list.push_back(editJson(*dataset, edit));
        summary["edits"] = list;
        if (!args.json) {
            if (history.empty())
                std::cout << "no label edits in dataset '" << dataset->name << "'\n";
            for (const auto &edit : history)
                std::cout << "step " << edit.step << "  " << edit.createdAt << "  sample "
                          << edit.sampleId << "  " << columnName(*dataset, edit.columnId) << ": "
                          << valueText(*dataset, edit.columnId, edit.oldValue) << " → "
                          << valueText(*dataset, edit.columnId, edit.newValue)
                          << (edit.undone ? "  (undone)" : "") << "  [" << edit.source << "]\n";
        }
    }
    summary["edits_in_effect"] = edits.editsInEffect(dataset->id);
    if (args.json)
        std::cout << summary.dump(-1, ' ', false, json::error_handler_t::replace) << std::endl;
    return Ok;
}

} // namespace cli
