#include "data/denseimporters.h"

#include "common/error.h"
#include "common/utf8.h"
#include "data/idximporter.h"
#include "data/imagefile.h"
#include "data/multifashion.h"
#include "data/npy.h"
#include "store/project.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <map>
#include <optional>
#include <tuple>
#include <thread>

namespace fs = std::filesystem;

namespace mtl::data {

namespace {

// Values a float may stray outside its range by (rounding in the preprocessing).
constexpr double kSlack = 1e-3;

// One sample read and checked, ready to write.
struct Prepared {
    std::optional<RowIssue> issue;
    int width = 0, height = 0, channels = 0;
    store::ImageEncoding encoding = store::ImageEncoding::Png;
    std::string imageBytes; // stored in the project; empty: only the file is referenced
    std::string imagePath;  // relative to the root; empty for .npy images
    std::array<store::EncodedMap, kDenseFolders> maps; // Label, Depth, Normal, as stored
    std::int64_t missingDepth = 0; // NaN or negative depths stored as "not labelled"
};

struct ReadSettings {
    fs::path root;
    std::array<std::string, kDenseFolders> extension;
    int classes = 0;
};

class SampleProblem : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

[[noreturn]] void problem(const std::string &message)
{
    throw SampleProblem(message);
}

std::string at(std::int64_t pixel, int width)
{
    return "(x " + std::to_string(pixel % width) + ", y " + std::to_string(pixel / width) + ")";
}

std::string number(double value)
{
    char text[32];
    std::snprintf(text, sizeof text, "%g", value);
    return text;
}

// The height and width of a [H, W] or [H, W, channels] array, or a problem naming its shape.
std::pair<int, int> planeShape(const NpyArray &array, int channels, const char *what)
{
    const auto &s = array.shape;
    const bool fits = (s.size() == 3 && s[2] == channels) || (channels == 1 && s.size() == 2);
    if (!fits || s[0] < 1 || s[1] < 1 || s[0] > 16384 || s[1] > 16384) {
        std::string hint;
        if (s.size() == 3 && s[0] == channels)
            hint = " (channels first? the layout keeps (height, width, channels))";
        problem("has shape " + array.shapeText() + "; " + what + " is (height, width" +
                (channels == 1 ? "" : ", " + std::to_string(channels)) + ")" + hint);
    }
    return {static_cast<int>(s[0]), static_cast<int>(s[1])};
}

void readImage(const ReadSettings &settings, const std::string &file, Prepared &out)
{
    const std::string path = (settings.root / file).string();
    if (settings.extension[denseSlot(DenseFolder::Image)] != ".npy") {
        const ImageHeader header = probeImage(path);
        out.width = header.width;
        out.height = header.height;
        out.channels = header.channels;
        out.encoding = header.encoding;
        out.imagePath = file;
        if (header.width <= 64 && header.height <= 64)
            out.imageBytes = readImageFile(path);
        return;
    }
    const NpyArray array = readNpy(path);
    const int channels =
        array.shape.size() == 2 || (array.shape.size() == 3 && array.shape[2] == 1) ? 1 : 3;
    const auto [height, width] = planeShape(array, channels, "an image");
    DecodedImage image;
    image.width = width;
    image.height = height;
    image.channels = channels;
    image.pixels.resize(static_cast<std::size_t>(array.count()));
    const double scale = array.isFloat() ? 255.0 : 1.0;
    for (std::size_t i = 0; i < image.pixels.size(); ++i) {
        const double v = array.value(i);
        if (!(v >= -kSlack * scale && v <= 255.0 + kSlack * scale) ||
            (array.isFloat() && v > 1.0 + kSlack))
            problem("holds the value " + number(v) + " at " +
                    at(static_cast<std::int64_t>(i) / channels, width) + "; " +
                    (array.isFloat() ? "float images lie in [0, 1]" : "images are 0–255"));
        image.pixels[i] = static_cast<std::uint8_t>(std::lround(std::clamp(v * scale, 0.0, 255.0)));
    }
    out.width = width;
    out.height = height;
    out.channels = channels;
    out.encoding = store::ImageEncoding::Png;
    out.imageBytes = encodePng(image);
}

template <class T> void append(std::vector<unsigned char> &bytes, T value)
{
    const std::size_t at = bytes.size();
    bytes.resize(at + sizeof value);
    std::memcpy(bytes.data() + at, &value, sizeof value);
}

// Reads one map file to the bytes its map column stores; checks its size against the image's.
void readMap(const ReadSettings &settings, std::size_t folder, const std::string &file,
             Prepared &out)
{
    const std::string path = (settings.root / file).string();
    const bool npy = settings.extension[folder] == ".npy";
    const int channels = folder == denseSlot(DenseFolder::Normal) ? 3 : 1;
    std::vector<unsigned char> bytes;
    int width = 0, height = 0;
    if (npy) {
        const NpyArray array = readNpy(path);
        std::tie(height, width) = planeShape(
            array, channels, folder == denseSlot(DenseFolder::Normal) ? "a normal map" : "a map");
        const auto n = static_cast<std::size_t>(array.count());
        bytes.reserve(folder == denseSlot(DenseFolder::Label) ? n : n * sizeof(float));
        for (std::size_t i = 0; i < n; ++i) {
            const double v = array.value(i);
            const auto pixel = static_cast<std::int64_t>(i) / channels;
            if (folder == denseSlot(DenseFolder::Label)) {
                const bool unlabelled = v == -1.0 || v == store::kSegmentationIgnore;
                if (!unlabelled && !(v >= 0 && v < settings.classes && v == std::floor(v)))
                    problem("holds the label " + number(v) + " at " + at(pixel, width) +
                            "; the classes are 0–" + std::to_string(settings.classes - 1) +
                            ", and -1 or 255 mark unlabelled pixels");
                bytes.push_back(static_cast<unsigned char>(unlabelled ? store::kSegmentationIgnore
                                                                      : static_cast<int>(v)));
            } else if (folder == denseSlot(DenseFolder::Depth)) {
                if (std::isinf(v))
                    problem("holds an infinite depth at " + at(pixel, width));
                const bool missing = std::isnan(v) || v < 0;
                out.missingDepth += missing ? 1 : 0;
                append(bytes, missing ? 0.0f : static_cast<float>(v));
            } else {
                if (!(std::abs(v) <= 1.0 + kSlack))
                    problem("holds the normal component " + number(v) + " at " + at(pixel, width) +
                            "; normals are unit vectors, components in [-1, 1]");
                append(bytes, static_cast<float>(std::clamp(v, -1.0, 1.0)));
            }
        }
    } else {
        const std::string encoded = readImageFile(path);
        const DecodedMap map = decodeMapImage(encoded.data(), encoded.size(), path);
        width = map.width;
        height = map.height;
        const bool depth = folder == denseSlot(DenseFolder::Depth);
        if (map.channels != channels)
            problem("has " + std::to_string(map.channels) + " channels; a " +
                    denseFolderWhat[folder] + " PNG has " + std::to_string(channels));
        if (depth && map.bitDepth != 16)
            problem("is an 8-bit PNG; depth PNGs are 16-bit (units of --depth-scale metres, "
                    "0: no depth)");
        if (!depth && map.bitDepth != 8)
            problem("is a 16-bit PNG; " + std::string(denseFolderWhat[folder]) + " PNGs are 8-bit");
        for (std::size_t i = 0; i < map.values.size(); ++i) {
            const std::uint16_t v = map.values[i];
            if (depth) {
                append(bytes, v);
                continue;
            }
            if (folder == denseSlot(DenseFolder::Label) && v != store::kSegmentationIgnore &&
                v >= settings.classes)
                problem("holds the label " + std::to_string(v) + " at " +
                        at(static_cast<std::int64_t>(i), width) + "; the classes are 0–" +
                        std::to_string(settings.classes - 1) + ", and 255 marks unlabelled pixels");
            bytes.push_back(static_cast<unsigned char>(v));
        }
    }
    if (width != out.width || height != out.height)
        problem("is " + std::to_string(width) + "×" + std::to_string(height) + "; its image is " +
                std::to_string(out.width) + "×" + std::to_string(out.height));
    out.maps[folder] = store::encodeMap(bytes.data(), bytes.size());
}

Prepared prepare(const ReadSettings &settings, const DenseLayout::Sample &sample)
{
    Prepared out;
    std::size_t folder = denseSlot(DenseFolder::Image);
    try {
        readImage(settings, sample.files[folder], out);
        for (folder = 1; folder < kDenseFolders; ++folder)
            if (!sample.files[folder].empty())
                readMap(settings, folder, sample.files[folder], out);
    } catch (const SampleProblem &e) {
        out.issue = RowIssue{(settings.root / sample.files[folder]).string(), 0, e.what()};
    } catch (const Error &e) {
        out.issue = RowIssue{(settings.root / sample.files[folder]).string(), 0, e.message()};
    }
    return out;
}

store::MapColumn mapColumn(const DenseLayout &layout, std::size_t folder, double depthScale)
{
    store::MapColumn column;
    const bool npy = layout.extension[folder] == ".npy";
    if (folder == denseSlot(DenseFolder::Label)) {
        column.name = "semantic";
        column.kind = store::MapKind::Segmentation;
        column.categories = layout.classes;
    } else if (folder == denseSlot(DenseFolder::Depth)) {
        column.name = "depth";
        column.kind = store::MapKind::Depth;
        column.type = npy ? store::MapType::Float32 : store::MapType::UInt16;
        column.scale = npy ? 1.0 : depthScale;
    } else {
        column.name = "normals";
        column.kind = store::MapKind::Normals;
        column.channels = 3;
        column.type = npy ? store::MapType::Float32 : store::MapType::UInt8;
        column.scale = npy ? 1.0 : 2.0 / 255.0;
        column.offset = npy ? 0.0 : -1.0;
    }
    return column;
}

double depthScaleOption(const ImportRequest &request)
{
    const std::string text = request.option("depth-scale");
    if (text.empty())
        return 0.001;
    char *end = nullptr;
    const double value = std::strtod(text.c_str(), &end);
    if (end == text.c_str() || *end != '\0' || !(value > 0) || value > 1000)
        throw Error(ErrorCode::InvalidInput,
                    "--depth-scale is '" + text +
                        "'; expected metres per unit of a 16-bit depth PNG, e.g. 0.001 "
                        "(millimetres)");
    return value;
}

} // namespace

DenseImporter::DenseImporter(const std::string &format)
    : m_format(format)
{
    if (format != "nyuv2" && format != "cityscapes")
        throw Error(ErrorCode::InvalidInput, "no dense importer for format '" + format + "'");
}

std::string DenseImporter::description() const
{
    return m_format == "nyuv2"
               ? "NYUv2 as the MTAN and LibMTL code read it: train/ and val/ with image/, "
                 "label/, depth/, normal/ (.npy or PNG per sample)"
               : "Cityscapes as the MTAN and LibMTL code read it: train/ and val/ with image/, "
                 "label/ (label_7/, label_19/), depth/ (.npy or PNG per sample)";
}

ImportSummary DenseImporter::run(store::Project &project, const ImportRequest &request,
                                 const ProgressFn &progress)
{
    const auto started = std::chrono::steady_clock::now();
    const ImageImportOptions options = imageImportOptions(request);
    if (options.width > 0)
        throw Error(ErrorCode::InvalidInput,
                    "--resize does not apply to " + m_format +
                        " (its maps are per pixel); resize in the experiment's input section");
    const double depthScale = depthScaleOption(request);
    ImportSummary summary;
    summary.dataset = request.dataset.empty() ? m_format : request.dataset;
    requireUtf8(summary.dataset, "the dataset name");
    requireNewDataset(project, summary.dataset, m_format.c_str());
    checkImportProgress(progress, 0.0, "listing files");
    DenseLayout layout = scanDenseLayout(request, m_format);
    std::vector<RowIssue> issues = layout.issues;
    if (!issues.empty() && options.onError == OnError::Fail) {
        const RowIssue &first = issues.front();
        const std::size_t more = issues.size() - 1;
        throw Error(ErrorCode::InvalidInput,
                    first.message + (more == 0
                                         ? std::string()
                                         : " (and " + std::to_string(more) +
                                               " more; importing with on-error skip leaves those "
                                               "samples out and logs them)"),
                    {first.file});
    }
    if (layout.samples.empty())
        throw Error(ErrorCode::InvalidInput, "nothing to import: no sample has all its files",
                    {layout.root});

    ReadSettings settings{layout.root, layout.extension, static_cast<int>(layout.classes.size())};
    store::DatasetStore &datasets = project.datasets();
    store::Transaction tx(project.db());
    std::array<std::int64_t, kDenseFolders> columnIds{};
    std::optional<store::DatasetStore::Writer> writer;
    std::map<std::string, std::int64_t> perSplit;
    std::vector<std::string> splitOrder;
    std::int64_t written = 0, missingDepth = 0;
    int width = 0, height = 0, channels = 0;
    const std::size_t total = layout.samples.size();
    const unsigned threads = std::max(1u, std::min(8u, std::thread::hardware_concurrency()));
    constexpr std::size_t kChunk = 32;
    for (std::size_t begin = 0; begin < total; begin += kChunk) {
        checkImportProgress(progress, 0.05 + 0.9 * static_cast<double>(begin) / total,
                            "reading " + layout.samples[begin].split + " samples");
        const std::size_t end = std::min(total, begin + kChunk);
        std::vector<Prepared> prepared(end - begin);
        std::atomic<std::size_t> next{begin};
        std::vector<std::thread> workers;
        for (unsigned t = 0; t < threads; ++t)
            workers.emplace_back([&] {
                for (std::size_t i; (i = next.fetch_add(1)) < end;)
                    prepared[i - begin] = prepare(settings, layout.samples[i]);
            });
        for (std::thread &worker : workers)
            worker.join();
        for (std::size_t i = begin; i < end; ++i) {
            Prepared &p = prepared[i - begin];
            const DenseLayout::Sample &sample = layout.samples[i];
            if (!p.issue && width > 0 &&
                (p.width != width || p.height != height || p.channels != channels))
                p.issue =
                    RowIssue{(fs::path(layout.root) / sample.files[0]).string(), 0,
                             "is " + std::to_string(p.width) + "×" + std::to_string(p.height) +
                                 " with " + std::to_string(p.channels) +
                                 " channels; the first sample is " + std::to_string(width) + "×" +
                                 std::to_string(height) + " with " + std::to_string(channels)};
            if (p.issue) {
                if (options.onError == OnError::Fail)
                    throw Error(ErrorCode::InvalidInput, p.issue->message, {p.issue->file});
                issues.push_back(*p.issue);
                continue;
            }
            if (!writer) {
                width = p.width;
                height = p.height;
                channels = p.channels;
                summary.datasetId = datasets.create(summary.dataset, m_format, layout.root, width,
                                                    height, channels, layout.root);
                summary.created = true;
                for (std::size_t f = 1; f < kDenseFolders; ++f)
                    if (layout.present[f]) {
                        const store::MapColumn column = mapColumn(layout, f, depthScale);
                        columnIds[f] = datasets.ensureMapColumn(summary.datasetId, column);
                        summary.columns.push_back(column.name);
                    }
                writer.emplace(project.db(), summary.datasetId);
            }
            auto [split, first] = perSplit.emplace(sample.split, 0);
            if (first)
                splitOrder.push_back(sample.split);
            const std::int64_t id =
                writer->addSample(sample.split, split->second++, p.encoding, p.width, p.height,
                                  p.channels, p.imageBytes.empty() ? nullptr : p.imageBytes.data(),
                                  p.imageBytes.size(), p.imagePath);
            for (std::size_t f = 1; f < kDenseFolders; ++f)
                if (layout.present[f])
                    writer->addMap(id, columnIds[f], p.width, p.height, p.maps[f]);
            missingDepth += p.missingDepth;
            ++written;
        }
    }
    if (written == 0) {
        const RowIssue &first = issues.front();
        throw Error(ErrorCode::InvalidInput, first.message + " (no sample of the import is usable)",
                    {first.file});
    }
    if (missingDepth > 0)
        layout.notes.push_back(std::to_string(missingDepth) +
                               " depth values were NaN or negative: stored as 0, no depth");
    for (const std::string &split : splitOrder)
        summary.added.push_back({split, perSplit[split]});
    summary.skipped = static_cast<std::int64_t>(issues.size());
    for (const RowIssue &issue : issues)
        summary.log.push_back(issue.describe());
    for (const std::string &note : layout.notes)
        summary.log.push_back("note: " + note);
    finishImport(project, tx, summary, m_format, layout.root, started, progress);
    return summary;
}

} // namespace mtl::data
