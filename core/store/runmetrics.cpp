#include "store/runmetrics.h"

#include <algorithm>
#include <array>
#include <cstdio>

namespace mtl::store {

std::optional<Headline> headline(const std::map<std::string, double> &values)
{
    static const std::array<const char *, 5> order{"accuracy", "miou", "abs_err", "angle_err",
                                                   "l1"};
    for (const char *name : order)
        if (const auto it = values.find(name); it != values.end())
            return Headline{name, it->second};
    return std::nullopt;
}

const std::vector<std::string> &scoreMetrics()
{
    static const std::vector<std::string> names{"accuracy", "miou", "delta1", "within_11.25"};
    return names;
}

std::string scoreLabel(const std::string &metric)
{
    if (metric == "miou")
        return "mIoU";
    if (metric == "delta1")
        return "δ<1.25";
    if (metric == "within_11.25")
        return "≤11.25°";
    return metric == "accuracy" ? std::string() : metric;
}

bool lowerIsBetter(const std::string &metric)
{
    const auto endsWith = [&](const std::string &tail) {
        return metric.size() >= tail.size() &&
               metric.compare(metric.size() - tail.size(), tail.size(), tail) == 0;
    };
    return metric == "loss" || endsWith("_loss") || endsWith("_err") || metric == "rmse" ||
           metric == "l1";
}

std::string RunMetrics::scoreName(const std::string &task) const
{
    for (const std::string &name : scoreMetrics())
        for (const auto &[key, value] : m_latest)
            if (std::get<1>(key) == task && std::get<2>(key).empty() && std::get<3>(key) == name)
                return name;
    return {};
}

std::string Headline::text() const
{
    char text[64];
    if (name == "accuracy")
        std::snprintf(text, sizeof text, "%.2f%%", value * 100.0);
    else if (name == "miou")
        std::snprintf(text, sizeof text, "mIoU %.2f%%", value * 100.0);
    else if (name == "angle_err")
        std::snprintf(text, sizeof text, "angle_err %.1f°", value);
    else
        std::snprintf(text, sizeof text, "%s %.3f", name.c_str(), value);
    return text;
}

void RunMetrics::add(const MetricRow &row)
{
    if (!row.task.empty() && std::find(m_tasks.begin(), m_tasks.end(), row.task) == m_tasks.end())
        m_tasks.push_back(row.task);
    m_latest[{row.split, row.task, row.attribute, row.name}] = row.value;
    m_hasTest |= row.split == "test";
    if (!row.attribute.empty())
        return;
    if (row.split == "train" && row.name == "loss")
        m_trainLoss[row.task].push_back({static_cast<double>(row.step), row.value});
    else if (row.split == "val")
        m_validation[{row.task, row.name}].push_back({static_cast<double>(row.epoch), row.value});
}

void RunMetrics::add(const std::vector<MetricRow> &rows)
{
    for (const MetricRow &row : rows)
        add(row);
}

std::vector<RunMetrics::Point> RunMetrics::trainLoss(const std::string &task) const
{
    const auto it = m_trainLoss.find(task);
    return it == m_trainLoss.end() ? std::vector<Point>{} : it->second;
}

std::vector<RunMetrics::Point> RunMetrics::validation(const std::string &task,
                                                      const std::string &name) const
{
    const auto it = m_validation.find({task, name});
    return it == m_validation.end() ? std::vector<Point>{} : it->second;
}

std::optional<double> RunMetrics::latest(const std::string &split, const std::string &task,
                                         const std::string &attribute,
                                         const std::string &name) const
{
    const auto it = m_latest.find({split, task, attribute, name});
    if (it == m_latest.end())
        return std::nullopt;
    return it->second;
}

RunMetrics::Values RunMetrics::finalMetrics() const
{
    const std::string split = finalSplit();
    Values values;
    for (const auto &[key, value] : m_latest) {
        const auto &[rowSplit, task, attribute, name] = key;
        if (rowSplit == split && !task.empty() && attribute.empty())
            values[task][name] = value;
    }
    return values;
}

RunMetrics::Values RunMetrics::finalAttributes(const std::string &name) const
{
    const std::string split = finalSplit();
    Values values;
    for (const auto &[key, value] : m_latest) {
        const auto &[rowSplit, task, attribute, rowName] = key;
        if (rowSplit == split && !attribute.empty() && rowName == name)
            values[task][attribute] = value;
    }
    return values;
}

} // namespace mtl::store
