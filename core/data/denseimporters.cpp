#include "data/denseimporters.h"

#include "common/error.h"
#include "common/utf8.h"
#include "data/classtable.h"
#include "data/gzipfile.h"
#include "data/idximporter.h"
#include "data/imagefile.h"
#include "data/multifashion.h"
#include "data/npy.h"
#include "data/tablereading.h"
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

constexpr const char *kFolderWhat[kDenseFolders] = {"image", "label map", "depth map",
                                                    "normal map"};
// Values a float may stray outside its range by (rounding in the preprocessing).
constexpr double kSlack = 1e-3;

std::size_t slot(DenseFolder folder)
{
    return static_cast<std::size_t>(folder);
}

std::string folderName(const DenseLayout &layout, std::size_t folder)
{
    static const char *names[kDenseFolders] = {"image", "label", "depth", "normal"};
    return folder == slot(DenseFolder::Label) ? layout.labelFolder : names[folder];
}

bool isIndex(const std::string &stem)
{
    return !stem.empty() && stem.size() <= 12 &&
           std::all_of(stem.begin(), stem.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Lists one sample folder into `files` (index → path relative to the root), with an issue for
// every entry that is not a sample file of the folder's kind.
void scanFolder(DenseLayout &layout, const fs::path &root, const std::string &relative,
                std::size_t folder, std::map<std::int64_t, std::string> &files)
{
    std::vector<fs::path> entries;
    for (const fs::directory_entry &entry : fs::directory_iterator(root / relative))
        entries.push_back(entry.path());
    std::sort(entries.begin(), entries.end());
    const bool image = folder == slot(DenseFolder::Image);
    for (const fs::path &path : entries) {
        const std::string name = path.filename().string();
        const std::string file = relative + "/" + name;
        if (!name.empty() && name[0] == '.') {
            layout.notes.push_back(file + " ignored (a hidden file)");
            continue;
        }
        std::string ext = path.extension().string();
        std::transform(ext.begin(), ext.end(), ext.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        if (ext == ".jpeg")
            ext = ".jpg";
        const std::string stem = path.stem().string();
        const auto issue = [&](const std::string &message) {
            layout.issues.push_back({(root / file).string(), 0, message});
        };
        if (!isIndex(stem) || (ext != ".npy" && ext != ".png" && !(image && ext == ".jpg"))) {
            issue("is not a sample file: the files of " + relative + " are named <index>.npy or " +
                  "<index>.png" + (image ? " (or .jpg)" : ""));
            continue;
        }
        std::error_code ec;
        const fs::path real = fs::canonical(path, ec);
        const fs::path inside = real.lexically_relative(root);
        if (ec || inside.empty() || *inside.begin() == "..") {
            issue(ec ? "is a broken symlink"
                     : "is a symlink to " + real.string() + ", outside the dataset root " +
                           root.string());
            continue;
        }
        if (!fs::is_regular_file(real, ec)) {
            issue("is not a file");
            continue;
        }
        std::string &expected = layout.extension[folder];
        if (expected.empty())
            expected = ext;
        if (ext != expected) {
            issue("is a " + ext + " file; the other " + std::string(kFolderWhat[folder]) +
                  "s are " + expected + " files");
            continue;
        }
        const std::int64_t index = std::stoll(stem);
        const auto [at, added] = files.emplace(index, file);
        if (!added)
            issue("has the index of " + at->second);
    }
}

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
    if (settings.extension[slot(DenseFolder::Image)] != ".npy") {
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
    const int channels = folder == slot(DenseFolder::Normal) ? 3 : 1;
    std::vector<unsigned char> bytes;
    int width = 0, height = 0;
    if (npy) {
        const NpyArray array = readNpy(path);
        std::tie(height, width) = planeShape(
            array, channels, folder == slot(DenseFolder::Normal) ? "a normal map" : "a map");
        const auto n = static_cast<std::size_t>(array.count());
        bytes.reserve(folder == slot(DenseFolder::Label) ? n : n * sizeof(float));
        for (std::size_t i = 0; i < n; ++i) {
            const double v = array.value(i);
            const auto pixel = static_cast<std::int64_t>(i) / channels;
            if (folder == slot(DenseFolder::Label)) {
                const bool unlabelled = v == -1.0 || v == store::kSegmentationIgnore;
                if (!unlabelled && !(v >= 0 && v < settings.classes && v == std::floor(v)))
                    problem("holds the label " + number(v) + " at " + at(pixel, width) +
                            "; the classes are 0–" + std::to_string(settings.classes - 1) +
                            ", and -1 or 255 mark unlabelled pixels");
                bytes.push_back(static_cast<unsigned char>(unlabelled ? store::kSegmentationIgnore
                                                                      : static_cast<int>(v)));
            } else if (folder == slot(DenseFolder::Depth)) {
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
        const bool depth = folder == slot(DenseFolder::Depth);
        if (map.channels != channels)
            problem("has " + std::to_string(map.channels) + " channels; a " + kFolderWhat[folder] +
                    " PNG has " + std::to_string(channels));
        if (depth && map.bitDepth != 16)
            problem("is an 8-bit PNG; depth PNGs are 16-bit (units of --depth-scale metres, "
                    "0: no depth)");
        if (!depth && map.bitDepth != 8)
            problem("is a 16-bit PNG; " + std::string(kFolderWhat[folder]) + " PNGs are 8-bit");
        for (std::size_t i = 0; i < map.values.size(); ++i) {
            const std::uint16_t v = map.values[i];
            if (depth) {
                append(bytes, v);
                continue;
            }
            if (folder == slot(DenseFolder::Label) && v != store::kSegmentationIgnore &&
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
    std::size_t folder = slot(DenseFolder::Image);
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
    if (folder == slot(DenseFolder::Label)) {
        column.name = "semantic";
        column.kind = store::MapKind::Segmentation;
        column.categories = layout.classes;
    } else if (folder == slot(DenseFolder::Depth)) {
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

std::vector<std::string> denseClassNames(const std::string &format, int classes)
{
    if (format == "nyuv2")
        return {"bed",     "books", "ceiling", "chair", "floor", "furniture", "objects",
                "picture", "sofa",  "table",   "tv",    "wall",  "window"};
    if (classes == 19)
        return {"road", "sidewalk",      "building",     "wall",       "fence",
                "pole", "traffic light", "traffic sign", "vegetation", "terrain",
                "sky",  "person",        "rider",        "car",        "truck",
                "bus",  "train",         "motorcycle",   "bicycle"};
    return {"flat", "construction", "object", "nature", "sky", "human", "vehicle"};
}

DenseLayout scanDenseLayout(const ImportRequest &request, const std::string &format)
{
    const bool nyu = format == "nyuv2";
    DenseLayout layout;
    const std::string rootText = required(request, "root", "--root", format.c_str());
    std::error_code ec;
    const fs::path root = fs::canonical(rootText, ec);
    if (ec || !fs::is_directory(root))
        throw Error(ErrorCode::NotFound, "the dataset root is not a folder", {rootText});
    layout.root = root.string();
    const std::string layoutText =
        nyu ? "train/ and val/, each with image/, label/, depth/ and normal/ folders of "
              "<index>.npy or <index>.png files"
            : "train/ and val/, each with image/, label/ (or label_7/, label_19/) and depth/ "
              "folders of <index>.npy or <index>.png files";
    if (!fs::is_directory(root / "train" / "image"))
        throw Error(ErrorCode::NotFound,
                    "has no train/image folder; a " + format + " dataset holds " + layoutText,
                    {layout.root});

    int classes = 0;
    const std::string classesText = request.option("classes");
    if (!classesText.empty()) {
        if (nyu || (classesText != "7" && classesText != "19"))
            throw Error(ErrorCode::InvalidInput,
                        "--classes is '" + classesText + "'; " +
                            (nyu ? "nyuv2 has one label folder (name its classes with "
                                   "--class-names)"
                                 : "cityscapes has 7 (label_7/ or label/) or 19 (label_19/)"));
        classes = std::stoi(classesText);
    }
    const fs::path train = root / "train";
    if (nyu)
        layout.labelFolder = "label";
    else if (classes == 19)
        layout.labelFolder = "label_19";
    else if (classes == 7)
        layout.labelFolder = fs::is_directory(train / "label_7") ? "label_7" : "label";
    else
        layout.labelFolder = fs::is_directory(train / "label")     ? "label"
                             : fs::is_directory(train / "label_7") ? "label_7"
                                                                   : "label_19";
    if (!nyu && classes != 0 && !fs::is_directory(train / layout.labelFolder))
        throw Error(ErrorCode::NotFound,
                    "is missing; --classes " + classesText + " reads the labels in it",
                    {(train / layout.labelFolder).string()});
    if (!nyu && classes == 0)
        classes = layout.labelFolder == "label_19" ? 19 : 7;
    if (!nyu && fs::is_directory(train / "label_7") && fs::is_directory(train / "label_19"))
        layout.notes.push_back("read " + layout.labelFolder + "/ (" + std::to_string(classes) +
                               " classes); --classes " + (classes == 7 ? "19" : "7") +
                               " takes the other");

    const std::string namesFile = request.file("class-names");
    layout.classes = namesFile.empty() ? denseClassNames(format, classes)
                                       : parseClassNames(readTextFile(namesFile), namesFile);

    std::vector<std::pair<std::string, std::string>> splits{{"train", "train"}};
    const bool haveTest = fs::is_directory(root / "test");
    if (fs::is_directory(root / "val"))
        splits.emplace_back("val", haveTest ? "val" : "test");
    if (haveTest)
        splits.emplace_back("test", "test");
    for (std::size_t f = 0; f < kDenseFolders; ++f) {
        if (!nyu && f == slot(DenseFolder::Normal))
            continue;
        layout.present[f] = fs::is_directory(train / folderName(layout, f));
    }
    if (!layout.present[slot(DenseFolder::Label)] && !layout.present[slot(DenseFolder::Depth)] &&
        !layout.present[slot(DenseFolder::Normal)])
        throw Error(ErrorCode::NotFound,
                    "has no label, depth or normal folder in train/; a " + format +
                        " dataset holds " + layoutText,
                    {layout.root});

    for (const auto &[folderSplit, split] : splits) {
        std::array<std::map<std::int64_t, std::string>, kDenseFolders> files;
        for (std::size_t f = 0; f < kDenseFolders; ++f) {
            if (!layout.present[f])
                continue;
            const std::string relative = folderSplit + "/" + folderName(layout, f);
            if (!fs::is_directory(root / relative))
                throw Error(ErrorCode::NotFound,
                            "is missing; train/ has " + std::string(kFolderWhat[f]) + "s, so " +
                                folderSplit + "/ needs them too",
                            {(root / relative).string()});
            scanFolder(layout, root, relative, f, files[f]);
        }
        for (const auto &[index, image] : files[slot(DenseFolder::Image)]) {
            DenseLayout::Sample sample;
            sample.split = split;
            sample.index = index;
            sample.files[slot(DenseFolder::Image)] = image;
            std::string lacking;
            for (std::size_t f = 1; f < kDenseFolders; ++f) {
                if (!layout.present[f])
                    continue;
                const auto found = files[f].find(index);
                if (found == files[f].end())
                    lacking += (lacking.empty() ? "" : ", ") + folderSplit + "/" +
                               folderName(layout, f) + "/" + std::to_string(index) +
                               layout.extension[f];
                else
                    sample.files[f] = found->second;
            }
            if (!lacking.empty())
                layout.issues.push_back(
                    {(root / image).string(), 0, "has no " + lacking + " next to it"});
            else
                layout.samples.push_back(sample);
        }
        for (std::size_t f = 1; f < kDenseFolders; ++f)
            for (const auto &[index, file] : files[f])
                if (!files[slot(DenseFolder::Image)].count(index))
                    layout.issues.push_back({(root / file).string(), 0,
                                             "has no image (" + folderSplit + "/image/" +
                                                 std::to_string(index) + " is missing)"});
    }
    return layout;
}

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
