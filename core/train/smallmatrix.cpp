#include "train/smallmatrix.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <utility>

namespace mtl::train {

std::vector<double> multiply(const Matrix &M, const std::vector<double> &x)
{
    std::vector<double> y(M.size(), 0.0);
    for (std::size_t i = 0; i < M.size(); ++i)
        for (std::size_t j = 0; j < x.size(); ++j)
            y[i] += M[i][j] * x[j];
    return y;
}

double dot(const std::vector<double> &x, const std::vector<double> &y)
{
    double sum = 0;
    for (std::size_t i = 0; i < x.size(); ++i)
        sum += x[i] * y[i];
    return sum;
}

std::vector<double> projectToSimplex(std::vector<double> x)
{
    std::vector<double> sorted = x;
    std::sort(sorted.begin(), sorted.end(), std::greater<double>());
    double cumulative = 0, theta = 0;
    for (std::size_t k = 0; k < sorted.size(); ++k) {
        cumulative += sorted[k];
        const double candidate = (cumulative - 1.0) / static_cast<double>(k + 1);
        if (sorted[k] - candidate > 0)
            theta = candidate;
    }
    for (double &value : x)
        value = std::max(value - theta, 0.0);
    return x;
}

namespace {
// min over γ ∈ [0, 1] of ‖(1−γ)a + γb‖² given aa = aᵀMa, ab = aᵀMb, bb = bᵀMb.
double lineSearch(double aa, double ab, double bb)
{
    const double denominator = aa - 2 * ab + bb;
    if (denominator <= 0)
        return aa <= bb ? 0.0 : 1.0;
    return std::clamp((aa - ab) / denominator, 0.0, 1.0);
}
} // namespace

std::vector<double> minNormWeights(const Matrix &M, int iterations, double tolerance)
{
    const std::size_t T = M.size();
    std::vector<double> alpha(T, 0.0);
    if (T == 1) {
        alpha[0] = 1.0;
        return alpha;
    }
    // The best pair, exactly: weight γ on j, 1 − γ on i.
    double best = std::numeric_limits<double>::infinity();
    std::size_t bi = 0, bj = 1;
    double bgamma = 0;
    for (std::size_t i = 0; i < T; ++i)
        for (std::size_t j = i + 1; j < T; ++j) {
            const double gamma = lineSearch(M[i][i], M[i][j], M[j][j]);
            const double value = (1 - gamma) * (1 - gamma) * M[i][i] +
                                 2 * gamma * (1 - gamma) * M[i][j] + gamma * gamma * M[j][j];
            if (value < best) {
                best = value;
                bi = i;
                bj = j;
                bgamma = gamma;
            }
        }
    alpha[bi] = 1 - bgamma;
    alpha[bj] = bgamma;
    if (T == 2)
        return alpha;
    // Frank–Wolfe: move towards the vertex with the smallest gradient (M·α)_t.
    for (int k = 0; k < iterations; ++k) {
        const std::vector<double> Ma = multiply(M, alpha);
        const std::size_t t =
            static_cast<std::size_t>(std::min_element(Ma.begin(), Ma.end()) - Ma.begin());
        const double gamma = lineSearch(dot(alpha, Ma), Ma[t], M[t][t]);
        if (gamma < tolerance)
            break;
        for (double &a : alpha)
            a *= 1 - gamma;
        alpha[t] += gamma;
    }
    return alpha;
}

bool solveLinear(Matrix A, std::vector<double> b, std::vector<double> &x)
{
    const std::size_t n = A.size();
    double largest = 0;
    for (const auto &row : A)
        for (double value : row)
            largest = std::max(largest, std::abs(value));
    if (largest == 0 && n > 0)
        return false;
    for (std::size_t c = 0; c < n; ++c) {
        std::size_t pivot = c;
        for (std::size_t r = c + 1; r < n; ++r)
            if (std::abs(A[r][c]) > std::abs(A[pivot][c]))
                pivot = r;
        if (std::abs(A[pivot][c]) <= 1e-12 * largest)
            return false;
        std::swap(A[c], A[pivot]);
        std::swap(b[c], b[pivot]);
        for (std::size_t r = c + 1; r < n; ++r) {
            const double factor = A[r][c] / A[c][c];
            for (std::size_t k = c; k < n; ++k)
                A[r][k] -= factor * A[c][k];
            b[r] -= factor * b[c];
        }
    }
    x.assign(n, 0.0);
    for (std::size_t r = n; r-- > 0;) {
        double sum = b[r];
        for (std::size_t k = r + 1; k < n; ++k)
            sum -= A[r][k] * x[k];
        x[r] = sum / A[r][r];
    }
    return true;
}

SymmetricEigen symmetricEigen(const Matrix &M)
{
    const std::size_t n = M.size();
    Matrix A = M;
    Matrix V(n, std::vector<double>(n, 0.0));
    for (std::size_t i = 0; i < n; ++i)
        V[i][i] = 1.0;
    double scale = 0;
    for (const auto &row : A)
        for (double value : row)
            scale += value * value;
    for (int sweep = 0; sweep < 100; ++sweep) {
        double off = 0;
        for (std::size_t p = 0; p < n; ++p)
            for (std::size_t q = p + 1; q < n; ++q)
                off += A[p][q] * A[p][q];
        if (off <= 1e-30 * scale || off == 0)
            break;
        for (std::size_t p = 0; p < n; ++p)
            for (std::size_t q = p + 1; q < n; ++q) {
                if (A[p][q] == 0)
                    continue;
                // The rotation that zeroes A[p][q] (Golub & Van Loan, Algorithm 8.4.1).
                const double theta = (A[q][q] - A[p][p]) / (2 * A[p][q]);
                const double t =
                    (theta >= 0 ? 1.0 : -1.0) / (std::abs(theta) + std::sqrt(theta * theta + 1));
                const double c = 1 / std::sqrt(t * t + 1), s = t * c;
                for (std::size_t k = 0; k < n; ++k) { // A ← A·J
                    const double akp = A[k][p], akq = A[k][q];
                    A[k][p] = c * akp - s * akq;
                    A[k][q] = s * akp + c * akq;
                }
                for (std::size_t k = 0; k < n; ++k) { // A ← Jᵀ·A
                    const double apk = A[p][k], aqk = A[q][k];
                    A[p][k] = c * apk - s * aqk;
                    A[q][k] = s * apk + c * aqk;
                }
                for (std::size_t k = 0; k < n; ++k) { // V ← V·J
                    const double vkp = V[k][p], vkq = V[k][q];
                    V[k][p] = c * vkp - s * vkq;
                    V[k][q] = s * vkp + c * vkq;
                }
            }
    }
    std::vector<std::size_t> order(n);
    for (std::size_t i = 0; i < n; ++i)
        order[i] = i;
    std::sort(order.begin(), order.end(),
              [&](std::size_t a, std::size_t b) { return A[a][a] < A[b][b]; });
    SymmetricEigen result{std::vector<double>(n), Matrix(n, std::vector<double>(n))};
    for (std::size_t k = 0; k < n; ++k) {
        result.values[k] = A[order[k]][order[k]];
        for (std::size_t i = 0; i < n; ++i)
            result.vectors[i][k] = V[i][order[k]];
    }
    return result;
}

std::vector<double> pseudoSolve(const Matrix &M, const std::vector<double> &b, double cutoff)
{
    const SymmetricEigen eigen = symmetricEigen(M);
    const std::size_t n = M.size();
    const double largest = n ? std::max(eigen.values.back(), 0.0) : 0.0;
    std::vector<double> x(n, 0.0);
    for (std::size_t k = 0; k < n; ++k) {
        const double lambda = eigen.values[k];
        if (lambda <= cutoff * largest || lambda <= 0)
            continue;
        double projection = 0;
        for (std::size_t i = 0; i < n; ++i)
            projection += eigen.vectors[i][k] * b[i];
        for (std::size_t i = 0; i < n; ++i)
            x[i] += eigen.vectors[i][k] * projection / lambda;
    }
    return x;
}

std::vector<double> projectToDualCone(const Matrix &G, const std::vector<double> &u,
                                      double tolerance, int sweeps)
{
    const std::size_t n = G.size();
    std::vector<double> v = u;
    for (int sweep = 0; sweep < sweeps; ++sweep) {
        double change = 0;
        for (std::size_t j = 0; j < n; ++j) {
            if (G[j][j] <= 0)
                continue;
            double others = 0; // Σ_{k≠j} G_jk v_k
            for (std::size_t k = 0; k < n; ++k)
                if (k != j)
                    others += G[j][k] * v[k];
            const double next = std::max(u[j], -others / G[j][j]);
            change = std::max(change, std::abs(next - v[j]));
            v[j] = next;
        }
        if (change <= tolerance)
            break;
    }
    return v;
}

std::vector<double> solvePowerBalance(const Matrix &M, double p, std::vector<double> x,
                                      int iterations, double tolerance)
{
    const std::size_t n = M.size();
    const auto objective = [&](const std::vector<double> &y) {
        double value = 0.5 * dot(y, multiply(M, y));
        for (double yk : y)
            value -= p == 1 ? std::log(yk) : std::pow(yk, 1 - p) / (1 - p);
        return value;
    };
    for (int k = 0; k < iterations; ++k) {
        const std::vector<double> Mx = multiply(M, x);
        std::vector<double> residual(n), step(n);
        double worst = 0, size = 1;
        for (std::size_t i = 0; i < n; ++i) {
            const double target = std::pow(x[i], -p);
            residual[i] = Mx[i] - target;
            worst = std::max(worst, std::abs(residual[i]));
            size = std::max(size, target);
        }
        if (worst <= tolerance * size)
            break;
        Matrix H = M; // the Hessian: M + diag(p·x^(−p−1))
        for (std::size_t i = 0; i < n; ++i)
            H[i][i] += p * std::pow(x[i], -p - 1);
        std::vector<double> negative(n);
        for (std::size_t i = 0; i < n; ++i)
            negative[i] = -residual[i];
        if (!solveLinear(H, negative, step))
            break;
        double t = 1; // stay inside x > 0, then backtrack to a decrease (Armijo)
        for (std::size_t i = 0; i < n; ++i)
            if (step[i] < 0)
                t = std::min(t, -0.99 * x[i] / step[i]);
        const double value = objective(x), slope = dot(residual, step);
        std::vector<double> next(n);
        for (int tries = 0; tries < 60; ++tries, t /= 2) {
            for (std::size_t i = 0; i < n; ++i)
                next[i] = x[i] + t * step[i];
            if (objective(next) <= value + 1e-4 * t * slope)
                break;
        }
        x = next;
    }
    return x;
}

std::vector<double> solveForumProgramme(const Matrix &Q, const std::vector<double> &pi, double c,
                                        int iterations, double tolerance)
{
    const std::size_t n = pi.size();
    // y at its best for x: the unconstrained minimiser of the quadratic in y, or the bound.
    const auto bestY = [&](const std::vector<double> &x, double &bound, double &slope) {
        double qxy = 0;
        bound = 0;
        for (std::size_t i = 0; i < n; ++i) {
            qxy += Q[n][i] * x[i];
            bound += pi[i] * x[i];
        }
        bound = std::max(0.0, bound);
        const double free = Q[n][n] > 0 ? (c - 2 * qxy) / (2 * Q[n][n]) : bound;
        const double y = std::max(bound, free);
        slope = 2 * qxy + 2 * Q[n][n] * y - c; // ∂/∂y at y: ≥ 0 where the bound holds it
        return y;
    };
    double trace = 0, piNorm = 0;
    for (std::size_t i = 0; i <= n; ++i)
        trace += Q[i][i];
    for (double p : pi)
        piNorm += p * p;
    const double step = 1.0 / (2.0 * std::max(trace, 1e-300) * (1.0 + piNorm));
    std::vector<double> x(n, 1.0 / static_cast<double>(n));
    double bound = 0, slope = 0, y = bestY(x, bound, slope);
    for (int k = 0; k < iterations; ++k) {
        std::vector<double> next = x;
        const bool held = y <= bound && slope > 0;
        const bool piActive = bound > 0;
        for (std::size_t i = 0; i < n; ++i) {
            double gradient = 2 * Q[i][n] * y;
            for (std::size_t j = 0; j < n; ++j)
                gradient += 2 * Q[i][j] * x[j];
            if (held && piActive) // y = πᵀx moves with x
                gradient += slope * pi[i];
            next[i] -= step * gradient;
        }
        next = projectToSimplex(next);
        double change = 0;
        for (std::size_t i = 0; i < n; ++i)
            change = std::max(change, std::abs(next[i] - x[i]));
        x = std::move(next);
        y = bestY(x, bound, slope);
        if (change < tolerance)
            break;
    }
    x.push_back(y);
    return x;
}

} // namespace mtl::train
