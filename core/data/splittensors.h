#pragma once
// A dataset split loaded into memory as tensors, and batches drawn from it.

#include "common/progress.h"
#include "store/records.h"

#include <ATen/core/Tensor.h>

#include <map>
#include <string>
#include <vector>

namespace mtl::store {
class Project;
}

namespace mtl::data {

struct SplitTensors {
    at::Tensor images; // uint8 [N, C, H, W], CPU
    std::map<std::string, std::vector<std::int32_t>> columns; // name → values, -1 = missing
    std::int64_t size() const { return images.defined() ? images.size(0) : 0; }
};

// Loads the images and the named label columns of one split. Throws Error(InvalidInput) when
// samples differ in size from the dataset or use an encoding this build cannot decode.
SplitTensors loadSplit(store::Project &project, const store::DatasetInfo &dataset,
                       const std::string &split, const std::vector<std::string> &columns);

// uint8 [B, C, H, W] → float in [0, 1] (the normalisation of torchvision's ToTensor()).
at::Tensor toModelInput(const at::Tensor &images);

} // namespace mtl::data
