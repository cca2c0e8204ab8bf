#pragma once
// What every import stores about the dataset it wrote (docs/STORE.md "split_stats",
// "label_counts"): per split the pixels' mean and standard deviation per channel — what
// input.normalize "dataset" divides by — and how many samples carry each label value.

#include "store/records.h"

#include <string>

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

// Stores both kinds for every split of the dataset; called inside the import's transaction.
void computeStatistics(store::Project &project, std::int64_t datasetId);

} // namespace mtl::data
