#pragma once
// Imports MNIST-style IDX files (images + labels, gzip or plain) into a dataset split, with
// optional class names and a per-class attribute table expanded into per-sample columns.

#include "data/importer.h"

#include <optional>

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
};

// Imports every split of `spec` in one transaction.
ImportSummary importIdx(store::Project &project, const IdxImportSpec &spec,
                        const ProgressFn &progress);

// Format "idx": files images, labels (required), class-names, class-attributes (optional).
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
