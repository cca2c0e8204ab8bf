#include "data/statistics.h"

#include "common/error.h"
#include "data/imagefile.h"
#include "store/project.h"

#include <algorithm>
#include <cmath>
#include <filesystem>

namespace mtl::data {

store::PixelStats pixelStatistics(store::Project &project, const store::DatasetInfo &dataset,
                                  const std::string &split)
{
    store::PixelStats stats;
    stats.split = split;
    const int channels = dataset.channels;
    if (channels <= 0 || dataset.width <= 0 || dataset.height <= 0)
        return stats; // mixed sizes: nothing to normalise with
    const std::int64_t n = dataset.splitSize(split);
    std::vector<double> sum(static_cast<std::size_t>(channels)),
        squares(static_cast<std::size_t>(channels));
    std::int64_t pixels = 0;
    const std::filesystem::path root(dataset.root);
    // Raw pixels are all counted; encoded images every n / 2000-th, read alone (the others'
    // bytes are not even read).
    const auto encoding = project.datasets().firstEncoding(dataset.id, split);
    if (!encoding)
        return stats;
    const std::int64_t step = *encoding == store::ImageEncoding::Raw
                                  ? 1
                                  : std::max<std::int64_t>(1, n / kStatsDecodedImages);
    project.datasets().forEachImageEvery(
        dataset.id, split, step, [&](const store::StoredImage &image) {
            const std::uint8_t *values = static_cast<const std::uint8_t *>(image.data);
            DecodedImage decoded;
            if (image.encoding != store::ImageEncoding::Raw || !values) {
                std::string file;
                const void *bytes = image.data;
                std::size_t size = image.size;
                const std::string where = image.path.empty()
                                              ? "sample " + std::to_string(image.sampleId)
                                              : (root / image.path).string();
                if (!bytes) {
                    file = readImageFile(where);
                    bytes = file.data();
                    size = file.size();
                }
                decoded = decodeImage(bytes, size, where, channels, dataset.width, dataset.height);
                values = decoded.pixels.data();
            }
            const std::size_t count = static_cast<std::size_t>(dataset.width) * dataset.height;
            for (std::size_t i = 0; i < count; ++i)
                for (int c = 0; c < channels; ++c) {
                    const double v = values[i * channels + c] / 255.0;
                    sum[c] += v;
                    squares[c] += v * v;
                }
            pixels += static_cast<std::int64_t>(count);
            ++stats.images;
        });
    if (pixels == 0)
        return stats;
    for (int c = 0; c < channels; ++c) {
        const double mean = sum[c] / pixels;
        stats.mean.push_back(mean);
        stats.std.push_back(std::sqrt(std::max(0.0, squares[c] / pixels - mean * mean)));
    }
    return stats;
}

ClassPixels classPixels(store::Project &project, const store::DatasetInfo &dataset,
                        const std::string &split, const store::MapColumn &column)
{
    ClassPixels result;
    result.counts.assign(column.categories.size(), 0);
    project.datasets().forEachMap(dataset.id, split, column, [&](const store::StoredMap &map) {
        const auto *values = static_cast<const std::uint8_t *>(map.data);
        std::int64_t histogram[256] = {};
        for (std::size_t i = 0; i < map.size; ++i)
            ++histogram[values[i]];
        for (int v = 0; v < 256; ++v) {
            if (v < static_cast<int>(result.counts.size()))
                result.counts[static_cast<std::size_t>(v)] += histogram[v];
            else
                result.unlabelled += histogram[v]; // 255, or a class the column lacks
        }
    });
    return result;
}

void computeStatistics(store::Project &project, std::int64_t datasetId)
{
    const std::optional<store::DatasetInfo> dataset = project.datasets().find(datasetId);
    if (!dataset)
        return;
    project.datasets().refreshLabelCounts(datasetId);
    for (const store::SplitCount &split : dataset->splits) {
        const store::PixelStats stats = pixelStatistics(project, *dataset, split.name);
        if (stats.images > 0)
            project.datasets().setPixelStats(datasetId, stats);
    }
}

} // namespace mtl::data
