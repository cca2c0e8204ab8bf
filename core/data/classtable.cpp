#include "data/classtable.h"

#include "common/error.h"
#include "common/utf8.h"
#include "common/registry.h"
#include "data/csv.h"

#include <algorithm>
#include <set>
#include <sstream>

namespace mtl::data {

namespace {
bool isIdentifierLike(const std::string &name)
{
    return !name.empty() && std::none_of(name.begin(), name.end(), [](char c) {
        return c == ',' || c == '"' || c == '\n' || c == '\r';
    });
}

bool parseIndex(const std::string &text, std::int64_t *value)
{
    if (text.empty() || text.size() > 9 ||
        !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return false;
    *value = std::stoll(text);
    return true;
}
} // namespace

std::vector<std::string> parseClassNames(const std::string &text, const std::string &source)
{
    requireUtf8File(text, source);
    std::vector<std::string> lines;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line))
        lines.push_back(trimmed(line));
    if (!lines.empty() && lines.front().rfind("\xEF\xBB\xBF", 0) == 0)
        lines.front().erase(0, 3);
    while (!lines.empty() && lines.back().empty())
        lines.pop_back();
    if (lines.empty())
        throw inputError(source, 1, "no class names: expected one name per line");
    std::set<std::string> seen;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const auto lineNo = static_cast<std::int64_t>(i + 1);
        if (lines[i].empty())
            throw inputError(source, lineNo, "empty class name (line i names class i-1)");
        if (!seen.insert(lines[i]).second)
            throw inputError(source, lineNo, "duplicate class name '" + lines[i] + "'");
    }
    return lines;
}

ClassAttributeTable parseClassAttributes(const std::string &text, const std::string &source,
                                         const std::vector<std::string> &classNames)
{
    const std::vector<CsvRecord> records = parseCsv(text, source);
    if (records.empty())
        throw inputError(source, 1, "empty attribute table: expected a header row");
    const CsvRecord &header = records.front();
    if (header.fields.size() < 2)
        throw inputError(source, header.line,
                         "the header needs the class column and at least one attribute");
    const std::size_t width = header.fields.size();
    ClassAttributeTable table;
    std::set<std::string> names;
    for (std::size_t c = 1; c < width; ++c) {
        const std::string &name = header.fields[c];
        if (!isIdentifierLike(name))
            throw inputError(source, header.line,
                             "attribute " + std::to_string(c) + " has an empty name",
                             static_cast<std::int64_t>(c + 1));
        if (!names.insert(name).second)
            throw inputError(source, header.line, "duplicate attribute '" + name + "'");
        store::LabelColumn column;
        column.name = name;
        table.columns.push_back(column);
    }

    const std::size_t classes = classNames.size();
    std::vector<std::vector<std::string>> raw(classes);
    std::vector<std::int64_t> rowLine(classes, 0);
    for (std::size_t r = 1; r < records.size(); ++r) {
        const CsvRecord &record = records[r];
        if (record.fields.size() != width)
            throw inputError(source, record.line,
                             "expected " + std::to_string(width) + " fields like the header, got " +
                                 std::to_string(record.fields.size()));
        const std::string &key = record.fields[0];
        std::int64_t index = -1;
        auto named = std::find(classNames.begin(), classNames.end(), key);
        if (named != classNames.end()) {
            index = named - classNames.begin();
        } else if (!parseIndex(key, &index) || index >= static_cast<std::int64_t>(classes)) {
            throw inputError(source, record.line,
                             "unknown class '" + key + "' (expected one of the " +
                                 std::to_string(classes) + " class names or an index 0-" +
                                 std::to_string(classes - 1) + ")",
                             1);
        }
        if (rowLine[index] != 0)
            throw inputError(source, record.line,
                             "class '" + classNames[index] + "' already has a row at line " +
                                 std::to_string(rowLine[index]));
        rowLine[index] = record.line;
        for (std::size_t c = 1; c < width; ++c)
            if (record.fields[c].empty())
                throw inputError(source, record.line,
                                 "empty value for attribute '" + header.fields[c] + "'",
                                 static_cast<std::int64_t>(c + 1));
        raw[index].assign(record.fields.begin() + 1, record.fields.end());
    }
    for (std::size_t k = 0; k < classes; ++k)
        if (rowLine[k] == 0)
            throw inputError(source, records.back().line,
                             "class '" + classNames[k] + "' (" + std::to_string(k) +
                                 ") has no row; every class needs one");

    table.values.assign(classes, std::vector<std::int32_t>(width - 1, 0));
    for (std::size_t c = 0; c + 1 < width; ++c) {
        store::LabelColumn &column = table.columns[c];
        const auto isBit = [&](const std::vector<std::string> &row) {
            return row[c] == "0" || row[c] == "1";
        };
        const bool binary = std::all_of(raw.begin(), raw.end(), isBit);
        // 0/1 with something else among them is a binary attribute with a typo far more often
        // than a category named "0": refused, naming the line, rather than silently categorical.
        if (!binary && std::any_of(raw.begin(), raw.end(), isBit)) {
            std::size_t k = 0;
            while (isBit(raw[k]))
                ++k;
            throw inputError(source, rowLine[k],
                             "attribute '" + column.name + "' is 0/1 for other classes but '" +
                                 raw[k][c] +
                                 "' here; a binary attribute takes only 0 and 1 "
                                 "(name the categories in words to make it categorical)",
                             static_cast<std::int64_t>(c + 2));
        }
        column.kind = binary ? store::ColumnKind::Binary : store::ColumnKind::Categorical;
        for (std::size_t k = 0; k < classes; ++k) {
            const std::string &value = raw[k][c];
            if (binary) {
                table.values[k][c] = value == "1" ? 1 : 0;
                continue;
            }
            auto it = std::find(column.categories.begin(), column.categories.end(), value);
            if (it == column.categories.end()) {
                column.categories.push_back(value);
                it = column.categories.end() - 1;
            }
            table.values[k][c] = static_cast<std::int32_t>(it - column.categories.begin());
        }
    }
    return table;
}

void applyAttributeGroups(ClassAttributeTable &table, const std::string &text,
                          const std::string &source)
{
    const std::vector<CsvRecord> records = parseCsv(text, source);
    if (records.empty())
        throw inputError(source, 1, "empty attribute-group table: expected a header row");
    std::vector<std::string> names;
    for (const store::LabelColumn &column : table.columns)
        names.push_back(column.name);
    std::set<std::string> seen;
    for (std::size_t r = 0; r < records.size(); ++r) {
        const CsvRecord &record = records[r];
        if (record.fields.size() != 2)
            throw inputError(source, record.line,
                             "expected 2 fields (attribute, group), got " +
                                 std::to_string(record.fields.size()));
        if (r == 0)
            continue; // the header
        const std::string &name = record.fields[0];
        const std::string group = trimmed(record.fields[1]);
        const auto it = std::find(names.begin(), names.end(), name);
        if (it == names.end())
            throw inputError(source, record.line,
                             "unknown attribute '" + name + "' (the attribute table has " +
                                 std::to_string(names.size()) + ": " + joinNames(names) + ")",
                             1);
        if (!seen.insert(name).second)
            throw inputError(source, record.line, "attribute '" + name + "' is grouped twice", 1);
        if (!isIdentifierLike(group))
            throw inputError(source, record.line, "empty group for attribute '" + name + "'", 2);
        table.columns[static_cast<std::size_t>(it - names.begin())].group = group;
    }
}

} // namespace mtl::data
