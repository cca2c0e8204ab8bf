// The dense importers' first step: finding a layout's samples on disk (data/denseimporters.h),
// before any file is read.

#include "data/denseimporters.h"

#include "common/error.h"
#include "data/classtable.h"
#include "data/gzipfile.h"
#include "data/tablereading.h"

#include <algorithm>
#include <filesystem>
#include <map>

namespace fs = std::filesystem;

namespace mtl::data {

const char *const denseFolderWhat[kDenseFolders] = {"image", "label map", "depth map",
                                                    "normal map"};

std::string denseFolderName(const DenseLayout &layout, std::size_t folder)
{
    static const char *names[kDenseFolders] = {"image", "label", "depth", "normal"};
    return folder == denseSlot(DenseFolder::Label) ? layout.labelFolder : names[folder];
}

namespace {

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
    const bool image = folder == denseSlot(DenseFolder::Image);
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
            issue("is a " + ext + " file; the other " + std::string(denseFolderWhat[folder]) +
                  "s are " + expected + " files");
            continue;
        }
        const std::int64_t index = std::stoll(stem);
        const auto [at, added] = files.emplace(index, file);
        if (!added)
            issue("has the index of " + at->second);
    }
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
        if (!nyu && f == denseSlot(DenseFolder::Normal))
            continue;
        layout.present[f] = fs::is_directory(train / denseFolderName(layout, f));
    }
    if (!layout.present[denseSlot(DenseFolder::Label)] &&
        !layout.present[denseSlot(DenseFolder::Depth)] &&
        !layout.present[denseSlot(DenseFolder::Normal)])
        throw Error(ErrorCode::NotFound,
                    "has no label, depth or normal folder in train/; a " + format +
                        " dataset holds " + layoutText,
                    {layout.root});

    for (const auto &[folderSplit, split] : splits) {
        std::array<std::map<std::int64_t, std::string>, kDenseFolders> files;
        for (std::size_t f = 0; f < kDenseFolders; ++f) {
            if (!layout.present[f])
                continue;
            const std::string relative = folderSplit + "/" + denseFolderName(layout, f);
            if (!fs::is_directory(root / relative))
                throw Error(ErrorCode::NotFound,
                            "is missing; train/ has " + std::string(denseFolderWhat[f]) + "s, so " +
                                folderSplit + "/ needs them too",
                            {(root / relative).string()});
            scanFolder(layout, root, relative, f, files[f]);
        }
        for (const auto &[index, image] : files[denseSlot(DenseFolder::Image)]) {
            DenseLayout::Sample sample;
            sample.split = split;
            sample.index = index;
            sample.files[denseSlot(DenseFolder::Image)] = image;
            std::string lacking;
            for (std::size_t f = 1; f < kDenseFolders; ++f) {
                if (!layout.present[f])
                    continue;
                const auto found = files[f].find(index);
                if (found == files[f].end())
                    lacking += (lacking.empty() ? "" : ", ") + folderSplit + "/" +
                               denseFolderName(layout, f) + "/" + std::to_string(index) +
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
                if (!files[denseSlot(DenseFolder::Image)].count(index))
                    layout.issues.push_back({(root / file).string(), 0,
                                             "has no image (" + folderSplit + "/image/" +
                                                 std::to_string(index) + " is missing)"});
    }
    return layout;
}

} // namespace mtl::data
