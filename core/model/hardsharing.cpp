#include "model/hardsharing.h"

namespace mtl::model {

HardSharingImpl::HardSharingImpl(const BackboneFactory &backbone,
                                 const std::vector<HeadSpec> &heads)
    : m_specs(heads)
{
    m_backbone = register_module("backbone", backbone());
    for (const HeadSpec &head : heads)
        m_heads.push_back(register_module(
            "head_" + head.task, torch::nn::Linear(m_backbone->featureDim(), head.outputs)));
}

std::vector<torch::Tensor> HardSharingImpl::forward(const torch::Tensor &x)
{
    const torch::Tensor features = m_backbone->forward(x);
    std::vector<torch::Tensor> outputs;
    outputs.reserve(m_heads.size());
    for (auto &head : m_heads)
        outputs.push_back(head(features));
    return outputs;
}

std::vector<torch::Tensor> HardSharingImpl::sharedParameters()
{
    return m_backbone->parameters();
}

std::string HardSharingImpl::describe() const
{
    std::string text = "hard sharing: 1 backbone (" + std::to_string(m_backbone->featureDim()) +
                       "-d features), heads:";
    for (const HeadSpec &head : m_specs)
        text += " " + head.task + "[" + std::to_string(head.outputs) + "]";
    return text;
}

} // namespace mtl::model
