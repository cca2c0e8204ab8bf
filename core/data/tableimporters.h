#pragma once
// Importers of image-file datasets in the layouts they ship in (docs/CLI.md, "Image files"). Each
// parses its format into an ImageTable (data/imagetable.h), which does the checks and the writing;
// csv and celeba are in tableimporters.cpp, awa and folders in folderimporters.cpp.
//   csv     an image folder and a CSV/TSV table: a path column, label columns, a split column
//   celeba  CelebA's list_attr_celeba.txt (−1/1 attributes), list_eval_partition.txt
//   awa     Animals with Attributes 2: classes.txt, predicates.txt, the binary predicate
//           matrix, JPEGImages/<class>/…
//   folders one sub-folder per class (ImageFolder), optionally a per-class attribute table

#include "data/imagetable.h"
#include "data/importer.h"

namespace mtl::data {

// The parsers, separate from the importers for the tests: they read the format's files and
// never the images.
ImageTable parseCsvTable(const ImportRequest &request, OnError onError);
ImageTable parseCelebA(const ImportRequest &request, OnError onError);
ImageTable parseAwa(const ImportRequest &request, OnError onError);
ImageTable parseFolders(const ImportRequest &request, OnError onError);

using TableParser = ImageTable (*)(const ImportRequest &request, OnError onError);

// Format `format` of the four above: its parser, then importImageTable().
class ImageFileImporter final : public Importer {
public:
    // Throws Error(InvalidInput) for a format that is not one of csv, celeba, awa, folders.
    explicit ImageFileImporter(const std::string &format);
    std::string format() const override { return m_format; }
    std::string description() const override { return m_description; }
    ImportSummary run(store::Project &project, const ImportRequest &request,
                      const ProgressFn &progress) override;

private:
    std::string m_format, m_description;
    TableParser m_parse = nullptr;
};

} // namespace mtl::data
