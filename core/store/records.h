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
    std::string group; // the attribute group it belongs to (MTL-CNN's groups); empty: none
};

// A dense label: one map per sample at the image's resolution (docs/STORE.md).
enum class MapKind {
    Segmentation, // 1 channel of class indices, 255 = not labelled
    Depth,        // 1 channel of distances; stored 0 = not labelled
    Normals,      // 3 channels of a unit vector per pixel; stored (0, 0, 0) = not labelled
};
const char *toString(MapKind kind);
std::optional<MapKind> mapKindFromString(const std::string &text);

// How a map's values are stored: row-major [H, W, C], little-endian.
enum class MapType { UInt8, UInt16, Float32 };
const char *toString(MapType type);
std::optional<MapType> mapTypeFromString(const std::string &text);
std::size_t byteSize(MapType type);

constexpr int kSegmentationIgnore = 255;

struct MapColumn {
    std::int64_t id = 0;
    std::string name;
    MapKind kind = MapKind::Segmentation;
    MapType type = MapType::UInt8;
    int channels = 1;
    // The value a stored number stands for: stored × scale + offset (depth in metres from
    // millimetres: scale 0.001; normals from bytes: scale 2/255, offset −1).
    double scale = 1.0, offset = 0.0;
    std::vector<std::string> categories; // Segmentation: class i names categories[i]
};

// One import into a dataset, as logged (docs/STORE.md "imports"): what it read, how many
// samples it added, and the rows it left out with --on-error skip, one "file:line: problem"
// per line of `log`.
struct ImportLogEntry {
    std::int64_t id = 0;
    std::string createdAt;
    std::string format;
    std::string source;
    std::int64_t added = 0, skipped = 0;
    std::string log;
};

// How many samples of a split carry `value` in a label column (docs/STORE.md "label_counts").
struct LabelCount {
    std::string split;
    std::int64_t columnId = 0;
    std::int32_t value = 0;
    std::int64_t count = 0;
};

// A split's pixel statistics per channel on the [0, 1] scale, from `images` of its images.
struct PixelStats {
    std::string split;
    std::int64_t images = 0;
    std::vector<double> mean, std;
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
    // The folder the samples' paths are relative to (formats that reference image files);
    // empty when every image is stored in the project.
    std::string root;
    std::string createdAt; // ISO 8601 UTC
    int width = 0, height = 0, channels = 0; // 0 when samples differ in size
    std::vector<SplitCount> splits;
    std::vector<LabelColumn> columns;
    std::vector<MapColumn> maps; // dense labels; their names differ from the columns'
    // Pixel statistics of the train split per channel, on the [0, 1] scale (input.normalize
    // "dataset"), from `statsImages` of its images; empty when not computed.
    std::vector<double> pixelMean, pixelStd;
    std::int64_t statsImages = 0;
    // Label edits in effect (store/labeledits.h): what a run trained on says which labels.
    std::int64_t labelEdits = 0;

    std::int64_t totalSamples() const;
    std::int64_t splitSize(const std::string &split) const;
    const LabelColumn *column(const std::string &name) const;
    const MapColumn *map(const std::string &name) const;
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
    // How a run that did not go to its last step ended, besides its status (early stopping,
    // a stop after an epoch); and what it ran on (JSON: versions, device, threads, seed).
    std::string note;
    std::string environment = "{}";
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

// What a task predicted for a set of samples in one evaluation (the predictions probe): one
// row per run × split × task × epoch, stored as one blob (docs/STORE.md "predictions").
// kind: "class_probabilities" ([K] per sample), "attribute_probabilities" ([A]), or for dense
// tasks of the probe samples "class_map", "depth_map", "normals_map", "image" ([C, H, W]).
struct PredictionRow {
    std::int64_t step = 0;
    int epoch = 0;
    std::string split;
    std::string task;
    std::string kind;
    std::vector<std::int64_t> shape; // of one sample's values
    std::vector<std::int64_t> sampleIds;
    std::vector<float> values; // sampleIds.size() × Π shape, sample-major (stored as float16)

    std::int64_t valuesPerSample() const;
    // The values of `sampleId`; empty when it is not in this row.
    std::vector<float> of(std::int64_t sampleId) const;
};

// An 8-bit grayscale PNG a probe made of one probe sample (the attention-mask probe: the mean
// over channels of task `task`'s mask at stage `name`, e.g. "attention.stage1").
struct ProbeImageRow {
    std::int64_t step = 0;
    int epoch = 0;
    std::int64_t sampleId = 0;
    std::string task;
    std::string name;
    std::string png; // the file's bytes
};

// One of the fixed samples a run probes each epoch (train.probe_samples), in choice order.
struct ProbeSample {
    std::string split;
    std::int64_t sampleId = 0;
};

} // namespace mtl::store
