#include "data/augment.h"

#include "common/error.h"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>

namespace mtl::data {

namespace {

Error inputError(const std::string &key, const std::string &message)
{
    ErrorLocation where;
    where.key = "input." + key;
    return Error(ErrorCode::Config, message, where);
}

std::string sizeText(int width, int height)
{
    return std::to_string(width) + "×" + std::to_string(height);
}

// splitmix64: a well-mixed 64-bit function, so neighbouring sample ids draw unrelated values.
std::uint64_t mix(std::uint64_t x)
{
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

class Draws {
public:
    explicit Draws(std::uint64_t state)
        : m_state(state)
    {}
    double uniform() { return static_cast<double>((m_state = mix(m_state)) >> 11) * 0x1.0p-53; }
    int below(int n) { return n <= 1 ? 0 : static_cast<int>(uniform() * n); }
    float factor(double range)
    {
        return range > 0 ? static_cast<float>(1.0 + (2.0 * uniform() - 1.0) * range) : 1.0f;
    }

private:
    std::uint64_t m_state;
};

int cvType(c10::ScalarType type)
{
    switch (type) {
    case c10::ScalarType::Byte:
        return CV_8U;
    case c10::ScalarType::Short:
        return CV_16U; // uint16 bits
    case c10::ScalarType::Float:
        return CV_32F;
    default:
        throw Error(ErrorCode::Training, std::string("a target map of type ") +
                                             c10::toString(type) +
                                             " cannot follow the input transforms");
    }
}

// Mirrors the x component of unit normals where a pixel is labelled (some channel non-zero).
template <typename T> void flipNormalX(T *planes, std::size_t pixels, double flipSum)
{
    T *x = planes, *y = planes + pixels, *z = planes + 2 * pixels;
    for (std::size_t i = 0; i < pixels; ++i)
        if (x[i] != 0 || y[i] != 0 || z[i] != 0)
            x[i] = static_cast<T>(flipSum - static_cast<double>(x[i]));
}

} // namespace

InputTransform::InputTransform(const InputOptions &options, ImageSize stored, bool training,
                               std::vector<double> mean, std::vector<double> std)
    : m_options(options)
    , m_stored(stored)
    , m_resized(stored)
    , m_training(training)
{
    if (options.resizeWidth > 0 && options.resizeHeight > 0) {
        m_resized.width = options.resizeWidth;
        m_resized.height = options.resizeHeight;
    }
    m_output = m_resized;
    if (options.crop != "none") {
        if (options.cropWidth > m_resized.width || options.cropHeight > m_resized.height)
            throw inputError("crop_size",
                             "a crop of " + sizeText(options.cropWidth, options.cropHeight) +
                                 " does not fit the " +
                                 sizeText(m_resized.width, m_resized.height) + " images" +
                                 (options.resizeWidth > 0 ? " after the resize" : ""));
        m_output.width = options.cropWidth;
        m_output.height = options.cropHeight;
    }
    const auto channels = static_cast<std::size_t>(stored.channels);
    if (options.normalize == "none") {
        mean.assign(channels, 0.0);
        std.assign(channels, 1.0);
    } else if (options.normalize == "custom") {
        mean = options.mean;
        std = options.std;
    }
    const std::string key = options.normalize == "custom" ? "mean" : "normalize";
    if (mean.size() != channels || std.size() != channels)
        throw inputError(key, "needs one mean and one std per channel: the images have " +
                                  std::to_string(channels) +
                                  (channels == 1 ? " channel" : " channels") +
                                  (options.normalize == "dataset"
                                       ? "; this dataset has no statistics (import it again)"
                                       : ""));
    for (std::size_t c = 0; c < channels; ++c) {
        if (!(std[c] > 0))
            throw inputError(options.normalize == "custom" ? "std" : "normalize",
                             "a standard deviation must be above 0");
        // (v / 255 − mean) / std for every byte, computed as the in-memory source divides:
        // without normalisation the pipeline's pixels equal its bit for bit.
        for (int v = 0; v < 256; ++v)
            m_lookup.push_back((static_cast<float>(v) / 255.0f - static_cast<float>(mean[c])) /
                               static_cast<float>(std[c]));
        m_scale.push_back(static_cast<float>(1.0 / (255.0 * std[c])));
        m_shift.push_back(static_cast<float>(-mean[c] / std[c]));
    }
    if (options.saturation > 0 && stored.channels != 3)
        throw inputError("saturation", "needs colour images; these have " +
                                           std::to_string(stored.channels) + " channel");
}

SampleDraw InputTransform::draw(std::uint64_t seed, int epoch, std::int64_t sampleId) const
{
    SampleDraw d;
    const int spareX = m_resized.width - m_output.width,
              spareY = m_resized.height - m_output.height;
    d.cropX = spareX / 2;
    d.cropY = spareY / 2;
    if (!m_training)
        return d;
    Draws draws(mix(
        seed ^ mix(static_cast<std::uint64_t>(epoch) ^ mix(static_cast<std::uint64_t>(sampleId)))));
    if (m_options.crop == "random") {
        d.cropX = draws.below(spareX + 1);
        d.cropY = draws.below(spareY + 1);
    }
    if (m_options.hflip)
        d.flip = draws.uniform() < 0.5;
    d.brightness = draws.factor(m_options.brightness);
    d.contrast = draws.factor(m_options.contrast);
    d.saturation = draws.factor(m_options.saturation);
    return d;
}

void InputTransform::image(const std::uint8_t *hwc, const SampleDraw &draw, float *out,
                           std::uint8_t *pixels) const
{
    const int c = m_stored.channels;
    cv::Mat image(m_stored.height, m_stored.width, CV_8UC(c), const_cast<std::uint8_t *>(hwc));
    if (m_resized.width != m_stored.width || m_resized.height != m_stored.height) {
        const bool shrinking =
            m_resized.width < m_stored.width || m_resized.height < m_stored.height;
        cv::Mat resized;
        cv::resize(image, resized, cv::Size(m_resized.width, m_resized.height), 0, 0,
                   shrinking ? cv::INTER_AREA : cv::INTER_LINEAR);
        image = resized;
    }
    const int h = m_output.height, w = m_output.width;
    image = image(cv::Rect(draw.cropX, draw.cropY, w, h));
    if (draw.flip) {
        cv::Mat flipped;
        cv::flip(image, flipped, 1);
        image = flipped;
    }
    const std::size_t plane = static_cast<std::size_t>(h) * w;
    const bool jitter = draw.brightness != 1.0f || draw.contrast != 1.0f || draw.saturation != 1.0f;
    if (!jitter) {
        for (int y = 0; y < h; ++y) {
            const std::uint8_t *row = image.ptr<std::uint8_t>(y);
            for (int x = 0; x < w; ++x)
                for (int k = 0; k < c; ++k) {
                    const std::uint8_t v = row[x * c + k];
                    out[k * plane + y * w + x] = m_lookup[k * 256 + v];
                    if (pixels)
                        pixels[k * plane + y * w + x] = v;
                }
        }
        return;
    }
    // Colour jitter in float, clamped to [0, 255] after each step as torchvision does.
    std::vector<float> values(plane * c);
    for (int y = 0; y < h; ++y) {
        const std::uint8_t *row = image.ptr<std::uint8_t>(y);
        for (int x = 0; x < w * c; ++x)
            values[y * w * c + x] = std::min(255.0f, row[x] * draw.brightness);
    }
    const auto gray = [&](std::size_t i) {
        return c == 3 ? 0.299f * values[i * 3] + 0.587f * values[i * 3 + 1] +
                            0.114f * values[i * 3 + 2]
                      : values[i];
    };
    if (draw.contrast != 1.0f) {
        double sum = 0;
        for (std::size_t i = 0; i < plane; ++i)
            sum += gray(i);
        const float mean = static_cast<float>(sum / plane);
        for (float &v : values)
            v = std::clamp((v - mean) * draw.contrast + mean, 0.0f, 255.0f);
    }
    if (draw.saturation != 1.0f && c == 3)
        for (std::size_t i = 0; i < plane; ++i) {
            const float g = gray(i);
            for (int k = 0; k < 3; ++k)
                values[i * 3 + k] =
                    std::clamp((values[i * 3 + k] - g) * draw.saturation + g, 0.0f, 255.0f);
        }
    for (std::size_t i = 0; i < plane; ++i)
        for (int k = 0; k < c; ++k) {
            const float v = values[i * c + k];
            out[k * plane + i] = v * m_scale[k] + m_shift[k];
            if (pixels)
                pixels[k * plane + i] = static_cast<std::uint8_t>(std::lround(v));
        }
}

void InputTransform::map(const void *chw, int channels, c10::ScalarType type,
                         const TargetGeometry &geometry, const SampleDraw &draw, void *out) const
{
    const int depth = cvType(type);
    const std::size_t item = c10::elementSize(type);
    const std::size_t inPlane = static_cast<std::size_t>(m_stored.height) * m_stored.width;
    const int h = m_output.height, w = m_output.width;
    const std::size_t outPlane = static_cast<std::size_t>(h) * w;
    for (int k = 0; k < channels; ++k) {
        cv::Mat plane(m_stored.height, m_stored.width, depth,
                      const_cast<char *>(static_cast<const char *>(chw) + k * inPlane * item));
        if (m_resized.width != m_stored.width || m_resized.height != m_stored.height) {
            cv::Mat resized;
            cv::resize(plane, resized, cv::Size(m_resized.width, m_resized.height), 0, 0,
                       cv::INTER_NEAREST);
            plane = resized;
        }
        cv::Mat target(h, w, depth, static_cast<char *>(out) + k * outPlane * item);
        const cv::Mat cropped = plane(cv::Rect(draw.cropX, draw.cropY, w, h));
        if (draw.flip)
            cv::flip(cropped, target, 1);
        else
            cropped.copyTo(target);
    }
    if (draw.flip && geometry.kind == TargetGeometry::Kind::Normals && channels == 3) {
        switch (type) {
        case c10::ScalarType::Byte:
            flipNormalX(static_cast<std::uint8_t *>(out), outPlane, geometry.flipSum);
            break;
        case c10::ScalarType::Short:
            flipNormalX(static_cast<std::uint16_t *>(out), outPlane, geometry.flipSum);
            break;
        default:
            flipNormalX(static_cast<float *>(out), outPlane, geometry.flipSum);
            break;
        }
    }
}

} // namespace mtl::data
