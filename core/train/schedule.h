#pragma once
// Learning-rate schedules (config "scheduler"), one registry entry each: the factor that
// multiplies every optimiser group's own learning rate at each step. Schedules that follow the
// calendar (step, multistep, cosine, linear_warmup) are functions of the global step, so a
// resumed run needs nothing from them; plateau follows the monitored validation metric and
// keeps its state in the checkpoint. LearningRates applies a schedule to an optimiser.
// Thread contract: the trainer's thread.

#include "common/registry.h"
#include "experiment/config.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

namespace torch::optim {
class Optimizer;
}

namespace mtl::train {

// The run's calendar, for the schedules that follow it.
struct SchedulePlan {
    std::int64_t stepsPerEpoch = 1;
    std::int64_t stepsTotal = 1;
};

class Schedule {
public:
    virtual ~Schedule() = default;
    // The factor of each group's base learning rate for global step `step` (1-based: the step
    // about to be taken).
    virtual double factor(std::int64_t step) const = 0;
    // After the validation of `epoch`: the monitored value (train.monitor), and whether lower
    // is better. Only schedules that follow the metric change here.
    virtual void epochEnded(int epoch, double monitored, bool lowerIsBetter) {}
    virtual bool followsMonitor() const { return false; }
    virtual nlohmann::json saveState() const { return nullptr; }
    virtual void loadState(const nlohmann::json &state) {}
};

using ScheduleMaker =
    std::function<std::unique_ptr<Schedule>(const nlohmann::json &options, const SchedulePlan &)>;
const Registry<ScheduleMaker> &schedules();

// The configured schedule ("none": a factor of 1 throughout). Throws Error(Config) for an
// unknown name.
std::unique_ptr<Schedule> makeSchedule(const experiment::SchedulerConfig &config,
                                       const SchedulePlan &plan);

// Sets the learning rate of each of an optimiser's groups to its base (the rate it was built
// with) times the schedule's factor.
class LearningRates {
public:
    LearningRates(torch::optim::Optimizer &optimizer, const Schedule &schedule);
    // Before step `step`; returns the first group's learning rate now.
    double apply(std::int64_t step);

private:
    torch::optim::Optimizer &m_optimizer;
    const Schedule &m_schedule;
    std::vector<double> m_base;
};

} // namespace mtl::train
