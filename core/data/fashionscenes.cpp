#include "data/fashionscenes.h"

#include "common/error.h"
#include "store/project.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>

namespace mtl::data {

namespace {

constexpr int kThreshold = 32; // a garment pixel: brighter than this after resampling

double unitInterval(std::mt19937_64 &random)
{
    return static_cast<double>(random() >> 11) * (1.0 / 9007199254740992.0); // 2^-53
}

// Bilinear sample of a 28×28 image at (u, v) in its pixel coordinates; 0 outside.
double sample(const std::uint8_t *image, double u, double v)
{
    constexpr int g = 28;
    const int x0 = static_cast<int>(std::floor(u)), y0 = static_cast<int>(std::floor(v));
    const double fx = u - x0, fy = v - y0;
    const auto at = [&](int x, int y) -> double {
        return x < 0 || y < 0 || x >= g || y >= g ? 0.0 : image[y * g + x];
    };
    return (1 - fy) * ((1 - fx) * at(x0, y0) + fx * at(x0 + 1, y0)) +
           fy * ((1 - fx) * at(x0, y0 + 1) + fx * at(x0 + 1, y0 + 1));
}

} // namespace

std::vector<ScenePiece> drawPieces(std::mt19937_64 &random, std::int64_t size)
{
    std::vector<ScenePiece> pieces(2 + random() % 3);
    for (ScenePiece &piece : pieces) {
        piece.image = static_cast<std::int64_t>(random() % static_cast<std::uint64_t>(size));
        piece.size = 21 + static_cast<int>(random() % 22);
        piece.x =
            static_cast<int>(random() % static_cast<std::uint64_t>(kSceneSize - piece.size + 1));
        piece.y =
            static_cast<int>(random() % static_cast<std::uint64_t>(kSceneSize - piece.size + 1));
        piece.depth = 1.0 + 3.0 * unitInterval(random);
    }
    return pieces;
}

Scene renderScene(const std::vector<ScenePiece> &pieces,
                  const std::vector<const std::uint8_t *> &images, const std::vector<int> &classes)
{
    constexpr int n = kSceneSize;
    Scene scene;
    scene.image.assign(n * n, 0);
    scene.semantic.assign(n * n, 0);
    std::vector<double> depth(n * n, kSceneFar);
    std::vector<int> owner(n * n, -1);
    // Far to near: each nearer garment paints over what is behind it.
    std::vector<std::size_t> order(pieces.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return pieces[a].depth > pieces[b].depth;
    });
    for (const std::size_t p : order) {
        const ScenePiece &piece = pieces[p];
        const double step = 28.0 / piece.size;
        for (int y = 0; y < piece.size; ++y)
            for (int x = 0; x < piece.size; ++x) {
                const double value =
                    sample(images[p], (x + 0.5) * step - 0.5, (y + 0.5) * step - 0.5);
                if (value <= kThreshold)
                    continue;
                const int i = (piece.y + y) * n + piece.x + x;
                scene.image[i] = static_cast<std::uint8_t>(std::lround(value));
                scene.semantic[i] = static_cast<std::uint8_t>(1 + classes[p]);
                depth[i] = piece.depth - kSceneRelief * value / 255.0;
                owner[i] = static_cast<int>(p);
            }
    }
    scene.visible.assign(pieces.size(), 0);
    for (const int o : owner)
        if (o >= 0)
            ++scene.visible[static_cast<std::size_t>(o)];
    scene.depth.resize(n * n);
    for (int i = 0; i < n * n; ++i)
        scene.depth[i] = static_cast<std::uint16_t>(std::lround(depth[i] * 1000.0));
    // Normals from central differences (one-sided at the border), in metres per pixel.
    scene.normals.resize(n * n * 3);
    const auto z = [&](int x, int y) {
        return depth[std::clamp(y, 0, n - 1) * n + std::clamp(x, 0, n - 1)];
    };
    for (int y = 0; y < n; ++y)
        for (int x = 0; x < n; ++x) {
            const double dx = (z(x + 1, y) - z(x - 1, y)) / (x == 0 || x == n - 1 ? 1.0 : 2.0);
            const double dy = (z(x, y + 1) - z(x, y - 1)) / (y == 0 || y == n - 1 ? 1.0 : 2.0);
            double v[3] = {-kSceneNormalGain * dx, -kSceneNormalGain * dy, 1.0};
            const double length = std::sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
            for (int c = 0; c < 3; ++c)
                scene.normals[(y * n + x) * 3 + c] = static_cast<std::uint8_t>(
                    std::clamp(std::lround((v[c] / length + 1.0) * 127.5), 0L, 255L));
        }
    return scene;
}

Scene composeScene(std::mt19937_64 &random, const LoadedSplit &split,
                   std::vector<ScenePiece> *drawn)
{
    const auto size = static_cast<std::int64_t>(split.images.count());
    // Real garments pass within a few draws; a source of blank images never would.
    for (int attempt = 0; attempt < 1000; ++attempt) {
        std::vector<ScenePiece> pieces = drawPieces(random, size);
        std::vector<const std::uint8_t *> images;
        std::vector<int> classes;
        for (const ScenePiece &piece : pieces) {
            images.push_back(split.images.item(static_cast<std::uint64_t>(piece.image)));
            classes.push_back(*split.labels.item(static_cast<std::uint64_t>(piece.image)));
        }
        Scene scene = renderScene(pieces, images, classes);
        if (std::all_of(scene.visible.begin(), scene.visible.end(),
                        [](int v) { return v >= kSceneMinVisible; })) {
            if (drawn)
                *drawn = std::move(pieces);
            return scene;
        }
    }
    throw Error(ErrorCode::InvalidInput,
                split.imagesPath + ": 1000 scenes in a row had a garment with fewer than " +
                    std::to_string(kSceneMinVisible) +
                    " visible pixels; are the images blank (no pixel brighter than " +
                    std::to_string(kThreshold) + ")?");
}

std::string presenceColumn(const std::string &className)
{
    std::string name = "has_";
    for (const char c : className) {
        const bool alnum =
            (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (alnum)
            name += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
        else if (name.back() != '_')
            name += '_';
    }
    while (name.back() == '_')
        name.pop_back();
    return name;
}

std::string FashionScenesImporter::description() const
{
    return "fashion scenes, made from Fashion-MNIST (--dir): 2–4 garments on a 64×64 canvas with "
           "per-pixel semantic, depth and normals maps, garment count and classes present; "
           "--seed, --count (training scenes; the test split gets a fifth)";
}

ImportSummary FashionScenesImporter::run(store::Project &project, const ImportRequest &request,
                                         const ProgressFn &progress)
{
    const auto started = std::chrono::steady_clock::now();
    const FashionSource source = loadFashionSource(request, progress, 0.1);
    ImportSummary summary;
    summary.dataset = request.dataset.empty() ? "fashion-scenes" : request.dataset;
    requireNewDataset(project, summary.dataset, "fashion-scenes");
    checkImportProgress(progress, 0.1, "composing scenes");

    store::DatasetStore &datasets = project.datasets();
    store::Transaction tx(project.db());
    std::string from = "fashion-scenes seed " + std::to_string(request.seed) + " from";
    for (const LoadedSplit &s : source.splits)
        from += " " + s.imagesPath;
    summary.datasetId =
        datasets.create(summary.dataset, "fashion-scenes", from, kSceneSize, kSceneSize, 1);
    summary.created = true;

    store::MapColumn semantic;
    semantic.name = "semantic";
    semantic.kind = store::MapKind::Segmentation;
    semantic.categories = {"background"};
    semantic.categories.insert(semantic.categories.end(), source.classes.begin(),
                               source.classes.end());
    store::MapColumn depth;
    depth.name = "depth";
    depth.kind = store::MapKind::Depth;
    depth.type = store::MapType::UInt16;
    depth.scale = 0.001;
    store::MapColumn normals;
    normals.name = "normals";
    normals.kind = store::MapKind::Normals;
    normals.channels = 3;
    normals.scale = 2.0 / 255.0;
    normals.offset = -1.0;
    const std::int64_t semanticId = datasets.ensureMapColumn(summary.datasetId, semantic);
    const std::int64_t depthId = datasets.ensureMapColumn(summary.datasetId, depth);
    const std::int64_t normalsId = datasets.ensureMapColumn(summary.datasetId, normals);
    store::LabelColumn count;
    count.name = "count";
    count.categories = {"2", "3", "4"};
    const std::int64_t countId = datasets.ensureColumn(summary.datasetId, count);
    std::vector<std::int64_t> presenceIds;
    for (const std::string &name : source.classes) {
        store::LabelColumn column;
        column.name = presenceColumn(name);
        column.kind = store::ColumnKind::Binary;
        presenceIds.push_back(datasets.ensureColumn(summary.datasetId, column));
    }
    for (const auto &map : {semantic, depth, normals})
        summary.columns.push_back(map.name);
    summary.columns.push_back(count.name);
    for (const std::string &name : source.classes)
        summary.columns.push_back(presenceColumn(name));

    const std::int64_t trainCount = request.count > 0 ? request.count : kSceneTrainDefault;
    const std::int64_t testCount =
        request.count > 0 ? std::max<std::int64_t>(1, request.count / 5) : kSceneTestDefault;
    const std::int64_t total = trainCount + testCount;
    std::int64_t done = 0;
    store::DatasetStore::Writer writer(project.db(), summary.datasetId);
    for (const LoadedSplit &split : source.splits) {
        const std::int64_t scenes = split.split == "test" ? testCount : trainCount;
        std::mt19937_64 random = splitGenerator(request.seed, split.split);
        std::vector<ScenePiece> pieces;
        for (std::int64_t i = 0; i < scenes; ++i, ++done) {
            if (done % 512 == 0)
                checkImportProgress(progress, 0.1 + 0.9 * static_cast<double>(done) / total,
                                    "composing " + split.split + " scenes");
            const Scene scene = composeScene(random, split, &pieces);
            const std::int64_t id =
                writer.addSample(split.split, i, store::ImageEncoding::Raw, kSceneSize, kSceneSize,
                                 1, scene.image.data(), scene.image.size());
            writer.addMap(id, semanticId, kSceneSize, kSceneSize, scene.semantic.data(),
                          scene.semantic.size());
            writer.addMap(id, depthId, kSceneSize, kSceneSize, scene.depth.data(),
                          scene.depth.size() * sizeof(std::uint16_t));
            writer.addMap(id, normalsId, kSceneSize, kSceneSize, scene.normals.data(),
                          scene.normals.size());
            writer.addLabel(id, countId, static_cast<std::int64_t>(pieces.size()) - 2);
            std::vector<bool> present(source.classes.size(), false);
            for (const std::uint8_t value : scene.semantic)
                if (value > 0)
                    present[value - 1u] = true;
            for (std::size_t c = 0; c < presenceIds.size(); ++c)
                writer.addLabel(id, presenceIds[c], present[c] ? 1 : 0);
        }
        summary.added.push_back({split.split, scenes});
    }
    finishImport(project, tx, summary, "fashion-scenes", from, started, progress);
    return summary;
}

} // namespace mtl::data
