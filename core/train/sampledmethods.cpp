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

std::vector<at::Tensor> parametersOf(const std::vector<WeightingContext::StepRule> &rules)
{
    std::vector<at::Tensor> parameters;
    for (const auto &rule : rules)
        parameters.push_back(rule.parameter);
    return parameters;
}

// The detached values of objectives, as a [T] double CPU tensor.
at::Tensor stacked(const std::vector<at::Tensor> &values)
{
    std::vector<at::Tensor> detached;
    for (const at::Tensor &v : values)
        detached.push_back(v.detach());
    return torch::stack(detached).to(torch::kCPU, torch::kDouble);
}

// Parameters moved in place for a look-ahead (a virtual step, a finite difference) and put back
// exactly, when asked or at the end of the scope. The moves go through data(): the step's own
// graph, kept for its backward pass, saved these tensors and must not see them change.
class Lookahead {
public:
    explicit Lookahead(std::vector<at::Tensor> parameters)
        : m_parameters(std::move(parameters))
    {
        torch::NoGradGuard noGrad;
        for (const at::Tensor &p : m_parameters)
            m_saved.push_back(p.detach().clone());
    }
    ~Lookahead() { restore(); }
    Lookahead(const Lookahead &) = delete;
    Lookahead &operator=(const Lookahead &) = delete;

    // θ = θ₀ + scale·by (θ₀: the saved values; an undefined entry of `by` leaves its parameter).
    void moveBy(const std::vector<at::Tensor> &by, double scale = 1.0)
    {
        torch::NoGradGuard noGrad;
        for (std::size_t i = 0; i < m_parameters.size(); ++i) {
            at::Tensor p = m_parameters[i].data();
            p.copy_(m_saved[i]);
            if (i < by.size() && by[i].defined())
                p.add_(by[i], scale);
        }
        m_moved = true;
    }
    void restore()
    {
        if (m_moved)
            moveBy({});
        m_moved = false;
    }
    // ∇ of `loss` w.r.t. the parameters at where they are now (undefined where it does not
    // reach them); keepGraph for a graph that is back-propagated again.
    std::vector<at::Tensor> gradients(const at::Tensor &loss, bool keepGraph) const
    {
        if (!loss.requires_grad())
            return std::vector<at::Tensor>(m_parameters.size());
        return torch::autograd::grad({loss}, m_parameters, {}, keepGraph, /*create_graph*/ false,
                                     /*allow_unused*/ true);
    }
    const std::vector<at::Tensor> &parameters() const { return m_parameters; }

private:
    std::vector<at::Tensor> m_parameters;
    std::vector<at::Tensor> m_saved;
    bool m_moved = false;
};

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
        Lookahead ahead(parametersOf(rules));
        const at::Tensor lambda = m_lambda.values().to(losses.front().options());
        const std::vector<at::Tensor> g = ahead.gradients((torch::stack(losses) * lambda).sum(),
                                                          /*keepGraph*/ true);
        std::vector<at::Tensor> step;
        {
            torch::NoGradGuard noGrad;
            for (std::size_t i = 0; i < rules.size(); ++i) {
                at::Tensor move = rules[i].weightDecay * rules[i].parameter.detach();
                if (g[i].defined())
                    move = move + g[i];
                if (rules[i].momentum.defined())
                    move = move + rules[i].momentum;
                step.push_back(-rules[i].lr * move);
            }
        }
        ahead.moveBy(step);
        const std::vector<at::Tensor> meta = context.objectivesAt(1, true);
        std::vector<at::Tensor> d = ahead.gradients(
            (torch::stack(meta) * fromVector(m_primary).to(meta.front().options())).sum(),
            /*keepGraph*/ false);
        torch::NoGradGuard noGrad;
        // lr ⊙ ∇θ'L_meta: the direction whose finite difference is ∂L_meta(θ')/∂λ (up to −1).
        double norm = 0;
        for (std::size_t i = 0; i < d.size(); ++i)
            if (d[i].defined()) {
                d[i] = rules[i].lr * d[i];
                norm += d[i].pow(2).sum().item<double>();
            }
        norm = std::sqrt(norm);
        if (!(norm > 0) || !std::isfinite(norm))
            return; // the meta loss does not see the parameters: λ stays
        const double eps = 0.01 / norm;
        ahead.moveBy(d, eps);
        const at::Tensor plus = stacked(context.objectivesAt(0, false));
        ahead.moveBy(d, -eps);
        const at::Tensor minus = stacked(context.objectivesAt(0, false));
        ahead.restore();
        // ∂/∂λ_k of Σλ·L at θ ± ε·lr⊙d is L_k there; the meta loss falls along −(L⁺ − L⁻)/2ε.
        m_lambda.step(-(plus - minus) / (2 * eps));
    }

    std::vector<double> m_primary; // 1 for a primary objective, 0 for an auxiliary one
    OwnVector m_lambda;
};

// A [P] tensor laid out as taskGradients() lays out `parameters`, as one tensor per parameter.
std::vector<at::Tensor> unflatten(const at::Tensor &flat, const std::vector<at::Tensor> &parameters)
{
    std::vector<at::Tensor> parts;
    std::int64_t offset = 0;
    for (const at::Tensor &p : parameters) {
        parts.push_back(flat.slice(0, offset, offset + p.numel()).view_as(p).to(p.dtype()));
        offset += p.numel();
    }
    return parts;
}

// moml (Ye et al. 2021), as LibMTL: the weights λ = softmax(α) of the lower-level loss Σλ_k·L_k
// serve the upper-level objectives F_k, the tasks' losses on a meta batch. One virtual SGD step
// θ' = θ − η·Σλ_k·∇L_k (η = inner_lr), then each F_k's hypergradient ∂F_k(θ')/∂α =
// −η·∇F_k(θ')·G_Lᵀ·J_softmax(α); the T rows, each scaled to unit length, are combined by their
// min-norm point (MGDA), and α takes an Adam step along it. The model then trains on Σλ_k·L_k.
class Moml final : public WeightingMethod {
public:
    explicit Moml(const WeightingArgs &args)
        : m_innerLr(args.options.at("inner_lr").get<double>())
        , m_logits(torch::zeros({static_cast<std::int64_t>(args.taskCount)}, torch::kDouble),
                   torch::optim::AdamOptions(args.options.at("lr").get<double>()))
    {}
    std::string name() const override { return "moml"; }
    std::size_t samplesPerStep() const override { return 2; }
    std::string describe(bool) const override
    {
        const std::string t = std::to_string(m_logits.values().size(0));
        return "moml: softmax weights meta-learnt for every task's loss on a second batch by MGDA "
               "(2×" +
               t + " backward passes through the whole model, 2 forward)";
    }
    std::vector<double> backward(const std::vector<at::Tensor> &losses,
                                 const WeightingContext &context) override
    {
        samplesOf(name(), 2, losses, context); // the meta batch is there
        if (!context.objectivesAt || !context.stepRules)
            throw Error(ErrorCode::Training, "moml needs the loop's forward and parameters");
        metaStep(losses, context);
        const at::Tensor weights = torch::softmax(m_logits.values(), 0);
        backwardWeighted(losses, weights, context);
        return toVector(weights);
    }
    void save(torch::serialize::OutputArchive &archive) const override
    {
        m_logits.save(archive, "logits");
    }
    void load(torch::serialize::InputArchive &archive) override
    {
        m_logits.load(archive, "logits");
    }

private:
    void metaStep(const std::vector<at::Tensor> &losses, const WeightingContext &context)
    {
        Lookahead ahead(parametersOf(context.stepRules()));
        const at::Tensor lower = taskGradients(losses, ahead.parameters()); // [T, P]
        const at::Tensor s = torch::softmax(m_logits.values(), 0);
        ahead.moveBy(
            unflatten(-m_innerLr * s.to(lower.options()).matmul(lower), ahead.parameters()));
        const at::Tensor upper = taskGradients(context.objectivesAt(1, true), ahead.parameters());
        ahead.restore();
        const at::Tensor jacobian = torch::diag(s) - torch::outer(s, s);
        at::Tensor rows = -m_innerLr * upper.matmul(lower.t())
                                           .to(torch::kCPU, torch::kDouble)
                                           .matmul(jacobian); // [T, T]: ∂F_k/∂α
        rows = rows / rows.norm(2, 1, true).clamp_min(1e-12);
        const at::Tensor alpha = fromVector(minNormWeights(gramMatrix(rows)));
        m_logits.step(alpha.matmul(rows));
    }

    double m_innerLr;
    OwnVector m_logits; // α
};

// forum (Ye et al. 2024), as LibMTL: first-order multi-objective bilevel optimisation of the
// softmax weights λ = softmax(α) (lower level: Σλ_k·L_k on the batch) and the model (upper
// level: the tasks' losses F_k on a meta batch). g_q = ∇_(α,θ)Σλ·L(θ) − (∇_α Σλ·L(θ_K), 0),
// θ_K after `inner_steps` SGD steps (lr `inner_lr`) on the lower level; ĝ_k = (0, ∇θF_k/‖∇θF_k‖);
// π_k = φ − ĝ_k·g_q/‖g_q‖². The weights w = (x, y) of FORUM's programme (solveForumProgramme
// with Q = A·Aᵀ, A = [ĝ; g_q], c = φ‖g_q‖²) are averaged over epochs into μ (rate 1/e^¾);
// ν = max(0, Σμ_k·π_k), and (α, θ) descend along Σμ_k·ĝ_k + ν·g_q: the model's gradient, and
// α's by its own Adam. Recorded weights: μ.
class Forum final : public WeightingMethod {
public:
    explicit Forum(const WeightingArgs &args)
        : m_phi(args.options.at("phi").get<double>())
        , m_innerSteps(args.options.at("inner_steps").get<int>())
        , m_innerLr(args.options.at("inner_lr").get<double>())
        , m_logits(torch::zeros({static_cast<std::int64_t>(args.taskCount)}, torch::kDouble),
                   torch::optim::AdamOptions(args.options.at("lr").get<double>()))
        , m_average(args.taskCount, 0.0)
    {}
    std::string name() const override { return "forum"; }
    std::size_t samplesPerStep() const override { return 2; }
    std::string describe(bool) const override
    {
        return "forum: first-order bilevel weights: " + std::to_string(m_innerSteps) +
               " virtual SGD steps on the batch, every task's gradient on a second batch (" +
               std::to_string(static_cast<std::size_t>(m_innerSteps) + m_average.size()) +
               " backward passes through the whole model)";
    }
    std::vector<double> backward(const std::vector<at::Tensor> &losses,
                                 const WeightingContext &context) override
    {
        samplesOf(name(), 2, losses, context); // the meta batch is there
        if (!context.objectivesAt || !context.stepRules)
            throw Error(ErrorCode::Training, "forum needs the loop's forward and parameters");
        const std::size_t T = m_average.size();
        Lookahead ahead(parametersOf(context.stepRules()));
        const std::vector<at::Tensor> &parameters = ahead.parameters();
        const at::Tensor s = torch::softmax(m_logits.values(), 0);
        const at::Tensor jacobian = torch::diag(s) - torch::outer(s, s);
        // g_f: (∇_α, ∇_θ) of Σλ·L on the batch at θ.
        const at::Tensor lower = (torch::stack(losses) * s.to(losses.front().options())).sum();
        const bool extra = context.extraLoss.defined();
        std::vector<at::Tensor> gTheta = ahead.gradients(lower, /*keepGraph*/ extra);
        const at::Tensor gAlpha = jacobian.matmul(stacked(losses));
        // θ_K: the lower level's SGD steps from θ (the first along g_f's own θ part).
        std::vector<at::Tensor> moved;
        for (std::size_t i = 0; i < parameters.size(); ++i)
            moved.push_back(gTheta[i].defined() ? -m_innerLr * gTheta[i]
                                                : torch::zeros_like(parameters[i]));
        ahead.moveBy(moved);
        for (int k = 1; k < m_innerSteps; ++k) {
            const std::vector<at::Tensor> again = context.objectivesAt(0, true);
            const at::Tensor value = (torch::stack(again) * s.to(again.front().options())).sum();
            if (value.item<double>() > 1e5) // LibMTL's guard against a diverging inner loop
                break;
            const std::vector<at::Tensor> g = ahead.gradients(value, /*keepGraph*/ false);
            torch::NoGradGuard noGrad;
            for (std::size_t i = 0; i < moved.size(); ++i)
                if (g[i].defined())
                    moved[i] = moved[i] - m_innerLr * g[i];
            ahead.moveBy(moved);
        }
        const at::Tensor gAlphaAfter = jacobian.matmul(stacked(context.objectivesAt(0, false)));
        ahead.restore();
        // The upper level at θ: each task's unit gradient on the meta batch.
        at::Tensor upper = taskGradients(context.objectivesAt(1, true), parameters);
        upper = upper / upper.norm(2, 1, true).clamp_min(1e-12);
        at::Tensor qTheta = flat(gTheta, parameters).to(upper.options());
        const at::Tensor qAlpha = gAlpha - gAlphaAfter; // [T] double
        const double qNorm2 =
            qAlpha.pow(2).sum().item<double>() + qTheta.pow(2).sum().item<double>() + 1e-8;
        const std::vector<double> along = toVector(upper.matmul(qTheta)); // ĝ_k·g_q
        std::vector<double> pi(T);
        for (std::size_t k = 0; k < T; ++k)
            pi[k] = m_phi - along[k] / qNorm2;
        // Q = A·Aᵀ, A = [ĝ_1; …; ĝ_T; g_q] (ĝ has no α part).
        Matrix Q = gramMatrix(torch::cat({upper, qTheta.unsqueeze(0)}, 0));
        Q[T][T] += qAlpha.pow(2).sum().item<double>();
        const std::vector<double> w = solveForumProgramme(Q, pi, m_phi * qNorm2);
        const double rate = 1.0 / std::pow(static_cast<double>(std::max(1, context.epoch)), 0.75);
        double nu = 0;
        for (std::size_t k = 0; k < T; ++k) {
            m_average[k] += rate * (w[k] - m_average[k]);
            nu += m_average[k] * pi[k];
        }
        nu = std::max(0.0, nu);
        const at::Tensor direction =
            fromVector(m_average).to(upper.options()).matmul(upper) + nu * qTheta;
        accumulateGradient(direction, parameters);
        if (extra)
            context.extraLoss.backward();
        m_logits.step(nu * qAlpha);
        return m_average;
    }
    void save(torch::serialize::OutputArchive &archive) const override
    {
        m_logits.save(archive, "logits");
        archive.write("average", fromVector(m_average));
    }
    void load(torch::serialize::InputArchive &archive) override
    {
        m_logits.load(archive, "logits");
        at::Tensor average;
        archive.read("average", average);
        m_average = toVector(average);
    }

private:
    // Per-parameter tensors as one [P] vector (zeros where undefined), taskGradients' layout.
    static at::Tensor flat(const std::vector<at::Tensor> &parts,
                           const std::vector<at::Tensor> &parameters)
    {
        std::vector<at::Tensor> pieces;
        for (std::size_t i = 0; i < parameters.size(); ++i)
            pieces.push_back((parts[i].defined() ? parts[i] : torch::zeros_like(parameters[i]))
                                 .reshape({-1})
                                 .to(torch::kFloat));
        return torch::cat(pieces);
    }

    double m_phi;
    int m_innerSteps;
    double m_innerLr;
    OwnVector m_logits;            // α
    std::vector<double> m_average; // μ: the programme's task weights averaged over epochs
};

} // namespace

std::unique_ptr<WeightingMethod> makeForum(const WeightingArgs &args)
{
    return std::make_unique<Forum>(args);
}
std::unique_ptr<WeightingMethod> makeMoml(const WeightingArgs &args)
{
    return std::make_unique<Moml>(args);
}
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
