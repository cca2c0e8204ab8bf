#include "model/smallcnn.h"

#include <torch/nn/functional/pooling.h>

namespace mtl::model {

namespace {
torch::nn::Conv2dOptions conv3x3(std::int64_t in, std::int64_t out)
{
    return torch::nn::Conv2dOptions(in, out, 3).padding(1);
}
} // namespace

SmallCnnImpl::SmallCnnImpl(const SmallCnnOptions &options)
    : m_featureDim(options.width() * 4)
{
    const std::int64_t w = options.width();
    m_conv1 = register_module("conv1", torch::nn::Conv2d(conv3x3(options.in_channels(), w)));
    m_bn1 = register_module("bn1", torch::nn::BatchNorm2d(w));
    m_conv2 = register_module("conv2", torch::nn::Conv2d(conv3x3(w, 2 * w)));
    m_bn2 = register_module("bn2", torch::nn::BatchNorm2d(2 * w));
    m_conv3 = register_module("conv3", torch::nn::Conv2d(conv3x3(2 * w, 4 * w)));
    m_bn3 = register_module("bn3", torch::nn::BatchNorm2d(4 * w));
}

torch::Tensor SmallCnnImpl::forward(const torch::Tensor &x)
{
    torch::Tensor h = torch::max_pool2d(torch::relu(m_bn1(m_conv1(x))), 2);
    h = torch::max_pool2d(torch::relu(m_bn2(m_conv2(h))), 2);
    h = torch::relu(m_bn3(m_conv3(h)));
    return h.mean({2, 3}); // global average pool: [B, 4w]
}

} // namespace mtl::model
