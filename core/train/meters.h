#pragma once
// The meters of the classification and attributes task types: what an evaluation pass reports
// for them (docs/METRICS.md lists every value and how it is computed). Internal to train/.

#include "train/task.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace mtl::train::detail {

// Classification over `classes` (their names, in label order): loss, accuracy,
// balanced_accuracy, macro_f1, top5_accuracy (more than 5 classes); per class (attribute = its
// name) recall, precision, f1; and the confusion matrix, one row per non-zero cell:
// attribute = the true class, name = "confusion:" + the predicted class, value = the count.
std::unique_ptr<TaskMeter> makeClassificationMeter(std::vector<std::string> classes);

// Binary attributes, one logit each (logit > 0 predicts 1): loss; per attribute accuracy,
// balanced_accuracy, f1, ap; their means over the attributes (task-level accuracy,
// balanced_accuracy, f1, map); and where the dataset groups attributes, each group's means
// (attribute = the group, names group_accuracy, group_balanced_accuracy, group_f1, group_ap).
// `groups`: each attribute's group ("" = none). `logitsOf` maps the head's output to [B, A]
// logits (a branches head's log-odds).
std::unique_ptr<TaskMeter>
makeAttributesMeter(std::vector<std::string> names, std::vector<std::string> groups,
                    std::function<at::Tensor(const at::Tensor &)> logitsOf);

// Average precision from score histograms, highest bin first: Σ_k (R_k − R_{k−1})·P_k with one
// threshold per bin (ties share one, as scikit-learn's average_precision_score treats equal
// scores). positives[b], negatives[b]: the counts in bin b (ascending score). NaN when there is
// no positive.
double averagePrecision(const double *positives, const double *negatives, std::size_t bins);

// The median of a histogram over [0, binWidth·bins), linear within the bin it falls in; NaN
// when the histogram is empty.
double histogramMedian(const double *counts, std::size_t bins, double binWidth);

} // namespace mtl::train::detail
