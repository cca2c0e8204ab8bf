#include "store/records.h"

#include <algorithm>
#include <array>
#include <utility>

namespace mtl::store {

namespace {
template <typename Enum, std::size_t N>
std::optional<Enum> lookup(const std::array<std::pair<Enum, const char *>, N> &table,
                           const std::string &text)
{
    for (const auto &[value, name] : table)
        if (text == name)
            return value;
    return std::nullopt;
}

template <typename Enum, std::size_t N>
const char *nameOf(const std::array<std::pair<Enum, const char *>, N> &table, Enum value)
{
    for (const auto &[candidate, name] : table)
        if (candidate == value)
            return name;
    return "";
}

constexpr std::array<std::pair<ColumnKind, const char *>, 2> kColumnKinds{{
    {ColumnKind::Categorical, "categorical"},
    {ColumnKind::Binary, "binary"},
}};
constexpr std::array<std::pair<ImageEncoding, const char *>, 3> kEncodings{{
    {ImageEncoding::Raw, "raw"},
    {ImageEncoding::Png, "png"},
    {ImageEncoding::Jpeg, "jpeg"},
}};
constexpr std::array<std::pair<MapKind, const char *>, 3> kMapKinds{{
    {MapKind::Segmentation, "segmentation"},
    {MapKind::Depth, "depth"},
    {MapKind::Normals, "normals"},
}};
constexpr std::array<std::pair<MapType, const char *>, 3> kMapTypes{{
    {MapType::UInt8, "uint8"},
    {MapType::UInt16, "uint16"},
    {MapType::Float32, "float32"},
}};
constexpr std::array<std::pair<RunStatus, const char *>, 7> kStatuses{{
    {RunStatus::Queued, "queued"},
    {RunStatus::Running, "running"},
    {RunStatus::Paused, "paused"},
    {RunStatus::Completed, "completed"},
    {RunStatus::Stopped, "stopped"},
    {RunStatus::Failed, "failed"},
    {RunStatus::Interrupted, "interrupted"},
}};
} // namespace

const char *toString(ColumnKind kind)
{
    return nameOf(kColumnKinds, kind);
}
std::optional<ColumnKind> columnKindFromString(const std::string &text)
{
    return lookup(kColumnKinds, text);
}
const char *toString(ImageEncoding encoding)
{
    return nameOf(kEncodings, encoding);
}
std::optional<ImageEncoding> imageEncodingFromString(const std::string &text)
{
    return lookup(kEncodings, text);
}
const char *toString(MapKind kind)
{
    return nameOf(kMapKinds, kind);
}
std::optional<MapKind> mapKindFromString(const std::string &text)
{
    return lookup(kMapKinds, text);
}
const char *toString(MapType type)
{
    return nameOf(kMapTypes, type);
}
std::optional<MapType> mapTypeFromString(const std::string &text)
{
    return lookup(kMapTypes, text);
}
std::size_t byteSize(MapType type)
{
    switch (type) {
    case MapType::UInt8:
        return 1;
    case MapType::UInt16:
        return 2;
    case MapType::Float32:
        return 4;
    }
    return 1;
}
const char *toString(RunStatus status)
{
    return nameOf(kStatuses, status);
}
std::optional<RunStatus> runStatusFromString(const std::string &text)
{
    return lookup(kStatuses, text);
}

bool isFinished(RunStatus status)
{
    return status == RunStatus::Completed || status == RunStatus::Stopped ||
           status == RunStatus::Failed || status == RunStatus::Interrupted;
}

bool isResumable(RunStatus status)
{
    return status == RunStatus::Stopped || status == RunStatus::Interrupted ||
           status == RunStatus::Failed;
}

std::int64_t DatasetInfo::totalSamples() const
{
    std::int64_t total = 0;
    for (const auto &split : splits)
        total += split.samples;
    return total;
}

std::int64_t DatasetInfo::splitSize(const std::string &split) const
{
    auto it = std::find_if(splits.begin(), splits.end(),
                           [&](const SplitCount &s) { return s.name == split; });
    return it == splits.end() ? 0 : it->samples;
}

const LabelColumn *DatasetInfo::column(const std::string &name) const
{
    auto it = std::find_if(columns.begin(), columns.end(),
                           [&](const LabelColumn &c) { return c.name == name; });
    return it == columns.end() ? nullptr : &*it;
}

const MapColumn *DatasetInfo::map(const std::string &name) const
{
    auto it =
        std::find_if(maps.begin(), maps.end(), [&](const MapColumn &m) { return m.name == name; });
    return it == maps.end() ? nullptr : &*it;
}

std::int64_t PredictionRow::valuesPerSample() const
{
    std::int64_t n = 1;
    for (const std::int64_t d : shape)
        n *= d;
    return n;
}

std::vector<float> PredictionRow::of(std::int64_t sampleId) const
{
    const auto it = std::find(sampleIds.begin(), sampleIds.end(), sampleId);
    if (it == sampleIds.end())
        return {};
    const auto n = static_cast<std::size_t>(valuesPerSample());
    const auto first = static_cast<std::size_t>(it - sampleIds.begin()) * n;
    return {values.begin() + static_cast<std::ptrdiff_t>(first),
            values.begin() + static_cast<std::ptrdiff_t>(first + n)};
}

} // namespace mtl::store
