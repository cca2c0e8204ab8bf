#pragma once
// What the task types of tasks.cpp, attributestask.cpp and densetasks.cpp share: config errors
// naming a key, column lookups and meter-state checks. Internal to train/.

#include "train/task.h"

#include "common/error.h"

#include <string>

namespace mtl::train::detail {

Error configError(const std::string &key, const std::string &message);

// The dataset's label and map columns with their kinds, for "not in dataset" errors.
std::string columnList(const store::DatasetInfo &dataset);

// The label column `name`; throws Error(Config) at `key` when the dataset has none.
const store::LabelColumn &requireColumn(const store::DatasetInfo &dataset, const std::string &name,
                                        const std::string &key);

const std::vector<std::int32_t> &valuesOf(const ColumnValues &values, const std::string &column);

// Throws Error(Training) when a state() handed to merge() has another length than expected.
void checkStateSize(const std::vector<double> &state, std::size_t expected);

// "53,211 of 60,000 …": how much of a training split a task has labels for.
std::string labelledText(std::int64_t labelled, std::int64_t total, const char *what);

// The task makers of attributestask.cpp and densetasks.cpp, for the registry in tasks.cpp.
std::unique_ptr<Task> makeAttributes(const experiment::TaskConfig &config,
                                     const store::DatasetInfo &dataset, const std::string &keyPath);
std::unique_ptr<Task> makeSegmentation(const experiment::TaskConfig &config,
                                       const store::DatasetInfo &dataset,
                                       const std::string &keyPath);
std::unique_ptr<Task> makeDepth(const experiment::TaskConfig &config,
                                const store::DatasetInfo &dataset, const std::string &keyPath);
std::unique_ptr<Task> makeNormals(const experiment::TaskConfig &config,
                                  const store::DatasetInfo &dataset, const std::string &keyPath);
std::unique_ptr<Task> makeReconstruction(const experiment::TaskConfig &config,
                                         const store::DatasetInfo &dataset,
                                         const std::string &keyPath);

} // namespace mtl::train::detail
