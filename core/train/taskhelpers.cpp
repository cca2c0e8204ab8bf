#include "train/taskhelpers.h"

namespace mtl::train::detail {

Error configError(const std::string &key, const std::string &message)
{
    ErrorLocation where;
    where.key = key;
    return Error(ErrorCode::Config, message, where);
}

std::string columnList(const store::DatasetInfo &dataset)
{
    std::string list;
    for (const auto &column : dataset.columns)
        list += (list.empty() ? "" : ", ") + column.name + " (" + toString(column.kind) + ")";
    for (const auto &map : dataset.maps)
        list += (list.empty() ? "" : ", ") + map.name + " (" + toString(map.kind) + " map)";
    return list.empty() ? std::string("none") : list;
}

const store::LabelColumn &requireColumn(const store::DatasetInfo &dataset, const std::string &name,
                                        const std::string &key)
{
    const store::LabelColumn *column = dataset.column(name);
    if (const store::MapColumn *map = dataset.map(name); !column && map)
        throw configError(key, "'" + name + "' is a " + toString(map->kind) + " map; a " +
                                   toString(map->kind) + " task reads it");
    if (!column)
        throw configError(key, "column '" + name + "' is not in dataset '" + dataset.name +
                                   "' (columns: " + columnList(dataset) + ")");
    return *column;
}

const std::vector<std::int32_t> &valuesOf(const ColumnValues &values, const std::string &column)
{
    auto it = values.find(column);
    if (it == values.end())
        throw Error(ErrorCode::Training, "labels of column '" + column + "' were not loaded");
    return it->second;
}

// Checks a state() handed to merge() has the length this meter's own has.
void checkStateSize(const std::vector<double> &state, std::size_t expected)
{
    if (state.size() != expected)
        throw Error(ErrorCode::Training, "cannot merge a meter state of " +
                                             std::to_string(state.size()) + " values into one of " +
                                             std::to_string(expected));
}

// "53,211 of 60,000 …": how much of a training split a task has labels for.
std::string labelledText(std::int64_t labelled, std::int64_t total, const char *what)
{
    return std::to_string(labelled) + " of " + std::to_string(total) + " " + what;
}

} // namespace mtl::train::detail
