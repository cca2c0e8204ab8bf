// gradnorm (Chen et al. 2018): learned loss weights w_k, moved by their own optimiser so that
// each task's gradient norm at the last shared stage, ‖∇(w_k·L_k)‖, approaches the mean norm
// times r_k^α, r_k the task's relative inverse training rate (L_k(t)/L_k(0) over its mean);
// the weights are renormalised to sum to the number of tasks after each update.

#include "train/gradientweighting.h"
#include "train/gradients.h"
#include "train/weightingmethods.h"

#include <torch/optim/adam.h>
#include <torch/serialize/archive.h>
#include <torch/types.h>

#include <cmath>

namespace mtl::train::detail {

namespace {

class GradNorm final : public WeightingMethod {
public:
    explicit GradNorm(const WeightingArgs &args)
        : m_alpha(args.options.at("alpha").get<double>())
        , m_lr(args.options.at("lr").get<double>())
        , m_gradients(args.options.at("gradients").get<std::string>())
        , m_weights(torch::ones({static_cast<std::int64_t>(args.taskCount)}, torch::kDouble),
                    torch::optim::AdamOptions(m_lr))
    {}
    std::string name() const override { return "gradnorm"; }
    std::string describe(bool hasRepresentation) const override
    {
        char text[96];
        std::snprintf(text, sizeof text, " (α %g; the weights by their own Adam, lr %g)", m_alpha,
                      m_lr);
        return std::string("gradnorm: gradient norms w.r.t. ") +
               (chooseSpace(m_gradients, hasRepresentation) == GradientSpace::Representation
                    ? "the shared representation"
                    : "the last shared layer's weight") +
               text;
    }

    std::vector<double> backward(const std::vector<at::Tensor> &losses,
                                 const WeightingContext &context) override
    {
        const std::vector<double> used = toVector(m_weights.values());
        const std::vector<at::Tensor> inputs = normInputs(context);
        if (!inputs.empty())
            updateWeights(losses, inputs);
        backwardWeighted(losses, torch::tensor(used, torch::kDouble), context);
        return used;
    }

    std::vector<LearnedValues> learnedValues() const override
    {
        return {{"gradnorm_weight", toVector(m_weights.values())}};
    }
    void save(torch::serialize::OutputArchive &archive) const override
    {
        m_weights.save(archive, "weights");
        archive.write("initial_losses", m_initial);
    }
    void load(torch::serialize::InputArchive &archive) override
    {
        m_weights.load(archive, "weights");
        archive.read("initial_losses", m_initial);
    }

private:
    // The shared representation, or the weight of the last shared layer (the paper's W).
    std::vector<at::Tensor> normInputs(const WeightingContext &context) const
    {
        const at::Tensor &representation = context.sharedRepresentation;
        if (chooseSpace(m_gradients, representation.defined() && representation.requires_grad()) ==
            GradientSpace::Representation)
            return {representation};
        for (auto it = context.sharedParameters.rbegin(); it != context.sharedParameters.rend();
             ++it)
            if (it->dim() >= 2)
                return {*it};
        return {};
    }

    void updateWeights(const std::vector<at::Tensor> &losses, const std::vector<at::Tensor> &inputs)
    {
        const at::Tensor norms =
            taskGradients(losses, inputs).norm(2, 1).to(torch::kCPU, torch::kDouble);
        std::vector<at::Tensor> values;
        for (const at::Tensor &loss : losses)
            values.push_back(loss.detach());
        const at::Tensor current = torch::stack(values).to(torch::kCPU, torch::kDouble);
        if (!m_initial.defined())
            m_initial = current.clone();
        const at::Tensor ratio = current / m_initial.clamp_min(1e-12);
        const at::Tensor inverseRate = ratio / ratio.mean();
        const at::Tensor weighted = m_weights.values() * norms; // G_k
        const at::Tensor target = weighted.mean() * inverseRate.pow(m_alpha);
        // ∂/∂w_k of Σ_k |w_k·n_k − target_k| with the target held constant.
        m_weights.step(torch::sign(weighted - target) * norms);
        torch::NoGradGuard noGrad;
        at::Tensor weights = m_weights.tensor();
        weights.clamp_(1e-6);
        weights.mul_(static_cast<double>(weights.size(0)) / weights.sum());
    }

    double m_alpha, m_lr;
    std::string m_gradients;
    OwnVector m_weights;  // w_k
    at::Tensor m_initial; // L_k at the first step
};

} // namespace

std::unique_ptr<WeightingMethod> makeGradNorm(const WeightingArgs &args)
{
    return std::make_unique<GradNorm>(args);
}

} // namespace mtl::train::detail
