#pragma once
// The fixture of the weighting-method suites: two tasks on a tiny linear model whose gradients
// are known by hand, and comparisons of vectors of doubles.

#include "train/collective.h"
#include "train/gradientweighting.h"
#include "train/weighting.h"

#include <torch/serialize/archive.h>
#include <torch/types.h>

#include <QStringList>
#include <QTest>

#include <cmath>
#include <optional>
#include <sstream>

namespace mtl::testing {

// θ = [[1, 2]] (shared, a layer's weight), z = 2θ (the shared representation, what the heads
// read), a = b = 1 (one parameter per task):
//   L1 = a·z0         ∂L1/∂z = [1, 0]     ∂L1/∂θ = [2, 0]     ∂L1/∂a = z0 = 2
//   L2 = b·(z1 − z0)  ∂L2/∂z = [−1, 1]    ∂L2/∂θ = [−2, 2]    ∂L2/∂b = z1 − z0 = 2
// Both losses are 2. A method's direction d in z-space reaches θ as Jᵀd = 2d.
struct Linear {
    torch::Tensor theta = torch::tensor({{1.0f, 2.0f}}).requires_grad_();
    torch::Tensor a = torch::ones({1}).requires_grad_();
    torch::Tensor b = torch::ones({1}).requires_grad_();
    torch::Tensor z;
    mtl::train::LocalCollective local;
    std::vector<torch::Tensor> losses()
    {
        z = (2 * theta).reshape({-1});
        return {(a * z[0]).sum(), (b * (z[1] - z[0])).sum()};
    }
    mtl::train::WeightingContext context(bool representation = true)
    {
        mtl::train::WeightingContext c;
        c.sharedParameters = {theta};
        c.taskParameters = {a, b};
        if (representation)
            c.sharedRepresentation = z;
        c.collective = &local;
        return c;
    }
    // Batch s of a step (0: the step's own): the losses times s + 1, with their graph.
    std::vector<torch::Tensor> sample(std::size_t s)
    {
        std::vector<torch::Tensor> l = losses();
        for (torch::Tensor &loss : l)
            loss = loss * static_cast<double>(s + 1);
        return l;
    }
    // context() with what the loop gives a method that asks for `count` batches per step:
    // moreSamples (sample(1), …), objectivesAt (sample(s) at the current parameters) and the
    // step rules of plain SGD with lr 0.1.
    mtl::train::WeightingContext sampledContext(std::size_t count, bool representation = true)
    {
        mtl::train::WeightingContext c = context(representation);
        for (std::size_t s = 1; s < count; ++s)
            c.moreSamples.push_back(sample(s));
        c.objectivesAt = [this](std::size_t s, bool withGradients) {
            std::optional<torch::NoGradGuard> noGrad;
            if (!withGradients)
                noGrad.emplace();
            return sample(s);
        };
        c.stepRules = [this] {
            return std::vector<mtl::train::WeightingContext::StepRule>{
                {theta, 0.1, 0, {}}, {a, 0.1, 0, {}}, {b, 0.1, 0, {}}};
        };
        return c;
    }
    // One step of `method`: the weights it returns.
    std::vector<double> step(mtl::train::WeightingMethod &method, bool representation = true)
    {
        const std::vector<torch::Tensor> l = losses();
        return method.backward(l, context(representation));
    }
    void zeroGrad()
    {
        for (torch::Tensor *t : {&theta, &a, &b})
            if (t->grad().defined())
                t->mutable_grad().zero_();
    }
};

inline std::vector<double> values(const torch::Tensor &t)
{
    return mtl::train::toVector(t.detach().reshape({-1}));
}

inline bool near(const std::vector<double> &actual, const std::vector<double> &expected,
                 double tolerance = 1e-5)
{
    if (actual.size() != expected.size())
        return false;
    for (std::size_t i = 0; i < actual.size(); ++i)
        if (std::abs(actual[i] - expected[i]) > tolerance * std::max(1.0, std::abs(expected[i])))
            return false;
    return true;
}

inline QString show(const std::vector<double> &v)
{
    QStringList parts;
    for (double x : v)
        parts << QString::number(x, 'g', 7);
    return QLatin1Char('[') + parts.join(QStringLiteral(", ")) + QLatin1Char(']');
}

#define COMPARE_NEAR(actual, ...)                                                                  \
    do {                                                                                           \
        const std::vector<double> a_ = (actual), e_ = __VA_ARGS__;                                 \
        QVERIFY2(near(a_, e_), qPrintable(show(a_) + QStringLiteral(" vs ") + show(e_)));          \
    } while (false)

inline std::unique_ptr<mtl::train::WeightingMethod>
make(const std::string &method, nlohmann::json options,
     std::vector<mtl::train::Objective> objectives = {{"one", false}, {"two", false}},
     std::uint64_t seed = 0)
{
    return mtl::train::makeWeighting({method, std::move(options)}, objectives,
                                     c10::Device(c10::kCPU), seed);
}

inline const char *space(bool representation)
{
    return representation ? "representation" : "parameters";
}

// A method's state through a checkpoint, into `into`.
inline void copyState(const mtl::train::WeightingMethod &from, mtl::train::WeightingMethod &into)
{
    torch::serialize::OutputArchive out;
    from.save(out);
    std::stringstream buffer;
    out.save_to(buffer);
    torch::serialize::InputArchive in;
    in.load_from(buffer);
    into.load(in);
}

} // namespace mtl::testing
