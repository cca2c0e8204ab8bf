#pragma once
// Format "multi-fashion": the MultiFashion benchmark of the multi-objective MTL literature
// (Lin et al., "Pareto Multi-Task Learning", NeurIPS 2019; the MultiMNIST recipe of Sener &
// Koltun, "Multi-Task Learning as Multi-Objective Optimization", NeurIPS 2018), generated
// deterministically from Debian's Fashion-MNIST: two garments on a 36×36 canvas, one at the
// top left (rows and columns 0–27) and one at the bottom right (8–35), overlaid by the brighter
// pixel. Two tasks: `left` and `right`, 10 classes each. Each split is made from the same split
// of Fashion-MNIST, so no test garment is seen in training.
//   sample i of a split: left garment order[i], right garment partner[i] (another image),
//   both permutations of the split drawn from mt19937_64(seed, split).

#include "data/idximporter.h"
#include "data/importer.h"

#include <cstdint>
#include <random>
#include <vector>

namespace mtl::data {

constexpr int kMultiFashionSize = 36;
constexpr int kMultiFashionShift = 8; // the right garment's offset, in rows and columns

// The canvas of two 28×28 images: [36 × 36] bytes, the pixel-wise maximum of `left` at (0, 0)
// and `right` at (8, 8).
std::vector<std::uint8_t> overlayPair(const std::uint8_t *left, const std::uint8_t *right);

// The generator of every random choice a synthesising importer makes for one split:
// mt19937_64 seeded from (seed, FNV-1a of the split's name), the same on every platform.
std::mt19937_64 splitGenerator(std::uint64_t seed, const std::string &split);

// Which source images sample i pairs: (order[i], partner[i]), for `count` samples of a split of
// `size` images. Deterministic in (seed, split); partner[i] != order[i] when size > 1.
struct Pairing {
    std::vector<std::int64_t> left, right;
};
Pairing pairSamples(std::uint64_t seed, const std::string &split, std::int64_t size,
                    std::int64_t count);

// What the importers that compose scenes from Fashion-MNIST read: its train and test splits
// (request.files["dir"], default Debian's), each checked to be 28×28 grey with labels 0–9,
// and the class names. Reports progress up to `share`.
struct FashionSource {
    std::vector<LoadedSplit> splits;
    std::vector<std::string> classes;
};
FashionSource loadFashionSource(const ImportRequest &request, const ProgressFn &progress,
                                double share);

// Throws Error(InvalidInput) when the project has a dataset named `name` already: the
// composing importers make new datasets only.
void requireNewDataset(store::Project &project, const std::string &name, const char *format);

class MultiFashionImporter final : public Importer {
public:
    std::string format() const override { return "multi-fashion"; }
    std::string description() const override;
    // Files: "dir" (Fashion-MNIST; default Debian's). Seed and count from the request.
    ImportSummary run(store::Project &project, const ImportRequest &request,
                      const ProgressFn &progress) override;
};

} // namespace mtl::data
