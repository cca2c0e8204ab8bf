// Gradient methods that remember gradients across steps (DB-MTL's and MoCo's moving averages,
// ExcessMTL's accumulated squares): their state is a [T, P] tensor on the model's device, saved
// in every checkpoint. A moving average of gradients needs coordinates that mean the same
// thing at every step: DB-MTL and MoCo take them in the parameter space only (as their papers);
// ExcessMTL sums representation gradients over the batch (as LibMTL).

#include "train/gradientweighting.h"
#include "train/weightingmethods.h"

#include <torch/nn/functional/activation.h>
#include <torch/serialize/archive.h>
#include <torch/types.h>

#include <cmath>

namespace mtl::train::detail {

namespace {

// A [T, P] state tensor that starts as zeros of the gradients' shape.
at::Tensor zerosLike(const at::Tensor &state, const at::Tensor &grads)
{
    return state.defined() && state.sizes() == grads.sizes() ? state : torch::zeros_like(grads);
}

void readOptional(torch::serialize::InputArchive &archive, const char *key, at::Tensor &into)
{
    at::Tensor value;
    if (archive.try_read(key, value))
        into = value;
}

// db_mtl (Lin et al. 2023): gradients of the log-losses log(L_k + ε), each averaged over steps
// (ĝ_k ← g_k + β/t^σ·(ĝ_k − g_k)) and scaled to the largest average's norm:
// d = Σ_k (max_j ‖ĝ_j‖ / ‖ĝ_k‖)·ĝ_k. Recorded weights: those scales.
class DbMtl final : public GradientWeighting {
public:
    explicit DbMtl(const WeightingArgs &args)
        : GradientWeighting("db_mtl", args, Spaces::ParametersOnly)
        , m_beta(args.options.at("beta").get<double>())
        , m_sigma(args.options.at("beta_sigma").get<double>())
    {}
    void save(torch::serialize::OutputArchive &archive) const override
    {
        archive.write("step", torch::tensor(m_step));
        if (m_average.defined())
            archive.write("average", m_average);
    }
    void load(torch::serialize::InputArchive &archive) override
    {
        at::Tensor step;
        archive.read("step", step);
        m_step = step.item<std::int64_t>();
        readOptional(archive, "average", m_average);
    }

protected:
    std::vector<at::Tensor> transform(const std::vector<at::Tensor> &losses) override
    {
        std::vector<at::Tensor> logs;
        for (const at::Tensor &loss : losses)
            logs.push_back(torch::log(loss + 1e-8));
        return logs;
    }
    Combination combine(const at::Tensor &grads, const at::Tensor &) override
    {
        ++m_step;
        const at::Tensor average = zerosLike(m_average, grads);
        const double rate = m_beta / std::pow(static_cast<double>(m_step), m_sigma);
        m_average = grads + rate * (average - grads);
        const at::Tensor norms = m_average.norm(2, 1);
        const at::Tensor scale = norms.max() / (norms + 1e-8);
        Combination chosen;
        chosen.direction = (scale.unsqueeze(1) * m_average).sum(0);
        chosen.weights = toVector(scale);
        return chosen;
    }

private:
    double m_beta, m_sigma;
    std::int64_t m_step = 0;
    at::Tensor m_average;
};

// moco (Fernando et al. 2023): a moving average y_k of the loss-scaled unit gradients
// L_k·g_k/‖g_k‖ (rate β/t^σβ) tracks the true gradients; the weights λ follow
// λ ← softmax(λ − γ/t^σγ·(y·yᵀ + ρI)·λ); d = yᵀλ.
class MoCo final : public GradientWeighting {
public:
    explicit MoCo(const WeightingArgs &args)
        : GradientWeighting("moco", args, Spaces::ParametersOnly)
        , m_beta(args.options.at("beta").get<double>())
        , m_betaSigma(args.options.at("beta_sigma").get<double>())
        , m_gamma(args.options.at("gamma").get<double>())
        , m_gammaSigma(args.options.at("gamma_sigma").get<double>())
        , m_rho(args.options.at("rho").get<double>())
        , m_lambda(torch::full({static_cast<std::int64_t>(args.taskCount)},
                               1.0 / static_cast<double>(args.taskCount), torch::kDouble))
    {}
    void save(torch::serialize::OutputArchive &archive) const override
    {
        archive.write("step", torch::tensor(m_step));
        archive.write("lambda", m_lambda);
        if (m_y.defined())
            archive.write("y", m_y);
    }
    void load(torch::serialize::InputArchive &archive) override
    {
        at::Tensor step;
        archive.read("step", step);
        m_step = step.item<std::int64_t>();
        archive.read("lambda", m_lambda);
        readOptional(archive, "y", m_y);
    }

protected:
    Combination combine(const at::Tensor &grads, const at::Tensor &losses) override
    {
        ++m_step;
        const double t = static_cast<double>(m_step);
        const at::Tensor scaled =
            grads / (grads.norm(2, 1, true) + 1e-8) * losses.to(grads.options()).unsqueeze(1);
        const at::Tensor y = zerosLike(m_y, grads);
        m_y = y - m_beta / std::pow(t, m_betaSigma) * (y - scaled);
        const at::Tensor yy = m_y.matmul(m_y.t()).to(torch::kCPU, torch::kDouble) +
                              m_rho * torch::eye(m_lambda.size(0), torch::kDouble);
        m_lambda =
            torch::softmax(m_lambda - m_gamma / std::pow(t, m_gammaSigma) * yy.matmul(m_lambda), 0);
        Combination chosen;
        chosen.direction = m_y.t().matmul(m_lambda.to(grads.options()));
        chosen.weights = toVector(m_lambda);
        return chosen;
    }

private:
    double m_beta, m_betaSigma, m_gamma, m_gammaSigma, m_rho;
    std::int64_t m_step = 0;
    at::Tensor m_lambda; // [T] double, CPU
    at::Tensor m_y;      // [T, P], the gradients' device
};

// excess_mtl (He et al. 2024): each task's excess risk estimated as gᵀ·diag(1/√(Σ g²))·g with
// AdaGrad's accumulated squares; the loss weights grow by exp(η·excess/first excess) and are
// renormalised to sum to T. The whole model trains on Σ w_k L_k. In the representation space
// the gradients are summed over the batch first.
class ExcessMtl final : public GradientWeighting {
public:
    explicit ExcessMtl(const WeightingArgs &args)
        : GradientWeighting("excess_mtl", args)
        , m_stepSize(args.options.at("step_size").get<double>())
        , m_weights(torch::ones({static_cast<std::int64_t>(args.taskCount)}, torch::kDouble))
    {}
    void save(torch::serialize::OutputArchive &archive) const override
    {
        archive.write("weights", m_weights);
        if (m_squares.defined())
            archive.write("squares", m_squares);
        if (m_first.defined())
            archive.write("first", m_first);
    }
    void load(torch::serialize::InputArchive &archive) override
    {
        archive.read("weights", m_weights);
        readOptional(archive, "squares", m_squares);
        readOptional(archive, "first", m_first);
    }

protected:
    Combination combine(const at::Tensor &grads, const at::Tensor &) override
    {
        const at::Tensor &z = representation();
        const at::Tensor g =
            z.defined() ? grads.view({grads.size(0), z.size(0), -1}).sum(1) : grads;
        m_squares = zerosLike(m_squares, g) + g * g;
        const at::Tensor excess =
            (g * g / torch::sqrt(m_squares + 1e-7)).sum(1).to(torch::kCPU, torch::kDouble);
        if (!m_first.defined()) {
            m_first = excess;
        } else {
            const at::Tensor relative =
                torch::where(m_first > 0, excess / m_first, torch::zeros_like(excess));
            m_weights = m_weights * torch::exp(relative * m_stepSize);
            m_weights = m_weights / m_weights.sum() * static_cast<double>(m_weights.size(0));
        }
        const std::vector<double> w = toVector(m_weights);
        Combination chosen{w, {}, w};
        chosen.weightLosses = true;
        return chosen;
    }

private:
    double m_stepSize;
    at::Tensor m_weights; // [T] double, CPU
    at::Tensor m_squares; // Σ g², like the gradients
    at::Tensor m_first;   // the first step's excess risks
};

} // namespace

std::unique_ptr<WeightingMethod> makeDbMtl(const WeightingArgs &args)
{
    return std::make_unique<DbMtl>(args);
}
std::unique_ptr<WeightingMethod> makeMoCo(const WeightingArgs &args)
{
    return std::make_unique<MoCo>(args);
}
std::unique_ptr<WeightingMethod> makeExcessMtl(const WeightingArgs &args)
{
    return std::make_unique<ExcessMtl>(args);
}

} // namespace mtl::train::detail
