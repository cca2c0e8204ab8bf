#include "model/multitask.h"

#include <ATen/autocast_mode.h>

namespace mtl::model {

std::vector<torch::Tensor> MultiTaskModelImpl::sharedParameters() const
{
    std::vector<torch::Tensor> shared;
    for (ParameterGroup &group : parameterGroups())
        if (group.name == "shared")
            shared.insert(shared.end(), group.parameters.begin(), group.parameters.end());
    return shared;
}

namespace {

// CUDA autocast in bfloat16 for the scope's lifetime (the state is per thread), then as before.
class CudaAutocast {
public:
    CudaAutocast()
        : m_wasEnabled(at::autocast::is_enabled())
        , m_dtype(at::autocast::get_autocast_gpu_dtype())
    {
        at::autocast::set_autocast_gpu_dtype(at::kBFloat16);
        at::autocast::set_enabled(true);
        at::autocast::increment_nesting();
    }
    ~CudaAutocast()
    {
        if (at::autocast::decrement_nesting() == 0)
            at::autocast::clear_cache(); // the casts of the weights, cached for one forward
        at::autocast::set_enabled(m_wasEnabled);
        at::autocast::set_autocast_gpu_dtype(m_dtype);
    }
    CudaAutocast(const CudaAutocast &) = delete;
    CudaAutocast &operator=(const CudaAutocast &) = delete;

private:
    bool m_wasEnabled;
    at::ScalarType m_dtype;
};

void toFloat(torch::Tensor &t)
{
    if (t.defined() && t.is_floating_point() && t.scalar_type() != torch::kFloat32)
        t = t.to(torch::kFloat32);
}

} // namespace

ModelOutput MultiTaskModelImpl::run(const torch::Tensor &x, bool collectTaps)
{
    if (!m_mixedPrecision)
        return forward(x, collectTaps);
    ModelOutput output;
    {
        const CudaAutocast autocast;
        output = forward(x, collectTaps);
    }
    for (torch::Tensor &t : output.tasks)
        toFloat(t);
    for (auto &[name, loss] : output.extraLosses)
        toFloat(loss);
    for (TransferredPrediction &transfer : output.transferred)
        toFloat(transfer.prediction);
    for (auto &[name, tap] : output.taps)
        toFloat(tap);
    return output;
}

void toChannelsLast(torch::nn::Module &module)
{
    torch::NoGradGuard noGrad;
    for (torch::Tensor t : module.parameters())
        if (t.dim() == 4)
            t.set_data(inMemoryFormat(t, torch::MemoryFormat::ChannelsLast));
    for (torch::Tensor t : module.buffers())
        if (t.dim() == 4)
            t.set_data(inMemoryFormat(t, torch::MemoryFormat::ChannelsLast));
}

torch::Tensor inMemoryFormat(const torch::Tensor &t, c10::MemoryFormat format)
{
    if (t.dim() != 4 || t.suggest_memory_format() == format)
        return t.contiguous(format); // a no-op, or only the dense copy of a strided view
    torch::Tensor out = torch::empty_like(t, t.options().memory_format(format));
    return out.copy_(t);
}

std::int64_t parameterCount(const torch::nn::Module &module)
{
    std::int64_t count = 0;
    for (const torch::Tensor &p : module.parameters())
        if (p.requires_grad())
            count += p.numel();
    return count;
}

HeadPtr findHead(const MultiTaskModelImpl &model, const std::string &task)
{
    for (const auto &child : model.named_children())
        if (child.key() == "head_" + task)
            return std::dynamic_pointer_cast<HeadImpl>(child.value());
    return nullptr;
}

std::vector<HeadPtr> registerHeads(torch::nn::Module &owner, const std::vector<HeadSpec> &specs,
                                   const FeatureShape &last, const InputShape &input)
{
    std::vector<HeadPtr> heads;
    for (const HeadSpec &spec : specs) {
        const FeatureShape features =
            spec.kind == HeadSpec::Kind::Vector ? FeatureShape{last.channels, 1, 1} : last;
        heads.push_back(
            owner.register_module("head_" + spec.task, makeHead(spec, features, input)));
    }
    return heads;
}

std::vector<torch::Tensor> runHeads(const std::vector<HeadPtr> &heads,
                                    const std::vector<torch::Tensor> &maps)
{
    std::vector<torch::Tensor> outputs;
    outputs.reserve(heads.size());
    torch::Tensor pooledFrom, pooled;
    for (std::size_t t = 0; t < heads.size(); ++t) {
        if (heads[t]->kind() == HeadSpec::Kind::Dense) {
            outputs.push_back(heads[t]->forward(maps[t]));
            continue;
        }
        if (!pooledFrom.defined() || !pooledFrom.is_same(maps[t])) {
            pooledFrom = maps[t];
            pooled = BackboneImpl::pool(pooledFrom);
        }
        outputs.push_back(heads[t]->forward(pooled));
    }
    return outputs;
}

void describeHeads(ModelDescription &d, const std::vector<HeadSpec> &specs,
                   const std::vector<HeadPtr> &heads, const InputShape &input)
{
    for (std::size_t t = 0; t < heads.size(); ++t) {
        const HeadSpec &spec = specs[t];
        const bool vector = spec.kind == HeadSpec::Kind::Vector;
        const FeatureShape shape = vector ? FeatureShape{spec.channels, 1, 1}
                                          : FeatureShape{spec.channels, input.height, input.width};
        d.blocks.push_back(
            {"head." + spec.task, "task", spec.task, shape, parameterCount(*heads[t])});
        d.summary +=
            " " + spec.task + "[" + std::to_string(spec.channels) + (vector ? "" : "×H×W") + "]";
    }
}

} // namespace mtl::model
