#pragma once
// The IDX file format of MNIST and Fashion-MNIST: a 4-byte magic (0, 0, type, rank), rank
// big-endian uint32 dimensions, then the values row-major. Only unsigned bytes (type 0x08)
// are images and labels in practice, and only those are accepted.

#include <cstdint>
#include <string>
#include <vector>

namespace mtl::data {

struct IdxArray {
    std::vector<std::uint32_t> dims; // e.g. [60000, 28, 28] for images, [60000] for labels
    std::vector<std::uint8_t> bytes; // the whole decompressed file
    std::size_t dataOffset = 0;      // where the values start in bytes

    std::uint64_t count() const { return dims.empty() ? 0 : dims[0]; }
    std::uint64_t itemSize() const; // product of dims[1..]
    const std::uint8_t *item(std::uint64_t i) const { return bytes.data() + dataOffset + i * itemSize(); }
};

// Parses an in-memory IDX file; `source` names it in errors, which give the byte offset.
IdxArray parseIdx(std::vector<std::uint8_t> bytes, const std::string &source);
// Reads (inflating .gz transparently) and parses.
IdxArray readIdx(const std::string &path);

} // namespace mtl::data
