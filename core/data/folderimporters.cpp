#include "data/tableimporters.h"

#include "common/error.h"
#include "data/classtable.h"
#include "data/gzipfile.h"
#include "data/tablereading.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>
#include <set>

namespace fs = std::filesystem;

namespace mtl::data {

namespace {

// Lists every image under `dir` (recursively, sorted, hidden files left out) as rows of class
// `classIndex`, paths relative to `root`.
void addFolderImages(ImageTable &table, const fs::path &root, const fs::path &dir,
                     const std::string &split, std::int32_t classIndex,
                     const std::vector<std::int32_t> &extraLabels)
{
    std::vector<fs::path> files;
    std::error_code ec;
    for (fs::recursive_directory_iterator it(dir, fs::directory_options::none, ec), end;
         !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (!name.empty() && name[0] == '.') {
            if (it->is_directory(ec))
                it.disable_recursion_pending();
            continue;
        }
        if (!it->is_directory(ec))
            files.push_back(it->path());
    }
    if (ec)
        throw Error(ErrorCode::Io, "cannot be listed: " + ec.message(), {dir.string()});
    std::sort(files.begin(), files.end());
    if (files.empty())
        table.notes.push_back("class folder " + dir.lexically_relative(root).generic_string() +
                              " holds no image");
    for (const fs::path &file : files) {
        ImageRow row;
        row.file = root.string();
        row.path = file.lexically_relative(root).generic_string();
        row.split = split;
        row.labels.push_back(classIndex);
        row.labels.insert(row.labels.end(), extraLabels.begin(), extraLabels.end());
        table.rows.push_back(std::move(row));
    }
}

std::vector<std::string> subfolders(const fs::path &dir)
{
    std::vector<std::string> names;
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (it->is_directory(ec) && !name.empty() && name[0] != '.')
            names.push_back(name);
    }
    if (ec)
        throw Error(ErrorCode::Io, "cannot be listed: " + ec.message(), {dir.string()});
    std::sort(names.begin(), names.end());
    return names;
}

} // namespace

// --- awa --------------------------------------------------------------------------------------

namespace {

// classes.txt and predicates.txt: "index name" per line, the indices 1, 2, … in order.
std::vector<std::string> indexedNames(const std::string &path)
{
    std::vector<std::string> names;
    std::set<std::string> seen;
    for (const auto &[number, line] : lines(readTextFile(path), path)) {
        const auto fields = words(line);
        if (fields.size() != 2 || fields[0] != std::to_string(names.size() + 1))
            throw inputError(path, number,
                             "expected '" + std::to_string(names.size() + 1) + " name', got '" +
                                 line + "'");
        if (!seen.insert(fields[1]).second)
            throw inputError(path, number, "'" + fields[1] + "' is listed twice");
        names.push_back(fields[1]);
    }
    if (names.empty())
        throw inputError(path, 1, "lists no name");
    return names;
}

} // namespace

ImageTable parseAwa(const ImportRequest &request, OnError)
{
    ImageTable table;
    table.format = "awa";
    const std::string dir = required(request, "root", "--root (the AwA2 folder)", "awa");
    requireFolder(dir, "the AwA2 folder");
    const fs::path base(dir);
    table.root = (base / "JPEGImages").string();
    requireFolder(table.root, "JPEGImages");
    table.source = dir;
    const std::vector<std::string> classes = indexedNames((base / "classes.txt").string());
    const std::vector<std::string> predicates = indexedNames((base / "predicates.txt").string());
    const std::string matrixPath = (base / "predicate-matrix-binary.txt").string();
    const auto matrixLines = lines(readTextFile(matrixPath), matrixPath);
    if (matrixLines.size() != classes.size())
        throw inputError(matrixPath, matrixLines.empty() ? 1 : matrixLines.back().first,
                         "has " + std::to_string(matrixLines.size()) + " rows; classes.txt lists " +
                             std::to_string(classes.size()) + " classes");
    std::vector<std::vector<std::int32_t>> matrix;
    for (const auto &[number, line] : matrixLines) {
        const auto fields = words(line);
        if (fields.size() != predicates.size())
            throw inputError(matrixPath, number,
                             "a row of " + std::to_string(fields.size()) +
                                 " values; predicates.txt lists " +
                                 std::to_string(predicates.size()));
        std::vector<std::int32_t> row;
        for (std::size_t k = 0; k < fields.size(); ++k) {
            if (fields[k] != "0" && fields[k] != "1")
                throw inputError(matrixPath, number,
                                 "value '" + fields[k] + "' of predicate '" + predicates[k] +
                                     "' is not 0 or 1",
                                 static_cast<std::int64_t>(k + 1));
            row.push_back(fields[k] == "1");
        }
        matrix.push_back(std::move(row));
    }
    store::LabelColumn classColumn;
    classColumn.name = "class";
    classColumn.categories = classes;
    table.columns.push_back(classColumn);
    for (const std::string &name : predicates) {
        if (name == "class")
            throw inputError((base / "predicates.txt").string(), 1,
                             "a predicate may not be called 'class' (the class column)");
        store::LabelColumn column;
        column.name = name;
        column.kind = store::ColumnKind::Binary;
        table.columns.push_back(column);
    }
    const std::string split = defaultSplit(request);
    std::map<std::string, std::int32_t> classIndex;
    for (std::size_t k = 0; k < classes.size(); ++k)
        classIndex[classes[k]] = static_cast<std::int32_t>(k);
    for (const std::string &folder : subfolders(table.root)) {
        const auto found = classIndex.find(folder);
        if (found == classIndex.end()) {
            addIssue(table, (fs::path(table.root) / folder).string(), 0,
                     "folder '" + folder +
                         "' is not a class of classes.txt; its images are not "
                         "imported");
            continue;
        }
        addFolderImages(table, table.root, fs::path(table.root) / folder, split, found->second,
                        matrix[static_cast<std::size_t>(found->second)]);
        classIndex.erase(found);
    }
    for (const auto &[name, unused] : classIndex)
        table.notes.push_back("class '" + name + "' has no folder in JPEGImages");
    std::error_code ec;
    if (fs::exists(base / "predicate-matrix-continuous.txt", ec))
        table.notes.push_back(
            "predicate-matrix-continuous.txt not imported (the binary matrix is)");
    return table;
}

// --- folders ----------------------------------------------------------------------------------

ImageTable parseFolders(const ImportRequest &request, OnError)
{
    ImageTable table;
    table.format = "folders";
    table.root = required(request, "root", "--root (one sub-folder per class)", "folders");
    requireFolder(table.root, "the image root");
    table.source = table.root;
    const std::vector<std::string> classes = subfolders(table.root);
    if (classes.empty())
        throw Error(ErrorCode::InvalidInput, "holds no class folder", {table.root});
    store::LabelColumn classColumn;
    classColumn.name = "class";
    classColumn.categories = classes;
    table.columns.push_back(classColumn);
    std::optional<ClassAttributeTable> attributes;
    const std::string attributeFile = request.file("class-attributes");
    if (!attributeFile.empty()) {
        attributes = parseClassAttributes(readTextFile(attributeFile), attributeFile, classes);
        const std::string groupFile = request.file("attribute-groups");
        if (!groupFile.empty())
            applyAttributeGroups(*attributes, readTextFile(groupFile), groupFile);
        for (const store::LabelColumn &column : attributes->columns) {
            if (column.name == "class")
                throw inputError(attributeFile, 1,
                                 "an attribute may not be called 'class' (the class column)");
            table.columns.push_back(column);
        }
    } else if (!request.file("attribute-groups").empty()) {
        throw Error(ErrorCode::InvalidInput,
                    "--attribute-groups needs --class-attributes (the attributes it groups)");
    }
    const std::string split = defaultSplit(request);
    std::error_code ec;
    for (fs::directory_iterator it(table.root, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (!it->is_directory(ec) && !name.empty() && name[0] != '.')
            table.notes.push_back(name + " ignored (not in a class folder)");
    }
    std::sort(table.notes.begin(), table.notes.end());
    for (std::size_t k = 0; k < classes.size(); ++k)
        addFolderImages(table, table.root, fs::path(table.root) / classes[k], split,
                        static_cast<std::int32_t>(k),
                        attributes ? attributes->values[k] : std::vector<std::int32_t>{});
    return table;
}

} // namespace mtl::data
