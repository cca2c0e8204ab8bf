#include "data/idx.h"

#include "common/error.h"
#include "data/gzipfile.h"

#include <algorithm>
#include <cstdio>
#include <limits>

namespace mtl::data {

std::uint64_t IdxArray::itemSize() const
{
    std::uint64_t size = 1;
    for (std::size_t i = 1; i < dims.size(); ++i)
        size *= dims[i];
    return size;
}

namespace {

struct IdxHeader {
    std::vector<std::uint32_t> dims;
    std::size_t size = 0;     // bytes of the header
    std::uint64_t values = 0; // bytes of values the header announces
};

// The 4-byte magic; returns the rank. `available` bytes start at `bytes`.
int checkMagic(const std::uint8_t *bytes, std::size_t available, const std::string &source)
{
    if (available < 4)
        throw offsetError(source, static_cast<std::int64_t>(available),
                          "not an IDX file: " + std::to_string(available) +
                              " bytes, too short for the 4-byte header");
    if (bytes[0] != 0 || bytes[1] != 0)
        throw offsetError(source, bytes[0] != 0 ? 0 : 1,
                          "not an IDX file: the magic number must start with two zero bytes");
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
    return rank;
}

// The whole header, from the magic and the `available` bytes after it.
IdxHeader parseHeader(const std::uint8_t *bytes, std::size_t available, const std::string &source)
{
    const int rank = checkMagic(bytes, available, source);
    IdxHeader header;
    header.size = 4 + 4 * static_cast<std::size_t>(rank);
    if (available < header.size)
        throw offsetError(source, static_cast<std::int64_t>(available),
                          "truncated header: " + std::to_string(rank) + " dimensions need " +
                              std::to_string(header.size) + " bytes");
    std::uint64_t total = 1;
    for (int d = 0; d < rank; ++d) {
        const std::uint8_t *p = bytes + 4 + 4 * d;
        const std::uint32_t dim = (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) |
                                  (std::uint32_t(p[2]) << 8) | std::uint32_t(p[3]);
        if (d > 0 && dim == 0)
            throw offsetError(source, 4 + 4 * d, "dimension " + std::to_string(d) + " is zero");
        // Checked before multiplying: 2^20 * 2^20 * 2^24 would wrap around to 0.
        constexpr std::uint64_t limit = std::uint64_t(1) << 40;
        if (dim != 0 && total > limit / dim)
            throw offsetError(source, 4 + 4 * d, "dimensions are implausibly large");
        total *= dim;
        header.dims.push_back(dim);
    }
    header.values = total;
    return header;
}

Error truncated(const std::string &source, const IdxHeader &header, std::uint64_t available)
{
    const std::uint64_t itemSize = header.values / std::max<std::uint64_t>(header.dims[0], 1);
    const std::uint64_t complete =
        itemSize && available > header.size ? (available - header.size) / itemSize : 0;
    return offsetError(source, static_cast<std::int64_t>(available),
                       "truncated data: the header announces " + std::to_string(header.dims[0]) +
                           " items (" + std::to_string(header.size + header.values) +
                           " bytes) but the file ends after " + std::to_string(complete) +
                           " complete items");
}

} // namespace

IdxArray parseIdx(std::vector<std::uint8_t> bytes, const std::string &source)
{
    const IdxHeader header = parseHeader(bytes.data(), bytes.size(), source);
    const std::uint64_t expected = header.size + header.values;
    if (bytes.size() < expected)
        throw truncated(source, header, bytes.size());
    if (bytes.size() > expected)
        throw offsetError(source, static_cast<std::int64_t>(expected),
                          std::to_string(bytes.size() - expected) +
                              " unexpected bytes after the last item");
    IdxArray array;
    array.dims = header.dims;
    array.dataOffset = header.size;
    array.bytes = std::move(bytes);
    return array;
}

IdxArray readIdx(const std::string &path)
{
    // The header first: a file that is not IDX is refused after at most 20 bytes, and no more
    // than the header announces is ever read or held.
    InputStream in(path);
    std::vector<std::uint8_t> bytes(20);
    std::size_t got = in.read(bytes.data(), 4);
    const int rank = checkMagic(bytes.data(), got, path);
    got += in.read(bytes.data() + 4, 4 * static_cast<std::size_t>(rank));
    const IdxHeader header = parseHeader(bytes.data(), got, path);
    const std::uint64_t expected = header.size + header.values;
    if (!in.compressed()) {
        // A plain file's size says at once whether it holds what the header announces.
        if (in.fileSize() < expected)
            throw truncated(path, header, in.fileSize());
        if (in.fileSize() > expected)
            throw offsetError(path, static_cast<std::int64_t>(expected),
                              std::to_string(in.fileSize() - expected) +
                                  " unexpected bytes after the last item");
    }
    if (expected > std::numeric_limits<std::size_t>::max())
        throw offsetError(path, 4, "dimensions are implausibly large");
    // A plain file's size was checked: it holds what the header says. A compressed one grows
    // as data arrives beyond 64 MiB, so one that ends early never costs what its header claims.
    std::size_t capacity = in.compressed()
                               ? std::min<std::uint64_t>(expected, std::uint64_t(64) << 20)
                               : expected;
    bytes.resize(capacity);
    std::size_t have = header.size;
    while (have < expected) {
        if (have == capacity) {
            capacity = static_cast<std::size_t>(std::min<std::uint64_t>(expected, 2ull * capacity));
            bytes.resize(capacity);
        }
        const std::size_t n = in.read(bytes.data() + have, capacity - have);
        if (n == 0)
            throw truncated(path, header, have);
        have += n;
    }
    std::uint8_t extra[4096];
    if (const std::size_t n = in.read(extra, sizeof extra); n > 0) {
        // Counted (up to 16 MiB), not kept.
        std::uint64_t more = n;
        while (more < (16u << 20))
            if (const std::size_t m = in.read(extra, sizeof extra); m > 0)
                more += m;
            else
                break;
        throw offsetError(path, static_cast<std::int64_t>(expected),
                          (more >= (16u << 20) ? "more than 16 MiB of" : std::to_string(more)) +
                              std::string(" unexpected bytes after the last item"));
    }
    IdxArray array;
    array.dims = header.dims;
    array.dataOffset = header.size;
    array.bytes = std::move(bytes);
    return array;
}

} // namespace mtl::data
