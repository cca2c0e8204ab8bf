#pragma once
// Importers of dense multi-task datasets in the preprocessed layouts the MTAN and LibMTL code
// read (docs/CLI.md, "Dense datasets"):
//   nyuv2       ROOT/{train,val}/{image,label,depth,normal}/<i>.npy  (or <i>.png)
//   cityscapes  ROOT/{train,val}/{image,label|label_7|label_19,depth}/<i>.npy  (or <i>.png)
// val/ becomes the test split (the split that code evaluates on), unless a test/ folder is
// there too. The maps go into the project as map columns `semantic`, `depth` and `normals`,
// the names the fashion-scenes dataset and the dense tasks use; .npy images (floats in [0, 1]
// or bytes) are stored in the project as 8-bit PNG, PNG and JPEG images stay files referenced
// relative to ROOT (stored in the project too when at most 64×64).

#include "data/imagetable.h"
#include "data/importer.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace mtl::data {

// What one sample folder of the layout holds.
enum class DenseFolder { Image, Label, Depth, Normal };
constexpr std::size_t kDenseFolders = 4;

constexpr std::size_t denseSlot(DenseFolder folder)
{
    return static_cast<std::size_t>(folder);
}
// What a folder's files are, for messages: "image", "label map", "depth map", "normal map".
extern const char *const denseFolderWhat[kDenseFolders];

// The layout as found on disk, before any file is read: one entry per sample index.
struct DenseLayout {
    std::string root;                                   // canonical
    std::string labelFolder;                            // "label", "label_7" or "label_19"
    std::array<bool, kDenseFolders> present{};          // which folders the splits have
    std::array<std::string, kDenseFolders> extension{}; // ".npy", ".png" or ".jpg"
    struct Sample {
        std::string split;
        std::int64_t index = 0;                       // the number its files are named by
        std::array<std::string, kDenseFolders> files; // relative to root; empty: none
    };
    std::vector<Sample> samples; // by split (train first), then index
    std::vector<RowIssue> issues;
    std::vector<std::string> notes;
    std::vector<std::string> classes; // segmentation classes, class i first
};

// The folder's name in the layout: image, label (or label_7, label_19), depth, normal.
std::string denseFolderName(const DenseLayout &layout, std::size_t folder);

// In data/denselayout.cpp. Throws Error(NotFound/InvalidInput) for a root without train/image, a
// split missing a folder the training split has, or an unknown --classes; problems with single
// files come in `issues`.
DenseLayout scanDenseLayout(const ImportRequest &request, const std::string &format);

// The default class names: NYUv2's 13 classes, Cityscapes' 7 categories or 19 classes.
std::vector<std::string> denseClassNames(const std::string &format, int classes);

class DenseImporter final : public Importer {
public:
    // Throws Error(InvalidInput) for a format other than nyuv2 and cityscapes.
    explicit DenseImporter(const std::string &format);
    std::string format() const override { return m_format; }
    std::string description() const override;
    // Files: "root" (the layout), optionally "class-names" (one per line). Options: "on-error",
    // "classes" (cityscapes: 7 or 19), "depth-scale" (metres per unit of a 16-bit depth PNG).
    ImportSummary run(store::Project &project, const ImportRequest &request,
                      const ProgressFn &progress) override;

private:
    std::string m_format;
};

} // namespace mtl::data
