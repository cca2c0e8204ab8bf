#include "train/meters.h"

#include "train/taskhelpers.h"

#include <torch/types.h>

#include <cmath>
#include <limits>
#include <map>

namespace mtl::train::detail {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// F1 = 2TP / (2TP + FP + FN); NaN when the class was neither there nor predicted.
double f1Of(double tp, double fp, double fn)
{
    const double denominator = 2.0 * tp + fp + fn;
    return denominator > 0 ? 2.0 * tp / denominator : kNaN;
}

// The mean of the values that are defined (not NaN); NaN when none is.
class Mean {
public:
    void add(double value)
    {
        if (std::isnan(value))
            return;
        m_sum += value;
        ++m_count;
    }
    double value() const { return m_count > 0 ? m_sum / m_count : kNaN; }

private:
    double m_sum = 0.0;
    int m_count = 0;
};

class ClassificationMeter final : public TaskMeter {
public:
    explicit ClassificationMeter(std::vector<std::string> classes)
        : m_classes(std::move(classes))
        , m_k(static_cast<std::int64_t>(m_classes.size()))
        , m_confusion(static_cast<std::size_t>(m_k * m_k), 0.0)
    {}
    void add(const at::Tensor &output, const at::Tensor &target, double loss) override
    {
        const at::Tensor labelled = target.ge(0);
        const at::Tensor truth = target.masked_select(labelled);
        const at::Tensor scores = output.index({labelled});
        const auto n = static_cast<double>(truth.numel());
        if (n == 0)
            return;
        const at::Tensor cells = truth * m_k + scores.argmax(1);
        const at::Tensor counts = torch::bincount(cells, {}, m_k * m_k).cpu().to(torch::kDouble);
        const auto c = counts.accessor<double, 1>();
        for (std::int64_t i = 0; i < m_k * m_k; ++i)
            m_confusion[static_cast<std::size_t>(i)] += c[i];
        if (m_k > 5)
            m_top5 +=
                std::get<1>(scores.topk(5, 1)).eq(truth.unsqueeze(1)).any(1).sum().item<double>();
        m_count += n;
        m_lossSum += loss * n;
    }
    std::vector<MetricValue> values() const override
    {
        if (m_count == 0)
            return {};
        const auto k = static_cast<std::size_t>(m_k);
        double correct = 0.0;
        Mean recall, f1;
        std::vector<MetricValue> perClass, cells;
        for (std::size_t c = 0; c < k; ++c) {
            double truth = 0.0, predicted = 0.0;
            for (std::size_t j = 0; j < k; ++j) {
                truth += m_confusion[c * k + j];
                predicted += m_confusion[j * k + c];
                if (m_confusion[c * k + j] > 0)
                    cells.push_back(
                        {m_classes[c], "confusion:" + m_classes[j], m_confusion[c * k + j]});
            }
            const double hit = m_confusion[c * k + c];
            correct += hit;
            const double classF1 = f1Of(hit, predicted - hit, truth - hit);
            f1.add(classF1);
            if (truth > 0) {
                recall.add(hit / truth);
                perClass.push_back({m_classes[c], "recall", hit / truth});
            }
            if (predicted > 0)
                perClass.push_back({m_classes[c], "precision", hit / predicted});
            if (!std::isnan(classF1))
                perClass.push_back({m_classes[c], "f1", classF1});
        }
        std::vector<MetricValue> values{{"", "loss", m_lossSum / m_count},
                                        {"", "accuracy", correct / m_count},
                                        {"", "balanced_accuracy", recall.value()},
                                        {"", "macro_f1", f1.value()}};
        if (m_k > 5)
            values.push_back({"", "top5_accuracy", m_top5 / m_count});
        values.insert(values.end(), perClass.begin(), perClass.end());
        values.insert(values.end(), cells.begin(), cells.end());
        return values;
    }
    // [count, loss sum, top-5 hits, confusion (true-major)…]
    std::vector<double> state() const override
    {
        std::vector<double> s{m_count, m_lossSum, m_top5};
        s.insert(s.end(), m_confusion.begin(), m_confusion.end());
        return s;
    }
    void merge(const std::vector<double> &state) override
    {
        checkStateSize(state, 3 + m_confusion.size());
        m_count += state[0];
        m_lossSum += state[1];
        m_top5 += state[2];
        for (std::size_t i = 0; i < m_confusion.size(); ++i)
            m_confusion[i] += state[3 + i];
    }

private:
    std::vector<std::string> m_classes;
    std::int64_t m_k;
    std::vector<double> m_confusion; // [true class × predicted class]
    double m_count = 0.0, m_lossSum = 0.0, m_top5 = 0.0;
};

// Logit histograms for average precision: kBins bins of width 1/kBinsPerUnit over
// [−kRange, kRange), a logit outside falling into the end bins.
constexpr std::int64_t kBinsPerUnit = 64;
constexpr double kRange = 16.0;
constexpr auto kBins = static_cast<std::int64_t>(2 * kRange * kBinsPerUnit);

class AttributesMeter final : public TaskMeter {
public:
    AttributesMeter(std::vector<std::string> names, std::vector<std::string> groups,
                    std::function<at::Tensor(const at::Tensor &)> logitsOf)
        : m_names(std::move(names))
        , m_groups(std::move(groups))
        , m_logitsOf(std::move(logitsOf))
        , m_a(static_cast<std::int64_t>(m_names.size()))
        , m_state(static_cast<std::size_t>(2 + m_a * (4 + 2 * kBins)), 0.0)
    {}
    void add(const at::Tensor &output, const at::Tensor &target, double loss) override
    {
        const at::Tensor logits = m_logitsOf(output).detach().to(torch::kFloat32);
        const at::Tensor labelled = target.ge(0);
        const at::Tensor positive = target.gt(0.5).logical_and(labelled);
        const at::Tensor negative = target.le(0.5).logical_and(labelled);
        const at::Tensor predicted = logits.gt(0);
        // Per attribute: tp, fp, fn, tn.
        const at::Tensor counts =
            torch::stack({predicted.logical_and(positive).sum(0),
                          predicted.logical_and(negative).sum(0),
                          predicted.logical_not().logical_and(positive).sum(0),
                          predicted.logical_not().logical_and(negative).sum(0)},
                         1)
                .to(torch::kDouble)
                .cpu()
                .contiguous();
        const at::Tensor bins = ((logits.clamp(-kRange, kRange) + kRange) * kBinsPerUnit)
                                    .floor()
                                    .to(torch::kLong)
                                    .clamp(0, kBins - 1) +
                                torch::arange(m_a, logits.options().dtype(torch::kLong)) * kBins;
        const auto histogram = [&](const at::Tensor &mask) {
            return torch::bincount(bins.masked_select(mask), {}, m_a * kBins)
                .to(torch::kDouble)
                .cpu()
                .contiguous();
        };
        const at::Tensor pos = histogram(positive), neg = histogram(negative);
        const double *c = counts.data_ptr<double>();
        const double *p = pos.data_ptr<double>();
        const double *q = neg.data_ptr<double>();
        for (std::int64_t a = 0; a < m_a; ++a) {
            double *slot = attribute(a);
            for (int i = 0; i < 4; ++i)
                slot[i] += c[a * 4 + i];
            for (std::int64_t b = 0; b < kBins; ++b) {
                slot[4 + b] += p[a * kBins + b];
                slot[4 + kBins + b] += q[a * kBins + b];
            }
        }
        // The batch loss weighs by the samples with a label (the most of any attribute).
        const double samples = labelled.sum(0).max().item<double>();
        m_state[0] += loss * samples;
        m_state[1] += samples;
    }
    std::vector<MetricValue> values() const override
    {
        if (m_state[1] <= 0)
            return {};
        struct Scores {
            Mean accuracy, balanced, f1, ap;
        };
        Scores task;
        std::map<std::string, Scores> groups;
        std::vector<std::string> groupOrder;
        std::vector<MetricValue> perAttribute;
        for (std::int64_t a = 0; a < m_a; ++a) {
            const double *slot = const_cast<AttributesMeter *>(this)->attribute(a);
            const double tp = slot[0], fp = slot[1], fn = slot[2], tn = slot[3];
            const double n = tp + fp + fn + tn;
            if (n == 0)
                continue;
            const std::string &name = m_names[static_cast<std::size_t>(a)];
            Mean balanced;
            if (tp + fn > 0)
                balanced.add(tp / (tp + fn));
            if (tn + fp > 0)
                balanced.add(tn / (tn + fp));
            const double values[4] = {(tp + tn) / n, balanced.value(), f1Of(tp, fp, fn),
                                      averagePrecision(slot + 4, slot + 4 + kBins, kBins)};
            static const char *const names[4] = {"accuracy", "balanced_accuracy", "f1", "ap"};
            const std::string &group = m_groups[static_cast<std::size_t>(a)];
            if (!group.empty() && groups.find(group) == groups.end())
                groupOrder.push_back(group);
            Scores *targets[2] = {&task, group.empty() ? nullptr : &groups[group]};
            for (Scores *scores : targets) {
                if (!scores)
                    continue;
                scores->accuracy.add(values[0]);
                scores->balanced.add(values[1]);
                scores->f1.add(values[2]);
                scores->ap.add(values[3]);
            }
            for (int i = 0; i < 4; ++i)
                if (!std::isnan(values[i]))
                    perAttribute.push_back({name, names[i], values[i]});
        }
        std::vector<MetricValue> result{{"", "loss", m_state[0] / m_state[1]}};
        const auto push = [&result](const std::string &attribute, const std::string &prefix,
                                    const char *name, const Mean &mean) {
            if (!std::isnan(mean.value()))
                result.push_back({attribute, prefix + name, mean.value()});
        };
        push("", "", "accuracy", task.accuracy);
        push("", "", "balanced_accuracy", task.balanced);
        push("", "", "f1", task.f1);
        push("", "", "map", task.ap);
        result.insert(result.end(), perAttribute.begin(), perAttribute.end());
        for (const std::string &group : groupOrder) {
            const Scores &scores = groups.at(group);
            push(group, "group_", "accuracy", scores.accuracy);
            push(group, "group_", "balanced_accuracy", scores.balanced);
            push(group, "group_", "f1", scores.f1);
            push(group, "group_", "ap", scores.ap);
        }
        return result;
    }
    // [loss sum, loss samples, then per attribute: tp, fp, fn, tn, positives' logit histogram,
    // negatives' logit histogram]
    std::vector<double> state() const override { return m_state; }
    void merge(const std::vector<double> &state) override
    {
        checkStateSize(state, m_state.size());
        for (std::size_t i = 0; i < m_state.size(); ++i)
            m_state[i] += state[i];
    }

private:
    double *attribute(std::int64_t a)
    {
        return m_state.data() + 2 + static_cast<std::size_t>(a * (4 + 2 * kBins));
    }
    std::vector<std::string> m_names, m_groups;
    std::function<at::Tensor(const at::Tensor &)> m_logitsOf;
    std::int64_t m_a;
    std::vector<double> m_state;
};

} // namespace

std::unique_ptr<TaskMeter> makeClassificationMeter(std::vector<std::string> classes)
{
    return std::make_unique<ClassificationMeter>(std::move(classes));
}

std::unique_ptr<TaskMeter>
makeAttributesMeter(std::vector<std::string> names, std::vector<std::string> groups,
                    std::function<at::Tensor(const at::Tensor &)> logitsOf)
{
    groups.resize(names.size());
    return std::make_unique<AttributesMeter>(std::move(names), std::move(groups),
                                             std::move(logitsOf));
}

double averagePrecision(const double *positives, const double *negatives, std::size_t bins)
{
    double total = 0.0;
    for (std::size_t b = 0; b < bins; ++b)
        total += positives[b];
    if (total <= 0)
        return kNaN;
    double tp = 0.0, fp = 0.0, ap = 0.0;
    for (std::size_t b = bins; b-- > 0;) {
        if (positives[b] <= 0 && negatives[b] <= 0)
            continue;
        tp += positives[b];
        fp += negatives[b];
        ap += positives[b] / total * tp / (tp + fp);
    }
    return ap;
}

double histogramMedian(const double *counts, std::size_t bins, double binWidth)
{
    double total = 0.0;
    for (std::size_t b = 0; b < bins; ++b)
        total += counts[b];
    if (total <= 0)
        return kNaN;
    const double half = total / 2.0;
    double below = 0.0;
    for (std::size_t b = 0; b < bins; ++b) {
        if (below + counts[b] >= half && counts[b] > 0)
            return binWidth * (static_cast<double>(b) + (half - below) / counts[b]);
        below += counts[b];
    }
    return binWidth * static_cast<double>(bins);
}

} // namespace mtl::train::detail
