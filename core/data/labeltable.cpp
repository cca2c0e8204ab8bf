#include "data/labeltable.h"

#include "common/error.h"
#include "data/csv.h"
#include "store/datasetstore.h"
#include "store/project.h"

#include <fstream>
#include <map>
#include <sstream>
#include <unordered_map>

namespace mtl::data {

namespace {

// A CSV field, quoted when it holds a comma, a quote or a line break.
std::string field(const std::string &text)
{
    if (text.find_first_of(",\"\r\n") == std::string::npos)
        return text;
    std::string quoted = "\"";
    for (const char c : text)
        quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    return quoted + "\"";
}

std::string valueText(const store::LabelColumn &column, std::int32_t value)
{
    if (value < 0)
        return {};
    if (column.kind == store::ColumnKind::Categorical &&
        value < static_cast<std::int32_t>(column.categories.size()))
        return column.categories[static_cast<std::size_t>(value)];
    return std::to_string(value);
}

Error tableError(const std::string &path, std::int64_t line, const std::string &message)
{
    ErrorLocation where;
    where.file = path;
    where.line = line;
    return Error(ErrorCode::InvalidInput, message, where);
}

} // namespace

std::int64_t exportLabels(store::Project &project, const store::DatasetInfo &dataset,
                          const std::string &path, const std::string &split)
{
    const store::SampleTable table = project.datasets().sampleTable(dataset, split);
    std::ostringstream out;
    out << "sample,split,path";
    for (const store::LabelColumn &column : dataset.columns)
        out << ',' << field(column.name);
    out << '\n';
    for (std::size_t r = 0; r < table.rows.size(); ++r) {
        const auto &row = table.rows[r];
        out << row.sampleId << ',' << field(row.split) << ',' << field(row.path);
        for (std::size_t c = 0; c < dataset.columns.size(); ++c)
            out << ',' << field(valueText(dataset.columns[c], table.labels[c][r]));
        out << '\n';
    }
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    file << out.str();
    file.close();
    if (!file)
        throw Error(ErrorCode::Io, "cannot write the label table", {path});
    return static_cast<std::int64_t>(table.rows.size());
}

std::vector<store::LabelChange> readLabelChanges(store::Project &project,
                                                 const store::DatasetInfo &dataset,
                                                 const std::string &path)
{
    std::ifstream file(path, std::ios::binary);
    if (!file)
        throw Error(ErrorCode::NotFound, "cannot open the label table", {path});
    std::ostringstream text;
    text << file.rdbuf();
    const std::vector<CsvRecord> records = parseCsv(text.str(), path);
    if (records.empty())
        throw tableError(path, 1, "the table is empty; it needs a header row");
    const CsvRecord &header = records.front();
    int sampleColumn = -1, pathColumn = -1;
    std::vector<std::pair<std::size_t, const store::LabelColumn *>> labelColumns;
    for (std::size_t i = 0; i < header.fields.size(); ++i) {
        const std::string name = trimmed(header.fields[i]);
        if (name == "sample")
            sampleColumn = static_cast<int>(i);
        else if (name == "path")
            pathColumn = static_cast<int>(i);
        else if (name == "split")
            continue;
        else if (const store::LabelColumn *column = dataset.column(name))
            labelColumns.emplace_back(i, column);
        else {
            std::string names;
            for (const auto &c : dataset.columns)
                names += (names.empty() ? "" : ", ") + c.name;
            throw tableError(path, header.line,
                             "column '" + name + "' is not a label column of dataset '" +
                                 dataset.name + "' (columns: " + names + ")");
        }
    }
    if (sampleColumn < 0 && pathColumn < 0)
        throw tableError(path, header.line, "needs a 'sample' or a 'path' column to find samples");
    const store::SampleTable table = project.datasets().sampleTable(dataset);
    std::unordered_map<std::string, std::size_t> byKey; // sample id or path → row
    for (std::size_t r = 0; r < table.rows.size(); ++r)
        byKey.emplace(
            sampleColumn >= 0 ? std::to_string(table.rows[r].sampleId) : table.rows[r].path, r);
    std::vector<std::size_t> columnIndex; // position of each label column in the dataset
    for (const auto &[position, column] : labelColumns)
        columnIndex.push_back(static_cast<std::size_t>(column - dataset.columns.data()));
    std::vector<store::LabelChange> changes;
    std::map<std::size_t, std::int64_t> seen; // row → line
    for (std::size_t i = 1; i < records.size(); ++i) {
        const CsvRecord &record = records[i];
        if (record.fields.size() != header.fields.size())
            throw tableError(path, record.line,
                             "has " + std::to_string(record.fields.size()) +
                                 " fields; the header has " + std::to_string(header.fields.size()));
        const std::string key = trimmed(
            record.fields[static_cast<std::size_t>(sampleColumn >= 0 ? sampleColumn : pathColumn)]);
        const auto row = byKey.find(key);
        if (row == byKey.end())
            throw tableError(path, record.line,
                             (sampleColumn >= 0 ? "sample " : "path '") + key +
                                 (sampleColumn >= 0 ? "" : "'") + " is not in dataset '" +
                                 dataset.name + "'");
        if (const auto [it, added] = seen.emplace(row->second, record.line); !added)
            throw tableError(path, record.line,
                             "lists " + key + " again (first on line " +
                                 std::to_string(it->second) + ")");
        for (std::size_t k = 0; k < labelColumns.size(); ++k) {
            const store::LabelColumn &column = *labelColumns[k].second;
            const std::string cell = trimmed(record.fields[labelColumns[k].first]);
            if (cell.empty())
                continue;
            std::optional<std::int32_t> value;
            if (cell != "-") {
                if (column.kind == store::ColumnKind::Binary) {
                    if (cell != "0" && cell != "1")
                        throw tableError(path, record.line,
                                         "'" + column.name +
                                             "' is binary: 0, 1, or - to remove the label; got '" +
                                             cell + "'");
                    value = cell == "1" ? 1 : 0;
                } else {
                    const auto found =
                        std::find(column.categories.begin(), column.categories.end(), cell);
                    if (found == column.categories.end())
                        throw tableError(path, record.line,
                                         "'" + cell + "' is not a category of '" + column.name +
                                             "'");
                    value = static_cast<std::int32_t>(found - column.categories.begin());
                }
            }
            const std::int32_t current = table.labels[columnIndex[k]][row->second];
            if ((current < 0 && !value) || (value && *value == current))
                continue;
            changes.push_back({table.rows[row->second].sampleId, column.id, value});
        }
    }
    return changes;
}

} // namespace mtl::data
