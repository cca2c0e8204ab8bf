// The task types' registry, and classification (softmax cross-entropy over a categorical
// column); attributes live in attributestask.cpp, the dense types in densetasks.cpp.

#include "train/task.h"

#include "common/error.h"
#include "train/meters.h"
#include "train/taskhelpers.h"

#include <torch/nn/functional/loss.h>
#include <torch/types.h>

namespace mtl::train {

namespace {

using namespace detail;

class ClassificationTask final : public Task {
public:
    ClassificationTask(const experiment::TaskConfig &config, std::vector<std::string> classes)
        : Task(config)
        , m_classNames(std::move(classes))
        , m_classes(static_cast<std::int64_t>(m_classNames.size()))
    {}
    std::vector<std::string> columns() const override { return {config().label}; }
    model::HeadSpec head() const override
    {
        return {name(), model::HeadSpec::Kind::Vector, m_classes, config().options,
                "classification"};
    }
    void fit(const at::Tensor &trainTargets) override
    {
        m_total = trainTargets.size(0);
        m_labelled = trainTargets.ge(0).sum().item<std::int64_t>();
    }
    // Said only when labels are missing: the loss and metrics average over the labelled.
    std::string fitted() const override
    {
        return m_labelled < m_total ? labelledText(m_labelled, m_total, "training samples labelled")
                                    : "";
    }
    at::Tensor targets(const SplitLabels &split) const override
    {
        const auto &column = valuesOf(split.columns, config().label);
        return torch::tensor(column, torch::kInt32).to(torch::kInt64);
    }
    at::Tensor loss(const at::Tensor &output, const at::Tensor &target) const override
    {
        namespace F = torch::nn::functional;
        return F::cross_entropy(output, target,
                                F::CrossEntropyFuncOptions().ignore_index(-1).label_smoothing(
                                    config().options.value("label_smoothing", 0.0)));
    }
    Prediction predict(const at::Tensor &output) const override
    {
        return {"class_probabilities", output.detach().softmax(1).to(torch::kFloat32).cpu()};
    }
    std::unique_ptr<TaskMeter> makeMeter() const override
    {
        return makeClassificationMeter(m_classNames);
    }

private:
    std::vector<std::string> m_classNames;
    std::int64_t m_classes;
    std::int64_t m_labelled = 0, m_total = 0;
};

std::unique_ptr<Task> makeClassification(const experiment::TaskConfig &config,
                                         const store::DatasetInfo &dataset,
                                         const std::string &keyPath)
{
    const auto &column = requireColumn(dataset, config.label, keyPath + ".label");
    const std::vector<std::string> classes = column.kind == store::ColumnKind::Binary
                                                 ? std::vector<std::string>{"0", "1"}
                                                 : column.categories;
    if (classes.size() < 2)
        throw configError(keyPath + ".label",
                          "column '" + config.label + "' has fewer than 2 categories");
    return std::make_unique<ClassificationTask>(config, classes);
}

} // namespace

const Registry<TaskMaker> &taskTypes()
{
    static const Registry<TaskMaker> table{
        {{"attributes",
          "binary attributes of a set of 0/1 columns: one sigmoid logit each, binary "
          "cross-entropy; accuracy, balanced accuracy, F1 and average precision per attribute, "
          "their "
          "means and each attribute group's",
          {{"loss",
            OptionSpec::Type::Choice,
            "bce",
            "bce: binary cross-entropy on the logits; hinge: max(0, 1 − s·logit) with s = ±1, as "
            "the MTL-CNN paper trains its attribute classifiers",
            0,
            0,
            {"bce", "hinge"}},
           {"pos_weight",
            OptionSpec::Type::NumberOrChoice,
            1.0,
            "weight of a positive label's loss: a number for every attribute, a list of one per "
            "attribute (in labels order), or balanced = negatives / positives of each attribute "
            "in the training split",
            0.0,
            10000.0,
            {"balanced"}},
           {"attribute_weights", OptionSpec::Type::NumberList, nlohmann::json::array(),
            "weight of each attribute's loss, one per attribute in labels order ([]: all 1); "
            "multiplies its loss as BCEWithLogitsLoss's weight does",
            0.0, 10000.0},
           {"head",
            OptionSpec::Type::Choice,
            "sigmoid",
            "sigmoid: one logit per attribute (multi-label); branches: one 2-way softmax branch "
            "per attribute, their cross-entropies summed (the multi-label seed's comparison)",
            0,
            0,
            {"sigmoid", "branches"}},
           {"per_attribute", OptionSpec::Type::Boolean, false,
            "true: each attribute's loss is its own term for the loss weighting (weights, "
            "gradients and curves per attribute); false: the task is one term"}}},
         makeAttributes},
        {{"classification",
          "one categorical column: softmax cross-entropy over its categories; accuracy, balanced "
          "accuracy, macro-F1, top-5 (more than 5 classes), per-class recall/precision/F1 and the "
          "confusion matrix",
          {{"label_smoothing", OptionSpec::Type::Number, 0.0,
            "ε of label smoothing: the target puts 1 − ε on the label and ε spread over all "
            "classes",
            0.0, 0.99}}},
         makeClassification},
        {{"depth",
          "a depth map (label: a depth map column): one channel at the input resolution; "
          "abs/rel error, RMSE and δ < 1.25 over the labelled pixels (stored 0 = none)",
          {{"loss",
            OptionSpec::Type::Choice,
            "l1",
            "l1: |ŷ − y|; mse: (ŷ − y)²; log_l1: |log ŷ − log y|; scale_invariant: the "
            "scale-invariant log loss of Eigen et al. (λ = 0.5)",
            0,
            0,
            {"l1", "mse", "log_l1", "scale_invariant"}}}},
         makeDepth},
        {{"normals",
          "surface normals (label: a normals map column): three channels at the input "
          "resolution, loss 1 − cosine; mean and median angle error, shares within "
          "11.25°/22.5°/30°",
          {}},
         makeNormals},
        {{"reconstruction",
          "the input image itself (no label): channels of the image at its resolution; L1, "
          "PSNR",
          {{"loss",
            OptionSpec::Type::Choice,
            "l1",
            "l1 or mse of the image in [0, 1]",
            0,
            0,
            {"l1", "mse"}}}},
         makeReconstruction},
        {{"segmentation",
          "a class per pixel (label: a segmentation map column): per-pixel softmax "
          "cross-entropy, 255 = not labelled; mIoU, pixel accuracy, IoU per class",
          {{"class_weights",
            OptionSpec::Type::Choice,
            "none",
            "none: every pixel counts the same; median_frequency: each class weighted by the "
            "median class frequency over its own (SegNet's balancing, from the training split)",
            0,
            0,
            {"none", "median_frequency"}}}},
         makeSegmentation},
    };
    return table;
}

std::vector<std::string> objectiveNames(const std::vector<std::unique_ptr<Task>> &tasks)
{
    std::vector<std::string> names;
    for (const auto &task : tasks) {
        const std::vector<std::string> terms = task->lossTerms();
        if (terms.empty())
            names.push_back(task->name());
        for (const std::string &term : terms)
            names.push_back(task->name() + "." + term);
    }
    return names;
}

std::unique_ptr<Task> makeTask(const experiment::TaskConfig &config,
                               const store::DatasetInfo &dataset, const std::string &keyPath)
{
    const auto *entry = taskTypes().find(config.type);
    if (!entry)
        throw configError(keyPath + ".type", "unknown task type '" + config.type + "'");
    return entry->make(config, dataset, keyPath);
}

} // namespace mtl::train
