#include "train/gradientweighting.h"

#include "common/error.h"
#include "train/gradients.h"
#include "train/taskhelpers.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/autograd.h>
#include <torch/serialize/archive.h>
#include <torch/types.h>

#include <algorithm>
#include <functional>
#include <limits>
#include <mutex>

namespace mtl::train {

OptionSpec gradientsOption()
{
    return {"gradients",
            OptionSpec::Type::Choice,
            "auto",
            "where per-task gradients are taken: the shared representation (one backward through "
            "the shared layers; the MGDA-UB trick), every shared parameter (exact; one backward "
            "per task), or auto: the representation when the model has one",
            0,
            0,
            {"auto", "representation", "parameters"}};
}

GradientWeighting::GradientWeighting(std::string name, const WeightingArgs &args)
    : m_taskCount(args.taskCount)
    , m_name(std::move(name))
    , m_gradients(args.options.value("gradients", std::string("auto")))
{}

GradientSpace chooseSpace(const std::string &configured, bool hasRepresentation)
{
    if (configured == "parameters" || (configured == "auto" && !hasRepresentation))
        return GradientSpace::Parameters;
    if (!hasRepresentation)
        throw detail::configError(
            "weighting.options.gradients",
            "\"representation\" needs a model whose task heads all read one shared "
            "representation, and this sharing strategy has none; use \"parameters\" or \"auto\"");
    return GradientSpace::Representation;
}

std::string GradientWeighting::describe(bool hasRepresentation) const
{
    const std::string tasks = std::to_string(m_taskCount);
    if (space(hasRepresentation) == GradientSpace::Representation)
        return m_name + ": per-task gradients w.r.t. the shared representation (" + tasks +
               " backward passes through the heads, 1 through the shared layers)";
    return m_name + ": per-task gradients w.r.t. the shared parameters (" + tasks +
           " backward passes through the shared layers)";
}

std::vector<double> GradientWeighting::backward(const std::vector<at::Tensor> &losses,
                                                const WeightingContext &context)
{
    const at::Tensor &representation = context.sharedRepresentation;
    const GradientSpace where = space(representation.defined() && representation.requires_grad());
    const std::vector<at::Tensor> inputs = where == GradientSpace::Representation
                                               ? std::vector<at::Tensor>{representation}
                                               : context.sharedParameters;
    at::Tensor sum = losses.front();
    for (std::size_t i = 1; i < losses.size(); ++i)
        sum = sum + losses[i];
    if (inputs.empty()) { // nothing is shared: nothing to balance
        (context.extraLoss.defined() ? sum + context.extraLoss : sum).backward();
        return std::vector<double>(losses.size(), 1.0);
    }
    const at::Tensor grads = taskGradients(losses, inputs);
    std::vector<at::Tensor> values;
    for (const at::Tensor &loss : losses)
        values.push_back(loss.detach());
    const Combination chosen = combine(grads, torch::stack(values).to(torch::kCPU, torch::kDouble));
    const at::Tensor direction =
        chosen.direction.defined()
            ? chosen.direction
            : torch::tensor(chosen.coefficients, torch::kDouble).to(grads.options()).matmul(grads);

    if (where == GradientSpace::Representation) {
        // One pass: the heads get their own losses' gradients, and the shared layers receive
        // the chosen direction instead of the sum of the task gradients.
        const at::Tensor total = context.extraLoss.defined() ? sum + context.extraLoss : sum;
        torch::autograd::backward(
            {total, representation},
            {torch::ones_like(total), (direction - grads.sum(0)).view(representation.sizes())});
    } else {
        const bool extra = context.extraLoss.defined();
        if (!context.taskParameters.empty())
            torch::autograd::backward({sum}, {}, /*retain_graph*/ extra, /*create_graph*/ false,
                                      context.taskParameters);
        if (extra)
            context.extraLoss.backward();
        accumulateGradient(direction, context.sharedParameters);
    }
    return chosen.weights;
}

Matrix gramMatrix(const at::Tensor &grads)
{
    const at::Tensor product = grads.matmul(grads.t()).to(torch::kCPU, torch::kDouble).contiguous();
    const auto n = static_cast<std::size_t>(product.size(0));
    const double *data = product.data_ptr<double>();
    Matrix M(n, std::vector<double>(n));
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < n; ++j)
            M[i][j] = data[i * n + j];
    return M;
}

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

MethodRandom::MethodRandom(std::uint64_t seed)
    : m_generator(at::make_generator<at::CPUGeneratorImpl>(seed))
{}

void MethodRandom::save(torch::serialize::OutputArchive &archive) const
{
    std::lock_guard<std::mutex> lock(m_generator.mutex());
    archive.write("random", m_generator.get_state());
}

void MethodRandom::load(torch::serialize::InputArchive &archive)
{
    at::Tensor state;
    archive.read("random", state);
    std::lock_guard<std::mutex> lock(m_generator.mutex());
    m_generator.set_state(state);
}

std::vector<double> toVector(const at::Tensor &t)
{
    const at::Tensor c = t.detach().to(torch::kCPU, torch::kDouble).contiguous().reshape({-1});
    return std::vector<double>(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
}

} // namespace mtl::train
