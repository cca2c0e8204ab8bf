#pragma once
// A backbone is a sequence of stages, each a block of layers with a known output shape, so a
// sharing strategy can run them one by one and work between them (attention per stage,
// cross-stitch units between columns, a split after stage k, a decoder fed from an encoder's
// skips). forward() runs every stage and pools the last one into a vector per image.
// Thread contract: a module is used by one thread at a time (the trainer's).

#include <torch/nn/module.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace mtl::model {

// Per-sample shape of an image batch or a feature map: [C, H, W].
struct FeatureShape {
    std::int64_t channels = 1, height = 28, width = 28;
    std::int64_t elements() const { return channels * height * width; }
};
using InputShape = FeatureShape;

// The stages [first, end) a backbone object builds and runs: a strategy that shares the first
// k stages builds them once ({0, k}) and the rest once per task ({k, n}). {0, 0} builds no
// layers at all: enough to ask for stageCount() and stageShape().
struct StageRange {
    int first = 0;
    int end = -1; // -1: to the last stage
};

// What an encoder's stages hand on to a decoder: e.g. max-pooling indices per stage, in stage
// order. Owned by the caller of forwardStage(); one per forward pass.
struct StageState {
    std::vector<torch::Tensor> skips;
};

class BackboneImpl : public torch::nn::Module {
public:
    explicit BackboneImpl(StageRange range = {})
        : m_range(range)
    {}
    // All the stages of the architecture, built or not.
    virtual int stageCount() const = 0;
    // Output shape of stage `stage` (0-based) for the input shape the backbone was built for.
    virtual FeatureShape stageShape(int stage) const = 0;
    // x: the input [B, C, H, W] for stage 0, else stage − 1's output; returns [B, stageShape].
    // Only for the stages this object built.
    virtual torch::Tensor forwardStage(int stage, const torch::Tensor &x, StageState &state) = 0;
    // The parameters of one stage (none for a stage this object did not build); over all
    // stages, every parameter of the backbone once.
    virtual std::vector<torch::Tensor> stageParameters(int stage) const = 0;
    // One line for descriptions, e.g. "small_cnn (32-64-128)".
    virtual std::string describe() const = 0;
    // Whether the last stage is a spatial map a dense head can read (false for a backbone that
    // ends in fully connected layers, such as stitch_cnn).
    virtual bool hasSpatialOutput() const { return true; }
    // How many first stages hand on state (StageState) that later stages read: segnet's
    // encoder stages, whose pooling indices its decoder needs. 0 for most backbones.
    virtual int stateStages() const { return 0; }

    // [B, C, H, W] → stages [first, last) in order; `state` collects what they hand on.
    torch::Tensor forwardStages(const torch::Tensor &x, int first, int last, StageState &state);
    // The last stage's map pooled to [B, featureDim()]: global average over H and W.
    static torch::Tensor pool(const torch::Tensor &map);
    // [B, C, H, W] → [B, featureDim()]: every stage this object built, then pool().
    torch::Tensor forward(const torch::Tensor &x);
    std::int64_t featureDim() const { return stageShape(stageCount() - 1).channels; }

    int firstStage() const { return m_range.first; }
    int endStage() const { return m_range.end < 0 ? stageCount() : m_range.end; }
    bool builds(int stage) const { return stage >= firstStage() && stage < endStage(); }
    // Throws Error(Config) at `key` unless first ≤ end ≤ stageCount(); call at construction.
    void checkRange(const std::string &name) const;

private:
    StageRange m_range;
};

using BackbonePtr = std::shared_ptr<BackboneImpl>;
// Builds a fresh backbone of the given stages each call (a strategy with one column per task
// calls it per task).
using BackboneFactory = std::function<BackbonePtr(StageRange)>;

} // namespace mtl::model
