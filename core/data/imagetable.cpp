#include "data/imagetable.h"

#include "common/error.h"
#include "common/utf8.h"
#include "data/idximporter.h"
#include "data/imagefile.h"
#include "store/project.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <set>
#include <thread>
#include <unordered_map>

namespace fs = std::filesystem;

namespace mtl::data {

const char *toString(OnError onError)
{
    return onError == OnError::Skip ? "skip" : "fail";
}

std::optional<OnError> onErrorFromString(const std::string &text)
{
    if (text == "fail")
        return OnError::Fail;
    if (text == "skip")
        return OnError::Skip;
    return std::nullopt;
}

std::string RowIssue::describe() const
{
    ErrorLocation where;
    where.file = file;
    if (line > 0)
        where.line = line;
    return Error::describe(message, where);
}

ImageImportOptions imageImportOptions(const ImportRequest &request)
{
    ImageImportOptions options;
    options.dataset = request.dataset;
    const std::string onError = request.option("on-error");
    if (!onError.empty()) {
        const auto parsed = onErrorFromString(onError);
        if (!parsed)
            throw Error(ErrorCode::InvalidInput,
                        "--on-error is '" + onError + "'; expected fail or skip");
        options.onError = *parsed;
    }
    const std::string resize = request.option("resize");
    if (!resize.empty()) {
        int width = 0, height = 0;
        char by = 0, rest = 0;
        if (std::sscanf(resize.c_str(), "%d%c%d%c", &width, &by, &height, &rest) != 3 ||
            (by != 'x' && by != 'X') || width < 1 || height < 1 || width > 4096 || height > 4096)
            throw Error(ErrorCode::InvalidInput,
                        "--resize is '" + resize + "'; expected WIDTHxHEIGHT, e.g. 64x64 (1–4096)");
        options.width = width;
        options.height = height;
    }
    return options;
}

namespace {

struct Checked {
    std::optional<ImageHeader> header; // set when the row's file is a usable image
    std::string relative;              // normalised path, relative to the root
    std::string problem;
};

bool leavesRoot(const fs::path &relative)
{
    return relative.empty() || *relative.begin() == "..";
}

// The checks of one row that need only its own file.
Checked checkFile(const fs::path &root, const ImageRow &row)
{
    Checked result;
    const fs::path written(row.path);
    if (row.path.empty()) {
        result.problem = "empty image path";
        return result;
    }
    if (written.is_absolute() || written.has_root_name() || written.has_root_directory()) {
        result.problem = "'" + row.path +
                         "' is an absolute path; paths must be relative to the "
                         "dataset root " +
                         root.string();
        return result;
    }
    const fs::path normal = written.lexically_normal();
    if (leavesRoot(normal) || normal == ".") {
        result.problem = "'" + row.path + "' leaves the dataset root " + root.string();
        return result;
    }
    result.relative = normal.generic_string();
    const fs::path full = root / normal;
    std::error_code ec;
    const fs::file_status status = fs::status(full, ec);
    if (!fs::exists(status)) {
        result.problem = fs::is_symlink(fs::symlink_status(full, ec))
                             ? "'" + row.path + "' is a broken symlink"
                             : "image '" + row.path + "' not found in " + root.string();
        return result;
    }
    const fs::path real = fs::canonical(full, ec);
    if (ec || leavesRoot(real.lexically_relative(root))) {
        result.problem = "'" + row.path + "' is a symlink to " + real.string() +
                         ", outside the dataset root " + root.string();
        return result;
    }
    if (!fs::is_regular_file(status)) {
        result.problem = "'" + row.path + "' is not a file";
        return result;
    }
    if (fs::file_size(full, ec) == 0) {
        result.problem = "'" + row.path + "' is a zero-byte file, not an image";
        return result;
    }
    try {
        result.header = probeImage(full.string());
    } catch (const Error &e) {
        result.problem = "'" + row.path + "': " + e.message();
    }
    return result;
}

// Probes the rows' files on every core; the calling thread reports progress and passes a
// cancel on.
std::vector<Checked> checkFiles(const fs::path &root, const std::vector<ImageRow> &rows,
                                const ProgressFn &progress)
{
    std::vector<Checked> checked(rows.size());
    std::atomic<std::size_t> next{0}, done{0};
    std::atomic<bool> cancelled{false};
    const unsigned threads = std::max(1u, std::min(8u, std::thread::hardware_concurrency()));
    std::vector<std::thread> workers;
    for (unsigned t = 0; t < threads; ++t)
        workers.emplace_back([&] {
            constexpr std::size_t kChunk = 64;
            for (;;) {
                const std::size_t begin = next.fetch_add(kChunk);
                if (begin >= rows.size() || cancelled.load())
                    return;
                const std::size_t end = std::min(rows.size(), begin + kChunk);
                for (std::size_t i = begin; i < end; ++i)
                    checked[i] = checkFile(root, rows[i]);
                done.fetch_add(end - begin);
            }
        });
    while (done.load() < rows.size() && !cancelled.load()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        if (progress &&
            !progress(0.6 * done.load() / std::max<std::size_t>(1, rows.size()), "checking images"))
            cancelled = true;
    }
    for (std::thread &worker : workers)
        worker.join();
    if (cancelled)
        throw Error(ErrorCode::Interrupted, "import cancelled; the project is unchanged");
    return checked;
}

std::string sizeText(int width, int height)
{
    return std::to_string(width) + "×" + std::to_string(height);
}

} // namespace

std::size_t relocateDataset(store::Project &project, const std::string &name,
                            const std::string &folder)
{
    const auto dataset = project.datasets().find(name);
    if (!dataset)
        throw Error(ErrorCode::NotFound, "no dataset '" + name + "' in " + project.path());
    if (dataset->root.empty())
        throw Error(ErrorCode::InvalidInput, "dataset '" + name +
                                                 "' keeps its images in the project; it has no "
                                                 "folder to relocate");
    std::error_code ec;
    const fs::path root = fs::canonical(folder, ec);
    if (ec || !fs::is_directory(root))
        throw Error(ErrorCode::NotFound, "is not a folder", {folder});
    // The folder must hold the dataset's images: a sample of their paths is looked up.
    const auto paths = project.datasets().samplePaths(dataset->id, 64);
    for (const std::string &relative : paths)
        if (!fs::is_regular_file(root / relative, ec))
            throw Error(ErrorCode::InvalidInput,
                        "does not hold the images of dataset '" + name + "': " + relative +
                            " is not there; nothing was changed",
                        {root.string()});
    store::Transaction tx(project.db());
    project.datasets().setRoot(dataset->id, root.string());
    tx.commit();
    return paths.size();
}

ImportSummary importImageTable(store::Project &project, const ImageTable &table,
                               const ImageImportOptions &options, const ProgressFn &progress)
{
    const auto started = std::chrono::steady_clock::now();
    if (options.dataset.empty())
        throw Error(ErrorCode::InvalidInput, "the dataset needs a name");
    requireUtf8(options.dataset, "the dataset name");
    std::error_code ec;
    const fs::path root = fs::canonical(table.root, ec);
    if (ec || !fs::is_directory(root))
        throw Error(ErrorCode::NotFound, "the image root is not a folder", {table.root});
    store::DatasetStore &datasets = project.datasets();
    const auto existing = datasets.find(options.dataset);
    if (existing) {
        if (existing->format != table.format)
            throw Error(ErrorCode::InvalidInput,
                        "dataset '" + options.dataset + "' was imported as " + existing->format +
                            ", not " + table.format + "; import into a new dataset instead");
        if (existing->root != root.string())
            throw Error(ErrorCode::InvalidInput,
                        "dataset '" + options.dataset + "' has its images in " + existing->root +
                            ", not " + root.string() + "; import into a new dataset instead");
        for (const ImageRow &row : table.rows)
            if (existing->splitSize(row.split) > 0)
                throw Error(ErrorCode::InvalidInput,
                            "dataset '" + options.dataset + "' already has a split '" + row.split +
                                "' (" + std::to_string(existing->splitSize(row.split)) +
                                " samples); import into another split or dataset");
    }

    std::vector<RowIssue> issues = table.issues;
    std::vector<Checked> checked = checkFiles(root, table.rows, progress);
    // A path twice: the later rows are the problem.
    std::unordered_map<std::string, std::int64_t> firstLine;
    for (std::size_t i = 0; i < table.rows.size(); ++i) {
        Checked &c = checked[i];
        if (!c.header)
            continue;
        const auto [at, added] = firstLine.emplace(c.relative, table.rows[i].line);
        if (!added) {
            c.problem = "'" + table.rows[i].path + "' is listed twice (first on line " +
                        std::to_string(at->second) + ")";
            c.header.reset();
        }
    }
    // Mixed sizes: without a resize, the images of the most common size stay.
    int width = options.width, height = options.height;
    if (width == 0 || height == 0) {
        std::map<std::pair<int, int>, std::int64_t> sizes;
        for (const Checked &c : checked)
            if (c.header)
                ++sizes[{c.header->width, c.header->height}];
        if (existing && existing->width > 0)
            sizes[{existing->width, existing->height}] += 1LL << 40; // the dataset's size rules
        if (!sizes.empty()) {
            const auto common =
                std::max_element(sizes.begin(), sizes.end(),
                                 [](const auto &a, const auto &b) { return a.second < b.second; });
            width = common->first.first;
            height = common->first.second;
        }
        for (std::size_t i = 0; i < checked.size(); ++i) {
            Checked &c = checked[i];
            if (c.header && (c.header->width != width || c.header->height != height)) {
                c.problem = "'" + table.rows[i].path + "' is " +
                            sizeText(c.header->width, c.header->height) +
                            "; the other images are " + sizeText(width, height) +
                            " (import with a resize to take mixed sizes)";
                c.header.reset();
            }
        }
    }
    for (std::size_t i = 0; i < checked.size(); ++i)
        if (!checked[i].header)
            issues.push_back({table.rows[i].file, table.rows[i].line, checked[i].problem});
    // In line order within each file, the files in the order their first problem was found
    // (the parser's files before the images).
    std::map<std::string, std::size_t> fileRank;
    for (const RowIssue &issue : issues)
        fileRank.emplace(issue.file, fileRank.size());
    std::stable_sort(issues.begin(), issues.end(), [&](const RowIssue &a, const RowIssue &b) {
        return std::make_pair(fileRank[a.file], a.line) < std::make_pair(fileRank[b.file], b.line);
    });
    const std::int64_t usable = std::count_if(checked.begin(), checked.end(),
                                              [](const Checked &c) { return bool(c.header); });
    const auto fail = [&](const RowIssue &issue, const std::string &extra) {
        ErrorLocation where;
        where.file = issue.file;
        if (issue.line > 0)
            where.line = issue.line;
        throw Error(ErrorCode::InvalidInput, issue.message + extra, where);
    };
    if (!issues.empty() && options.onError == OnError::Fail) {
        const std::size_t more = issues.size() - 1;
        fail(issues.front(),
             more == 0
                 ? std::string()
                 : " (and " + std::to_string(more) + " more problem" + (more == 1 ? "" : "s") +
                       "; importing with on-error skip leaves those rows out and logs them)");
    }
    if (usable == 0) {
        if (!issues.empty())
            fail(issues.front(), " (no row of the import is usable)");
        throw Error(ErrorCode::InvalidInput, "nothing to import: the table lists no image",
                    {table.source});
    }
    int channels = existing && existing->channels > 0 ? existing->channels : 1;
    for (const Checked &c : checked)
        if (c.header && c.header->channels == 3)
            channels = 3;
    if (existing && existing->channels > 0 && channels != existing->channels)
        throw Error(ErrorCode::InvalidInput,
                    "dataset '" + options.dataset + "' holds grayscale images; these are colour",
                    {table.source});

    checkImportProgress(progress, 0.6, "writing to the project");
    store::Database &db = project.db();
    store::Transaction tx(db);
    ImportSummary summary;
    summary.dataset = options.dataset;
    if (existing) {
        summary.datasetId = existing->id;
    } else {
        summary.datasetId = datasets.create(options.dataset, table.format, table.source, width,
                                            height, channels, root.string());
        summary.created = true;
    }
    std::vector<std::int64_t> columnIds;
    for (const store::LabelColumn &column : table.columns)
        columnIds.push_back(datasets.ensureColumn(summary.datasetId, column));
    store::DatasetStore::Writer writer(db, summary.datasetId);
    std::map<std::string, std::int64_t> perSplit;
    std::vector<std::string> splitOrder;
    std::int64_t written = 0;
    for (std::size_t i = 0; i < table.rows.size(); ++i) {
        const Checked &c = checked[i];
        if (!c.header)
            continue;
        if (written % 1024 == 0)
            checkImportProgress(progress, 0.6 + 0.4 * written / usable, "writing to the project");
        const ImageRow &row = table.rows[i];
        auto [split, first] = perSplit.emplace(row.split, 0);
        if (first)
            splitOrder.push_back(row.split);
        const ImageHeader &h = *c.header;
        std::string bytes;
        if (h.width <= options.inlineSide && h.height <= options.inlineSide)
            bytes = readImageFile((root / c.relative).string());
        const std::int64_t sampleId =
            writer.addSample(row.split, split->second++, h.encoding, h.width, h.height, h.channels,
                             bytes.empty() ? nullptr : bytes.data(), bytes.size(), c.relative);
        for (std::size_t k = 0; k < columnIds.size() && k < row.labels.size(); ++k)
            if (row.labels[k] >= 0)
                writer.addLabel(sampleId, columnIds[k], row.labels[k]);
        ++written;
    }
    for (const std::string &split : splitOrder)
        summary.added.push_back({split, perSplit[split]});
    for (const store::LabelColumn &column : table.columns)
        summary.columns.push_back(column.name);
    summary.skipped = static_cast<std::int64_t>(issues.size());
    for (const RowIssue &issue : issues)
        summary.log.push_back(issue.describe());
    for (const std::string &note : table.notes)
        summary.log.push_back("note: " + note);
    finishImport(project, tx, summary, table.format, table.source, started, progress);
    return summary;
}

} // namespace mtl::data
