#pragma once
// What the gradient-manipulation methods (PCGrad, MGDA, CAGrad, …) share: per-task gradients
// of the shared part as one [T, P] matrix, a combination of them, and one backward pass that
// puts the combined gradient on the shared parameters while every task-specific parameter
// keeps its own loss's gradient. A method is then a function of that matrix (most only of its
// Gram matrix G·Gᵀ), testable with a hand-written one. Also the small solvers they need.
// Thread contract: the trainer's thread (grad mode is per thread).

#include "common/registry.h"
#include "train/smallmatrix.h"
#include "train/weighting.h"

#include <ATen/core/Generator.h>
#include <ATen/core/Tensor.h>

#include <optional>
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

// Which spaces a method's gradients may come from: its paper's choice where the other space
// would change what the method means (a state kept across steps needs fixed coordinates:
// DB-MTL, MoCo; GradDrop acts on activations).
enum class Spaces { Either, ParametersOnly, RepresentationOnly };

// The combination a method chooses: direction = Σ_t coefficients[t]·G[t], or an explicit
// direction ([P], when it is not a combination of the rows, e.g. GradDrop). weights: what is
// recorded as the task weights of the step.
struct Combination {
    std::vector<double> coefficients; // empty when direction is given
    at::Tensor direction;             // undefined when coefficients are given
    std::vector<double> weights;
    // Back-propagate Σ_t coefficients[t]·L_t through the whole model, so the task heads get
    // weighted gradients too (Nash-MTL, FairGrad, ExcessMTL), instead of giving the heads their
    // own losses' gradients and the shared part the direction.
    bool weightLosses = false;
    double maxSharedNorm = 0; // > 0: clip the shared parameters' gradient to this norm
};

class GradientWeighting : public WeightingMethod {
public:
    GradientWeighting(std::string name, const WeightingArgs &args, Spaces spaces = Spaces::Either);
    std::string name() const override { return m_name; }
    std::string describe(bool hasRepresentation) const override;
    bool balancesSharedGradients() const override { return true; }
    std::vector<double> backward(const std::vector<at::Tensor> &losses,
                                 const WeightingContext &context) final;
    // Throws Error(Config) when the method cannot run on such a model (see chooseSpace()).
    GradientSpace space(bool hasRepresentation) const;

protected:
    // What is differentiated instead of the losses (IMTL's scaled losses, DB-MTL's log-losses);
    // the task heads get the gradient of their sum.
    virtual std::vector<at::Tensor> transform(const std::vector<at::Tensor> &losses)
    {
        return losses;
    }
    // A step that needs no per-task gradients (Nash-MTL between its updates): a combination
    // with weightLosses set, or nothing to compute the gradients.
    virtual std::optional<Combination> withoutGradients(const WeightingContext &) { return {}; }
    // grads: [T, P] float, row t the gradient of objective t; losses: [T] their values.
    virtual Combination combine(const at::Tensor &grads, const at::Tensor &losses) = 0;
    // During combine(): the shared representation (detached) when the gradients are taken
    // with respect to it, else undefined.
    const at::Tensor &representation() const { return m_representation; }
    std::size_t m_taskCount;

private:
    std::string m_name;
    std::string m_gradients; // as configured: auto, representation, parameters
    Spaces m_spaces;
    at::Tensor m_representation;
};

// Gram matrix of the rows of grads ([T, P]): M[i][j] = G[i]·G[j].
Matrix gramMatrix(const at::Tensor &grads);
// A square [n, n] tensor's values.
Matrix toMatrix(const at::Tensor &square);

// A method's own random numbers (RLW's draws, PCGrad's task order), seeded from the run's
// seed and saved in checkpoints, independent of the model's generator.
class MethodRandom {
public:
    explicit MethodRandom(std::uint64_t seed);
    at::Generator &generator() { return m_generator; }
    // 0 … n−1 in a random order (one randperm draw).
    std::vector<std::size_t> permutation(std::size_t n);
    void save(torch::serialize::OutputArchive &archive) const;
    void load(torch::serialize::InputArchive &archive);

private:
    mutable at::Generator m_generator; // saving locks its mutex
};

// The values of a [T] tensor as doubles, and back (a CPU double tensor).
std::vector<double> toVector(const at::Tensor &t);
at::Tensor fromVector(const std::vector<double> &values);

} // namespace mtl::train
