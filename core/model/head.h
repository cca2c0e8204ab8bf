#pragma once
// Task heads: the task-specific end of a network. A head spec says what a task needs — a
// vector of K logits per image, or a dense map of C channels at the input resolution — and a
// head module makes it from the features a strategy hands it.
//   auto head = makeHead({"category", HeadSpec::Kind::Vector, 10}, {128, 1, 1}, {1, 28, 28});

#include "model/backbone.h"

#include <nlohmann/json.hpp>

#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>

#include <memory>
#include <string>
#include <vector>

namespace mtl::model {

struct HeadSpec {
    enum class Kind {
        Vector, // [B, channels]: logits of a classification or of binary attributes
        Dense,  // [B, channels, H, W] at the input resolution: segmentation, depth, normals
    };
    std::string task;
    Kind kind = Kind::Vector;
    std::int64_t channels = 1;
    nlohmann::json options = nlohmann::json::object(); // the task's options, as validated
    std::string type;                 // the task's type ("attributes", …), for strategies that
                                      // treat some types apart (mtl_cnn); empty: not said
    std::vector<std::string> outputs; // names of the vector outputs (an attributes task's
                                      // attributes); empty when not named
    std::vector<std::string> outputGroups; // the dataset's group of each output ("" = none);
                                           // empty when the dataset groups none
};
const char *toString(HeadSpec::Kind kind);

class HeadImpl : public torch::nn::Module {
public:
    // Vector heads read pooled features [B, D]; dense heads read a map [B, C', h, w].
    virtual torch::Tensor forward(const torch::Tensor &features) = 0;
    virtual HeadSpec::Kind kind() const = 0;
    // Sets the bias of the output layer, one value per output channel (a task's prior, e.g. the
    // mean depth of the training split). Throws Error(Training) on a count mismatch.
    virtual void setOutputBias(const std::vector<double> &bias) = 0;
};
using HeadPtr = std::shared_ptr<HeadImpl>;

// One linear layer [B, D] → [B, K]. Its parameters are "weight" and "bias" and it is
// initialised exactly as torch::nn::Linear, so checkpoints of earlier builds load into it.
class VectorHeadImpl final : public HeadImpl {
public:
    VectorHeadImpl(std::int64_t inFeatures, std::int64_t outputs);
    torch::Tensor forward(const torch::Tensor &features) override;
    HeadSpec::Kind kind() const override { return HeadSpec::Kind::Vector; }
    void setOutputBias(const std::vector<double> &bias) override;

private:
    torch::Tensor m_weight, m_bias;
};

// conv 3×3 (C' → C'/2, at least 16) → BatchNorm → ReLU → conv 1×1 (→ C), then bilinear
// upsampling to the input's H × W: [B, C', h, w] → [B, C, H, W].
class DenseHeadImpl final : public HeadImpl {
public:
    DenseHeadImpl(const FeatureShape &input, std::int64_t channels, std::int64_t height,
                  std::int64_t width);
    torch::Tensor forward(const torch::Tensor &features) override;
    HeadSpec::Kind kind() const override { return HeadSpec::Kind::Dense; }
    void setOutputBias(const std::vector<double> &bias) override;

private:
    torch::nn::Conv2d m_conv{nullptr}, m_out{nullptr};
    torch::nn::BatchNorm2d m_bn{nullptr};
    std::int64_t m_height, m_width;
};

// Copies `bias` into a head's bias tensor [K]; throws Error(Training) when the sizes differ.
void copyBias(torch::Tensor &target, const std::vector<double> &bias);

// The head for `spec` reading features of shape `features` (vector heads: its channels are
// D) for images of shape `image`.
HeadPtr makeHead(const HeadSpec &spec, const FeatureShape &features, const InputShape &image);

} // namespace mtl::model
