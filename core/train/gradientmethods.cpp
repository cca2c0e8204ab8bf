// The gradient-manipulation methods: each a function of the per-task gradient matrix G
// ([T, P]) that GradientWeighting collects; most need only its Gram matrix G·Gᵀ, so their
// arithmetic is on T × T numbers and the cost is the gradients themselves.

#include "train/gradientweighting.h"
#include "train/taskhelpers.h"
#include "train/weightingmethods.h"

#include <ATen/ops/randperm.h>
#include <torch/serialize/archive.h>
#include <torch/types.h>

#include <cmath>

namespace mtl::train::detail {

namespace {

// pcgrad (Yu et al. 2020): each task's gradient, against the others in a random order, loses
// its component along any gradient it conflicts with (negative dot product); the projected
// gradients are summed. Every projected gradient is a combination Σ_j c_ij·g_j, so the
// projections run on the Gram matrix.
class PcGrad final : public GradientWeighting {
public:
    explicit PcGrad(const WeightingArgs &args)
        : GradientWeighting("pcgrad", args)
        , m_random(args.seed)
    {}
    void save(torch::serialize::OutputArchive &archive) const override { m_random.save(archive); }
    void load(torch::serialize::InputArchive &archive) override { m_random.load(archive); }

protected:
    Combination combine(const at::Tensor &grads, const at::Tensor &) override
    {
        const Matrix M = gramMatrix(grads);
        const std::size_t T = M.size();
        std::vector<double> total(T, 0.0);
        for (std::size_t i = 0; i < T; ++i) {
            std::vector<double> c(T, 0.0); // g'_i = Σ_j c[j]·g_j
            c[i] = 1.0;
            const at::Tensor order =
                at::randperm(static_cast<std::int64_t>(T), m_random.generator(), torch::kLong);
            const auto sequence = order.accessor<std::int64_t, 1>();
            for (std::int64_t k = 0; k < order.size(0); ++k) {
                const auto j = static_cast<std::size_t>(sequence[k]);
                double projection = 0; // g'_i · g_j
                for (std::size_t l = 0; l < T; ++l)
                    projection += c[l] * M[l][j];
                if (projection < 0)
                    c[j] -= projection / (M[j][j] + 1e-8);
            }
            for (std::size_t l = 0; l < T; ++l)
                total[l] += c[l];
        }
        return {total, {}, total};
    }

private:
    MethodRandom m_random;
};

// mgda (Sener & Koltun 2018): the min-norm point of the convex hull of the (normalised)
// task gradients, the common descent direction of multiple-gradient descent.
class Mgda final : public GradientWeighting {
public:
    explicit Mgda(const WeightingArgs &args)
        : GradientWeighting("mgda", args)
        , m_normalization(args.options.at("normalization").get<std::string>())
    {}

protected:
    Combination combine(const at::Tensor &grads, const at::Tensor &losses) override
    {
        Matrix M = gramMatrix(grads);
        const std::vector<double> loss = toVector(losses);
        const std::size_t T = M.size();
        std::vector<double> scale(T, 1.0); // the normaliser of each gradient
        for (std::size_t t = 0; t < T; ++t) {
            const double norm = std::sqrt(M[t][t]);
            if (m_normalization == "l2")
                scale[t] = norm;
            else if (m_normalization == "loss")
                scale[t] = loss[t];
            else if (m_normalization == "loss+")
                scale[t] = loss[t] * norm;
            scale[t] = std::max(scale[t], 1e-12);
        }
        for (std::size_t i = 0; i < T; ++i)
            for (std::size_t j = 0; j < T; ++j)
                M[i][j] /= scale[i] * scale[j];
        std::vector<double> coefficients = minNormWeights(M);
        for (std::size_t t = 0; t < T; ++t)
            coefficients[t] /= scale[t];
        return {coefficients, {}, coefficients};
    }

private:
    std::string m_normalization;
};

// cagrad (Liu et al. 2021): the direction d = g₀ + (√φ/‖g_w‖)·g_w that maximises the worst
// task's improvement within a ball of radius c·‖g₀‖ around the mean gradient g₀, where w
// minimises g_wᵀg₀ + c‖g₀‖·‖g_w‖ over the simplex; rescaled by 1/(1 + c²).
class CaGrad final : public GradientWeighting {
public:
    explicit CaGrad(const WeightingArgs &args)
        : GradientWeighting("cagrad", args)
        , m_c(args.options.at("c").get<double>())
        , m_rescale(args.options.at("rescale").get<int>())
    {}

protected:
    Combination combine(const at::Tensor &grads, const at::Tensor &) override
    {
        const Matrix M = gramMatrix(grads);
        const std::size_t T = M.size();
        const std::vector<double> mean(T, 1.0 / static_cast<double>(T));
        const std::vector<double> Mb = multiply(M, mean);
        const double g0 = std::sqrt(std::max(dot(mean, Mb), 0.0) + 1e-8);
        const double radius = m_c * g0 + 1e-8; // √φ
        const auto objective = [&](const std::vector<double> &w) {
            return dot(w, Mb) + radius * std::sqrt(std::max(dot(w, multiply(M, w)), 0.0) + 1e-8);
        };
        const std::vector<double> w = minimiseOnSimplex(M, Mb, radius, objective);
        const double gw = std::sqrt(std::max(dot(w, multiply(M, w)), 0.0));
        const double lambda = radius / (gw + 1e-8);
        const double divisor = m_rescale == 1 ? 1 + m_c * m_c : (m_rescale == 2 ? 1 + m_c : 1.0);
        std::vector<double> coefficients(T);
        for (std::size_t t = 0; t < T; ++t)
            coefficients[t] = (mean[t] + lambda * w[t]) / divisor;
        return {coefficients, {}, coefficients};
    }

private:
    // Projected gradient descent with a backtracking step, from the uniform weights.
    template <typename Objective>
    static std::vector<double> minimiseOnSimplex(const Matrix &M, const std::vector<double> &Mb,
                                                 double radius, const Objective &f)
    {
        const std::size_t T = M.size();
        std::vector<double> w(T, 1.0 / static_cast<double>(T));
        double value = f(w);
        double step = 1.0;
        for (int k = 0; k < 500; ++k) {
            const std::vector<double> Mw = multiply(M, w);
            const double norm = std::sqrt(std::max(dot(w, Mw), 0.0) + 1e-8);
            std::vector<double> gradient(T);
            for (std::size_t t = 0; t < T; ++t)
                gradient[t] = Mb[t] + radius * Mw[t] / norm;
            bool moved = false;
            for (int tries = 0; tries < 60; ++tries) {
                std::vector<double> next = w;
                for (std::size_t t = 0; t < T; ++t)
                    next[t] -= step * gradient[t];
                next = projectToSimplex(next);
                double change = 0, along = 0;
                for (std::size_t t = 0; t < T; ++t) {
                    change += (next[t] - w[t]) * (next[t] - w[t]);
                    along += gradient[t] * (next[t] - w[t]);
                }
                const double nextValue = f(next);
                if (nextValue <= value + along + change / (2 * step)) {
                    moved = change > 1e-24;
                    w = next;
                    value = nextValue;
                    step *= 1.5;
                    break;
                }
                step /= 2;
            }
            if (!moved)
                break;
        }
        return w;
    }

    double m_c;
    int m_rescale;
};

} // namespace

std::unique_ptr<WeightingMethod> makePcGrad(const WeightingArgs &args)
{
    return std::make_unique<PcGrad>(args);
}
std::unique_ptr<WeightingMethod> makeMgda(const WeightingArgs &args)
{
    return std::make_unique<Mgda>(args);
}
std::unique_ptr<WeightingMethod> makeCaGrad(const WeightingArgs &args)
{
    return std::make_unique<CaGrad>(args);
}

} // namespace mtl::train::detail
