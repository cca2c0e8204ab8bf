#pragma once
// What a run's recorded predictions (the `predictions` probe) say the labels of its dataset's
// samples are, in the dataset's label columns: the arg-max class of a classification task, and
// probability ≥ 0.5 for each attribute of an attributes task. The annotation browser compares
// them with the current labels ("the model disagrees"); comparing is left to the caller, so
// that label edits made since are taken into account.

#include "store/records.h"

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace mtl::store {
class Project;
}

namespace mtl::report {

struct PredictedLabels {
    std::int64_t runId = 0;
    std::string split; // of the evaluation the predictions come from ("test" or "val")
    int epoch = 0;
    std::vector<int> columns; // the dataset's label columns predicted (their index), in order
    // Per predicted sample: one value per entry of `columns`, and the probability the model
    // gave that value.
    struct Sample {
        std::vector<std::int32_t> values;
        std::vector<float> confidence;
    };
    std::unordered_map<std::int64_t, Sample> samples;
};

// The runs trained on `dataset`, newest first.
std::vector<store::RunInfo> runsOfDataset(store::Project &project,
                                          const store::DatasetInfo &dataset);

// The newest class and attribute predictions of run `runId` (its final evaluation, or the last
// validation that recorded them). Throws Error(NotFound) for an unknown run,
// Error(InvalidInput) when the run trained on another dataset or recorded no class or
// attribute predictions (naming the run and how to record them).
PredictedLabels predictedLabels(store::Project &project, const store::DatasetInfo &dataset,
                                std::int64_t runId);

} // namespace mtl::report
