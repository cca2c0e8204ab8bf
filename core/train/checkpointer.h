#pragma once
// Everything a run needs to continue exactly where it stopped: the model, the optimiser, the
// weighting method's state, the random generator of the run's device, the probes' state, the
// learning-rate schedule's and early stopping's state, and the step. capture() makes a
// store::Checkpoint of them, restore() puts one back. The parts are borrowed and must outlive the
// checkpointer. Thread contract: the trainer's thread.

#include "store/runstore.h"

#include <c10/core/Device.h>

#include <vector>

namespace torch::optim {
class Optimizer;
}
namespace mtl::model {
class MultiTaskModelImpl;
}

namespace mtl::train {

class EpochMonitor;
class Probe;
class Schedule;
class WeightingMethod;

class Checkpointer {
public:
    Checkpointer(model::MultiTaskModelImpl &model, torch::optim::Optimizer &optimizer,
                 WeightingMethod &weighting, std::vector<Probe *> probes,
                 const c10::Device &device);
    // What follows the validation metric (either may be null).
    void setControl(Schedule *schedule, EpochMonitor *monitor);

    store::Checkpoint capture(int epoch, std::int64_t step) const;
    // Throws c10::Error or Error(Training) when the checkpoint does not fit this model.
    // Checkpoints of schema version 1 carry no state: the weighting method, the generator
    // and the probes then start afresh.
    void restore(const store::Checkpoint &checkpoint);
    // The model's weights only (train.keep_best: the best epoch's, for the final evaluation).
    void restoreModel(const store::Checkpoint &checkpoint);

private:
    model::MultiTaskModelImpl &m_model;
    torch::optim::Optimizer &m_optimizer;
    WeightingMethod &m_weighting;
    std::vector<Probe *> m_probes;
    c10::Device m_device;
    Schedule *m_schedule = nullptr;
    EpochMonitor *m_monitor = nullptr;
};

} // namespace mtl::train
