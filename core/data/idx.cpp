#include "data/idx.h"

#include "common/error.h"
#include "data/gzipfile.h"

namespace mtl::data {

std::uint64_t IdxArray::itemSize() const
{
    std::uint64_t size = 1;
    for (std::size_t i = 1; i < dims.size(); ++i)
        size *= dims[i];
    return size;
}

IdxArray parseIdx(std::vector<std::uint8_t> bytes, const std::string &source)
{
    if (bytes.size() < 4)
        throw offsetError(source, static_cast<std::int64_t>(bytes.size()),
                          "not an IDX file: " + std::to_string(bytes.size()) +
                              " bytes, too short for the 4-byte header");
    if (bytes[0] != 0 || bytes[1] != 0)
        throw offsetError(source, 0, "not an IDX file: the magic number must start with two zero bytes");
    if (bytes[2] != 0x08) {
        char hex[8];
        std::snprintf(hex, sizeof hex, "0x%02X", bytes[2]);
        throw offsetError(source, 2,
                          std::string("unsupported IDX value type ") + hex +
                              "; only unsigned bytes (0x08) are supported");
    }
    const int rank = bytes[3];
    if (rank < 1 || rank > 4)
        throw offsetError(source, 3, "unsupported IDX rank " + std::to_string(rank) +
                                         "; expected 1 (labels) to 4 (images with channels)");
    const std::size_t header = 4 + 4 * static_cast<std::size_t>(rank);
    if (bytes.size() < header)
        throw offsetError(source, static_cast<std::int64_t>(bytes.size()),
                          "truncated header: " + std::to_string(rank) +
                              " dimensions need " + std::to_string(header) + " bytes");
    IdxArray array;
    std::uint64_t total = 1;
    for (int d = 0; d < rank; ++d) {
        const std::uint8_t *p = bytes.data() + 4 + 4 * d;
        const std::uint32_t dim = (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) |
                                  (std::uint32_t(p[2]) << 8) | std::uint32_t(p[3]);
        if (d > 0 && dim == 0)
            throw offsetError(source, 4 + 4 * d, "dimension " + std::to_string(d) + " is zero");
        // Checked before multiplying: 2^20 * 2^20 * 2^24 would wrap around to 0.
        constexpr std::uint64_t limit = std::uint64_t(1) << 40;
        if (dim != 0 && total > limit / dim)
            throw offsetError(source, 4 + 4 * d, "dimensions are implausibly large");
        total *= dim;
        array.dims.push_back(dim);
    }
    const std::uint64_t expected = header + total;
    if (bytes.size() < expected) {
        const std::uint64_t itemSize = total / std::max<std::uint64_t>(array.dims[0], 1);
        const std::uint64_t complete = itemSize ? (bytes.size() - header) / itemSize : 0;
        throw offsetError(source, static_cast<std::int64_t>(bytes.size()),
                          "truncated data: the header announces " + std::to_string(array.dims[0]) +
                              " items (" + std::to_string(expected) + " bytes) but the file ends after " +
                              std::to_string(complete) + " complete items");
    }
    if (bytes.size() > expected)
        throw offsetError(source, static_cast<std::int64_t>(expected),
                          std::to_string(bytes.size() - expected) +
                              " unexpected bytes after the last item");
    array.dataOffset = header;
    array.bytes = std::move(bytes);
    return array;
}

IdxArray readIdx(const std::string &path) { return parseIdx(readMaybeGzipped(path), path); }

} // namespace mtl::data
