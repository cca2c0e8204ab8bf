// Weighting methods that see more than one batch per step (WeightingContext::moreSamples):
// SDMGrad and MoDo need independent samples of the task gradients (their papers' double or
// triple sampling), Auto-λ a meta batch to judge a virtual step by. Each step's other batches
// come from a second pass over the training split in its own order, so an epoch is still one
// pass over the data.

#include "common/error.h"
#include "train/gradients.h"
#include "train/gradientweighting.h"
#include "train/taskhelpers.h"
#include "train/weightingmethods.h"

#include <torch/autograd.h>
#include <torch/serialize/archive.h>
#include <torch/types.h>

#include <cmath>
#include <sstream>

namespace mtl::train::detail {

namespace {

// The step's batch and the context's other ones: `count` objective vectors, or Error(Training).
std::vector<std::vector<at::Tensor>> samplesOf(const std::string &method, std::size_t count,
                                               const std::vector<at::Tensor> &losses,
                                               const WeightingContext &context)
{
    std::vector<std::vector<at::Tensor>> samples{losses};
    samples.insert(samples.end(), context.moreSamples.begin(), context.moreSamples.end());
    if (samples.size() < count)
        throw Error(ErrorCode::Training, method + " needs " + std::to_string(count) +
                                             " batches per step and was given " +
                                             std::to_string(samples.size()));
    samples.resize(count);
    return samples;
}

// Per-task gradients of the shared parameters on each of `samples` batches: the method combines
// them into the shared part's gradient; every task-specific parameter gets the mean over the
// batches of its own loss's gradient.
class SampledGradients : public WeightingMethod {
public:
    SampledGradients(std::string name, const WeightingArgs &args, std::size_t samples)
        : m_taskCount(args.taskCount)
        , m_weights(args.taskCount, 1.0 / static_cast<double>(args.taskCount))
        , m_name(std::move(name))
        , m_samples(samples)
    {}
    void save(torch::serialize::OutputArchive &archive) const override
    {
        archive.write("weights", fromVector(m_weights));
    }
    void load(torch::serialize::InputArchive &archive) override
    {
        at::Tensor weights;
        archive.read("weights", weights);
        m_weights = toVector(weights);
    }
    std::string name() const override { return m_name; }
    std::size_t samplesPerStep() const override { return m_samples; }
    bool balancesSharedGradients() const override { return true; }
    std::string describe(bool) const override
    {
        return m_name + ": per-task gradients w.r.t. the shared parameters on " +
               std::to_string(m_samples) + " independent batches (" +
               std::to_string(m_samples * m_taskCount) +
               " backward passes through the shared layers)";
    }
    std::vector<double> backward(const std::vector<at::Tensor> &losses,
                                 const WeightingContext &context) final
    {
        const std::vector<std::vector<at::Tensor>> samples =
            samplesOf(m_name, m_samples, losses, context);
        const bool extra = context.extraLoss.defined();
        if (context.sharedParameters.empty()) { // nothing is shared: nothing to balance
            const at::Tensor sum = sumOf(losses);
            (extra ? sum + context.extraLoss : sum).backward();
            return std::vector<double>(losses.size(), 1.0);
        }
        std::vector<at::Tensor> grads;
        for (const std::vector<at::Tensor> &sample : samples)
            grads.push_back(taskGradients(sample, context.sharedParameters));
        const Combination chosen = combine(grads);
        at::Tensor heads = sumOf(samples.front());
        for (std::size_t s = 1; s < samples.size(); ++s)
            heads = heads + sumOf(samples[s]);
        if (!context.taskParameters.empty())
            torch::autograd::backward({heads / static_cast<double>(samples.size())}, {},
                                      /*retain_graph*/ extra, /*create_graph*/ false,
                                      context.taskParameters);
        if (extra)
            context.extraLoss.backward();
        accumulateGradient(chosen.direction, context.sharedParameters);
        return chosen.weights;
    }

protected:
    // grads: one [T, P] matrix per batch, in order; returns the direction and the weights.
    virtual Combination combine(const std::vector<at::Tensor> &grads) = 0;
    std::size_t m_taskCount;
    std::vector<double> m_weights; // on the simplex, carried from step to step; from 1/T

private:
    std::string m_name;
    std::size_t m_samples;
};

// sdmgrad (Xiao et al. 2023): weights w on the simplex minimise ½‖Gw‖² + λ·ḡᵀGw, estimated
// without bias from two batches ξ₁, ξ₂ (G_ξ₁·G_ξ₂ᵀ, scaled by the mean gradient norm), by
// `iterations` steps of SGD (lr 5, momentum 0.5) each projected on the simplex, w carried over
// from step to step; the direction comes from a third batch ζ: d = (G_ζᵀw + λ·ḡ_ζ)/(1 + λ).
class SdmGrad final : public SampledGradients {
public:
    explicit SdmGrad(const WeightingArgs &args)
        : SampledGradients("sdmgrad", args, 3)
        , m_lambda(args.options.at("lambda").get<double>())
        , m_iterations(args.options.at("iterations").get<int>())
    {}

protected:
    Combination combine(const std::vector<at::Tensor> &grads) override
    {
        const at::Tensor &zeta = grads[0];
        Matrix GG = toMatrix(grads[1].matmul(grads[2].t()));
        const std::size_t T = GG.size();
        double scale = 0;
        for (std::size_t i = 0; i < T; ++i)
            scale += std::sqrt(std::max(0.0, GG[i][i]));
        scale /= static_cast<double>(T);
        std::vector<double> mean(T, 0.0);
        for (std::size_t i = 0; i < T; ++i)
            for (std::size_t j = 0; j < T; ++j) {
                GG[i][j] /= scale * scale + 1e-8;
                mean[i] += GG[i][j] / static_cast<double>(T);
            }
        std::vector<double> momentum(T, 0.0);
        for (int k = 0; k < m_iterations; ++k) {
            const std::vector<double> product = multiply(GG, m_weights);
            for (std::size_t i = 0; i < T; ++i) {
                const double gradient = product[i] + m_lambda * mean[i];
                momentum[i] = k == 0 ? gradient : 0.5 * momentum[i] + gradient;
                m_weights[i] -= 5.0 * momentum[i];
            }
            m_weights = projectToSimplex(m_weights);
        }
        Combination chosen;
        for (std::size_t i = 0; i < T; ++i)
            chosen.weights.push_back((m_weights[i] + m_lambda / static_cast<double>(T)) /
                                     (1.0 + m_lambda));
        chosen.direction =
            torch::tensor(chosen.weights, torch::kDouble).to(zeta.options()).matmul(zeta);
        return chosen;
    }

private:
    double m_lambda;
    int m_iterations;
};

// modo (Chen et al. 2023): weights λ on the simplex follow a stochastic gradient of ½‖Gλ‖²
// from two independent batches, λ ← Π_Δ(λ − γ·(G₁·(G₂ᵀλ) + ρλ)); a third batch gives the
// direction G₃ᵀλ.
class Modo final : public SampledGradients {
public:
    explicit Modo(const WeightingArgs &args)
        : SampledGradients("modo", args, 3)
        , m_gamma(args.options.at("gamma").get<double>())
        , m_rho(args.options.at("rho").get<double>())
    {}

protected:
    Combination combine(const std::vector<at::Tensor> &grads) override
    {
        const at::Tensor lambda = fromVector(m_weights).to(grads[0].options());
        const std::vector<double> step =
            toVector(grads[0].matmul(grads[1].t().matmul(lambda)) + m_rho * lambda);
        for (std::size_t i = 0; i < m_weights.size(); ++i)
            m_weights[i] -= m_gamma * step[i];
        m_weights = projectToSimplex(m_weights);
        Combination chosen;
        chosen.weights = m_weights;
        chosen.direction = fromVector(m_weights).to(grads[2].options()).matmul(grads[2]);
        return chosen;
    }

private:
    double m_gamma, m_rho;
};

// The objectives `primary` names ("" or "all": every one), as 1/0 per objective; a task's
// name covers its loss terms. Throws Error(Config) naming weighting.options.primary.
std::vector<double> primaryMask(const std::string &primary,
                                const std::vector<Objective> &objectives)
{
    if (primary.empty() || primary == "all")
        return std::vector<double>(objectives.size(), 1.0);
    std::vector<double> mask(objectives.size(), 0.0);
    std::stringstream names(primary);
    for (std::string name; std::getline(names, name, ',');) {
        name.erase(0, name.find_first_not_of(' '));
        name.erase(name.find_last_not_of(' ') + 1);
        bool matched = false;
        for (std::size_t t = 0; t < objectives.size(); ++t)
            if (objectives[t].name == name || objectives[t].name.rfind(name + ".", 0) == 0) {
                mask[t] = 1.0;
                matched = true;
            }
        if (!matched) {
            std::string known;
            for (const Objective &objective : objectives)
                known += (known.empty() ? "" : ", ") + objective.name;
            throw configError("weighting.options.primary", "no task or loss term of this run is "
                                                           "called '" +
                                                               name + "' (the run's: " + known +
                                                               ")");
        }
    }
    return mask;
}

// auto_lambda (Liu, James, Davison & Johns 2022): λ is meta-learnt so that a virtual step of
// the model on the training batch, θ' = θ − lr·(m + ∇θ Σλ_k·L_k + wd·θ), lowers the primary
// tasks' loss on a meta batch; ∂L_meta(θ')/∂λ by the paper's finite difference of ∇λ at
// θ ± ε·lr⊙∇θ'L_meta. λ has its own Adam; the model then trains on Σλ_k·L_k.
class AutoLambda final : public WeightingMethod {
public:
    explicit AutoLambda(const WeightingArgs &args)
        : m_primary(primaryMask(args.options.at("primary").get<std::string>(), args.objectives))
        , m_lambda(torch::full({static_cast<std::int64_t>(args.taskCount)},
                               args.options.at("init").get<double>(), torch::kDouble),
                   torch::optim::AdamOptions(args.options.at("lr").get<double>()))
    {}
    std::string name() const override { return "auto_lambda"; }
    std::size_t samplesPerStep() const override { return 2; }
    std::string describe(bool) const override
    {
        return "auto_lambda: λ meta-learnt from a virtual step judged on a second batch (4 forward "
               "and 3 backward passes per step)";
    }
    std::vector<double> backward(const std::vector<at::Tensor> &losses,
                                 const WeightingContext &context) override
    {
        samplesOf(name(), 2, losses, context); // the meta batch is there
        if (!context.objectivesAt || !context.stepRules)
            throw Error(ErrorCode::Training, "auto_lambda needs the loop's forward and step rules");
        metaStep(losses, context);
        const at::Tensor lambda = m_lambda.values();
        backwardWeighted(losses, lambda, context);
        return toVector(lambda);
    }
    void save(torch::serialize::OutputArchive &archive) const override
    {
        m_lambda.save(archive, "lambda");
    }
    void load(torch::serialize::InputArchive &archive) override
    {
        m_lambda.load(archive, "lambda");
    }

private:
    void metaStep(const std::vector<at::Tensor> &losses, const WeightingContext &context)
    {
        const std::vector<WeightingContext::StepRule> rules = context.stepRules();
        std::vector<at::Tensor> parameters;
        for (const auto &rule : rules)
            parameters.push_back(rule.parameter);
        const at::Tensor lambda = m_lambda.values().to(losses.front().options());
        const at::Tensor train = (torch::stack(losses) * lambda).sum();
        const std::vector<at::Tensor> g =
            torch::autograd::grad({train}, parameters, {}, /*retain_graph*/ true,
                                  /*create_graph*/ false, /*allow_unused*/ true);
        std::vector<at::Tensor> saved;
        {
            torch::NoGradGuard noGrad;
            for (std::size_t i = 0; i < rules.size(); ++i) {
                // Through data(): the step's graph (kept for the final backward) must not see
                // these in-place changes; the values are put back exactly below.
                at::Tensor p = rules[i].parameter.data();
                saved.push_back(p.clone());
                at::Tensor move = rules[i].weightDecay * p;
                if (g[i].defined())
                    move = move + g[i];
                if (rules[i].momentum.defined())
                    move = move + rules[i].momentum;
                p.sub_(rules[i].lr * move);
            }
        }
        const std::vector<at::Tensor> meta = context.objectivesAt(1, true);
        const at::Tensor primary =
            (torch::stack(meta) * fromVector(m_primary).to(meta.front().options())).sum();
        std::vector<at::Tensor> d;
        if (primary.requires_grad())
            d = torch::autograd::grad({primary}, parameters, {}, /*retain_graph*/ false,
                                      /*create_graph*/ false, /*allow_unused*/ true);
        torch::NoGradGuard noGrad;
        // lr ⊙ ∇θ'L_meta: the direction whose finite difference is ∂L_meta(θ')/∂λ (up to −1).
        double norm = 0;
        for (std::size_t i = 0; i < d.size(); ++i)
            if (d[i].defined()) {
                d[i] = rules[i].lr * d[i];
                norm += d[i].pow(2).sum().item<double>();
            }
        norm = std::sqrt(norm);
        const auto place = [&](double by) {
            for (std::size_t i = 0; i < rules.size(); ++i) {
                at::Tensor p = rules[i].parameter.data();
                p.copy_(saved[i]);
                if (by != 0 && i < d.size() && d[i].defined())
                    p.add_(by * d[i]);
            }
        };
        if (!(norm > 0) || !std::isfinite(norm)) {
            place(0);
            return;
        }
        const double eps = 0.01 / norm;
        place(eps);
        const at::Tensor plus = stacked(context.objectivesAt(0, false));
        place(-eps);
        const at::Tensor minus = stacked(context.objectivesAt(0, false));
        place(0);
        // ∂/∂λ_k of Σλ·L at θ ± ε·lr⊙d is L_k there; the meta loss falls along −(L⁺ − L⁻)/2ε.
        m_lambda.step(-(plus - minus) / (2 * eps));
    }
    static at::Tensor stacked(const std::vector<at::Tensor> &values)
    {
        std::vector<at::Tensor> detached;
        for (const at::Tensor &v : values)
            detached.push_back(v.detach());
        return torch::stack(detached).to(torch::kCPU, torch::kDouble);
    }

    std::vector<double> m_primary; // 1 for a primary objective, 0 for an auxiliary one
    OwnVector m_lambda;
};

} // namespace

std::unique_ptr<WeightingMethod> makeSdmGrad(const WeightingArgs &args)
{
    return std::make_unique<SdmGrad>(args);
}
std::unique_ptr<WeightingMethod> makeModo(const WeightingArgs &args)
{
    return std::make_unique<Modo>(args);
}
std::unique_ptr<WeightingMethod> makeAutoLambda(const WeightingArgs &args)
{
    return std::make_unique<AutoLambda>(args);
}

} // namespace mtl::train::detail
