#pragma once
// Hard parameter sharing: one backbone shared by all tasks, one linear head per task.

#include "model/multitask.h"

#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/linear.h>

namespace mtl::model {

class HardSharingImpl final : public MultiTaskModelImpl {
public:
    HardSharingImpl(const BackboneFactory &backbone, const std::vector<HeadSpec> &heads);
    std::vector<torch::Tensor> forward(const torch::Tensor &x) override;
    std::vector<torch::Tensor> sharedParameters() override;
    std::string describe() const override;

private:
    BackbonePtr m_backbone;
    std::vector<torch::nn::Linear> m_heads;
    std::vector<HeadSpec> m_specs;
};

} // namespace mtl::model
