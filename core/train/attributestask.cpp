// The attributes task type: a set of binary columns predicted at once — one sigmoid logit each
// or a 2-way softmax branch each (head branches), binary cross-entropy or hinge, positive and
// per-attribute weights, and optionally one loss term per attribute for the weighting.

#include "train/task.h"

#include "common/error.h"
#include "train/meters.h"
#include "train/taskhelpers.h"

#include <torch/nn/functional/loss.h>
#include <torch/types.h>

#include <cstdio>

namespace mtl::train::detail {

namespace {

// One logit per attribute from an attributes head's output: the output itself for a sigmoid
// head; for a branches head ([B, 2A], attribute a's pair at 2a, 2a + 1) the log-odds
// z₁ − z₀, whose sigmoid is the pair's softmax probability of 1.
at::Tensor attributeLogits(const at::Tensor &output, bool branches)
{
    if (!branches)
        return output;
    const at::Tensor pairs = output.view({output.size(0), output.size(1) / 2, 2});
    return pairs.select(2, 1) - pairs.select(2, 0);
}

// A list option given per attribute ([] or absent: none), as a float tensor [A] on the CPU.
at::Tensor perAttribute(const nlohmann::json &value)
{
    if (!value.is_array() || value.empty())
        return {};
    return torch::tensor(value.get<std::vector<double>>(), torch::kFloat32);
}

class AttributesTask final : public Task {
public:
    AttributesTask(const experiment::TaskConfig &config, std::vector<std::string> groups)
        : Task(config)
        , m_branches(config.options.value("head", std::string("sigmoid")) == "branches")
        , m_attributeWeight(
              perAttribute(config.options.value("attribute_weights", nlohmann::json::array())))
        , m_groups(std::move(groups))
    {}
    std::vector<std::string> columns() const override { return config().labels; }
    model::HeadSpec head() const override
    {
        const auto attributes = static_cast<std::int64_t>(config().labels.size());
        return {name(),
                model::HeadSpec::Kind::Vector,
                m_branches ? 2 * attributes : attributes,
                config().options,
                "attributes",
                config().labels,
                m_groups};
    }
    at::Tensor targets(const SplitLabels &split) const override
    {
        const auto &labels = config().labels;
        const std::size_t n = valuesOf(split.columns, labels.front()).size();
        at::Tensor result =
            torch::empty({static_cast<std::int64_t>(n), static_cast<std::int64_t>(labels.size())},
                         torch::kFloat32);
        auto out = result.accessor<float, 2>();
        for (std::size_t a = 0; a < labels.size(); ++a) {
            const auto &column = valuesOf(split.columns, labels[a]);
            for (std::size_t i = 0; i < n; ++i)
                out[static_cast<std::int64_t>(i)][static_cast<std::int64_t>(a)] =
                    static_cast<float>(column[i]);
        }
        return result;
    }
    void fit(const at::Tensor &trainTargets) override
    {
        m_total = trainTargets.numel();
        m_labelled = trainTargets.ge(0).sum().item<std::int64_t>();
        const nlohmann::json &weight = config().options.value("pos_weight", nlohmann::json(1.0));
        const auto attributes = static_cast<std::int64_t>(config().labels.size());
        if (weight.is_array()) {
            m_posWeight = perAttribute(weight);
            return;
        }
        if (weight.is_number()) {
            m_posWeight = weight.get<double>() == 1.0
                              ? at::Tensor()
                              : torch::full({attributes}, weight.get<double>(), torch::kFloat32);
            return;
        }
        // "balanced": negatives / positives per attribute, over its labelled samples; an
        // attribute without positives (or negatives) keeps weight 1.
        const at::Tensor positives = trainTargets.eq(1).sum(0).to(torch::kDouble);
        const at::Tensor negatives = trainTargets.eq(0).sum(0).to(torch::kDouble);
        const at::Tensor usable = positives.gt(0) & negatives.gt(0);
        m_posWeight =
            torch::where(usable, negatives / positives.clamp_min(1.0), torch::ones_like(positives))
                .to(torch::kFloat32);
    }
    std::string fitted() const override
    {
        std::string text = m_labelled < m_total
                               ? labelledText(m_labelled, m_total, "attribute labels present")
                               : "";
        const auto add = [&text](const std::string &note) {
            text += (text.empty() ? "" : "; ") + note;
        };
        const auto &labels = config().labels;
        if (m_branches)
            add("a 2-way softmax branch per attribute (head branches)");
        if (!lossTerms().empty())
            add(std::to_string(labels.size()) + " loss terms for the weighting (per_attribute)");
        if (!m_posWeight.defined() ||
            !config().options.value("pos_weight", nlohmann::json(1.0)).is_string())
            return text;
        std::string weights = "pos_weight";
        for (std::size_t a = 0; a < labels.size(); ++a) {
            char value[32];
            std::snprintf(value, sizeof value, "%.2f",
                          m_posWeight[static_cast<std::int64_t>(a)].item<double>());
            weights += (a == 0 ? " " : ", ") + labels[a] + " " + value;
        }
        add(weights);
        return text;
    }
    // Sigmoid head: the mean over every labelled (sample, attribute) of w_a·ℓ; branches: the sum
    // over attributes of each one's mean 2-way cross-entropy, as the multi-label seed sums them.
    at::Tensor loss(const at::Tensor &output, const at::Tensor &target) const override
    {
        const auto [losses, labelled] = labelledLosses(output, target);
        if (m_branches)
            return (losses.sum(0) / labelled.sum(0).clamp_min(1.0)).sum();
        return losses.sum() / labelled.sum().clamp_min(1.0);
    }
    std::vector<std::string> lossTerms() const override
    {
        return config().options.value("per_attribute", false) ? config().labels
                                                              : std::vector<std::string>();
    }
    // Per attribute: the mean over its labelled samples of w_a·ℓ.
    std::vector<at::Tensor> termLosses(const at::Tensor &output,
                                       const at::Tensor &target) const override
    {
        const auto [losses, labelled] = labelledLosses(output, target);
        return (losses.sum(0) / labelled.sum(0).clamp_min(1.0)).unbind(0);
    }
    Prediction predict(const at::Tensor &output) const override
    {
        return {"attribute_probabilities",
                attributeLogits(output.detach(), m_branches).sigmoid().to(torch::kFloat32).cpu()};
    }
    std::unique_ptr<TaskMeter> makeMeter() const override
    {
        const bool branches = m_branches;
        return makeAttributesMeter(config().labels, m_groups, [branches](const at::Tensor &output) {
            return attributeLogits(output, branches);
        });
    }

private:
    // [B, A]: w_a·ℓ where labelled, else 0; and the labelled mask (1/0).
    std::pair<at::Tensor, at::Tensor> labelledLosses(const at::Tensor &output,
                                                     const at::Tensor &target) const
    {
        namespace F = torch::nn::functional;
        const at::Tensor logits = attributeLogits(output, m_branches);
        const at::Tensor labelled = target.ge(0).to(logits.scalar_type());
        const at::Tensor positive = target.clamp_min(0).to(logits.scalar_type());
        at::Tensor perElement;
        if (config().options.value("loss", std::string("bce")) == "hinge") {
            // max(0, 1 − s·logit) with s = ±1 from the 0/1 label.
            perElement = torch::relu(1.0 - (2.0 * positive - 1.0) * logits);
            if (m_posWeight.defined())
                perElement =
                    perElement * (1.0 + positive * (m_posWeight.to(logits.device()) - 1.0));
        } else {
            // For branches this is the pair's 2-way softmax cross-entropy: −log softmax(z)_y =
            // softplus(∓(z₁ − z₀)), the binary cross-entropy of the log-odds.
            auto options = F::BinaryCrossEntropyWithLogitsFuncOptions().reduction(torch::kNone);
            if (m_posWeight.defined())
                options.pos_weight(m_posWeight.to(logits.device()));
            perElement = F::binary_cross_entropy_with_logits(logits, positive, options);
        }
        at::Tensor losses = perElement * labelled;
        if (m_attributeWeight.defined())
            losses = losses * m_attributeWeight.to(logits.device());
        return {losses, labelled};
    }

    bool m_branches;
    at::Tensor m_attributeWeight;      // [A] float on the CPU; undefined: all 1
    std::vector<std::string> m_groups; // each attribute's group in the dataset ("" = none)
    at::Tensor m_posWeight;            // [A] float on the CPU; undefined: all 1
    std::int64_t m_labelled = 0, m_total = 0;
};

} // namespace

std::unique_ptr<Task> makeAttributes(const experiment::TaskConfig &config,
                                     const store::DatasetInfo &dataset, const std::string &keyPath)
{
    std::vector<std::string> groups;
    for (std::size_t i = 0; i < config.labels.size(); ++i) {
        const std::string key = keyPath + ".labels[" + std::to_string(i) + "]";
        const auto &column = requireColumn(dataset, config.labels[i], key);
        if (column.kind != store::ColumnKind::Binary)
            throw configError(key, "column '" + column.name + "' is " + toString(column.kind) +
                                       "; an attributes task needs binary (0/1) columns — "
                                       "use a classification task for it");
        groups.push_back(column.group);
    }
    const nlohmann::json &options = config.options;
    for (const char *key : {"pos_weight", "attribute_weights"}) {
        const auto it = options.find(key);
        if (it != options.end() && it->is_array() && !it->empty() &&
            it->size() != config.labels.size())
            throw configError(keyPath + ".options." + key,
                              "has " + std::to_string(it->size()) + " value(s) for " +
                                  std::to_string(config.labels.size()) +
                                  " attribute(s); give one per entry of labels, in its order");
        if (it != options.end() && it->is_array() && it->empty() &&
            std::string(key) == "pos_weight")
            throw configError(keyPath + ".options.pos_weight",
                              "is an empty list; give a number, one per attribute, or balanced");
    }
    if (options.value("head", std::string("sigmoid")) == "branches" &&
        options.value("loss", std::string("bce")) == "hinge")
        throw configError(keyPath + ".options.loss",
                          "hinge scores one logit per attribute; head branches trains a 2-way "
                          "softmax per attribute with cross-entropy (loss bce)");
    return std::make_unique<AttributesTask>(config, std::move(groups));
}

} // namespace mtl::train::detail
