#pragma once
// The validation metric a run follows (train.monitor) and what follows it: early stopping
// (train.patience, train.min_delta) and the best epoch for train.keep_best. Its state goes
// into every checkpoint, so a resumed run stops where an uninterrupted one would.
// Thread contract: the trainer's thread.

#include "store/records.h"
#include "store/runmetrics.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace mtl::train {

using store::lowerIsBetter;

class EpochMonitor {
public:
    // spec: "loss" or another metric name (the mean over the tasks that record it at task
    // level), or "TASK.METRIC".
    EpochMonitor(std::string spec, int patience, double minDelta);

    const std::string &spec() const { return m_spec; }
    bool lowerIsBetter() const { return m_lower; }
    // The monitored value among one validation's rows. Throws Error(Config) at train.monitor,
    // listing the metrics there are, when none of the rows is the monitored one.
    double valueOf(const std::vector<store::MetricRow> &rows) const;

    struct Verdict {
        double value = 0.0;
        bool improved = false; // the best so far (the first epoch always is)
        bool stop = false;     // patience ran out
    };
    Verdict observe(int epoch, const std::vector<store::MetricRow> &rows);

    int bestEpoch() const { return m_bestEpoch; }
    double best() const { return m_best; }
    int epochsWithoutImprovement() const { return m_bad; }

    nlohmann::json saveState() const;
    void loadState(const nlohmann::json &state);

private:
    std::string m_spec, m_task, m_metric;
    bool m_lower = true;
    int m_patience = 0;
    double m_minDelta = 0.0;
    int m_bestEpoch = 0; // 0: nothing observed yet
    double m_best = 0.0;
    int m_bad = 0;
};

} // namespace mtl::train
