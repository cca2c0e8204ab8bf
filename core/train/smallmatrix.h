#pragma once
// Small dense linear algebra on T × T numbers (T the objectives of a run): the solvers the
// gradient methods run on a Gram matrix. Plain loops on the CPU in double precision, since a
// tensor operation on a few numbers costs more than the arithmetic. Pure functions, any thread.

#include <vector>

namespace mtl::train {

using Matrix = std::vector<std::vector<double>>;

// M·x, xᵀ·y.
std::vector<double> multiply(const Matrix &M, const std::vector<double> &x);
double dot(const std::vector<double> &x, const std::vector<double> &y);

// The point of the probability simplex closest to x: Euclidean projection.
std::vector<double> projectToSimplex(std::vector<double> x);

// argmin over the simplex of αᵀ·M·α for a Gram matrix M: the min-norm point of the convex
// hull of the gradients. Exact for T ≤ 2; beyond, Frank–Wolfe with exact line search from the
// best pair, until the step is below `tolerance` or after `iterations`.
std::vector<double> minNormWeights(const Matrix &M, int iterations = 250, double tolerance = 1e-5);

// x with A·x = b by Gaussian elimination with partial pivoting; false when A is singular (a
// pivot below 1e-12 of the largest entry).
bool solveLinear(Matrix A, std::vector<double> b, std::vector<double> &x);

// Eigen-decomposition of a symmetric matrix (cyclic Jacobi): values ascending, vectors[i][k]
// the i-th entry of the k-th eigenvector.
struct SymmetricEigen {
    std::vector<double> values;
    Matrix vectors;
};
SymmetricEigen symmetricEigen(const Matrix &M);

// The Moore–Penrose pseudo-inverse of a symmetric positive semi-definite M applied to b:
// eigenvalues at or below `cutoff` × the largest count as zero.
std::vector<double> pseudoSolve(const Matrix &M, const std::vector<double> &b, double cutoff);

// argmin over v ≥ u (entry-wise) of vᵀ·G·v, G symmetric positive definite: the weights of the
// projection of Jᵀu onto the dual cone of J's rows when G = J·Jᵀ (Jacobian descent).
// Coordinate descent to a change below `tolerance`.
std::vector<double> projectToDualCone(const Matrix &G, const std::vector<double> &u,
                                      double tolerance = 1e-12, int sweeps = 10000);

// The x > 0 with M·x = x^(−p) entry-wise (p > 0; p = 1: Nash-MTL's bargaining solution,
// p = 1/α: FairGrad's α-fair allocation): the minimiser of ½xᵀMx − Σ h(x_k) with h' = x^(−p),
// by damped Newton from `start` (entries > 0), to a residual below `tolerance` or after
// `iterations`.
std::vector<double> solvePowerBalance(const Matrix &M, double p, std::vector<double> start,
                                      int iterations = 100, double tolerance = 1e-10);

// FORUM's programme (Ye et al. 2024): argmin over w = (x, y), x on the simplex (n entries),
// y ≥ max(0, πᵀx), of wᵀ·Q·w − c·y, Q [(n+1) × (n+1)] symmetric positive semi-definite. For
// each x the best y is explicit; projected gradient descent on x (step 1/L) to a change below
// `tolerance` or after `iterations`. Returns w (n + 1 entries).
std::vector<double> solveForumProgramme(const Matrix &Q, const std::vector<double> &pi, double c,
                                        int iterations = 20000, double tolerance = 1e-13);

} // namespace mtl::train
