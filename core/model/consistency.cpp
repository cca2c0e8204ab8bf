#include "model/consistency.h"

#include "common/error.h"

#include <torch/nn/functional/pooling.h>
#include <torch/nn/functional/upsampling.h>

#include <set>

namespace mtl::model {

namespace {

constexpr int kLevels = 3;

// split_at as the config says, or the backbone's encoder when it has one (segnet), else all.
int encoderStages(const BackboneFactory &backbone, int splitAt)
{
    if (splitAt >= 0)
        return splitAt;
    const int encoder = backbone({0, 0})->stateStages();
    return encoder > 0 ? encoder : -1;
}

Error pairsError(const std::string &message)
{
    ErrorLocation where;
    where.key = "model.sharing_options.pairs";
    return Error(ErrorCode::Config, message, where);
}

bool isDense(const HeadSpec &spec)
{
    return spec.kind == HeadSpec::Kind::Dense;
}

} // namespace

TransferNetImpl::TransferNetImpl(std::int64_t in, std::int64_t out, std::int64_t width,
                                 NormKind norm)
{
    std::int64_t channels = in;
    for (int level = 0; level < kLevels; ++level) {
        const std::int64_t next = width << level;
        const std::string n = "down" + std::to_string(level + 1);
        m_down.push_back(conv(n + "a", channels, next, norm));
        m_down.push_back(conv(n + "b", next, next, norm));
        channels = next;
    }
    for (int level = kLevels - 2; level >= -1; --level) {
        const std::int64_t next = width << std::max(level, 0);
        const std::string n = "up" + std::to_string(kLevels - 1 - level);
        m_up.push_back(conv(n + "a", channels, next, norm));
        m_up.push_back(conv(n + "b", next, next, norm));
        channels = next;
    }
    m_out = register_module(
        "out", torch::nn::Conv2d(torch::nn::Conv2dOptions(channels, out, 1).bias(false)));
}

TransferNetImpl::Conv TransferNetImpl::conv(const std::string &name, std::int64_t in,
                                            std::int64_t out, NormKind norm)
{
    Conv c;
    c.conv = register_module(
        "conv_" + name,
        torch::nn::Conv2d(
            torch::nn::Conv2dOptions(in, out, 3).padding(1).bias(norm == NormKind::None)));
    heInit(c.conv);
    c.norm = Norm2d(*this, "_" + name, norm, out);
    return c;
}

torch::Tensor TransferNetImpl::run(Conv &c, const torch::Tensor &x)
{
    return torch::relu(c.norm(c.conv(x)));
}

torch::Tensor TransferNetImpl::forward(const torch::Tensor &x)
{
    namespace F = torch::nn::functional;
    // Each level pools by 2 (floor); the way up returns to the size of each level's input.
    std::vector<std::vector<std::int64_t>> sizes;
    torch::Tensor h = x;
    for (int level = 0; level < kLevels; ++level) {
        sizes.push_back({h.size(2), h.size(3)});
        h = run(m_down[2 * level + 1], run(m_down[2 * level], h));
        if (h.size(2) >= 2 && h.size(3) >= 2)
            h = F::max_pool2d(h, F::MaxPool2dFuncOptions(2));
    }
    for (int level = 0; level < kLevels; ++level) {
        h = F::interpolate(h, F::InterpolateFuncOptions()
                                  .size(sizes[static_cast<std::size_t>(kLevels - 1 - level)])
                                  .mode(torch::kBilinear)
                                  .align_corners(true));
        h = run(m_up[2 * level + 1], run(m_up[2 * level], h));
    }
    return m_out(h);
}

ConsistencyImpl::ConsistencyImpl(const BackboneFactory &backbone,
                                 const std::vector<HeadSpec> &heads, const InputShape &input,
                                 const ConsistencyOptions &options)
    : HardSharingImpl(backbone, heads, input, encoderStages(backbone, options.splitAt))
    , m_options(options)
{
    std::vector<std::size_t> dense;
    for (std::size_t t = 0; t < heads.size(); ++t)
        if (isDense(heads[t]))
            dense.push_back(t);
    if (dense.size() < 2) {
        ErrorLocation where;
        where.key = "model.sharing";
        throw Error(ErrorCode::Config,
                    "consistency transfers between dense tasks (segmentation, depth, normals, "
                    "reconstruction) and needs at least two; the config has " +
                        std::to_string(dense.size()),
                    where);
    }
    const auto taskIndex = [&](const std::string &name) -> std::size_t {
        for (std::size_t t = 0; t < heads.size(); ++t)
            if (heads[t].task == name) {
                if (!isDense(heads[t]))
                    throw pairsError("task '" + name + "' is not a dense task");
                return t;
            }
        throw pairsError("names no task '" + name + "'");
    };
    std::vector<std::pair<std::size_t, std::size_t>> pairs;
    if (options.pairs.empty()) {
        for (std::size_t from : dense)
            for (std::size_t to : dense)
                if (from != to)
                    pairs.push_back({from, to});
    } else {
        std::set<std::pair<std::size_t, std::size_t>> seen;
        for (const std::vector<std::string> &names : options.pairs) {
            if (names.size() != 2) // validation has refused these already
                throw pairsError("each pair is [from, to], two task names");
            const std::pair<std::size_t, std::size_t> p{taskIndex(names[0]), taskIndex(names[1])};
            if (p.first == p.second)
                throw pairsError("pair [" + names[0] + ", " + names[1] +
                                 "] transfers a task to itself");
            if (!seen.insert(p).second)
                throw pairsError("pair [" + names[0] + ", " + names[1] + "] is listed twice");
            pairs.push_back(p);
        }
    }
    for (const auto &[from, to] : pairs) {
        Pair p;
        p.from = from;
        p.to = to;
        p.net = register_module(
            "transfer_" + heads[from].task + "_to_" + heads[to].task,
            std::make_shared<TransferNetImpl>(heads[from].channels, heads[to].channels,
                                              options.transferWidth, options.transferNorm));
        m_pairs.push_back(std::move(p));
    }
}

torch::Tensor ConsistencyImpl::transferInput(std::size_t task,
                                             const torch::Tensor &prediction) const
{
    const std::string &type = specs()[task].type;
    if (type == "segmentation")
        return torch::log_softmax(prediction, 1);
    if (type == "normals")
        return prediction / prediction.norm(2, 1, true).clamp_min(1e-6);
    return prediction;
}

ModelOutput ConsistencyImpl::forward(const torch::Tensor &x, bool collectTaps)
{
    ModelOutput out = HardSharingImpl::forward(x, collectTaps);
    if (!is_training())
        return out;
    for (const Pair &p : m_pairs) {
        TransferredPrediction t;
        t.from = p.from;
        t.to = p.to;
        t.prediction = p.net->forward(transferInput(p.from, out.tasks[p.from]));
        const std::string &type = specs()[p.to].type;
        t.weight = type == "segmentation" ? m_options.gamma : m_options.alpha;
        t.againstDirect = m_options.againstDirect;
        t.againstTruth = m_options.againstTruth;
        t.agreement = type == "segmentation" ? m_options.segmentationAgreement
                      : type == "normals"    ? std::string("cosine")
                                             : m_options.depthAgreement;
        out.transferred.push_back(std::move(t));
    }
    return out;
}

std::vector<ParameterGroup> ConsistencyImpl::parameterGroups() const
{
    std::vector<ParameterGroup> groups = HardSharingImpl::parameterGroups();
    ParameterGroup transfer{"transfer", "", {}};
    for (const Pair &p : m_pairs)
        for (const torch::Tensor &parameter : p.net->parameters())
            transfer.parameters.push_back(parameter);
    groups.push_back(std::move(transfer));
    return groups;
}

ModelDescription ConsistencyImpl::describe() const
{
    ModelDescription d = HardSharingImpl::describe();
    const std::string heads = d.summary.substr(d.summary.find(", heads:"));
    const std::string encoder = splitAt() == stageCount()
                                    ? "every stage shared, the heads decode, "
                                    : "encoder of " + std::to_string(splitAt()) + " of " +
                                          std::to_string(stageCount()) +
                                          " stages, a decoder per task, ";
    d.summary = "cross-task consistency: " + encoder + std::to_string(m_pairs.size()) +
                " transfer network" + (m_pairs.size() == 1 ? "" : "s") + heads;
    for (const Pair &p : m_pairs) {
        const HeadSpec &to = specs()[p.to];
        d.blocks.push_back({"transfer." + specs()[p.from].task + "_to_" + to.task, "internal", "",
                            FeatureShape{to.channels, input().height, input().width},
                            parameterCount(*p.net)});
    }
    d.parameters = parameterCount(*this);
    return d;
}

} // namespace mtl::model
