#include "train/monitor.h"

#include "common/error.h"
#include "common/registry.h"

#include <set>

namespace mtl::train {

EpochMonitor::EpochMonitor(std::string spec, int patience, double minDelta)
    : m_spec(std::move(spec))
    , m_patience(patience)
    , m_minDelta(minDelta)
{
    const auto dot = m_spec.find('.');
    m_task = dot == std::string::npos ? std::string() : m_spec.substr(0, dot);
    m_metric = dot == std::string::npos ? m_spec : m_spec.substr(dot + 1);
    m_lower = store::lowerIsBetter(m_metric);
}

double EpochMonitor::valueOf(const std::vector<store::MetricRow> &rows) const
{
    double sum = 0.0;
    int count = 0;
    std::set<std::string> there;
    for (const store::MetricRow &row : rows) {
        if (!row.attribute.empty() || row.task.empty())
            continue;
        there.insert(row.task + "." + row.name);
        if (row.name == m_metric && (m_task.empty() || row.task == m_task)) {
            sum += row.value;
            ++count;
        }
    }
    if (count == 0) {
        ErrorLocation where;
        where.key = "train.monitor";
        throw Error(ErrorCode::Config,
                    "no validation metric '" + m_spec +
                        "' (this run records: " + joinNames({there.begin(), there.end()}) + ")",
                    where);
    }
    return sum / count;
}

EpochMonitor::Verdict EpochMonitor::observe(int epoch, const std::vector<store::MetricRow> &rows)
{
    Verdict verdict;
    verdict.value = valueOf(rows);
    verdict.improved = m_bestEpoch == 0 || (m_lower ? verdict.value < m_best - m_minDelta
                                                    : verdict.value > m_best + m_minDelta);
    if (verdict.improved) {
        m_best = verdict.value;
        m_bestEpoch = epoch;
        m_bad = 0;
    } else {
        ++m_bad;
    }
    verdict.stop = m_patience > 0 && m_bad >= m_patience;
    return verdict;
}

nlohmann::json EpochMonitor::saveState() const
{
    return {{"best_epoch", m_bestEpoch}, {"best", m_best}, {"bad", m_bad}};
}

void EpochMonitor::loadState(const nlohmann::json &state)
{
    if (!state.is_object())
        return;
    m_bestEpoch = state.at("best_epoch").get<int>();
    m_best = state.at("best").get<double>();
    m_bad = state.at("bad").get<int>();
}

} // namespace mtl::train
