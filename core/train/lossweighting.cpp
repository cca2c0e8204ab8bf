// The loss-scaling methods: each chooses one weight per objective from the losses (and its
// own state), and the weighted sum is back-propagated once: as cheap as equal weighting.

#include "train/gradientweighting.h"
#include "train/taskhelpers.h"
#include "train/weightingmethods.h"

#include <torch/autograd.h>
#include <torch/nn/functional/activation.h>
#include <torch/optim/adam.h>
#include <torch/serialize/archive.h>
#include <torch/types.h>

#include <cmath>

namespace mtl::train::detail {

at::Tensor sumOf(const std::vector<at::Tensor> &terms)
{
    at::Tensor sum = terms.front();
    for (std::size_t i = 1; i < terms.size(); ++i)
        sum = sum + terms[i];
    return sum;
}

void backwardWeighted(const std::vector<at::Tensor> &losses, const at::Tensor &weights,
                      const WeightingContext &context)
{
    at::Tensor total = (torch::stack(losses) * weights.to(losses.front().options())).sum();
    if (context.extraLoss.defined())
        total = total + context.extraLoss;
    total.backward();
}

LearnedLossScale::LearnedLossScale(std::size_t count, const c10::Device &device)
    : m_scale(torch::zeros({static_cast<std::int64_t>(count)},
                           torch::TensorOptions(torch::kFloat32).device(device))
                  .requires_grad_())
{}

std::vector<at::Tensor> LearnedLossScale::apply(const std::vector<at::Tensor> &losses) const
{
    std::vector<at::Tensor> scaled;
    for (std::size_t k = 0; k < losses.size(); ++k) {
        const at::Tensor s = m_scale[static_cast<std::int64_t>(k)];
        scaled.push_back(torch::exp(s) * losses[k] - s);
    }
    return scaled;
}

std::vector<double> LearnedLossScale::factors() const
{
    return toVector(torch::exp(m_scale.detach()));
}

OwnVector::OwnVector(const at::Tensor &initial, const torch::optim::AdamOptions &options)
    : m_values(initial.to(torch::kCPU, torch::kDouble).clone().requires_grad_())
    , m_optimizer(std::vector<at::Tensor>{m_values}, options)
{}

void OwnVector::step(const at::Tensor &gradient)
{
    m_optimizer.zero_grad();
    m_values.mutable_grad() = gradient.to(torch::kCPU, torch::kDouble);
    m_optimizer.step();
}

void OwnVector::save(torch::serialize::OutputArchive &archive, const std::string &key) const
{
    archive.write(key, m_values.detach());
    torch::serialize::OutputArchive optimizer;
    m_optimizer.save(optimizer);
    archive.write("optimizer", optimizer);
}

void OwnVector::load(torch::serialize::InputArchive &archive, const std::string &key)
{
    at::Tensor values;
    archive.read(key, values);
    {
        torch::NoGradGuard noGrad;
        m_values.copy_(values); // the optimiser keeps holding the same tensor
    }
    torch::serialize::InputArchive optimizer;
    archive.read("optimizer", optimizer);
    m_optimizer.load(optimizer);
}

void LearnedLossScale::save(torch::serialize::OutputArchive &archive) const
{
    archive.write("loss_scale", m_scale.detach());
}

void LearnedLossScale::load(torch::serialize::InputArchive &archive)
{
    at::Tensor saved;
    archive.read("loss_scale", saved);
    torch::NoGradGuard noGrad;
    m_scale.copy_(saved); // the optimiser keeps holding the same tensor
}

namespace {

// static: fixed weights by objective name; a task's name covers all of its terms.
class StaticWeighting final : public WeightingMethod {
public:
    explicit StaticWeighting(const WeightingArgs &args)
        : m_weights(args.taskCount, 1.0)
    {
        const nlohmann::json &given = args.options.at("weights");
        for (auto it = given.begin(); it != given.end(); ++it) {
            const std::string key = "weighting.options.weights." + it.key();
            if (!it.value().is_number() || it.value().get<double>() < 0 ||
                !std::isfinite(it.value().get<double>()))
                throw configError(key, "a weight is a number ≥ 0");
            bool matched = false;
            for (std::size_t t = 0; t < args.objectives.size(); ++t) {
                const std::string &name = args.objectives[t].name;
                if (name == it.key() || name.rfind(it.key() + ".", 0) == 0) {
                    m_weights[t] = it.value().get<double>();
                    matched = true;
                }
            }
            if (!matched) {
                std::string known;
                for (const Objective &objective : args.objectives)
                    known += (known.empty() ? "" : ", ") + objective.name;
                throw configError(key, "no task or loss term of this run is called '" + it.key() +
                                           "' (the run's: " + known + ")");
            }
        }
    }
    std::string name() const override { return "static"; }
    std::vector<double> backward(const std::vector<at::Tensor> &losses,
                                 const WeightingContext &context) override
    {
        backwardWeighted(losses, fromVector(m_weights), context);
        return m_weights;
    }

private:
    std::vector<double> m_weights;
};

// uncertainty (Kendall, Gal & Cipolla 2018): learned log-variances s_k; a classification loss
// counts e^{−s_k}·L_k + s_k/2, a regression loss ½e^{−s_k}·L_k + s_k/2.
class UncertaintyWeighting final : public WeightingMethod {
public:
    explicit UncertaintyWeighting(const WeightingArgs &args)
    {
        const std::string variant = args.options.at("variant").get<std::string>();
        std::vector<double> scale;
        for (const Objective &objective : args.objectives) {
            const bool regression =
                variant == "regression" || (variant == "by_task" && objective.regression);
            scale.push_back(regression ? 0.5 : 1.0);
        }
        m_scale = fromVector(scale).to(torch::kFloat32).to(args.device);
        m_logVariance = torch::full({static_cast<std::int64_t>(args.taskCount)},
                                    args.options.at("init").get<double>(),
                                    torch::TensorOptions(torch::kFloat32).device(args.device))
                            .requires_grad_();
    }
    std::string name() const override { return "uncertainty"; }
    std::vector<double> backward(const std::vector<at::Tensor> &losses,
                                 const WeightingContext &context) override
    {
        const at::Tensor weights = m_scale * torch::exp(-m_logVariance);
        at::Tensor total = (torch::stack(losses) * weights).sum() + m_logVariance.sum() / 2;
        if (context.extraLoss.defined())
            total = total + context.extraLoss;
        total.backward();
        return toVector(weights);
    }
    std::vector<at::Tensor> parameters() override { return {m_logVariance}; }
    std::vector<LearnedValues> learnedValues() const override
    {
        return {{"log_variance", toVector(m_logVariance.detach())}};
    }
    void save(torch::serialize::OutputArchive &archive) const override
    {
        archive.write("log_variance", m_logVariance.detach());
    }
    void load(torch::serialize::InputArchive &archive) override
    {
        at::Tensor saved;
        archive.read("log_variance", saved);
        torch::NoGradGuard noGrad;
        m_logVariance.copy_(saved); // the optimiser keeps holding the same tensor
    }

private:
    at::Tensor m_scale, m_logVariance;
};

// dwa (Liu, Johns & Davison 2019): λ_k = K·softmax_k(r_k / T), r_k = L̄_k(e−1) / L̄_k(e−2)
// from the epoch-mean losses; λ = 1 for the first two epochs. The method sums the losses it
// sees itself and saves the sums, so an epoch split by a stop and a resume has the same mean.
class DwaWeighting final : public WeightingMethod {
public:
    explicit DwaWeighting(const WeightingArgs &args)
        : m_temperature(args.options.at("T").get<double>())
        , m_weights(args.taskCount, 1.0)
        , m_sums(args.taskCount, 0.0)
    {}
    std::string name() const override { return "dwa"; }
    std::vector<double> backward(const std::vector<at::Tensor> &losses,
                                 const WeightingContext &context) override
    {
        for (std::size_t k = 0; k < losses.size(); ++k)
            m_sums[k] += losses[k].item<double>();
        ++m_count;
        backwardWeighted(losses, fromVector(m_weights), context);
        return m_weights;
    }
    void epochEnded(int, const std::vector<double> &) override
    {
        if (m_count == 0)
            return;
        m_before = m_last;
        m_last = m_sums;
        for (double &value : m_last)
            value /= static_cast<double>(m_count);
        m_sums.assign(m_sums.size(), 0.0);
        m_count = 0;
        if (m_before.empty())
            return;
        std::vector<double> ratio(m_last.size());
        for (std::size_t k = 0; k < ratio.size(); ++k)
            ratio[k] = m_before[k] > 0 ? m_last[k] / m_before[k] : 1.0;
        m_weights = toVector(static_cast<double>(ratio.size()) *
                             torch::softmax(fromVector(ratio) / m_temperature, 0));
    }
    void save(torch::serialize::OutputArchive &archive) const override
    {
        archive.write("last", fromVector(m_last));
        archive.write("before", fromVector(m_before));
        archive.write("weights", fromVector(m_weights));
        archive.write("sums", fromVector(m_sums));
        archive.write("count", torch::tensor(m_count));
    }
    void load(torch::serialize::InputArchive &archive) override
    {
        at::Tensor last, before, weights, sums, count;
        archive.read("last", last);
        archive.read("before", before);
        archive.read("weights", weights);
        archive.read("sums", sums);
        archive.read("count", count);
        m_last = toVector(last);
        m_before = toVector(before);
        m_weights = toVector(weights);
        m_sums = toVector(sums);
        m_count = count.item<std::int64_t>();
    }

private:
    double m_temperature;
    std::vector<double> m_weights, m_sums, m_last, m_before;
    std::int64_t m_count = 0;
};

// rlw (Lin et al. 2022): fresh weights every step, softmax of standard normal draws.
class RlwWeighting final : public WeightingMethod {
public:
    explicit RlwWeighting(const WeightingArgs &args)
        : m_count(static_cast<std::int64_t>(args.taskCount))
        , m_random(args.seed)
    {}
    std::string name() const override { return "rlw"; }
    std::vector<double> backward(const std::vector<at::Tensor> &losses,
                                 const WeightingContext &context) override
    {
        const at::Tensor draws =
            at::normal(0.0, 1.0, {m_count}, m_random.generator(), torch::kDouble);
        const at::Tensor weights = torch::softmax(draws, 0);
        backwardWeighted(losses, weights, context);
        return toVector(weights);
    }
    void save(torch::serialize::OutputArchive &archive) const override { m_random.save(archive); }
    void load(torch::serialize::InputArchive &archive) override { m_random.load(archive); }

private:
    std::int64_t m_count;
    MethodRandom m_random;
};

// gls (Chennupati et al. 2019): the geometric mean of the losses, (Π_k L_k)^{1/K}.
class GlsWeighting final : public WeightingMethod {
public:
    std::string name() const override { return "gls"; }
    std::vector<double> backward(const std::vector<at::Tensor> &losses,
                                 const WeightingContext &context) override
    {
        const at::Tensor stacked = torch::stack(losses);
        at::Tensor total = torch::exp(torch::log(stacked).mean());
        const double geometric = total.item<double>();
        if (context.extraLoss.defined())
            total = total + context.extraLoss;
        total.backward();
        // ∂/∂L_k of the geometric mean: what L_k effectively counts with.
        const std::vector<double> values = toVector(stacked);
        std::vector<double> weights;
        for (double value : values)
            weights.push_back(geometric / (static_cast<double>(values.size()) * value));
        return weights;
    }
};

// famo (Liu et al. 2023): task logits ξ, z = softmax(ξ); the step minimises Σ_k z_k·log(L_k)/c,
// c = Σ_k z_k/L_k (each loss's gradient counts z_k/(c·L_k), the counts summing to 1); ξ then
// follows, by its own Adam with weight decay, how much each log-loss fell:
// ∇ξ = Jᵀ_softmax·(log L_k − log L⁺_k). L⁺: the same batch's losses after the update (one more
// forward pass, as the paper), or with "update": "next_batch" the next step's losses (no extra
// pass; O(1) in the number of tasks in all).
class FamoWeighting final : public WeightingMethod {
public:
    explicit FamoWeighting(const WeightingArgs &args)
        : m_sameBatch(args.options.at("update").get<std::string>() == "same_batch")
        , m_logits(torch::zeros({static_cast<std::int64_t>(args.taskCount)}, torch::kDouble),
                   torch::optim::AdamOptions(args.options.at("lr").get<double>())
                       .weight_decay(args.options.at("gamma").get<double>()))
    {}
    std::string name() const override { return "famo"; }
    std::string describe(bool) const override
    {
        return m_sameBatch ? "famo: logits updated from the same batch's losses after the step "
                             "(one more forward pass per step)"
                           : "famo: logits updated from the next step's losses (no extra pass)";
    }
    std::vector<double> backward(const std::vector<at::Tensor> &losses,
                                 const WeightingContext &context) override
    {
        const at::Tensor current = values(losses);
        if (m_sameBatch) {
            if (context.objectivesAt)
                m_again = [again = context.objectivesAt] { return again(0, false); };
        } else if (m_previous.defined())
            update(current);
        const at::Tensor z = torch::softmax(m_logits.values(), 0);
        const at::Tensor D = current + 1e-8;
        const double c = (z / D).sum().item<double>();
        const at::Tensor weights = z / (c * D); // ∂/∂L_k of Σ z·log(L + ε)/c
        backwardWeighted(losses, weights, context);
        m_previous = current;
        return toVector(weights);
    }
    std::vector<LearnedValues> learnedValues() const override
    {
        return {{"famo_logit", toVector(m_logits.values())}};
    }
    void afterOptimizerStep() override
    {
        if (!m_sameBatch || !m_again)
            return;
        update(values(m_again()));
        m_again = nullptr;
    }
    void save(torch::serialize::OutputArchive &archive) const override
    {
        m_logits.save(archive, "logits");
        if (m_previous.defined())
            archive.write("previous", m_previous);
    }
    void load(torch::serialize::InputArchive &archive) override
    {
        m_logits.load(archive, "logits");
        at::Tensor previous;
        if (archive.try_read("previous", previous))
            m_previous = previous;
    }

private:
    static at::Tensor values(const std::vector<at::Tensor> &losses)
    {
        std::vector<at::Tensor> detached;
        for (const at::Tensor &loss : losses)
            detached.push_back(loss.detach());
        return torch::stack(detached).to(torch::kCPU, torch::kDouble);
    }
    // ξ's gradient: the softmax's Jacobian times the drop in log-loss, z ⊙ (δ − zᵀδ).
    void update(const at::Tensor &after)
    {
        const at::Tensor delta = torch::log(m_previous + 1e-8) - torch::log(after + 1e-8);
        const at::Tensor z = torch::softmax(m_logits.values(), 0);
        m_logits.step(z * (delta - (z * delta).sum()));
    }

    bool m_sameBatch;
    OwnVector m_logits;    // ξ
    at::Tensor m_previous; // the losses the last weights were chosen for
    std::function<std::vector<at::Tensor>()> m_again;
};

// imtl with "variant": "loss" (IMTL-L alone): Σ_k e^{s_k}·L_k − s_k, s learned by the run's
// optimiser: a loss-scaling method, one backward pass.
class ImtlLoss final : public WeightingMethod {
public:
    explicit ImtlLoss(const WeightingArgs &args)
        : m_scale(args.taskCount, args.device)
    {}
    std::string name() const override { return "imtl"; }
    std::string describe(bool) const override
    {
        return "imtl: IMTL-L loss scaling only (learned e^s·L − s; one backward pass)";
    }
    std::vector<double> backward(const std::vector<at::Tensor> &losses,
                                 const WeightingContext &context) override
    {
        backwardWeighted(m_scale.apply(losses), torch::ones({1}), context);
        return m_scale.factors();
    }
    std::vector<at::Tensor> parameters() override { return {m_scale.tensor()}; }
    std::vector<LearnedValues> learnedValues() const override
    {
        return {{"imtl_log_scale", toVector(m_scale.tensor().detach())}};
    }
    void save(torch::serialize::OutputArchive &archive) const override { m_scale.save(archive); }
    void load(torch::serialize::InputArchive &archive) override { m_scale.load(archive); }

private:
    LearnedLossScale m_scale;
};

// stch (Lin et al. 2024): smooth Tchebycheff scalarisation of the log-losses relative to a
// nadir point, T·μ·log Σ_k exp((log(L_k/n_k) − max)/μ). Warm-up: the first `warmup_epochs`
// epochs train on Σ log L_k, and the mean losses of the last of them are the nadir point n.
// Recorded weights: what each L_k counts with, ∂/∂L_k.
class StchWeighting final : public WeightingMethod {
public:
    explicit StchWeighting(const WeightingArgs &args)
        : m_mu(args.options.at("mu").get<double>())
        , m_warmup(args.options.at("warmup_epochs").get<int>())
        , m_sums(args.taskCount, 0.0)
    {}
    std::string name() const override { return "stch"; }
    std::vector<double> backward(const std::vector<at::Tensor> &losses,
                                 const WeightingContext &context) override
    {
        const at::Tensor stacked = torch::stack(losses);
        const std::vector<double> values = toVector(stacked);
        const double T = static_cast<double>(values.size());
        std::vector<double> weights(values.size());
        at::Tensor total;
        if (context.epoch <= m_warmup) {
            total = torch::log(stacked + 1e-20).sum();
            for (std::size_t k = 0; k < values.size(); ++k)
                weights[k] = 1 / (values[k] + 1e-20);
            if (context.epoch == m_warmup) {
                for (std::size_t k = 0; k < values.size(); ++k)
                    m_sums[k] += values[k];
                ++m_count;
            }
        } else {
            if (m_nadir.empty()) { // the warm-up's last epoch was not seen: this batch
                m_nadir = m_count > 0 ? m_sums : values;
                for (double &n : m_nadir)
                    n /= static_cast<double>(std::max<std::int64_t>(m_count, 1));
            }
            const at::Tensor nadir = fromVector(m_nadir).to(stacked.options());
            const at::Tensor relative = torch::log(stacked / nadir + 1e-20);
            const at::Tensor shifted = (relative - relative.detach().max()) / m_mu;
            total = T * m_mu * torch::logsumexp(shifted, 0);
            const std::vector<double> share = toVector(torch::softmax(shifted.detach(), 0));
            for (std::size_t k = 0; k < values.size(); ++k)
                weights[k] = T * share[k] / (values[k] + 1e-20 * m_nadir[k]);
        }
        if (context.extraLoss.defined())
            total = total + context.extraLoss;
        total.backward();
        return weights;
    }
    void save(torch::serialize::OutputArchive &archive) const override
    {
        archive.write("sums", fromVector(m_sums));
        archive.write("count", torch::tensor(m_count));
        archive.write("nadir", fromVector(m_nadir));
    }
    void load(torch::serialize::InputArchive &archive) override
    {
        at::Tensor sums, count, nadir;
        archive.read("sums", sums);
        archive.read("count", count);
        archive.read("nadir", nadir);
        m_sums = toVector(sums);
        m_count = count.item<std::int64_t>();
        m_nadir = toVector(nadir);
    }

private:
    double m_mu;
    int m_warmup;
    std::vector<double> m_sums, m_nadir;
    std::int64_t m_count = 0;
};

} // namespace

std::unique_ptr<WeightingMethod> makeStatic(const WeightingArgs &args)
{
    return std::make_unique<StaticWeighting>(args);
}
std::unique_ptr<WeightingMethod> makeUncertainty(const WeightingArgs &args)
{
    return std::make_unique<UncertaintyWeighting>(args);
}
std::unique_ptr<WeightingMethod> makeDwa(const WeightingArgs &args)
{
    return std::make_unique<DwaWeighting>(args);
}
std::unique_ptr<WeightingMethod> makeRlw(const WeightingArgs &args)
{
    return std::make_unique<RlwWeighting>(args);
}
std::unique_ptr<WeightingMethod> makeGls(const WeightingArgs &)
{
    return std::make_unique<GlsWeighting>();
}
std::unique_ptr<WeightingMethod> makeFamo(const WeightingArgs &args)
{
    return std::make_unique<FamoWeighting>(args);
}

std::unique_ptr<WeightingMethod> makeStch(const WeightingArgs &args)
{
    return std::make_unique<StchWeighting>(args);
}
std::unique_ptr<WeightingMethod> makeImtlLoss(const WeightingArgs &args)
{
    return std::make_unique<ImtlLoss>(args);
}

} // namespace mtl::train::detail
