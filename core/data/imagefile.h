#pragma once
// Image files as datasets ship them: PNG and JPEG. probeImage() reads only the header (what an
// import checks for every row); decodeImage() decodes with OpenCV to the 8-bit pixels the
// trainer takes. No OpenCV type appears here.

#include "store/records.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mtl::data {

struct ImageHeader {
    store::ImageEncoding encoding = store::ImageEncoding::Png; // Png or Jpeg
    int width = 0, height = 0;
    int channels = 0; // after decoding: 1 (grayscale) or 3 (colour); an alpha channel is dropped
    int bitDepth = 8; // 8 or 16 (PNG)
};

// Reads the header of the file at `path`. Throws Error(InvalidInput) naming `path` for a
// missing, unreadable or zero-byte file, one that is neither PNG nor JPEG, or a header cut short.
ImageHeader probeImage(const std::string &path);
// The same for bytes in memory; `source` names them in errors.
ImageHeader probeImage(const void *data, std::size_t size, const std::string &source);

// The whole file's bytes. Throws Error(Io) naming `path`.
std::string readImageFile(const std::string &path);

struct DecodedImage {
    int width = 0, height = 0, channels = 0;
    std::vector<std::uint8_t> pixels; // row-major [H, W, C], RGB order for colour
};

// Decodes PNG or JPEG bytes to `channels` (1: grayscale; 3: RGB; 0: as stored, alpha dropped)
// 8-bit channels — a 16-bit image is scaled to 8 bits — and, when width and height are given
// and differ from the image's, resizes it (area averaging when shrinking, bilinear when
// growing). Throws Error(InvalidInput) naming `source` when the bytes do not decode.
DecodedImage decodeImage(const void *data, std::size_t size, const std::string &source,
                         int channels = 0, int width = 0, int height = 0);

// A PNG holding labels rather than pixels (a segmentation, a 16-bit depth map, normals as
// RGB): the values as stored, 8 or 16 bits, colour in RGB order, alpha dropped.
struct DecodedMap {
    int width = 0, height = 0, channels = 0;
    int bitDepth = 8;
    std::vector<std::uint16_t> values; // row-major [H, W, C]
};
// Throws Error(InvalidInput) naming `source` when the bytes do not decode.
DecodedMap decodeMapImage(const void *data, std::size_t size, const std::string &source);

// PNG bytes of an 8-bit image (1 or 3 channels, RGB order), compressed losslessly.
std::string encodePng(const DecodedImage &image);

} // namespace mtl::data
