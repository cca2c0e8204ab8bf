#pragma once
// A multi-task network: a shared part and task-specific parts, wired by a sharing strategy
// (hard, cross-stitch, MTAN, …: one subclass each). forward() returns a ModelOutput: one
// tensor per task in the order of the config's tasks, and what the trainer, the weighting
// method and the probes may need beside it.
// Thread contract: one thread at a time (the trainer's); describe() may be called from it
// before and after training.

#include "model/backbone.h"
#include "model/head.h"

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace mtl::model {

// A prediction of task `to` made from task `from`'s prediction by a transfer network (cross-task
// consistency), with how the trainer scores it (train/consistency.h):
//   loss_to = (1 − weight)·direct_to + weight · mean over its transfers of
//             [agreement with the detached direct prediction] + [to's loss against its truth]
struct TransferredPrediction {
    std::size_t from = 0, to = 0; // task indices
    torch::Tensor prediction;     // in task `to`'s output space: logits, depth, normals
    double weight = 0.0;
    bool againstDirect = true; // compared with to's direct prediction, detached
    bool againstTruth = false; // scored by to's own loss against its labels
    std::string agreement;     // how it meets the direct one: cross, kl, l1, ssim or cosine
};

struct ModelOutput {
    // Per task, in task order: [B, K] for vector heads, [B, C, H, W] for dense heads.
    std::vector<torch::Tensor> tasks;
    // The representation every head reads (MGDA-UB and other methods take gradients with
    // respect to it); undefined when nothing is shared (one column per task). Part of the
    // autograd graph: not detached.
    torch::Tensor shared;
    // Losses the model adds on its own (a group-sparsity penalty, a consistency loss); the
    // trainer adds them, weight 1, to what the weighting method back-propagates.
    std::vector<std::pair<std::string, torch::Tensor>> extraLosses;
    // Cross-task consistency's transferred predictions; only while training (module.train()).
    std::vector<TransferredPrediction> transferred;
    // Named internal tensors for probes (attention masks, mixing weights, feature maps),
    // detached; filled only when forward() is asked for them, so training pays nothing.
    std::map<std::string, torch::Tensor> taps;
};

// Parameters that belong together for the optimiser (own learning rate, weight decay) and for
// gradient-based weighting methods (the shared ones).
struct ParameterGroup {
    std::string name; // "shared", "head.<task>", or a strategy's own, e.g. "cross_stitch"
    std::string task; // the task the group belongs to; empty for shared and strategy groups
    std::vector<torch::Tensor> parameters;
    double lrScale = 1.0; // the strategy's advice (cross-stitch α: 100); optimizer.groups wins
};

// One block of the network as the designer and the run header show it.
struct ModelBlock {
    std::string name;    // e.g. "backbone.stage1", "head.category"
    std::string role;    // "shared", "task" or "internal"
    std::string task;    // for role "task"
    FeatureShape output; // per sample; a vector head's is {K, 1, 1}
    std::int64_t parameters = 0;
};

struct ModelDescription {
    std::string summary; // one line
    std::vector<ModelBlock> blocks;
    std::int64_t parameters = 0; // trainable, in total
};

class MultiTaskModelImpl : public torch::nn::Module {
public:
    // x: [B, C, H, W] float on the model's device.
    virtual ModelOutput forward(const torch::Tensor &x, bool collectTaps = false) = 0;
    // Every trainable parameter exactly once, in the order of parameters().
    virtual std::vector<ParameterGroup> parameterGroups() const = 0;
    virtual ModelDescription describe() const = 0;
    // Called by the trainer between the gradients (after their all-reduce) and the optimiser
    // step; step is 1-based and global. A strategy may hold some of its parameters still for
    // the step by clearing their gradients (undefined: the optimisers skip them, momentum and
    // weight decay included), as mtl_cnn's alternate_every does. By default nothing.
    virtual void beforeOptimizerStep(std::int64_t step) {}

    // The parameters of the groups every task shares (what gradient methods look at).
    std::vector<torch::Tensor> sharedParameters() const;

    // What the trainer calls: forward(), under CUDA autocast in bfloat16 when mixed precision
    // is on (train.amp on a CUDA device), with the task outputs, the model's own losses and
    // the transferred predictions back in float32, so that losses, metrics and predictions
    // are computed as without it. The shared representation stays as the model made it: the
    // heads read that tensor, and gradients taken with respect to it must be of it. bfloat16
    // has float32's range, so no loss scaling is needed.
    ModelOutput run(const torch::Tensor &x, bool collectTaps = false);
    // Only for a model on a CUDA device (autocast here is CUDA's); off by default.
    void setMixedPrecision(bool on) { m_mixedPrecision = on; }

private:
    bool m_mixedPrecision = false;
};

using MultiTaskModelPtr = std::shared_ptr<MultiTaskModelImpl>;

// Lays every 4-D parameter and buffer of `module` out channels-last (NHWC), values unchanged,
// so that convolutions fed channels-last batches run in that format (train.memory_format).
// Loading a checkpoint replaces the tensors: call it again after.
void toChannelsLast(torch::nn::Module &module);

// `t` laid out so that the kernels run it in `format` (4-D tensors; others as they are). Unlike
// t.contiguous(format) it also re-strides a tensor of one channel (or a 1×1 kernel): such a
// tensor is contiguous in both formats, so contiguous() returns it unchanged, NCHW-strided, and
// the kernels take it for NCHW — a channels-last network then converts after its first layer.
torch::Tensor inMemoryFormat(const torch::Tensor &t, c10::MemoryFormat format);

// Trainable elements of a module's parameters.
std::int64_t parameterCount(const torch::nn::Module &module);

// The head of `task` ("head_<task>", as registerHeads() names it); nullptr when there is none.
HeadPtr findHead(const MultiTaskModelImpl &model, const std::string &task);

// Registers one head per spec in `owner` as "head_<task>", each reading a last stage of shape
// `last` (vector heads: its channels, pooled), for images of shape `input`. Every strategy
// names its heads so, and registers them where its checkpoints expect them.
std::vector<HeadPtr> registerHeads(torch::nn::Module &owner, const std::vector<HeadSpec> &specs,
                                   const FeatureShape &last, const InputShape &input);

// Head t applied to maps[t] (a vector head to its global average pool); a map several vector
// heads read is pooled once. Returns one output per head, in order.
std::vector<torch::Tensor> runHeads(const std::vector<HeadPtr> &heads,
                                    const std::vector<torch::Tensor> &maps);

// Appends one block per head to d.blocks ("head.<task>", its output shape, its parameters) and
// " task[K]" (dense: " task[K×H×W]") per head to d.summary; the same for every strategy.
void describeHeads(ModelDescription &d, const std::vector<HeadSpec> &specs,
                   const std::vector<HeadPtr> &heads, const InputShape &input);

} // namespace mtl::model
