#pragma once
// Plain value types read from and written to the project file. No behaviour, no SQLite.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mtl::store {

enum class ColumnKind { Categorical, Binary };
const char *toString(ColumnKind kind);
std::optional<ColumnKind> columnKindFromString(const std::string &text);

struct LabelColumn {
    std::int64_t id = 0;
    std::string name;
    ColumnKind kind = ColumnKind::Categorical;
    std::vector<std::string> categories; // Categorical: value i names categories[i]. Binary: empty.
};

struct SplitCount {
    std::string name;
    std::int64_t samples = 0;
};

struct DatasetInfo {
    std::int64_t id = 0;
    std::string name;
    std::string format;    // importer that created it, e.g. "idx"
    std::string source;    // where it came from (directory or files), for the user
    std::string createdAt; // ISO 8601 UTC
    int width = 0, height = 0, channels = 0; // 0 when samples differ in size
    std::vector<SplitCount> splits;
    std::vector<LabelColumn> columns;

    std::int64_t totalSamples() const;
    std::int64_t splitSize(const std::string &split) const;
    const LabelColumn *column(const std::string &name) const;
};

// How a sample's pixels are stored. Raw is uint8, row-major [H, W, C].
enum class ImageEncoding { Raw, Png, Jpeg };
const char *toString(ImageEncoding encoding);
std::optional<ImageEncoding> imageEncodingFromString(const std::string &text);

enum class RunStatus { Queued, Running, Paused, Completed, Stopped, Failed, Interrupted };
const char *toString(RunStatus status);
std::optional<RunStatus> runStatusFromString(const std::string &text);
bool isFinished(RunStatus status);
// Stopped, interrupted and failed runs can continue from their latest checkpoint.
bool isResumable(RunStatus status);

struct RunInfo {
    std::int64_t id = 0;
    std::int64_t experimentId = 0;
    std::string experimentName;
    std::string datasetName;
    RunStatus status = RunStatus::Queued;
    std::string device;
    std::string createdAt, startedAt, finishedAt;
    std::string error;
    std::int64_t stepsDone = 0;
    std::int64_t stepsTotal = 0;
    double imagesPerSecond = 0.0;
};

// One recorded number. split is "train", "val" or "test"; task is empty for run-level
// values (e.g. the weighted total loss); attribute is empty unless the value is per attribute.
struct MetricRow {
    std::int64_t step = 0;
    int epoch = 0;
    std::string split;
    std::string task;
    std::string attribute;
    std::string name;
    double value = 0.0;
};

struct TaskWeightRow {
    std::int64_t step = 0;
    std::string task;
    double weight = 0.0;
};

} // namespace mtl::store
