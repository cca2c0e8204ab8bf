#include "data/splittensors.h"

#include "common/error.h"
#include "store/project.h"

#include <torch/types.h>

#include <cstring>

namespace mtl::data {

SplitTensors loadSplit(store::Project &project, const store::DatasetInfo &dataset,
                       const std::string &split, const std::vector<std::string> &columns)
{
    SplitTensors result;
    const std::int64_t n = dataset.splitSize(split);
    const std::int64_t c = dataset.channels, h = dataset.height, w = dataset.width;
    if (c <= 0 || h <= 0 || w <= 0)
        throw Error(ErrorCode::InvalidInput,
                    "dataset '" + dataset.name + "' has images of different sizes; resizing is "
                                                 "not supported by this build yet");
    // Stored raw as [H, W, C]; for C = 1 that is already [1, H, W].
    at::Tensor hwc = torch::empty({n, h, w, c}, torch::kUInt8);
    std::uint8_t *out = hwc.data_ptr<std::uint8_t>();
    const std::size_t itemSize = static_cast<std::size_t>(h * w * c);
    std::int64_t i = 0;
    project.datasets().forEachImage(dataset.id, split, [&](const store::StoredImage &image) {
        if (image.encoding != store::ImageEncoding::Raw)
            throw Error(ErrorCode::InvalidInput,
                        "sample " + std::to_string(image.sampleId) + " is stored as " +
                            toString(image.encoding) +
                            "; this build trains on raw (IDX-imported) pixels only");
        if (image.size != itemSize || i >= n)
            throw Error(ErrorCode::InvalidInput,
                        "sample " + std::to_string(image.sampleId) + " of dataset '" +
                            dataset.name + "' has " + std::to_string(image.size) +
                            " bytes; expected " + std::to_string(itemSize));
        std::memcpy(out + i * itemSize, image.data, itemSize);
        ++i;
    });
    result.images = c == 1 ? hwc.view({n, 1, h, w}) : hwc.permute({0, 3, 1, 2}).contiguous();
    for (const std::string &name : columns) {
        const store::LabelColumn *column = dataset.column(name);
        if (!column)
            throw Error(ErrorCode::InvalidInput,
                        "column '" + name + "' is not in dataset '" + dataset.name + "'");
        result.columns[name] = project.datasets().labelsOf(dataset.id, split, column->id);
    }
    return result;
}

at::Tensor toModelInput(const at::Tensor &images)
{
    return images.to(torch::kFloat32).div_(255.0);
}

} // namespace mtl::data
