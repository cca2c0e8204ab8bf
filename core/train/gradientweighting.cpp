#include "train/gradientweighting.h"

#include "common/error.h"
#include "train/gradients.h"
#include "train/taskhelpers.h"
#include "train/weightingmethods.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/ops/randperm.h>
#include <torch/autograd.h>
#include <torch/nn/utils/clip_grad.h>
#include <torch/serialize/archive.h>
#include <torch/types.h>

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

GradientWeighting::GradientWeighting(std::string name, const WeightingArgs &args, Spaces spaces)
    : m_taskCount(args.taskCount)
    , m_name(std::move(name))
    , m_gradients(spaces == Spaces::ParametersOnly       ? "parameters"
                  : spaces == Spaces::RepresentationOnly ? "representation"
                                                         : args.options.value("gradients", "auto"))
    , m_spaces(spaces)
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

GradientSpace GradientWeighting::space(bool hasRepresentation) const
{
    if (m_spaces == Spaces::RepresentationOnly && !hasRepresentation)
        throw detail::configError("weighting.method",
                                  m_name + " acts on the shared representation (what every head "
                                           "reads), and this sharing strategy has none");
    return chooseSpace(m_gradients, hasRepresentation);
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

namespace {
void clipShared(const Combination &chosen, const WeightingContext &context)
{
    if (chosen.maxSharedNorm > 0 && !context.sharedParameters.empty())
        torch::nn::utils::clip_grad_norm_(context.sharedParameters, chosen.maxSharedNorm);
}
} // namespace

std::vector<double> GradientWeighting::backward(const std::vector<at::Tensor> &lossesIn,
                                                const WeightingContext &context)
{
    const at::Tensor &representation = context.sharedRepresentation;
    const GradientSpace where = space(representation.defined() && representation.requires_grad());
    const std::vector<at::Tensor> inputs = where == GradientSpace::Representation
                                               ? std::vector<at::Tensor>{representation}
                                               : context.sharedParameters;
    if (inputs.empty()) { // nothing is shared: nothing to balance
        const at::Tensor sum = detail::sumOf(lossesIn);
        (context.extraLoss.defined() ? sum + context.extraLoss : sum).backward();
        return std::vector<double>(lossesIn.size(), 1.0);
    }
    if (std::optional<Combination> reused = withoutGradients(context)) {
        detail::backwardWeighted(lossesIn, fromVector(reused->coefficients), context);
        clipShared(*reused, context);
        return reused->weights;
    }
    const std::vector<at::Tensor> losses = transform(lossesIn);
    const at::Tensor grads = taskGradients(losses, inputs);
    std::vector<at::Tensor> values;
    for (const at::Tensor &loss : losses)
        values.push_back(loss.detach());
    if (where == GradientSpace::Representation)
        m_representation = representation.detach();
    const Combination chosen = combine(grads, torch::stack(values).to(torch::kCPU, torch::kDouble));
    m_representation = at::Tensor();
    if (chosen.weightLosses) {
        detail::backwardWeighted(lossesIn, fromVector(chosen.coefficients), context);
        clipShared(chosen, context);
        return chosen.weights;
    }
    const at::Tensor direction =
        chosen.direction.defined()
            ? chosen.direction.to(grads.options())
            : torch::tensor(chosen.coefficients, torch::kDouble).to(grads.options()).matmul(grads);

    const at::Tensor sum = detail::sumOf(losses);
    if (where == GradientSpace::Representation) {
        // One pass: the heads get their own losses' gradients, and the shared layers receive
        // the chosen direction instead of the sum of the task gradients.
        const at::Tensor total = context.extraLoss.defined() ? sum + context.extraLoss : sum;
        torch::autograd::backward({total, representation},
                                  {torch::ones_like(total), (direction - grads.sum(0))
                                                                .view(representation.sizes())
                                                                .to(representation.scalar_type())});
    } else {
        const bool extra = context.extraLoss.defined();
        std::vector<at::Tensor> own = context.taskParameters; // the heads and the method's own
        for (const at::Tensor &parameter : parameters())
            own.push_back(parameter);
        if (!own.empty())
            torch::autograd::backward({sum}, {}, /*retain_graph*/ extra, /*create_graph*/ false,
                                      own);
        if (extra)
            context.extraLoss.backward();
        accumulateGradient(direction, context.sharedParameters);
    }
    clipShared(chosen, context);
    return chosen.weights;
}

Matrix gramMatrix(const at::Tensor &grads)
{
    return toMatrix(grads.matmul(grads.t()));
}

Matrix toMatrix(const at::Tensor &square)
{
    const at::Tensor product = square.to(torch::kCPU, torch::kDouble).contiguous();
    const auto n = static_cast<std::size_t>(product.size(0));
    const double *data = product.data_ptr<double>();
    Matrix M(n, std::vector<double>(n));
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < n; ++j)
            M[i][j] = data[i * n + j];
    return M;
}

MethodRandom::MethodRandom(std::uint64_t seed)
    : m_generator(at::make_generator<at::CPUGeneratorImpl>(seed))
{}

std::vector<std::size_t> MethodRandom::permutation(std::size_t n)
{
    const at::Tensor order = at::randperm(static_cast<std::int64_t>(n), m_generator, torch::kLong);
    const auto values = order.accessor<std::int64_t, 1>();
    std::vector<std::size_t> result;
    for (std::int64_t k = 0; k < order.size(0); ++k)
        result.push_back(static_cast<std::size_t>(values[k]));
    return result;
}

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

at::Tensor fromVector(const std::vector<double> &values)
{
    return torch::tensor(values, torch::kDouble);
}

} // namespace mtl::train
