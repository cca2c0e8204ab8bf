#pragma once
// What the gradient-manipulation methods (PCGrad, MGDA, CAGrad, …) share: per-task gradients
// of the shared part as one [T, P] matrix, a combination of them, and one backward pass that
// puts the combined gradient on the shared parameters while every task-specific parameter
// keeps its own loss's gradient. A method is then a function of that matrix (most only of its
// Gram matrix G·Gᵀ), testable with a hand-written one. Also the small solvers they need.
// Thread contract: the trainer's thread (grad mode is per thread).

#include "common/registry.h"
#include "train/weighting.h"

#include <ATen/core/Generator.h>
#include <ATen/core/Tensor.h>

#include <string>
#include <vector>

namespace mtl::train {

// Where per-task gradients are taken. Representation: w.r.t. the shared representation
// (ModelOutput::shared; one backward through the heads per task, one through the shared
// layers; the MGDA-UB trick). Parameters: w.r.t. every shared parameter (one full backward
// per task; exact).
enum class GradientSpace { Representation, Parameters };

// The option every gradient method declares: "gradients": "auto" (representation when the
// model has one, else parameters), "representation" or "parameters".
OptionSpec gradientsOption();

// The space a configured "gradients" value gives on a model with (or without) a shared
// representation; throws Error(Config) naming weighting.options.gradients when
// "representation" cannot be had.
GradientSpace chooseSpace(const std::string &configured, bool hasRepresentation);

// The combination a method chooses: direction = Σ_t coefficients[t]·G[t], or an explicit
// direction ([P], when it is not a combination of the rows, e.g. GradDrop). weights: what is
// recorded as the task weights of the step.
struct Combination {
    std::vector<double> coefficients; // empty when direction is given
    at::Tensor direction;             // undefined when coefficients are given
    std::vector<double> weights;
};

class GradientWeighting : public WeightingMethod {
public:
    GradientWeighting(std::string name, const WeightingArgs &args);
    std::string name() const override { return m_name; }
    std::string describe(bool hasRepresentation) const override;
    std::vector<double> backward(const std::vector<at::Tensor> &losses,
                                 const WeightingContext &context) final;
    GradientSpace space(bool hasRepresentation) const
    {
        return chooseSpace(m_gradients, hasRepresentation);
    }

protected:
    // grads: [T, P] float, row t the gradient of objective t; losses: [T] their values.
    virtual Combination combine(const at::Tensor &grads, const at::Tensor &losses) = 0;
    std::size_t m_taskCount;

private:
    std::string m_name;
    std::string m_gradients; // as configured: auto, representation, parameters
};

// A small dense matrix (T × T, T the objectives): the methods' solvers run on the CPU in plain
// loops, since a tensor operation on a few numbers costs more than the arithmetic.
using Matrix = std::vector<std::vector<double>>;

// Gram matrix of the rows of grads ([T, P]): M[i][j] = G[i]·G[j].
Matrix gramMatrix(const at::Tensor &grads);

// The point of the probability simplex closest to x: Euclidean projection.
std::vector<double> projectToSimplex(std::vector<double> x);

// argmin over the simplex of αᵀ·M·α for a Gram matrix M: the min-norm point of the convex
// hull of the gradients. Exact for T ≤ 2; beyond, Frank–Wolfe with exact line search from the
// best pair, until the step is below `tolerance` or after `iterations`.
std::vector<double> minNormWeights(const Matrix &M, int iterations = 250, double tolerance = 1e-5);

// M·x, xᵀ·y.
std::vector<double> multiply(const Matrix &M, const std::vector<double> &x);
double dot(const std::vector<double> &x, const std::vector<double> &y);

// A method's own random numbers (RLW's draws, PCGrad's task order), seeded from the run's
// seed and saved in checkpoints, independent of the model's generator.
class MethodRandom {
public:
    explicit MethodRandom(std::uint64_t seed);
    at::Generator &generator() { return m_generator; }
    void save(torch::serialize::OutputArchive &archive) const;
    void load(torch::serialize::InputArchive &archive);

private:
    mutable at::Generator m_generator; // saving locks its mutex
};

// The values of a [T] tensor as doubles.
std::vector<double> toVector(const at::Tensor &t);

} // namespace mtl::train
