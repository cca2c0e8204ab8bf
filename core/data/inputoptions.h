#pragma once
// What the model sees of a sample, and how the pipeline makes it: the experiment config's
// "input" section (docs/CONFIG.md). Plain data; data/augment.h applies it.

#include <string>
#include <vector>

namespace mtl::data {

struct InputOptions {
    // Resizes every image to width × height first; 0: as stored.
    int resizeWidth = 0, resizeHeight = 0;
    // "none" | "center" | "random": a crop of cropWidth × cropHeight after the resize. In
    // evaluation a random crop is the centre crop.
    std::string crop = "none";
    int cropWidth = 0, cropHeight = 0;
    // Training only: mirrors half of the images left to right.
    bool hflip = false;
    // Training only: multiplies brightness, contrast and saturation by a factor drawn from
    // [1 − x, 1 + x], in that order; 0: off.
    double brightness = 0.0, contrast = 0.0, saturation = 0.0;
    // "none": pixels in [0, 1]; "dataset": (x − mean) / std per channel with the dataset's
    // statistics computed at import; "custom": with `mean` and `std` given here.
    std::string normalize = "none";
    std::vector<double> mean, std;
    // "auto": the in-memory source when nothing transforms the pixels and every image is in
    // the project, else the decoding pipeline; "memory" | "pipeline" to choose.
    std::string source = "auto";
    int workers = 0;    // decoding threads; 0: the cores the trainer leaves, at least 1
    int prefetch = 4;   // batches made ahead of the training step
    int cacheMb = 1024; // decoded images kept in memory across epochs, per split

    // Some training-only random transform is on.
    bool augments() const
    {
        return crop == "random" || hflip || brightness > 0 || contrast > 0 || saturation > 0;
    }
    // Nothing changes the pixels the in-memory source gives.
    bool identity() const
    {
        return resizeWidth == 0 && resizeHeight == 0 && crop == "none" && !augments() &&
               normalize == "none";
    }
};

} // namespace mtl::data
