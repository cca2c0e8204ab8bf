#pragma once
// How the processes of one data-parallel run talk: rank and world size, and sums across them.
// The trainer calls allReduceMean() on the gradients between backward and the optimiser
// step, and allReduceSum() on the evaluators' meter states; only rank 0 writes the project
// file. LocalCollective is the single process: rank 0 of 1, every call a no-op. A multi-process
// one (c10d over Gloo) comes with the scale-out issue.
// Thread contract: called from the training thread only; every rank makes the same calls in
// the same order.

#include <ATen/core/Tensor.h>

#include <vector>

namespace mtl::train {

class Collective {
public:
    virtual ~Collective() = default;
    virtual int rank() const = 0;
    virtual int worldSize() const = 0;
    // In place: each tensor becomes the mean over all ranks (undefined tensors are skipped).
    virtual void allReduceMean(std::vector<at::Tensor> &tensors) = 0;
    // In place: element-wise sums over all ranks (the same length on every rank).
    virtual void allReduceSum(std::vector<double> &values) = 0;
    bool isRoot() const { return rank() == 0; }
};

class LocalCollective final : public Collective {
public:
    int rank() const override { return 0; }
    int worldSize() const override { return 1; }
    void allReduceMean(std::vector<at::Tensor> &) override {}
    void allReduceSum(std::vector<double> &) override {}
};

} // namespace mtl::train
