#include "common/png.h"

#include "common/error.h"

#include <zlib.h>

#include <vector>

namespace mtl {

namespace {

void putBigEndian(std::string &out, std::uint32_t value)
{
    for (int shift = 24; shift >= 0; shift -= 8)
        out.push_back(static_cast<char>((value >> shift) & 0xFFu));
}

// Length, type, data, CRC-32 of type and data.
void putChunk(std::string &out, const char type[4], const std::string &data)
{
    putBigEndian(out, static_cast<std::uint32_t>(data.size()));
    const std::size_t start = out.size();
    out.append(type, 4);
    out += data;
    const auto crc = crc32(0L, reinterpret_cast<const Bytef *>(out.data() + start),
                           static_cast<uInt>(out.size() - start));
    putBigEndian(out, static_cast<std::uint32_t>(crc));
}

} // namespace

std::string encodeGrayPng(const std::uint8_t *pixels, int width, int height)
{
    if (width <= 0 || height <= 0)
        throw Error(ErrorCode::InvalidInput, "a PNG needs a positive width and height");
    // Each row: filter byte 0 (none), then its pixels.
    std::vector<std::uint8_t> raw;
    raw.reserve(static_cast<std::size_t>(height) * (static_cast<std::size_t>(width) + 1));
    for (int y = 0; y < height; ++y) {
        raw.push_back(0);
        raw.insert(raw.end(), pixels + static_cast<std::size_t>(y) * width,
                   pixels + static_cast<std::size_t>(y + 1) * width);
    }
    uLongf size = compressBound(static_cast<uLong>(raw.size()));
    std::string compressed(size, '\0');
    if (compress2(reinterpret_cast<Bytef *>(compressed.data()), &size, raw.data(),
                  static_cast<uLong>(raw.size()), 9) != Z_OK)
        throw Error(ErrorCode::Io, "zlib could not compress a PNG's pixels");
    compressed.resize(size);

    std::string png("\x89PNG\r\n\x1a\n", 8);
    std::string header;
    putBigEndian(header, static_cast<std::uint32_t>(width));
    putBigEndian(header, static_cast<std::uint32_t>(height));
    header += std::string("\x08\x00\x00\x00\x00", 5); // 8 bits, grayscale, deflate, no interlace
    putChunk(png, "IHDR", header);
    putChunk(png, "IDAT", compressed);
    putChunk(png, "IEND", {});
    return png;
}

} // namespace mtl
