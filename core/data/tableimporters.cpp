#include "data/tableimporters.h"

#include "common/error.h"
#include "common/utf8.h"
#include "data/csv.h"
#include "data/gzipfile.h"
#include "data/tablereading.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>

namespace fs = std::filesystem;

namespace mtl::data {

std::string required(const ImportRequest &request, const char *role, const char *flag,
                     const char *format)
{
    const std::string value = request.file(role);
    if (value.empty())
        throw Error(ErrorCode::InvalidInput, std::string("format ") + format + " needs " + flag);
    return value;
}

// A split name as the rest of the program takes it: letters, digits, '_' and '-'.
bool isSplitName(const std::string &name)
{
    return !name.empty() && name.size() <= 64 &&
           std::all_of(name.begin(), name.end(),
                       [](unsigned char c) { return std::isalnum(c) || c == '_' || c == '-'; });
}

std::string defaultSplit(const ImportRequest &request)
{
    const std::string split = request.split.empty() ? "train" : request.split;
    if (!isSplitName(split))
        throw Error(ErrorCode::InvalidInput,
                    "--split '" + split + "' is not a split name (letters, digits, _ and -)");
    return split;
}

// The fields of a line separated by spaces or tabs.
std::vector<std::string> words(const std::string &line)
{
    std::vector<std::string> result;
    std::istringstream in(line);
    for (std::string word; in >> word;)
        result.push_back(word);
    return result;
}

// The lines of a text file with their 1-based numbers; blank lines are left out.
std::vector<std::pair<std::int64_t, std::string>> lines(const std::string &text,
                                                        const std::string &source)
{
    requireUtf8File(text, source);
    std::vector<std::pair<std::int64_t, std::string>> result;
    std::int64_t number = 0;
    std::size_t at = 0;
    if (text.compare(0, 3, "\xEF\xBB\xBF") == 0)
        at = 3;
    while (at <= text.size()) {
        const std::size_t end = std::min(text.find('\n', at), text.size());
        ++number;
        std::string line = trimmed(std::string_view(text).substr(at, end - at));
        if (!line.empty())
            result.emplace_back(number, std::move(line));
        at = end + 1;
    }
    return result;
}

// Problems with the table as a whole are the import's error in either mode; a problem with one
// row is an issue (skip leaves the row out).
void addIssue(ImageTable &table, const std::string &file, std::int64_t line,
              const std::string &message)
{
    table.issues.push_back({file, line, message});
}

void requireFolder(const std::string &path, const char *what)
{
    std::error_code ec;
    if (!fs::is_directory(path, ec))
        throw Error(ErrorCode::NotFound, std::string(what) + " is not a folder", {path});
}

namespace {

// How a table column's values become labels: 0/1 and −1/1 columns are binary attributes
// (−1 → 0), any other column is categorical with its values as categories in order of first
// appearance. An empty cell is no label.
struct ColumnValues {
    std::string name;
    std::vector<std::string> cells; // per row; "" = no label
};

void typeColumn(ImageTable &table, const ColumnValues &values,
                const std::vector<std::int64_t> &rowLines, std::vector<bool> &rowBad,
                std::vector<std::vector<std::int32_t>> &labels)
{
    std::size_t minusOne = 0, zero = 0, one = 0, other = 0;
    for (const std::string &cell : values.cells) {
        if (cell.empty())
            continue;
        if (cell == "-1")
            ++minusOne;
        else if (cell == "0")
            ++zero;
        else if (cell == "1")
            ++one;
        else
            ++other;
    }
    store::LabelColumn column;
    column.name = values.name;
    if (other == 0 && (minusOne == 0 || zero == 0)) {
        column.kind = store::ColumnKind::Binary;
        for (std::size_t r = 0; r < values.cells.size(); ++r) {
            const std::string &cell = values.cells[r];
            labels[r].push_back(cell.empty() ? -1 : cell == "1" ? 1 : 0);
        }
    } else if (other == 0) {
        // −1, 0 and 1 together: two codings mixed; the rows of the rarer one are the problem.
        column.kind = store::ColumnKind::Binary;
        const std::string odd = minusOne < zero ? "-1" : "0";
        for (std::size_t r = 0; r < values.cells.size(); ++r) {
            const std::string &cell = values.cells[r];
            if (cell == odd) {
                addIssue(table, table.source, rowLines[r],
                         "value " + cell + " of column '" + values.name +
                             "' mixes the 0/1 and −1/1 codings of a binary attribute");
                rowBad[r] = true;
            }
            labels[r].push_back(cell.empty() || cell == odd ? -1 : cell == "1" ? 1 : 0);
        }
    } else {
        column.kind = store::ColumnKind::Categorical;
        std::map<std::string, std::int32_t> index;
        for (std::size_t r = 0; r < values.cells.size(); ++r) {
            const std::string &cell = values.cells[r];
            if (cell.empty()) {
                labels[r].push_back(-1);
                continue;
            }
            const auto [at, added] =
                index.emplace(cell, static_cast<std::int32_t>(column.categories.size()));
            if (added)
                column.categories.push_back(cell);
            labels[r].push_back(at->second);
        }
    }
    table.columns.push_back(std::move(column));
}

} // namespace

// --- csv --------------------------------------------------------------------------------------

ImageTable parseCsvTable(const ImportRequest &request, OnError)
{
    ImageTable table;
    table.format = "csv";
    table.root = required(request, "root", "--root (the image folder)", "csv");
    table.source = required(request, "table", "--table (the CSV or TSV file)", "csv");
    requireFolder(table.root, "the image root");
    const std::string ext = fs::path(table.source).extension().string();
    const std::string text = readTextFile(table.source);
    const std::string firstLine = text.substr(0, text.find('\n'));
    const bool tabs =
        ext == ".tsv" || ext == ".tab" ||
        (firstLine.find('\t') != std::string::npos && firstLine.find(',') == std::string::npos);
    const std::vector<CsvRecord> records = parseCsv(text, table.source, tabs ? '\t' : ',');
    if (records.empty())
        throw inputError(table.source, 1, "an empty table: expected a header row of column names");
    const std::vector<std::string> &header = records.front().fields;
    std::map<std::string, std::size_t> position;
    for (std::size_t c = 0; c < header.size(); ++c) {
        if (header[c].empty())
            throw inputError(table.source, records.front().line,
                             "column " + std::to_string(c + 1) + " of the header has no name",
                             static_cast<std::int64_t>(c + 1));
        if (!position.emplace(header[c], c).second)
            throw inputError(table.source, records.front().line,
                             "the header names column '" + header[c] + "' twice");
    }
    const auto columnOf = [&](const std::string &name, const char *flag) {
        const auto found = position.find(name);
        if (found == position.end()) {
            std::string known;
            for (const std::string &h : header)
                known += (known.empty() ? "" : ", ") + h;
            throw inputError(table.source, records.front().line,
                             std::string(flag) + " '" + name +
                                 "' is not a column (the header has " + known + ")");
        }
        return found->second;
    };
    std::size_t pathColumn = 0;
    if (!request.option("path-column").empty()) {
        pathColumn = columnOf(request.option("path-column"), "--path-column");
    } else {
        for (const char *name : {"path", "file", "filename", "image", "image_path"})
            if (position.count(name)) {
                pathColumn = position[name];
                break;
            }
    }
    std::optional<std::size_t> splitColumn;
    if (!request.option("split-column").empty())
        splitColumn = columnOf(request.option("split-column"), "--split-column");
    const std::string split = defaultSplit(request);

    std::vector<std::size_t> labelColumns;
    for (std::size_t c = 0; c < header.size(); ++c)
        if (c != pathColumn && (!splitColumn || c != *splitColumn))
            labelColumns.push_back(c);
    if (labelColumns.empty())
        table.notes.push_back(table.source + " has no label column besides the paths");

    std::vector<ColumnValues> values(labelColumns.size());
    for (std::size_t k = 0; k < labelColumns.size(); ++k)
        values[k].name = header[labelColumns[k]];
    std::vector<std::int64_t> rowLines;
    std::vector<bool> rowBad;
    for (std::size_t r = 1; r < records.size(); ++r) {
        const CsvRecord &record = records[r];
        if (record.fields.size() != header.size()) {
            addIssue(table, table.source, record.line,
                     "a row of " + std::to_string(record.fields.size()) +
                         " fields; the header has " + std::to_string(header.size()));
            continue;
        }
        ImageRow row;
        row.file = table.source;
        row.line = record.line;
        row.path = record.fields[pathColumn];
        row.split = splitColumn ? record.fields[*splitColumn] : split;
        if (!isSplitName(row.split)) {
            addIssue(table, table.source, record.line,
                     "split '" + row.split + "' is not a split name (letters, digits, _ and -)");
            continue;
        }
        for (std::size_t k = 0; k < labelColumns.size(); ++k)
            values[k].cells.push_back(record.fields[labelColumns[k]]);
        rowLines.push_back(record.line);
        rowBad.push_back(false);
        table.rows.push_back(std::move(row));
    }
    std::vector<std::vector<std::int32_t>> labels(table.rows.size());
    for (const ColumnValues &column : values)
        typeColumn(table, column, rowLines, rowBad, labels);
    std::vector<ImageRow> kept;
    for (std::size_t r = 0; r < table.rows.size(); ++r) {
        if (rowBad[r])
            continue;
        table.rows[r].labels = std::move(labels[r]);
        kept.push_back(std::move(table.rows[r]));
    }
    table.rows = std::move(kept);
    return table;
}

// --- celeba -----------------------------------------------------------------------------------

ImageTable parseCelebA(const ImportRequest &request, OnError onError)
{
    ImageTable table;
    table.format = "celeba";
    table.root = required(request, "root", "--root (the folder of the aligned images)", "celeba");
    table.source = required(request, "table", "--table (list_attr_celeba.txt)", "celeba");
    requireFolder(table.root, "the image root");
    const auto rows = lines(readTextFile(table.source), table.source);
    if (rows.size() < 2)
        throw inputError(table.source, rows.empty() ? 1 : rows.front().first + 1,
                         "expected a count line and a header of attribute names");
    char *end = nullptr;
    const long long declared = std::strtoll(rows[0].second.c_str(), &end, 10);
    if (*end != '\0' || declared < 0)
        throw inputError(table.source, rows[0].first,
                         "expected the number of images, got '" + rows[0].second + "'");
    const std::vector<std::string> names = words(rows[1].second);
    std::set<std::string> seen;
    for (const std::string &name : names) {
        if (!seen.insert(name).second)
            throw inputError(table.source, rows[1].first,
                             "the header names attribute '" + name + "' twice");
        store::LabelColumn column;
        column.name = name;
        column.kind = store::ColumnKind::Binary;
        table.columns.push_back(column);
    }
    if (declared != static_cast<long long>(rows.size()) - 2) {
        const std::string message = "declares " + std::to_string(declared) + " images but lists " +
                                    std::to_string(rows.size() - 2);
        if (onError == OnError::Fail)
            throw inputError(table.source, rows[0].first, message);
        table.notes.push_back(table.source + ":" + std::to_string(rows[0].first) + ": " + message);
    }
    // The partition file: "file 0|1|2" for train, val, test.
    std::map<std::string, std::string> partition;
    const std::string partitionFile = request.file("partition");
    if (!partitionFile.empty()) {
        for (const auto &[number, line] : lines(readTextFile(partitionFile), partitionFile)) {
            const auto fields = words(line);
            static const char *const kSplits[] = {"train", "val", "test"};
            if (fields.size() != 2) {
                addIssue(table, partitionFile, number,
                         "expected 'file partition', got " + std::to_string(fields.size()) +
                             " fields");
            } else if (fields[1] != "0" && fields[1] != "1" && fields[1] != "2") {
                addIssue(table, partitionFile, number,
                         "partition '" + fields[1] + "' of " + fields[0] +
                             " is not 0 (train), 1 (val) or 2 (test)");
            } else if (!partition.emplace(fields[0], kSplits[fields[1][0] - '0']).second) {
                addIssue(table, partitionFile, number, fields[0] + " is listed twice");
            }
        }
    }
    const std::string split = defaultSplit(request);
    for (std::size_t r = 2; r < rows.size(); ++r) {
        const auto &[number, line] = rows[r];
        const auto fields = words(line);
        if (fields.size() != names.size() + 1) {
            addIssue(table, table.source, number,
                     "a row of " + std::to_string(fields.size()) +
                         " fields; expected the file and " + std::to_string(names.size()) +
                         " attributes");
            continue;
        }
        ImageRow row;
        row.file = table.source;
        row.line = number;
        row.path = fields[0];
        bool good = true;
        for (std::size_t k = 0; k < names.size() && good; ++k) {
            const std::string &value = fields[k + 1];
            if (value != "1" && value != "-1") {
                addIssue(table, table.source, number,
                         "value '" + value + "' of attribute '" + names[k] + "' is not -1 or 1");
                good = false;
            }
            row.labels.push_back(value == "1" ? 1 : 0);
        }
        if (!good)
            continue;
        if (partitionFile.empty()) {
            row.split = split;
        } else {
            const auto found = partition.find(row.path);
            if (found == partition.end()) {
                addIssue(table, table.source, number,
                         row.path + " has no line in " + partitionFile);
                continue;
            }
            row.split = found->second;
            partition.erase(found);
        }
        table.rows.push_back(std::move(row));
    }
    for (const auto &[file, unused] : partition)
        table.notes.push_back(partitionFile + " lists " + file + ", which " + table.source +
                              " does not");
    const fs::path dir = fs::path(table.source).parent_path();
    for (const char *ignored : {"identity_CelebA.txt", "list_landmarks_align_celeba.txt",
                                "list_landmarks_celeba.txt", "list_bbox_celeba.txt"}) {
        std::error_code ec;
        if (fs::exists(dir / ignored, ec))
            table.notes.push_back((dir / ignored).string() +
                                  " ignored (identities, landmarks and boxes are not imported)");
    }
    return table;
}

// --- the importer ------------------------------------------------------------------------------

ImageFileImporter::ImageFileImporter(const std::string &format)
    : m_format(format)
{
    struct Entry {
        const char *format;
        const char *description;
        TableParser parse;
    };
    static const Entry kFormats[] = {
        {"csv",
         "an image folder and a CSV or TSV table: --root, --table, optional --path-column, "
         "--split-column, --split, --resize, --on-error",
         parseCsvTable},
        {"celeba",
         "CelebA: --root (the image folder), --table list_attr_celeba.txt, optional "
         "--partition list_eval_partition.txt, --resize, --on-error",
         parseCelebA},
        {"awa",
         "Animals with Attributes 2: --root (with classes.txt, predicates.txt, "
         "predicate-matrix-binary.txt, JPEGImages/<class>/), --split, --resize, --on-error",
         parseAwa},
        {"folders",
         "one sub-folder of images per class: --root, --split, optional --class-attributes, "
         "--attribute-groups, --resize, --on-error",
         parseFolders},
    };
    for (const Entry &entry : kFormats)
        if (format == entry.format) {
            m_description = entry.description;
            m_parse = entry.parse;
            return;
        }
    throw Error(ErrorCode::InvalidInput, "'" + format + "' is not an image-file format");
}

ImportSummary ImageFileImporter::run(store::Project &project, const ImportRequest &request,
                                     const ProgressFn &progress)
{
    const ImageImportOptions options = imageImportOptions(request);
    return importImageTable(project, m_parse(request, options.onError), options, progress);
}

} // namespace mtl::data
