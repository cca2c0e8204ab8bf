// The gradient-manipulation methods: each a function of the per-task gradient matrix G
// ([T, P]) that GradientWeighting collects; most need only its Gram matrix G·Gᵀ, so their
// arithmetic is on T × T numbers and the cost is the gradients themselves.

#include "train/gradientweighting.h"
#include "train/taskhelpers.h"
#include "train/weightingmethods.h"

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
            for (const std::size_t j : m_random.permutation(T)) {
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

// imtl (Liu et al. 2021, IMTL-G): the combination Σ α_k g_k whose projections onto every unit
// gradient u_k are equal; with D = [g_1 − g_k], U = [u_1 − u_k] (k ≥ 2): α_{2..T} = g_1Uᵀ(DUᵀ)⁻¹,
// α_1 = 1 − Σ α_{2..T}. The hybrid variant first scales the losses by IMTL-L: e^{s_k}L_k − s_k
// with learned s.
class Imtl final : public GradientWeighting {
public:
    Imtl(const WeightingArgs &args, bool scaled)
        : GradientWeighting("imtl", args)
    {
        if (scaled)
            m_scale.emplace(args.taskCount, args.device);
    }
    std::vector<at::Tensor> parameters() override
    {
        return m_scale ? std::vector<at::Tensor>{m_scale->tensor()} : std::vector<at::Tensor>{};
    }
    std::vector<LearnedValues> learnedValues() const override
    {
        if (!m_scale)
            return {};
        return {{"imtl_log_scale", toVector(m_scale->tensor().detach())}};
    }
    void save(torch::serialize::OutputArchive &archive) const override
    {
        if (m_scale)
            m_scale->save(archive);
    }
    void load(torch::serialize::InputArchive &archive) override
    {
        if (m_scale)
            m_scale->load(archive);
    }

protected:
    std::vector<at::Tensor> transform(const std::vector<at::Tensor> &losses) override
    {
        return m_scale ? m_scale->apply(losses) : losses;
    }
    Combination combine(const at::Tensor &grads, const at::Tensor &) override
    {
        const Matrix M = gramMatrix(grads);
        const std::size_t T = M.size();
        std::vector<double> alpha(T, 1.0 / static_cast<double>(T));
        if (T == 1) {
            alpha[0] = 1.0;
        } else {
            std::vector<double> norm(T);
            for (std::size_t k = 0; k < T; ++k)
                norm[k] = std::max(std::sqrt(M[k][k]), 1e-12);
            const auto gu = [&](std::size_t a, std::size_t b) { return M[a][b] / norm[b]; };
            Matrix A(T - 1, std::vector<double>(T - 1)); // A[i][j] = D_j·U_i
            std::vector<double> b(T - 1), x;
            for (std::size_t i = 1; i < T; ++i) {
                b[i - 1] = gu(0, 0) - gu(0, i);
                for (std::size_t j = 1; j < T; ++j)
                    A[i - 1][j - 1] = gu(0, 0) - gu(0, i) - gu(j, 0) + gu(j, i);
            }
            // A singular system (parallel gradients) keeps the equal weights.
            if (solveLinear(A, b, x)) {
                alpha[0] = 1;
                for (std::size_t k = 1; k < T; ++k) {
                    alpha[k] = x[k - 1];
                    alpha[0] -= x[k - 1];
                }
            }
        }
        std::vector<double> weights = alpha; // what multiplies ∇L_k: α_k·e^{s_k}
        if (m_scale) {
            const std::vector<double> factors = m_scale->factors();
            for (std::size_t k = 0; k < T; ++k)
                weights[k] *= factors[k];
        }
        return {alpha, {}, weights};
    }

private:
    std::optional<LearnedLossScale> m_scale;
};

// graddrop (Chen et al. 2020): at the shared representation, each unit keeps the gradients of
// one sign, positive with probability P = ½(1 + Σ_k g_k / Σ_k |g_k|) where g_k is task k's
// gradient times the sign of the activation summed over the batch; the others are scaled by
// `leak`. Recorded weights: the share of each task's units that kept its gradient.
class GradDrop final : public GradientWeighting {
public:
    explicit GradDrop(const WeightingArgs &args)
        : GradientWeighting("graddrop", args, Spaces::RepresentationOnly)
        , m_leak(args.options.at("leak").get<double>())
        , m_random(args.seed)
    {}
    void save(torch::serialize::OutputArchive &archive) const override { m_random.save(archive); }
    void load(torch::serialize::InputArchive &archive) override { m_random.load(archive); }

protected:
    Combination combine(const at::Tensor &grads, const at::Tensor &) override
    {
        const at::Tensor &z = representation();
        const std::int64_t T = grads.size(0), B = z.size(0);
        const at::Tensor perSample = grads.view({T, B, -1});                 // [T, B, F]
        const at::Tensor g = (perSample * z.reshape({B, -1}).sign()).sum(1); // [T, F]
        const at::Tensor P = 0.5 * (1 + g.sum(0) / (g.abs().sum(0) + 1e-7)); // [F]
        const at::Tensor U = at::rand({P.size(0)}, m_random.generator(), torch::kFloat32)
                                 .to(P.device(), P.scalar_type());
        const at::Tensor kept = (P.gt(U).unsqueeze(0) & g.gt(0)) | (P.lt(U).unsqueeze(0) & g.lt(0));
        const at::Tensor keep = m_leak + (1 - m_leak) * kept.to(grads.scalar_type()); // [T, F]
        Combination chosen;
        chosen.direction = (perSample * keep.unsqueeze(1)).sum(0).reshape({-1});
        chosen.weights = toVector(keep.mean(1));
        return chosen;
    }

private:
    double m_leak;
    MethodRandom m_random;
};

// gradvac (Wang et al. 2021): like PCGrad, but each pair's cosine similarity is pulled up to an
// exponential moving average ρ̂_ij of its past values instead of to 0: when ρ_ij < ρ̂_ij,
// g'_i += ‖g'_i‖(ρ̂√(1−ρ²) − ρ√(1−ρ̂²)) / (‖g_j‖√(1−ρ̂²)) · g_j; ρ̂ ← (1−β)ρ̂ + βρ. One group:
// the whole shared part (LibMTL's default group_type 0).
class GradVac final : public GradientWeighting {
public:
    explicit GradVac(const WeightingArgs &args)
        : GradientWeighting("gradvac", args)
        , m_beta(args.options.at("beta").get<double>())
        , m_target(args.taskCount, std::vector<double>(args.taskCount, 0.0))
        , m_random(args.seed)
    {}
    void save(torch::serialize::OutputArchive &archive) const override
    {
        m_random.save(archive);
        std::vector<double> flat;
        for (const auto &row : m_target)
            flat.insert(flat.end(), row.begin(), row.end());
        archive.write("target", fromVector(flat));
    }
    void load(torch::serialize::InputArchive &archive) override
    {
        m_random.load(archive);
        at::Tensor target;
        archive.read("target", target);
        const std::vector<double> flat = toVector(target);
        for (std::size_t i = 0; i < m_target.size(); ++i)
            for (std::size_t j = 0; j < m_target.size(); ++j)
                m_target[i][j] = flat.at(i * m_target.size() + j);
    }

protected:
    Combination combine(const at::Tensor &grads, const at::Tensor &) override
    {
        const Matrix M = gramMatrix(grads);
        const std::size_t T = M.size();
        std::vector<double> total(T, 0.0);
        for (std::size_t i = 0; i < T; ++i) {
            std::vector<double> c(T, 0.0); // g'_i = Σ_l c[l]·g_l
            c[i] = 1.0;
            for (const std::size_t j : m_random.permutation(T)) {
                if (j == i)
                    continue;
                const std::vector<double> Mc = multiply(M, c);
                const double norm = std::sqrt(std::max(dot(c, Mc), 0.0));
                const double other = std::sqrt(std::max(M[j][j], 0.0));
                const double rho = Mc[j] / (norm * other + 1e-8);
                const double target = m_target[i][j];
                if (rho < target) {
                    const double sinRho = std::sqrt(std::max(1 - rho * rho, 0.0));
                    const double sinTarget = std::sqrt(std::max(1 - target * target, 0.0));
                    c[j] += norm * (target * sinRho - rho * sinTarget) / (other * sinTarget + 1e-8);
                }
                m_target[i][j] = (1 - m_beta) * target + m_beta * rho;
            }
            for (std::size_t l = 0; l < T; ++l)
                total[l] += c[l];
        }
        return {total, {}, total};
    }

private:
    double m_beta;
    Matrix m_target; // ρ̂_ij
    MethodRandom m_random;
};

// aligned_mtl (Senushkin et al. 2023): the gradients' principal components rescaled to the
// smallest singular value σ_min, so the combined direction has condition number 1:
// with M = VΛVᵀ (rank r), α = Σ_i [σ_min·V Λ^{−1/2} Vᵀ]_{i·}.
class AlignedMtl final : public GradientWeighting {
public:
    explicit AlignedMtl(const WeightingArgs &args)
        : GradientWeighting("aligned_mtl", args)
    {}

protected:
    Combination combine(const at::Tensor &grads, const at::Tensor &) override
    {
        const Matrix M = gramMatrix(grads);
        const std::size_t T = M.size();
        const SymmetricEigen eigen = symmetricEigen(M);
        const double largest = eigen.values.back();
        // LibMTL's rank tolerance: λ_max · T · float32 epsilon.
        const double tolerance = largest * static_cast<double>(T) * 1.1920929e-7;
        double smallest = 0;
        for (double lambda : eigen.values)
            if (lambda > tolerance) {
                smallest = lambda;
                break;
            }
        std::vector<double> alpha(T, 0.0);
        for (std::size_t k = 0; k < T; ++k) {
            const double lambda = eigen.values[k];
            if (lambda <= tolerance)
                continue;
            const double factor = std::sqrt(smallest / lambda);
            double column = 0; // Σ_i V[i][k]
            for (std::size_t i = 0; i < T; ++i)
                column += eigen.vectors[i][k];
            for (std::size_t j = 0; j < T; ++j)
                alpha[j] += factor * eigen.vectors[j][k] * column;
        }
        return {alpha, {}, alpha};
    }
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
std::unique_ptr<WeightingMethod> makeImtl(const WeightingArgs &args)
{
    const std::string variant = args.options.at("variant").get<std::string>();
    if (variant == "loss")
        return makeImtlLoss(args);
    return std::make_unique<Imtl>(args, variant == "hybrid");
}
std::unique_ptr<WeightingMethod> makeGradDrop(const WeightingArgs &args)
{
    return std::make_unique<GradDrop>(args);
}
std::unique_ptr<WeightingMethod> makeGradVac(const WeightingArgs &args)
{
    return std::make_unique<GradVac>(args);
}
std::unique_ptr<WeightingMethod> makeAlignedMtl(const WeightingArgs &args)
{
    return std::make_unique<AlignedMtl>(args);
}

} // namespace mtl::train::detail
