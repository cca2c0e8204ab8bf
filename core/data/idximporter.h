#pragma once
// Imports MNIST-style IDX files (images + labels, gzip or plain) into a dataset split, with
// optional class names and a per-class attribute table expanded into per-sample columns.

#include "data/idx.h"
#include "data/importer.h"

#include <chrono>
#include <optional>

namespace mtl::store {
class Transaction;
}

namespace mtl::data {

struct IdxSplitFiles {
    std::string split;
    std::string images; // IDX rank 3 [N, H, W] or rank 4 [N, H, W, C], unsigned bytes
    std::string labels; // IDX rank 1 [N], unsigned bytes
};

// Class names and attributes given as text, with the name to use in error messages.
struct TextSource {
    std::string text;
    std::string source;
};

struct IdxImportSpec {
    std::string dataset;
    std::string format = "idx"; // recorded in the datasets table
    std::vector<IdxSplitFiles> splits;
    std::optional<TextSource> classNames;
    std::optional<TextSource> classAttributes;
    std::optional<TextSource> attributeGroups; // needs classAttributes
};

// One split's files read and checked (ranks, 1 or 3 channels, as many labels as images).
struct LoadedSplit {
    std::string split;
    IdxArray images, labels;
    std::string imagesPath, labelsPath;
    int height = 0, width = 0, channels = 1;
};
// Throws Error(InvalidInput/NotFound) naming the file and byte offset.
LoadedSplit loadIdxSplit(const IdxSplitFiles &files);

// The train and test files of Fashion-MNIST in `dir` (empty: Debian's dataset-fashion-mnist),
// .gz or plain; throws Error(NotFound) naming the first file missing.
std::vector<IdxSplitFiles> fashionMnistFiles(const std::string &dir);

// Reports progress; throws Error(Interrupted) ("import cancelled; the project is unchanged")
// when the callback asks to stop.
void checkImportProgress(const ProgressFn &progress, double fraction, const std::string &stage);

// How every import ends: its row in the dataset's import log (`format`, `source`, the samples
// summary.added, summary.skipped and summary.log), the label counts and pixel statistics, the
// commit, and summary.seconds measured from `started`.
void finishImport(store::Project &project, store::Transaction &tx, ImportSummary &summary,
                  const std::string &format, const std::string &source,
                  std::chrono::steady_clock::time_point started, const ProgressFn &progress);

// Imports every split of `spec` in one transaction.
ImportSummary importIdx(store::Project &project, const IdxImportSpec &spec,
                        const ProgressFn &progress);

// Format "idx": files images, labels (required), class-names, class-attributes,
// attribute-groups (optional).
class IdxImporter final : public Importer {
public:
    std::string format() const override { return "idx"; }
    std::string description() const override;
    ImportSummary run(store::Project &project, const ImportRequest &request,
                      const ProgressFn &progress) override;
};

// Format "fashion-mnist": both splits of Debian's dataset-fashion-mnist (or --dir), with the
// class names, groups and visual attributes shipped in resources/datasets/fashion-mnist.
class FashionMnistImporter final : public Importer {
public:
    static constexpr const char *kDefaultDir = "/usr/share/datasets/fashion-mnist";
    std::string format() const override { return "fashion-mnist"; }
    std::string description() const override;
    ImportSummary run(store::Project &project, const ImportRequest &request,
                      const ProgressFn &progress) override;
};

} // namespace mtl::data
