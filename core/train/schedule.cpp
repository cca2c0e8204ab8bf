#include "train/schedule.h"

#include "common/error.h"
#include "experiment/catalog.h"

#include <torch/optim/optimizer.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace mtl::train {

namespace {
using Type = OptionSpec::Type;
constexpr double kPi = 3.14159265358979323846;

// The 0-based epoch step `step` (1-based) belongs to.
std::int64_t epochIndex(std::int64_t step, const SchedulePlan &plan)
{
    return (std::max<std::int64_t>(step, 1) - 1) / std::max<std::int64_t>(plan.stepsPerEpoch, 1);
}

// From start_factor at the first step to 1 after `steps` steps.
double warmup(std::int64_t step, std::int64_t steps, double startFactor)
{
    if (steps <= 0 || step > steps)
        return 1.0;
    return startFactor +
           (1.0 - startFactor) * static_cast<double>(step - 1) / static_cast<double>(steps);
}

class Constant final : public Schedule {
public:
    double factor(std::int64_t) const override { return 1.0; }
};

class StepDecay final : public Schedule {
public:
    StepDecay(std::vector<std::int64_t> milestones, double gamma, const SchedulePlan &plan)
        : m_milestones(std::move(milestones))
        , m_gamma(gamma)
        , m_plan(plan)
    {}
    double factor(std::int64_t step) const override
    {
        const std::int64_t epochsDone = epochIndex(step, m_plan);
        const auto passed = std::count_if(m_milestones.begin(), m_milestones.end(),
                                          [&](std::int64_t m) { return m <= epochsDone; });
        return std::pow(m_gamma, static_cast<double>(passed));
    }

private:
    std::vector<std::int64_t> m_milestones; // epochs after which the rate is multiplied
    double m_gamma;
    SchedulePlan m_plan;
};

class PeriodicDecay final : public Schedule {
public:
    PeriodicDecay(std::int64_t every, double gamma, const SchedulePlan &plan)
        : m_every(every)
        , m_gamma(gamma)
        , m_plan(plan)
    {}
    double factor(std::int64_t step) const override
    {
        return std::pow(m_gamma, static_cast<double>(epochIndex(step, m_plan) / m_every));
    }

private:
    std::int64_t m_every;
    double m_gamma;
    SchedulePlan m_plan;
};

class Cosine final : public Schedule {
public:
    Cosine(double minFactor, std::int64_t warmupSteps, double startFactor, const SchedulePlan &plan)
        : m_min(minFactor)
        , m_warmup(std::min(warmupSteps, plan.stepsTotal))
        , m_start(startFactor)
        , m_plan(plan)
    {}
    double factor(std::int64_t step) const override
    {
        if (step <= m_warmup)
            return warmup(step, m_warmup, m_start);
        const double span =
            static_cast<double>(std::max<std::int64_t>(m_plan.stepsTotal - m_warmup, 1));
        const double t = std::min(static_cast<double>(step - 1 - m_warmup), span) / span;
        return m_min + (1.0 - m_min) * 0.5 * (1.0 + std::cos(kPi * t));
    }

private:
    double m_min;
    std::int64_t m_warmup;
    double m_start;
    SchedulePlan m_plan;
};

class LinearWarmup final : public Schedule {
public:
    LinearWarmup(std::int64_t steps, double startFactor)
        : m_steps(steps)
        , m_start(startFactor)
    {}
    double factor(std::int64_t step) const override { return warmup(step, m_steps, m_start); }

private:
    std::int64_t m_steps;
    double m_start;
};

// As PyTorch's ReduceLROnPlateau (threshold mode "rel"): the factor falls by `factor` when
// the monitored value has not improved by more than `threshold` (relative) for more than
// `patience` epochs, then waits `cooldown` epochs.
class Plateau final : public Schedule {
public:
    Plateau(double factor, int patience, double threshold, int cooldown, double minFactor)
        : m_decay(factor)
        , m_patience(patience)
        , m_threshold(threshold)
        , m_cooldown(cooldown)
        , m_min(minFactor)
    {}
    double factor(std::int64_t) const override { return m_factor; }
    bool followsMonitor() const override { return true; }
    void epochEnded(int, double value, bool lowerIsBetter) override
    {
        if (!std::isfinite(value))
            return;
        const bool better = !m_seen || (lowerIsBetter ? value < m_best * (1.0 - m_threshold)
                                                      : value > m_best * (1.0 + m_threshold));
        if (better) {
            m_best = value;
            m_seen = true;
            m_bad = 0;
        } else {
            ++m_bad;
        }
        if (m_cooldownLeft > 0) {
            --m_cooldownLeft;
            m_bad = 0;
        }
        if (m_bad > m_patience) {
            m_factor = std::max(m_factor * m_decay, m_min);
            m_cooldownLeft = m_cooldown;
            m_bad = 0;
        }
    }
    nlohmann::json saveState() const override
    {
        return {{"factor", m_factor},
                {"best", m_best},
                {"seen", m_seen},
                {"bad", m_bad},
                {"cooldown_left", m_cooldownLeft}};
    }
    void loadState(const nlohmann::json &state) override
    {
        if (!state.is_object())
            return;
        m_factor = state.at("factor").get<double>();
        m_best = state.at("best").get<double>();
        m_seen = state.at("seen").get<bool>();
        m_bad = state.at("bad").get<int>();
        m_cooldownLeft = state.at("cooldown_left").get<int>();
    }

private:
    double m_decay;
    int m_patience;
    double m_threshold;
    int m_cooldown;
    double m_min;
    double m_factor = 1.0;
    double m_best = 0.0;
    bool m_seen = false;
    int m_bad = 0, m_cooldownLeft = 0;
};

std::int64_t integer(const nlohmann::json &options, const char *key)
{
    return options.at(key).get<std::int64_t>();
}
double number(const nlohmann::json &options, const char *key)
{
    return options.at(key).get<double>();
}
} // namespace

const Registry<ScheduleMaker> &schedules()
{
    static const Registry<ScheduleMaker> table{
        {{"none", "the learning rate stays optimizer.lr (times each group's lr_scale)", {}},
         [](const nlohmann::json &, const SchedulePlan &) { return std::make_unique<Constant>(); }},
        {{"step",
          "StepLR: the rate times gamma after every step_size epochs (the cross-task work's "
          "schedule)",
          {
              {"step_size", Type::Integer, 30, "epochs between decays", 1, 1e6},
              {"gamma", Type::Number, 0.1, "multiplies the rate at each decay", 0, 1},
          }},
         [](const nlohmann::json &o, const SchedulePlan &plan) {
             return std::make_unique<PeriodicDecay>(integer(o, "step_size"), number(o, "gamma"),
                                                    plan);
         }},
        {{"multistep",
          "MultiStepLR: the rate times gamma after each epoch listed in milestones",
          {
              {"milestones", Type::IntegerList, nlohmann::json::array({30, 80}),
               "epochs after which the rate decays", 1, 1e6},
              {"gamma", Type::Number, 0.1, "multiplies the rate at each milestone", 0, 1},
          }},
         [](const nlohmann::json &o, const SchedulePlan &plan) {
             return std::make_unique<StepDecay>(o.at("milestones").get<std::vector<std::int64_t>>(),
                                                number(o, "gamma"), plan);
         }},
        {{"cosine",
          "cosine annealing from the rate to min_factor × the rate over the run's steps, after "
          "an optional linear warm-up",
          {
              {"min_factor", Type::Number, 0.0, "the factor at the last step", 0, 1},
              {"warmup_steps", Type::Integer, 0, "steps of linear warm-up first", 0, 1e12},
              {"start_factor", Type::Number, 0.01, "the warm-up's first factor", 0, 1},
          }},
         [](const nlohmann::json &o, const SchedulePlan &plan) {
             return std::make_unique<Cosine>(number(o, "min_factor"), integer(o, "warmup_steps"),
                                             number(o, "start_factor"), plan);
         }},
        {{"linear_warmup",
          "the rate rises linearly from start_factor × the rate to the rate over warmup_steps, "
          "then stays",
          {
              {"warmup_steps", Type::Integer, 500, "steps of the warm-up", 1, 1e12},
              {"start_factor", Type::Number, 0.01, "the first step's factor", 0, 1},
          }},
         [](const nlohmann::json &o, const SchedulePlan &) {
             return std::make_unique<LinearWarmup>(integer(o, "warmup_steps"),
                                                   number(o, "start_factor"));
         }},
        {{"plateau",
          "ReduceLROnPlateau: the rate times factor when train.monitor has not improved for "
          "more than patience epochs",
          {
              {"factor", Type::Number, 0.1, "multiplies the rate at each reduction", 0, 1},
              {"patience", Type::Integer, 10, "epochs without improvement tolerated", 0, 1e6},
              {"threshold", Type::Number, 1e-4, "relative change that counts as an improvement", 0,
               1},
              {"cooldown", Type::Integer, 0, "epochs to wait after a reduction", 0, 1e6},
              {"min_factor", Type::Number, 0.0, "the factor never falls below this", 0, 1},
          }},
         [](const nlohmann::json &o, const SchedulePlan &) {
             return std::make_unique<Plateau>(
                 number(o, "factor"), static_cast<int>(integer(o, "patience")),
                 number(o, "threshold"), static_cast<int>(integer(o, "cooldown")),
                 number(o, "min_factor"));
         }},
    };
    return table;
}

std::unique_ptr<Schedule> makeSchedule(const experiment::SchedulerConfig &config,
                                       const SchedulePlan &plan)
{
    const auto *entry = schedules().find(config.name);
    if (!entry)
        throw Error(ErrorCode::Config, "unknown scheduler '" + config.name + "'");
    // Defaults filled here too, for configs built in code.
    return entry->make(experiment::validateOptions(config.options, entry->spec.options,
                                                   "scheduler.options", "<config>"),
                       plan);
}

LearningRates::LearningRates(torch::optim::Optimizer &optimizer, const Schedule &schedule)
    : m_optimizer(optimizer)
    , m_schedule(schedule)
{
    for (const auto &group : optimizer.param_groups())
        m_base.push_back(group.options().get_lr());
}

double LearningRates::apply(std::int64_t step)
{
    const double factor = m_schedule.factor(step);
    auto &groups = m_optimizer.param_groups();
    for (std::size_t g = 0; g < groups.size() && g < m_base.size(); ++g)
        groups[g].options().set_lr(m_base[g] * factor);
    return m_base.empty() ? 0.0 : m_base.front() * factor;
}

} // namespace mtl::train
