// The gradient-conflict probe (train/probe.h): how the tasks' gradients on what they share
// agree, every N steps — cosine per pair, norms, magnitude similarity, condition number.

#include "train/probe.h"

#include "train/gradients.h"

#include <torch/linalg.h>
#include <torch/types.h>

#include <cmath>

namespace mtl::train {

void GradientConflictProbe::beforeBackward(const BackwardRecord &step, store::RecordBatch &out)
{
    if (m_every <= 0 || step.step % m_every != 0 || step.losses.size() < 1)
        return;
    const bool representation =
        m_space == "representation" || (m_space == "auto" && step.sharedRepresentation.defined() &&
                                        step.sharedRepresentation.requires_grad());
    std::vector<at::Tensor> inputs;
    if (representation && step.sharedRepresentation.defined())
        inputs.push_back(step.sharedRepresentation);
    else if (!representation)
        inputs = step.sharedParameters;
    if (inputs.empty())
        return;
    // [T, P] in double: the norms and the Gram matrix of a few tasks are cheap and exact.
    const at::Tensor g = taskGradients(step.losses, inputs).to(torch::kDouble);
    const at::Tensor gram = g.matmul(g.t()).cpu();
    const auto t = static_cast<std::size_t>(g.size(0));
    auto &rows = out.rows<store::MetricRow>();
    std::vector<double> norms(t);
    for (std::size_t a = 0; a < t; ++a) {
        norms[a] = std::sqrt(std::max(0.0, gram[a][a].item<double>()));
        rows.push_back(
            {step.step, step.epoch, "train", "", step.objectives[a], "task_grad_norm", norms[a]});
    }
    for (std::size_t a = 0; a < t; ++a)
        for (std::size_t b = a + 1; b < t; ++b) {
            const std::string pair = step.objectives[a] + "|" + step.objectives[b];
            const double product = norms[a] * norms[b];
            const double squares = norms[a] * norms[a] + norms[b] * norms[b];
            if (product > 0)
                rows.push_back({step.step, step.epoch, "train", "", pair, "grad_cosine",
                                gram[a][b].item<double>() / product});
            if (squares > 0)
                rows.push_back({step.step, step.epoch, "train", "", pair,
                                "grad_magnitude_similarity", 2.0 * product / squares});
        }
    // σ² are the Gram matrix's eigenvalues (ascending).
    const at::Tensor eigen = torch::linalg::eigvalsh(gram, "L").clamp_min(0.0);
    const double smallest = std::sqrt(eigen[0].item<double>());
    const double largest = std::sqrt(eigen[eigen.size(0) - 1].item<double>());
    if (t > 1 && smallest > 1e-12 * largest)
        rows.push_back(
            {step.step, step.epoch, "train", "", "", "grad_condition_number", largest / smallest});
}

} // namespace mtl::train
