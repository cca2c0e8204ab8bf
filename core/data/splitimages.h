#pragma once
// The images of one split as the trainer reads them: raw pixels copied into memory, PNG and
// JPEG bytes kept encoded (those the project holds), and the paths of those it only references
// under the dataset's root. read() decodes one sample; it is what the pipeline's workers call.
//   const SplitImages images = SplitImages::load(project, dataset, "train");
//   std::vector<std::uint8_t> hwc(images.sampleBytes());  images.read(i, hwc.data());

#include "store/records.h"

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>
#include <vector>

namespace mtl::store {
class Project;
}

namespace mtl::data {

class SplitImages {
public:
    // Reads the split's images from the project. Throws Error(NotFound) naming the dataset's
    // root (and the relocate command) when images are referenced there and the folder is gone,
    // Error(InvalidInput) when a raw sample's size does not match the dataset's.
    static SplitImages load(store::Project &project, const store::DatasetInfo &dataset,
                            const std::string &split);

    std::int64_t size() const { return static_cast<std::int64_t>(m_sampleIds.size()); }
    const std::vector<std::int64_t> &sampleIds() const { return m_sampleIds; }
    int channels() const { return m_channels; }
    int height() const { return m_height; }
    int width() const { return m_width; }
    std::size_t sampleBytes() const
    {
        return static_cast<std::size_t>(m_channels) * m_height * m_width;
    }
    // Some samples are encoded (PNG/JPEG) and read() decodes them.
    bool decodes() const { return m_encoded > 0; }
    // Some samples are only referenced by path, and read() opens their files.
    bool readsFiles() const { return m_files > 0; }

    // Writes sample `index`'s pixels, uint8 [H, W, C] at the dataset's size, to `out`
    // (sampleBytes() bytes). Thread-safe. Throws Error naming the file or sample.
    void read(std::int64_t index, std::uint8_t *out) const;
    // Every sample, uint8 [N, C, H, W], decoded on `threads` threads (0: one per core).
    at::Tensor all(int threads = 0) const;

private:
    struct Entry {
        store::ImageEncoding encoding = store::ImageEncoding::Raw;
        std::size_t offset = 0, size = 0; // in m_bytes; size 0: read the file
        std::string path;                 // absolute, when the project does not hold the bytes
    };
    std::string m_name; // the dataset's, for errors
    int m_channels = 0, m_height = 0, m_width = 0;
    std::vector<std::int64_t> m_sampleIds;
    std::vector<Entry> m_entries;
    std::string m_bytes; // raw pixels and encoded files, back to back
    std::int64_t m_encoded = 0, m_files = 0;
};

} // namespace mtl::data
