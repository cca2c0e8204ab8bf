#pragma once
// A minimal PNG encoder for 8-bit grayscale images (what the attention-mask probe stores):
// one IHDR, one zlib-compressed IDAT with filter "none" on every row, IEND. Any PNG reader
// (Qt's QImage, browsers, OpenCV) decodes it.

#include <cstdint>
#include <string>

namespace mtl {

// `pixels`: width × height bytes, row by row. Returns the PNG file's bytes.
std::string encodeGrayPng(const std::uint8_t *pixels, int width, int height);

} // namespace mtl
