#pragma once
// MTL-CNN (Abdulnabi, Wang, Lu, Jia, "Multi-task CNN model for attribute prediction", IEEE
// Transactions on Multimedia 2015): a shared network, and the classifiers of all attributes
// decomposed as W = L·S: a latent task matrix L [D, K] shared by every attribute (K latent
// tasks, `latent_tasks`) and one combination vector s_a [K] per attribute. Attributes in the
// same group are pushed to use the same latent tasks by a group-sparsity penalty on S,
//   group_lambda · Σ_k Σ_g ‖S[k, g]‖₂   (ℓ1 over latent tasks and groups, ℓ2 within a group),
// and L is kept sparse by latent_lambda · ‖L‖₁; both are the model's extra losses.
//
//   x → backbone (shared) → pool → f [D] ─┬→ f·L [K] ─→ ·S_t + b_t → attributes task t
//                                         └→ linear head           → other tasks
//
// With alternate_every = n the optimiser updates S (and the factored heads' biases) for n steps
// with L held, then L for n steps with S held, and so on: the paper's alternating optimisation
// of the two factors; the backbone and the other heads train at every step.
// Attributes no group names are groups of their own (their penalty is ℓ1). The hinge or
// logistic loss is the attributes task's own (`tasks[i].options`), not the strategy's.
//   shared: the pooled features f (or the map when a dense task reads it).
//   taps (when asked): "mtl_cnn.L" [D, K], "mtl_cnn.S.<task>" [K, A], detached.

#include "model/multitask.h"

#include <string>
#include <vector>

namespace mtl::model {

struct MtlCnnOptions {
    int latentTasks = 8;
    std::vector<std::vector<std::string>> groups; // attribute names
    bool groupsFromDataset = false; // groups from HeadSpec::outputGroups instead of `groups`
    double groupLambda = 1e-3;
    double latentLambda = 1e-5;
    // > 0: alternate, every this many steps, between updating S (and b) with L held and
    // updating L with S held, starting with S; the rest of the network trains every step.
    int alternateEvery = 0;
};

// An attributes task's head under mtl_cnn: f [B, D] → f·L·S + b [B, A]; L is the strategy's
// (shared), S [K, A] and b [A] the head's.
class FactoredHeadImpl final : public HeadImpl {
public:
    FactoredHeadImpl(torch::Tensor latent, std::int64_t attributes);
    torch::Tensor forward(const torch::Tensor &features) override;
    HeadSpec::Kind kind() const override { return HeadSpec::Kind::Vector; }
    void setOutputBias(const std::vector<double> &bias) override { copyBias(m_bias, bias); }
    const torch::Tensor &combination() const { return m_s; }

private:
    torch::Tensor m_latent, m_s, m_bias;
};

class MtlCnnImpl final : public MultiTaskModelImpl {
public:
    // Throws Error(Config) at model.sharing when no task is an attributes task, and at
    // model.sharing_options.groups[i][j] for a name no attributes task has, and at
    // model.sharing_options.groups when the groups come from a dataset that groups none.
    MtlCnnImpl(const BackboneFactory &backbone, const std::vector<HeadSpec> &heads,
               const InputShape &input, const MtlCnnOptions &options);
    ModelOutput forward(const torch::Tensor &x, bool collectTaps = false) override;
    std::vector<ParameterGroup> parameterGroups() const override;
    ModelDescription describe() const override;
    void beforeOptimizerStep(std::int64_t step) override;

private:
    // One group's members: per factored task, the columns of its S.
    struct Group {
        std::vector<std::pair<std::size_t, torch::Tensor>> columns; // (task, int64 indices)
    };
    torch::Tensor groupPenalty() const;

    BackbonePtr m_backbone;
    torch::Tensor m_latent; // L [D, K]
    std::vector<HeadPtr> m_heads;
    std::vector<std::shared_ptr<FactoredHeadImpl>> m_factored; // per task; null if not attributes
    std::vector<Group> m_groups;
    std::vector<std::string> m_datasetGroups; // "name size" of the dataset's groups, in order
    std::vector<HeadSpec> m_specs;
    InputShape m_input;
    MtlCnnOptions m_options;
    bool m_anyDense = false;
};

} // namespace mtl::model
