#include "data/imagefile.h"

#include "common/error.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <cstring>
#include <fstream>

namespace mtl::data {

namespace {

constexpr unsigned char kPngSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

std::uint32_t bigEndian32(const unsigned char *p)
{
    return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8) |
           std::uint32_t(p[3]);
}

int bigEndian16(const unsigned char *p)
{
    return (int(p[0]) << 8) | int(p[1]);
}

ImageHeader pngHeader(const unsigned char *p, std::size_t size, const std::string &source)
{
    // Signature, then the IHDR chunk: length, "IHDR", width, height, bit depth, colour type.
    if (size < 33 || std::memcmp(p + 12, "IHDR", 4) != 0)
        throw offsetError(source, 8, "a PNG file without its IHDR header (cut short?)");
    ImageHeader header;
    header.encoding = store::ImageEncoding::Png;
    const std::uint32_t width = bigEndian32(p + 16), height = bigEndian32(p + 20);
    if (width == 0 || height == 0 || width > 65535 || height > 65535)
        throw offsetError(source, 16,
                          "a PNG image of " + std::to_string(width) + "×" + std::to_string(height) +
                              " pixels (each side must be 1–65535)");
    header.width = static_cast<int>(width);
    header.height = static_cast<int>(height);
    header.bitDepth = p[24] == 16 ? 16 : 8;
    switch (p[25]) {
    case 0: // grayscale
    case 4: // grayscale + alpha
        header.channels = 1;
        break;
    case 2: // RGB
    case 3: // palette
    case 6: // RGBA
        header.channels = 3;
        break;
    default:
        throw offsetError(source, 25, "a PNG file of unknown colour type " + std::to_string(p[25]));
    }
    return header;
}

ImageHeader jpegHeader(const unsigned char *p, std::size_t size, const std::string &source)
{
    // Segments after SOI: FF marker, then a big-endian length that counts itself. The frame
    // header (SOF0–SOF15 but DHT C4, JPG C8 and DAC CC) holds precision, height, width and
    // the number of components.
    std::size_t at = 2;
    while (at + 4 <= size) {
        if (p[at] != 0xFF)
            throw offsetError(source, static_cast<std::int64_t>(at),
                              "a JPEG file with a broken segment marker");
        const unsigned char marker = p[at + 1];
        if (marker == 0xFF) { // fill byte
            ++at;
            continue;
        }
        if (marker == 0xD9 || marker == 0xDA) // EOI or SOS before a frame header
            break;
        const int length = bigEndian16(p + at + 2);
        const bool frame =
            marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
        if (frame) {
            if (at + 10 > size)
                break;
            ImageHeader header;
            header.encoding = store::ImageEncoding::Jpeg;
            header.height = bigEndian16(p + at + 5);
            header.width = bigEndian16(p + at + 7);
            const int components = p[at + 9];
            header.channels = components == 1 ? 1 : 3;
            if (header.width == 0 || header.height == 0)
                throw offsetError(source, static_cast<std::int64_t>(at + 5),
                                  "a JPEG image of " + std::to_string(header.width) + "×" +
                                      std::to_string(header.height) + " pixels");
            return header;
        }
        at += 2 + static_cast<std::size_t>(length);
    }
    throw offsetError(source, static_cast<std::int64_t>(std::min(at, size)),
                      "a JPEG file without a frame header (cut short?)");
}

} // namespace

ImageHeader probeImage(const void *data, std::size_t size, const std::string &source)
{
    const auto *p = static_cast<const unsigned char *>(data);
    if (size == 0)
        throw Error(ErrorCode::InvalidInput, "a zero-byte file, not an image", {source});
    if (size >= 8 && std::memcmp(p, kPngSignature, 8) == 0)
        return pngHeader(p, size, source);
    if (size >= 3 && p[0] == 0xFF && p[1] == 0xD8 && p[2] == 0xFF)
        return jpegHeader(p, size, source);
    throw Error(ErrorCode::InvalidInput, "not a PNG or JPEG image", {source});
}

ImageHeader probeImage(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error(ErrorCode::InvalidInput, "cannot be opened", {path});
    // A JPEG's frame header follows its EXIF and other application segments, which fit in the
    // first 64 KiB for all but huge embedded thumbnails; read more only when it is not there.
    std::string head(64 * 1024, '\0');
    in.read(head.data(), static_cast<std::streamsize>(head.size()));
    head.resize(static_cast<std::size_t>(in.gcount()));
    try {
        return probeImage(head.data(), head.size(), path);
    } catch (const Error &) {
        if (head.size() < 64 * 1024)
            throw;
    }
    const std::string whole = readImageFile(path);
    return probeImage(whole.data(), whole.size(), path);
}

std::string readImageFile(const std::string &path)
{
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    if (!in)
        throw Error(ErrorCode::Io, "cannot be opened", {path});
    const auto size = static_cast<std::size_t>(in.tellg());
    std::string bytes(size, '\0');
    in.seekg(0);
    if (!in.read(bytes.data(), static_cast<std::streamsize>(size)))
        throw Error(ErrorCode::Io, "could not be read", {path});
    return bytes;
}

namespace {

cv::Mat decodeUnchanged(const void *data, std::size_t size, const std::string &source)
{
    const cv::Mat encoded(1, static_cast<int>(size), CV_8U, const_cast<void *>(data));
    cv::Mat image;
    try {
        image = cv::imdecode(encoded, cv::IMREAD_UNCHANGED);
    } catch (const cv::Exception &e) {
        throw Error(ErrorCode::InvalidInput, std::string("does not decode: ") + e.what(), {source});
    }
    if (image.empty())
        throw Error(ErrorCode::InvalidInput, "does not decode as PNG or JPEG (damaged?)", {source});
    return image;
}

} // namespace

DecodedImage decodeImage(const void *data, std::size_t size, const std::string &source,
                         int channels, int width, int height)
{
    cv::Mat image = decodeUnchanged(data, size, source);
    if (image.depth() == CV_16U)
        image.convertTo(image, CV_8U, 1.0 / 257.0);
    else if (image.depth() != CV_8U)
        throw Error(ErrorCode::InvalidInput, "has pixels of a type other than 8 or 16 bits",
                    {source});
    if (image.channels() == 2) { // grayscale + alpha, as OpenCV may return it
        cv::Mat gray;
        cv::extractChannel(image, gray, 0);
        image = gray;
    }
    const int stored = image.channels();
    const int wanted = channels > 0 ? channels : (stored >= 3 ? 3 : 1);
    cv::Mat converted;
    if (wanted == 1 && stored == 1)
        converted = image;
    else if (wanted == 1)
        cv::cvtColor(image, converted, stored == 4 ? cv::COLOR_BGRA2GRAY : cv::COLOR_BGR2GRAY);
    else
        cv::cvtColor(image, converted,
                     stored == 1   ? cv::COLOR_GRAY2RGB
                     : stored == 4 ? cv::COLOR_BGRA2RGB
                                   : cv::COLOR_BGR2RGB);
    if (width > 0 && height > 0 && (converted.cols != width || converted.rows != height)) {
        const bool shrinking = width < converted.cols || height < converted.rows;
        cv::Mat resized;
        cv::resize(converted, resized, cv::Size(width, height), 0, 0,
                   shrinking ? cv::INTER_AREA : cv::INTER_LINEAR);
        converted = resized;
    }
    DecodedImage result;
    result.width = converted.cols;
    result.height = converted.rows;
    result.channels = converted.channels();
    result.pixels.resize(static_cast<std::size_t>(result.width) * result.height * result.channels);
    const std::size_t rowBytes = static_cast<std::size_t>(result.width) * result.channels;
    for (int y = 0; y < result.height; ++y)
        std::memcpy(result.pixels.data() + y * rowBytes, converted.ptr(y), rowBytes);
    return result;
}

DecodedMap decodeMapImage(const void *data, std::size_t size, const std::string &source)
{
    cv::Mat image = decodeUnchanged(data, size, source);
    if (image.depth() != CV_8U && image.depth() != CV_16U)
        throw Error(ErrorCode::InvalidInput, "has values of a type other than 8 or 16 bits",
                    {source});
    if (image.channels() == 2) // grey + alpha
        cv::extractChannel(image, image, 0);
    else if (image.channels() == 4)
        cv::cvtColor(image, image, cv::COLOR_BGRA2RGB);
    else if (image.channels() == 3)
        cv::cvtColor(image, image, cv::COLOR_BGR2RGB);
    cv::Mat wide;
    image.convertTo(wide, CV_16U);
    DecodedMap map;
    map.width = wide.cols;
    map.height = wide.rows;
    map.channels = wide.channels();
    map.bitDepth = image.depth() == CV_16U ? 16 : 8;
    map.values.resize(static_cast<std::size_t>(map.width) * map.height * map.channels);
    const std::size_t rowValues = static_cast<std::size_t>(map.width) * map.channels;
    for (int y = 0; y < map.height; ++y)
        std::memcpy(map.values.data() + y * rowValues, wide.ptr(y),
                    rowValues * sizeof(std::uint16_t));
    return map;
}

std::string encodePng(const DecodedImage &image)
{
    const cv::Mat pixels(image.height, image.width, image.channels == 3 ? CV_8UC3 : CV_8UC1,
                         const_cast<std::uint8_t *>(image.pixels.data()));
    cv::Mat stored = pixels;
    if (image.channels == 3)
        cv::cvtColor(pixels, stored, cv::COLOR_RGB2BGR);
    std::vector<unsigned char> bytes;
    if (!cv::imencode(".png", stored, bytes))
        throw Error(ErrorCode::Io, "OpenCV could not encode a PNG");
    return std::string(bytes.begin(), bytes.end());
}

} // namespace mtl::data
