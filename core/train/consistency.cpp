#include "train/consistency.h"

#include "common/error.h"
#include "train/task.h"

#include <torch/nn/functional/loss.h>
#include <torch/nn/functional/pooling.h>

namespace mtl::train {

namespace {

// Structural dissimilarity (1 − SSIM)/2 per 3×3 window, with the usual constants for values
// of order 1.
at::Tensor dssim(const at::Tensor &x, const at::Tensor &y)
{
    namespace F = torch::nn::functional;
    const auto pool = [](const at::Tensor &t) {
        return F::avg_pool2d(t, F::AvgPool2dFuncOptions(3).stride(1));
    };
    constexpr double c1 = 0.01 * 0.01, c2 = 0.03 * 0.03;
    const at::Tensor mx = pool(x), my = pool(y);
    const at::Tensor sx = pool(x * x) - mx * mx, sy = pool(y * y) - my * my;
    const at::Tensor sxy = pool(x * y) - mx * my;
    const at::Tensor ssim =
        ((2 * mx * my + c1) * (2 * sxy + c2)) / ((mx * mx + my * my + c1) * (sx + sy + c2));
    return ((1 - ssim) / 2).clamp(0, 1);
}

} // namespace

at::Tensor agreementLoss(const std::string &kind, const at::Tensor &output,
                         const at::Tensor &reference)
{
    namespace F = torch::nn::functional;
    const at::Tensor ref = reference.detach();
    if (kind == "cross")
        return F::cross_entropy(output, ref.argmax(1));
    if (kind == "kl")
        return (torch::softmax(ref, 1) *
                (torch::log_softmax(ref, 1) - torch::log_softmax(output, 1)))
            .sum(1)
            .mean();
    if (kind == "l1")
        return (output - ref).abs().mean();
    if (kind == "ssim")
        return dssim(output, ref).mean();
    if (kind == "cosine")
        return (1.0 - torch::cosine_similarity(output, ref, 1, 1e-8)).mean();
    ErrorLocation where;
    where.key = "model.sharing_options";
    throw Error(ErrorCode::Config, "unknown agreement '" + kind + "'", where);
}

std::vector<at::Tensor> foldTransfers(const std::vector<std::unique_ptr<Task>> &tasks,
                                      const model::ModelOutput &output,
                                      const std::vector<at::Tensor> &targets,
                                      std::vector<at::Tensor> &losses)
{
    std::vector<at::Tensor> terms(tasks.size());
    std::vector<int> counts(tasks.size(), 0);
    std::vector<double> weights(tasks.size(), 0.0);
    for (const model::TransferredPrediction &t : output.transferred) {
        at::Tensor c;
        if (t.againstDirect)
            c = agreementLoss(t.agreement, t.prediction, output.tasks[t.to]);
        if (t.againstTruth) {
            const at::Tensor truth = tasks[t.to]->loss(t.prediction, targets[t.to]);
            c = c.defined() ? c + truth : truth;
        }
        terms[t.to] = terms[t.to].defined() ? terms[t.to] + c : c;
        ++counts[t.to];
        weights[t.to] = t.weight;
    }
    for (std::size_t b = 0; b < tasks.size(); ++b) {
        if (counts[b] == 0)
            continue;
        terms[b] = terms[b] / counts[b];
        losses[b] = (1.0 - weights[b]) * losses[b] + weights[b] * terms[b];
    }
    return terms;
}

} // namespace mtl::train
