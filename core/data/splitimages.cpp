#include "data/splitimages.h"

#include "common/error.h"
#include "data/imagefile.h"
#include "store/project.h"

#include <torch/types.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <exception>
#include <filesystem>
#include <mutex>
#include <thread>

namespace mtl::data {

SplitImages SplitImages::load(store::Project &project, const store::DatasetInfo &dataset,
                              const std::string &split)
{
    SplitImages result;
    result.m_name = dataset.name;
    result.m_channels = dataset.channels;
    result.m_height = dataset.height;
    result.m_width = dataset.width;
    if (dataset.channels <= 0 || dataset.height <= 0 || dataset.width <= 0)
        throw Error(ErrorCode::InvalidInput,
                    "dataset '" + dataset.name +
                        "' has images of different sizes; import it again with --resize WxH");
    const std::int64_t n = dataset.splitSize(split);
    result.m_sampleIds.reserve(static_cast<std::size_t>(n));
    result.m_entries.reserve(static_cast<std::size_t>(n));
    const std::filesystem::path root(dataset.root);
    const std::size_t itemSize = result.sampleBytes();
    project.datasets().forEachImage(dataset.id, split, [&](const store::StoredImage &image) {
        if (result.size() >= n)
            throw Error(ErrorCode::InvalidInput, "split '" + split + "' of dataset '" +
                                                     dataset.name + "' grew while it was read");
        Entry entry;
        entry.encoding = image.encoding;
        if (image.encoding == store::ImageEncoding::Raw && image.size != itemSize)
            throw Error(ErrorCode::InvalidInput,
                        "sample " + std::to_string(image.sampleId) + " of dataset '" +
                            dataset.name + "' has " + std::to_string(image.size) +
                            " bytes; expected " + std::to_string(itemSize));
        if (image.data) {
            entry.offset = result.m_bytes.size();
            entry.size = image.size;
            result.m_bytes.append(static_cast<const char *>(image.data), image.size);
        } else {
            entry.path = (root / image.path).string();
            ++result.m_files;
        }
        if (image.encoding != store::ImageEncoding::Raw)
            ++result.m_encoded;
        result.m_entries.push_back(std::move(entry));
        result.m_sampleIds.push_back(image.sampleId);
    });
    if (result.m_files > 0 && !std::filesystem::is_directory(root))
        throw Error(ErrorCode::NotFound,
                    "the images of dataset '" + dataset.name +
                        "' are no longer in this folder; if it moved, point the dataset to it: "
                        "mtlstudio-cli relocate PROJECT --dataset '" +
                        dataset.name + "' --root NEW_FOLDER",
                    {dataset.root});
    return result;
}

void SplitImages::read(std::int64_t index, std::uint8_t *out) const
{
    const Entry &entry = m_entries.at(static_cast<std::size_t>(index));
    const std::size_t itemSize = sampleBytes();
    if (entry.encoding == store::ImageEncoding::Raw) {
        std::memcpy(out, m_bytes.data() + entry.offset, itemSize);
        return;
    }
    std::string file;
    const char *bytes = m_bytes.data() + entry.offset;
    std::size_t size = entry.size;
    if (!entry.path.empty()) {
        file = readImageFile(entry.path);
        bytes = file.data();
        size = file.size();
    }
    const std::string where =
        entry.path.empty()
            ? "sample " + std::to_string(m_sampleIds[static_cast<std::size_t>(index)]) +
                  " of dataset '" + m_name + "'"
            : entry.path;
    const DecodedImage decoded = decodeImage(bytes, size, where, m_channels, m_width, m_height);
    std::memcpy(out, decoded.pixels.data(), itemSize);
}

at::Tensor SplitImages::all(int threads) const
{
    const std::int64_t n = size(), c = m_channels, h = m_height, w = m_width;
    at::Tensor hwc = torch::empty({n, h, w, c}, torch::kUInt8);
    std::uint8_t *out = hwc.data_ptr<std::uint8_t>();
    const std::size_t itemSize = sampleBytes();
    if (!decodes()) { // raw pixels: one copy
        for (std::int64_t i = 0; i < n; ++i)
            std::memcpy(out + i * itemSize,
                        m_bytes.data() + m_entries[static_cast<std::size_t>(i)].offset, itemSize);
    } else {
        const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
        const unsigned count = std::min<unsigned>(threads > 0 ? threads : cores, 16);
        std::atomic<std::int64_t> next{0};
        std::exception_ptr failure;
        std::mutex failureLock;
        const auto work = [&] {
            for (std::int64_t i = next++; i < n; i = next++) {
                try {
                    read(i, out + i * itemSize);
                } catch (...) {
                    const std::lock_guard<std::mutex> lock(failureLock);
                    if (!failure)
                        failure = std::current_exception();
                    next = n;
                }
            }
        };
        std::vector<std::thread> workers;
        for (unsigned t = 1; t < count; ++t)
            workers.emplace_back(work);
        work();
        for (std::thread &worker : workers)
            worker.join();
        if (failure)
            std::rethrow_exception(failure);
    }
    // Stored as [H, W, C]; for C = 1 that is already [1, H, W].
    return c == 1 ? hwc.view({n, 1, h, w}) : hwc.permute({0, 3, 1, 2}).contiguous();
}

} // namespace mtl::data
