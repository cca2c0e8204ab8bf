#pragma once
// The transforms of the "input" config applied to one sample: resize, crop, flip, colour
// jitter and normalisation of the image, and the same geometry on its dense targets (nearest
// neighbour, so label maps keep their labels; the x component of a normal map changes sign
// when the image is mirrored). Random choices come from the seed, the epoch and the sample
// id alone, so a run's augmentation is the same whatever the number of worker threads.
//   InputTransform transform(options, {3, 64, 64}, true, mean, std);
//   const SampleDraw draw = transform.draw(seed, epoch, sampleId);
//   transform.image(hwc, draw, out);  transform.map(plane, 1, at::kByte, geometry, draw, mapOut);

#include "data/inputoptions.h"

#include <c10/core/ScalarType.h>

#include <cstdint>
#include <vector>

namespace mtl::data {

// How a task's target follows the image.
struct TargetGeometry {
    enum class Kind {
        None,    // a per-sample value (class, attributes): untouched
        Map,     // a per-pixel map [C, H, W]: resized, cropped and mirrored with the image
        Normals, // a map of unit normals [3, H, W]: as Map, and channel 0 = flipSum − x when
                 // mirrored (the stored value of −x; 255 for bytes holding (n + 1) · 127.5)
        Input,   // the transformed image itself before normalisation (reconstruction)
    };
    Kind kind = Kind::None;
    double flipSum = 0.0;
};

struct ImageSize {
    int channels = 0, height = 0, width = 0;
};

// One sample's draw of the random transforms.
struct SampleDraw {
    int cropX = 0, cropY = 0;
    bool flip = false;
    float brightness = 1.0f, contrast = 1.0f, saturation = 1.0f;
};

class InputTransform {
public:
    // `stored`: the dataset's image size. `training`: random transforms on; off, a random
    // crop is the centre crop and nothing else is drawn. `mean`/`std`: per channel, used when
    // options.normalize is not "none". Throws Error(Config) at the "input.…" key that does not
    // fit the dataset (a crop larger than the image, a mean of the wrong length).
    InputTransform(const InputOptions &options, ImageSize stored, bool training,
                   std::vector<double> mean = {}, std::vector<double> std = {});

    ImageSize stored() const { return m_stored; }
    // What the model sees: channels × height × width after resize and crop.
    ImageSize output() const { return m_output; }
    bool training() const { return m_training; }

    SampleDraw draw(std::uint64_t seed, int epoch, std::int64_t sampleId) const;
    // `hwc`: uint8 [H, W, C] at the stored size. Writes float [C, h, w] of output() to `out`,
    // and when `pixels` is given the same image as uint8 before normalisation.
    void image(const std::uint8_t *hwc, const SampleDraw &draw, float *out,
               std::uint8_t *pixels = nullptr) const;
    // `chw`: a target map [channels, H, W] at the stored size, of `type` (uint8, int16 holding
    // uint16 bits, float32). Writes [channels, h, w] of output() to `out`.
    void map(const void *chw, int channels, c10::ScalarType type, const TargetGeometry &geometry,
             const SampleDraw &draw, void *out) const;

private:
    InputOptions m_options;
    ImageSize m_stored, m_resized, m_output;
    bool m_training;
    std::vector<float> m_scale, m_shift; // per channel: out = pixel · scale + shift
    std::vector<float> m_lookup;         // [channel][byte]: the output of a byte
};

} // namespace mtl::data
