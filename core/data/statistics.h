#pragma once
// What every import stores about the dataset it wrote (docs/STORE.md "split_stats",
// "label_counts"): per split the pixels' mean and standard deviation per channel — what
// input.normalize "dataset" divides by — and how many samples carry each label value.

#include "store/records.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mtl::store {
class Project;
}

namespace mtl::data {

// At most this many images of a split are decoded for its pixel statistics (spread evenly
// over the split); raw pixels are all counted.
constexpr std::int64_t kStatsDecodedImages = 2000;

// The pixel statistics of one split. Throws Error naming a file that does not decode.
store::PixelStats pixelStatistics(store::Project &project, const store::DatasetInfo &dataset,
                                  const std::string &split);

// Pixels per class of a segmentation map column in one split: counts[c] for class c, and the
// pixels not labelled. Reads every map of the split (the annotation browser's statistics, off
// the GUI thread).
struct ClassPixels {
    std::vector<std::int64_t> counts;
    std::int64_t unlabelled = 0;
};
ClassPixels classPixels(store::Project &project, const store::DatasetInfo &dataset,
                        const std::string &split, const store::MapColumn &column);

// Stores both kinds for every split of the dataset; called inside the import's transaction.
void computeStatistics(store::Project &project, std::int64_t datasetId);

} // namespace mtl::data
