#include "train/gradients.h"

#include "common/error.h"

#include <torch/autograd.h>
#include <torch/types.h>

namespace mtl::train {

at::Tensor taskGradients(const std::vector<at::Tensor> &losses,
                         const std::vector<at::Tensor> &inputs)
{
    if (inputs.empty())
        throw Error(ErrorCode::Training, "task gradients asked for with respect to nothing");
    std::vector<at::Tensor> rows;
    rows.reserve(losses.size());
    for (const at::Tensor &loss : losses) {
        const std::vector<at::Tensor> grads =
            torch::autograd::grad({loss}, inputs, {}, /*retain_graph*/ true,
                                  /*create_graph*/ false, /*allow_unused*/ true);
        std::vector<at::Tensor> flat;
        flat.reserve(grads.size());
        for (std::size_t i = 0; i < grads.size(); ++i)
            flat.push_back(grads[i].defined()
                               ? grads[i].reshape({-1})
                               : torch::zeros({inputs[i].numel()}, inputs[i].options()));
        rows.push_back(torch::cat(flat));
    }
    return torch::stack(rows);
}

void accumulateGradient(const at::Tensor &flat, const std::vector<at::Tensor> &parameters)
{
    std::int64_t total = 0;
    for (const at::Tensor &p : parameters)
        total += p.numel();
    if (total != flat.numel())
        throw Error(ErrorCode::Training, "a gradient of " + std::to_string(flat.numel()) +
                                             " values for parameters of " + std::to_string(total));
    std::int64_t offset = 0;
    for (const at::Tensor &p : parameters) {
        const std::int64_t n = p.numel();
        const at::Tensor slice = flat.slice(0, offset, offset + n).view_as(p);
        at::Tensor &grad = const_cast<at::Tensor &>(p).mutable_grad();
        if (grad.defined())
            grad.add_(slice);
        else
            grad = slice.clone();
        offset += n;
    }
}

} // namespace mtl::train
