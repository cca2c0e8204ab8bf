// Gradient methods that solve a small problem on the Gram matrix M = G·Gᵀ for their weights:
// the Jacobian-descent aggregators (UPGrad, DualProj, ConFIG) and the bargaining solutions
// (Nash-MTL, FairGrad). Each solver is our own (smallmatrix.h); none needs a QP library.

#include "train/gradientweighting.h"
#include "train/weightingmethods.h"

#include <torch/serialize/archive.h>
#include <torch/types.h>

#include <algorithm>
#include <cmath>

namespace mtl::train::detail {

namespace {

constexpr double kFloatEpsilon = 1.1920929e-7; // of the float32 gradients

// The Gram matrix normalised by its trace (‖G‖²_F; all zeros below `normEps`) plus
// regEps·I: TorchJD's guard that keeps it positive definite.
Matrix normalisedGramian(Matrix M, double normEps, double regEps)
{
    double trace = 0;
    for (std::size_t i = 0; i < M.size(); ++i)
        trace += M[i][i];
    for (std::size_t i = 0; i < M.size(); ++i) {
        for (double &value : M[i])
            value = trace < normEps ? 0.0 : value / trace;
        M[i][i] += regEps;
    }
    return M;
}

// upgrad (Quinton & Rey 2024): each row g_i/T projected onto the dual cone of the rows (the
// directions that conflict with no task), the projections summed: weights Σ_i v⁽ⁱ⁾ with
// v⁽ⁱ⁾ = argmin_{v ≥ e_i/T} vᵀMv. dualproj (Lopez-Paz & Ranzato 2017, as TorchJD): the mean
// gradient projected once, v = argmin_{v ≥ 1/T} vᵀMv.
class DualCone final : public GradientWeighting {
public:
    DualCone(const WeightingArgs &args, bool perRow)
        : GradientWeighting(perRow ? "upgrad" : "dualproj", args)
        , m_perRow(perRow)
        , m_normEps(args.options.at("norm_eps").get<double>())
        , m_regEps(args.options.at("reg_eps").get<double>())
    {}

protected:
    Combination combine(const at::Tensor &grads, const at::Tensor &) override
    {
        const Matrix G = normalisedGramian(gramMatrix(grads), m_normEps, m_regEps);
        const std::size_t T = G.size();
        const double share = 1.0 / static_cast<double>(T);
        std::vector<double> weights(T, 0.0);
        if (!m_perRow) {
            weights = projectToDualCone(G, std::vector<double>(T, share));
        } else {
            for (std::size_t i = 0; i < T; ++i) {
                std::vector<double> u(T, 0.0);
                u[i] = share;
                const std::vector<double> v = projectToDualCone(G, u);
                for (std::size_t k = 0; k < T; ++k)
                    weights[k] += v[k];
            }
        }
        return {weights, {}, weights};
    }

private:
    bool m_perRow;
    double m_normEps, m_regEps;
};

// config (Liu et al. 2024, ConFIG, as TorchJD): the direction x = pinv(U)·1 that has the same
// positive projection onto every unit gradient u_k = g_k/‖g_k‖, scaled to the length
// Σ_k g_kᵀx/‖x‖. With Û = U·Uᵀ: x = Σ_k β_k u_k, β = Û⁺·1.
class Config final : public GradientWeighting {
public:
    explicit Config(const WeightingArgs &args)
        : GradientWeighting("config", args)
    {}

protected:
    Combination combine(const at::Tensor &grads, const at::Tensor &) override
    {
        const Matrix M = gramMatrix(grads);
        const std::size_t T = M.size();
        std::vector<double> norm(T);
        for (std::size_t k = 0; k < T; ++k)
            norm[k] = std::sqrt(std::max(M[k][k], 0.0));
        Matrix unit(T, std::vector<double>(T, 0.0)); // Û; a zero gradient's unit is zero
        for (std::size_t i = 0; i < T; ++i)
            for (std::size_t j = 0; j < T; ++j)
                if (norm[i] > 0 && norm[j] > 0)
                    unit[i][j] = M[i][j] / (norm[i] * norm[j]);
        // torch.linalg.pinv's cutoff on singular values, max(T, P)·ε, on eigenvalues squared.
        const double cutoff =
            std::pow(static_cast<double>(std::max<std::int64_t>(grads.size(0), grads.size(1))) *
                         kFloatEpsilon,
                     2);
        const std::vector<double> beta = pseudoSolve(unit, std::vector<double>(T, 1.0), cutoff);
        std::vector<double> c(T, 0.0); // x = Σ_k c_k g_k
        for (std::size_t k = 0; k < T; ++k)
            c[k] = norm[k] > 0 ? beta[k] / norm[k] : 0.0;
        const std::vector<double> Mc = multiply(M, c);
        const double length = std::sqrt(std::max(dot(c, Mc), 0.0));
        std::vector<double> coefficients(T, 0.0);
        if (length > 0) {
            double projected = 0; // Σ_k g_kᵀx / ‖x‖
            for (double value : Mc)
                projected += value / length;
            for (std::size_t k = 0; k < T; ++k)
                coefficients[k] = projected * c[k] / length;
        }
        return {coefficients, {}, coefficients};
    }
};

// nash_mtl (Navon et al. 2022): the Nash bargaining solution, α > 0 with M·α = 1/α (every
// task's gain α_k·(Mα)_k equal to 1), solved to convergence by damped Newton (warm-started
// from the last α; the official code runs 20 convex-concave steps of cvxpy). The whole model
// trains on Σ α_k L_k, the shared gradient clipped to `max_norm`; with update_every = n the
// gradients and α are recomputed every n-th step only.
class NashMtl final : public GradientWeighting {
public:
    explicit NashMtl(const WeightingArgs &args)
        : GradientWeighting("nash_mtl", args)
        , m_every(args.options.at("update_every").get<int>())
        , m_iterations(args.options.at("iterations").get<int>())
        , m_maxNorm(args.options.at("max_norm").get<double>())
        , m_alpha(args.taskCount, 1.0)
    {}
    void save(torch::serialize::OutputArchive &archive) const override
    {
        archive.write("alpha", fromVector(m_alpha));
        archive.write("step", torch::tensor(m_step));
    }
    void load(torch::serialize::InputArchive &archive) override
    {
        at::Tensor alpha, step;
        archive.read("alpha", alpha);
        archive.read("step", step);
        m_alpha = toVector(alpha);
        m_step = step.item<std::int64_t>();
    }

protected:
    std::optional<Combination> withoutGradients(const WeightingContext &) override
    {
        const bool update = m_step % m_every == 0;
        ++m_step;
        if (update)
            return {};
        return chosen();
    }
    Combination combine(const at::Tensor &grads, const at::Tensor &) override
    {
        Matrix M = gramMatrix(grads);
        double frobenius = 0;
        for (const auto &row : M)
            for (double value : row)
                frobenius += value * value;
        frobenius = std::sqrt(frobenius);
        if (frobenius > 0) {
            // Solved on M/‖M‖_F (better conditioned); x solves that iff x/√‖M‖ solves M.
            const double root = std::sqrt(frobenius);
            for (auto &row : M)
                for (double &value : row)
                    value /= frobenius;
            std::vector<double> start = m_alpha;
            for (double &value : start)
                value = std::max(value * root, 1e-6);
            std::vector<double> x = solvePowerBalance(M, 1.0, start, m_iterations);
            for (double &value : x)
                value /= root;
            m_alpha = x;
        }
        return chosen();
    }

private:
    Combination chosen() const
    {
        Combination c{m_alpha, {}, m_alpha};
        c.weightLosses = true;
        c.maxSharedNorm = m_maxNorm;
        return c;
    }

    int m_every, m_iterations;
    double m_maxNorm;
    std::vector<double> m_alpha;
    std::int64_t m_step = 0;
};

// fairgrad (Ban & Ji 2024): α-fair resource allocation, w > 0 with M·w = w^(−1/α); α = 1 is
// proportional fairness (Nash-MTL's condition). Solved from w = 1/T at every step (as the
// official code's least squares); the whole model trains on Σ w_k L_k.
class FairGrad final : public GradientWeighting {
public:
    explicit FairGrad(const WeightingArgs &args)
        : GradientWeighting("fairgrad", args)
        , m_power(1.0 / args.options.at("alpha").get<double>())
    {}

protected:
    Combination combine(const at::Tensor &grads, const at::Tensor &) override
    {
        const Matrix M = gramMatrix(grads);
        const std::size_t T = M.size();
        const std::vector<double> w =
            solvePowerBalance(M, m_power, std::vector<double>(T, 1.0 / static_cast<double>(T)));
        Combination c{w, {}, w};
        c.weightLosses = true;
        return c;
    }

private:
    double m_power;
};

} // namespace

std::unique_ptr<WeightingMethod> makeUpGrad(const WeightingArgs &args)
{
    return std::make_unique<DualCone>(args, true);
}
std::unique_ptr<WeightingMethod> makeDualProj(const WeightingArgs &args)
{
    return std::make_unique<DualCone>(args, false);
}
std::unique_ptr<WeightingMethod> makeConfig(const WeightingArgs &args)
{
    return std::make_unique<Config>(args);
}
std::unique_ptr<WeightingMethod> makeNashMtl(const WeightingArgs &args)
{
    return std::make_unique<NashMtl>(args);
}
std::unique_ptr<WeightingMethod> makeFairGrad(const WeightingArgs &args)
{
    return std::make_unique<FairGrad>(args);
}

} // namespace mtl::train::detail
