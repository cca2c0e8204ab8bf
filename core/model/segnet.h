#pragma once
// segnet: the encoder–decoder of SegNet (Badrinarayanan et al., 2017) as the MTAN paper uses it
// for dense tasks, scaled for small images. `blocks` encoder stages, each two 3×3 convolutions
// (norm, ReLU) and a 2×2 max pooling whose indices it hands on; then as many decoder stages,
// each max-unpooling with the indices of its mirror encoder stage and two 3×3 convolutions. The
// last stage is a `width`-channel map at the input resolution, which dense heads read as is
// and vector heads pool. Channels: width × 1, 2, 4, 8, 8, … per encoder stage.
// For a 64×64 image, width 16 and 4 blocks: [16, 32, 32] [32, 16, 16] [64, 8, 8] [128, 4, 4]
// | [64, 8, 8] [32, 16, 16] [16, 32, 32] [16, 64, 64].

#include "model/backbone.h"
#include "model/layers.h"

#include <torch/nn/modules/conv.h>

#include <vector>

namespace mtl::model {

struct SegNetOptions {
    explicit SegNetOptions(const InputShape &input)
        : input_(input)
    {}
    TORCH_ARG(InputShape, input);
    TORCH_ARG(std::int64_t, width) = 16;
    TORCH_ARG(int, blocks) = 4; // encoder stages; as many decoder stages follow
    TORCH_ARG(NormKind, norm) = NormKind::Batch;
    TORCH_ARG(double, dropout) = 0.0; // on the bottleneck (the last encoder stage's output)
    TORCH_ARG(StageRange, stages);
};

class SegNetImpl final : public BackboneImpl {
public:
    // Throws Error(Config) at model.backbone_options.blocks when the image is too small for
    // that many poolings.
    explicit SegNetImpl(const SegNetOptions &options);
    int stageCount() const override { return 2 * m_blocks; }
    FeatureShape stageShape(int stage) const override;
    // Encoder stages push their pooling indices onto state.skips; decoder stage `stage` reads
    // those of encoder stage 2·blocks − 1 − stage.
    torch::Tensor forwardStage(int stage, const torch::Tensor &x, StageState &state) override;
    std::vector<torch::Tensor> stageParameters(int stage) const override;
    std::string describe() const override;
    int stateStages() const override { return m_blocks; }

private:
    struct Block {
        torch::nn::Conv2d first{nullptr}, second{nullptr};
        Norm2d firstNorm, secondNorm;
    };
    int m_blocks;
    double m_dropout;
    std::vector<Block> m_stages;        // one per stage; empty convs for stages not built
    std::vector<FeatureShape> m_shapes; // output of each stage
    std::vector<FeatureShape> m_before; // encoder stage i's map before pooling
};

} // namespace mtl::model
