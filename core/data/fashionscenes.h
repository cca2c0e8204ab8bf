#pragma once
// Format "fashion-scenes": a small NYUv2-like dense scene set, generated deterministically from
// Debian's Fashion-MNIST. Each 64×64 grey scene holds 2–4 garments at random positions,
// scales (21–42 px) and depths (1–4 m), nearer garments occluding farther ones. Per pixel:
//   semantic  segmentation map, 11 classes: background + the 10 garment classes
//   depth     uint16 millimetres: the garment's depth minus 0.3 m × its brightness (bright
//             pixels stand out towards the camera); the background 5 m away
//   normals   from the depth map's central differences, n ∝ (−g·∂z/∂x, −g·∂z/∂y, 1) with
//             g = 10 pixels per metre, stored as bytes (n + 1) × 127.5
// and per scene: `count` (categorical 2/3/4: garments placed, each with at least 20 visible
// pixels) and a binary column has_<class> per class (visible in the scene).
// Train scenes are drawn from Fashion-MNIST's training images, test scenes from its test
// images, so no test garment is seen in training.

#include "data/multifashion.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mtl::data {

constexpr int kSceneSize = 64;
constexpr double kSceneFar = 5.0;         // metres: the background
constexpr double kSceneRelief = 0.3;      // metres a garment's brightest pixel stands out
constexpr double kSceneNormalGain = 10.0; // pixels per metre in the normals' gradients
constexpr int kSceneMinVisible = 20;
constexpr int kSceneTrainDefault = 10000, kSceneTestDefault = 2000;

// One garment of a scene: which image of the split, where, how large, how far.
struct ScenePiece {
    std::int64_t image = 0;
    int x = 0, y = 0, size = 28;
    double depth = 1.0;
};

struct Scene {
    std::vector<std::uint8_t> image;    // [64 × 64]
    std::vector<std::uint8_t> semantic; // [64 × 64], 0 = background, 1 + class
    std::vector<std::uint16_t> depth;   // [64 × 64] millimetres
    std::vector<std::uint8_t> normals;  // [64 × 64 × 3]
    std::vector<int> visible;           // visible pixels per piece, in piece order
};

// Renders pieces (any order; nearer ones occlude) from 28×28 images and their classes.
Scene renderScene(const std::vector<ScenePiece> &pieces,
                  const std::vector<const std::uint8_t *> &images, const std::vector<int> &classes);

// The pieces of one scene: 2–4 images of a split of `size`, drawn from the generator's raw
// output only (no std distributions), so that every platform makes the same scenes.
std::vector<ScenePiece> drawPieces(std::mt19937_64 &random, std::int64_t size);

// A split's scenes: pieces drawn until each is visible by at least kSceneMinVisible pixels.
// Throws Error(InvalidInput) naming the images file when 1000 draws in a row fail.
Scene composeScene(std::mt19937_64 &random, const LoadedSplit &split,
                   std::vector<ScenePiece> *pieces = nullptr);

// "has_t_shirt_top" for "T-shirt/top": the binary column saying a class is in the scene.
std::string presenceColumn(const std::string &className);

class FashionScenesImporter final : public Importer {
public:
    std::string format() const override { return "fashion-scenes"; }
    std::string description() const override;
    // Files: "dir" (Fashion-MNIST; default Debian's). Seed from the request; count = training
    // scenes (default 10,000), the test split gets a fifth as many (default 2,000).
    ImportSummary run(store::Project &project, const ImportRequest &request,
                      const ProgressFn &progress) override;
};

} // namespace mtl::data
