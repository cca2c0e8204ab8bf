#include "data/multifashion.h"

#include "common/error.h"
#include "data/classtable.h"
#include "data/idximporter.h"
#include "resources/embedded.h"
#include "store/project.h"

#include <algorithm>
#include <chrono>
#include <numeric>
#include <random>

namespace mtl::data {

std::vector<std::uint8_t> overlayPair(const std::uint8_t *left, const std::uint8_t *right)
{
    constexpr int n = kMultiFashionSize, s = kMultiFashionShift, g = 28;
    std::vector<std::uint8_t> canvas(static_cast<std::size_t>(n * n), 0);
    for (int y = 0; y < g; ++y)
        for (int x = 0; x < g; ++x)
            canvas[static_cast<std::size_t>(y * n + x)] = left[y * g + x];
    // Once the left garment is placed everywhere: a second pass, so that no left pixel written
    // later overwrites a brighter right one.
    for (int y = 0; y < g; ++y)
        for (int x = 0; x < g; ++x) {
            std::uint8_t &pixel = canvas[static_cast<std::size_t>((y + s) * n + x + s)];
            pixel = std::max(pixel, right[y * g + x]);
        }
    return canvas;
}

std::mt19937_64 splitGenerator(std::uint64_t seed, const std::string &split)
{
    // The split's name enters the seed, so train and test differ from one seed.
    std::uint32_t name = 2166136261u;
    for (const char c : split)
        name = (name ^ static_cast<std::uint8_t>(c)) * 16777619u;
    std::seed_seq sequence{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32),
                           name};
    return std::mt19937_64(sequence);
}

Pairing pairSamples(std::uint64_t seed, const std::string &split, std::int64_t size,
                    std::int64_t count)
{
    std::mt19937_64 random = splitGenerator(seed, split);
    std::vector<std::int64_t> order(static_cast<std::size_t>(size));
    std::iota(order.begin(), order.end(), 0);
    std::shuffle(order.begin(), order.end(), random);
    std::vector<std::int64_t> partner = order;
    std::shuffle(partner.begin(), partner.end(), random);
    Pairing pairing;
    const auto n = static_cast<std::size_t>(std::min(size, count > 0 ? count : size));
    pairing.left.assign(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(n));
    pairing.right.assign(partner.begin(), partner.begin() + static_cast<std::ptrdiff_t>(n));
    // A garment is not paired with itself: swap with the next partner instead.
    if (size > 1)
        for (std::size_t i = 0; i < n; ++i)
            if (pairing.right[i] == pairing.left[i])
                pairing.right[i] = partner[(i + 1) % partner.size()] == pairing.left[i]
                                       ? partner[(i + 2) % partner.size()]
                                       : partner[(i + 1) % partner.size()];
    return pairing;
}

FashionSource loadFashionSource(const ImportRequest &request, const ProgressFn &progress,
                                double share)
{
    const auto dir = request.files.find("dir");
    const std::vector<IdxSplitFiles> files =
        fashionMnistFiles(dir == request.files.end() ? std::string() : dir->second);
    FashionSource source;
    std::vector<LoadedSplit> &splits = source.splits;
    for (std::size_t i = 0; i < files.size(); ++i) {
        checkImportProgress(progress, share * i / files.size(), "reading " + files[i].images);
        splits.push_back(loadIdxSplit(files[i]));
        const LoadedSplit &s = splits.back();
        if (s.width != 28 || s.height != 28 || s.channels != 1)
            throw offsetError(s.imagesPath, 8,
                              "expected Fashion-MNIST's 28×28 grey images, got " +
                                  std::to_string(s.width) + "×" + std::to_string(s.height) + "×" +
                                  std::to_string(s.channels));
    }
    source.classes =
        parseClassNames(std::string(resources::get("datasets/fashion-mnist/classes.txt")),
                        "datasets/fashion-mnist/classes.txt");
    for (const LoadedSplit &s : splits)
        for (std::uint64_t i = 0; i < s.labels.count(); ++i)
            if (*s.labels.item(i) >= source.classes.size())
                throw offsetError(s.labelsPath, static_cast<std::int64_t>(s.labels.dataOffset + i),
                                  "label " + std::to_string(*s.labels.item(i)) +
                                      " is not a Fashion-MNIST class (0 to 9)");

    return source;
}

void requireNewDataset(store::Project &project, const std::string &name, const char *format)
{
    if (project.datasets().find(name))
        throw Error(ErrorCode::InvalidInput, "dataset '" + name + "' already exists; " + format +
                                                 " makes a new dataset (choose another --name)");
}

std::string MultiFashionImporter::description() const
{
    return "MultiFashion, made from Fashion-MNIST (--dir): two garments overlaid on a 36×36 "
           "canvas, tasks left and right; --seed, --count";
}

ImportSummary MultiFashionImporter::run(store::Project &project, const ImportRequest &request,
                                        const ProgressFn &progress)
{
    const auto started = std::chrono::steady_clock::now();
    const FashionSource fashion = loadFashionSource(request, progress, 0.2);
    const std::vector<LoadedSplit> &splits = fashion.splits;
    const std::vector<std::string> &classes = fashion.classes;

    ImportSummary summary;
    summary.dataset = request.dataset.empty() ? "multi-fashion" : request.dataset;
    store::DatasetStore &datasets = project.datasets();
    requireNewDataset(project, summary.dataset, "multi-fashion");
    checkImportProgress(progress, 0.2, "writing to the project");
    store::Transaction tx(project.db());
    std::string source = "multi-fashion seed " + std::to_string(request.seed) + " from";
    for (const LoadedSplit &s : splits)
        source += " " + s.imagesPath;
    summary.datasetId = datasets.create(summary.dataset, "multi-fashion", source, kMultiFashionSize,
                                        kMultiFashionSize, 1);
    summary.created = true;
    std::vector<std::int64_t> columnIds;
    for (const char *name : {"left", "right"}) {
        store::LabelColumn column;
        column.name = name;
        column.kind = store::ColumnKind::Categorical;
        column.categories = classes;
        columnIds.push_back(datasets.ensureColumn(summary.datasetId, column));
        summary.columns.push_back(name);
    }
    std::vector<Pairing> pairings;
    std::int64_t total = 0, done = 0;
    for (const LoadedSplit &s : splits) {
        pairings.push_back(pairSamples(request.seed, s.split,
                                       static_cast<std::int64_t>(s.images.count()), request.count));
        total += static_cast<std::int64_t>(pairings.back().left.size());
    }
    store::DatasetStore::Writer writer(project.db(), summary.datasetId);
    for (std::size_t k = 0; k < splits.size(); ++k) {
        const LoadedSplit &s = splits[k];
        const Pairing &pairing = pairings[k];
        for (std::size_t i = 0; i < pairing.left.size(); ++i, ++done) {
            if (done % 4096 == 0)
                checkImportProgress(progress, 0.2 + 0.8 * static_cast<double>(done) / total,
                                    "composing " + s.split);
            const auto a = static_cast<std::uint64_t>(pairing.left[i]);
            const auto b = static_cast<std::uint64_t>(pairing.right[i]);
            const std::vector<std::uint8_t> canvas =
                overlayPair(s.images.item(a), s.images.item(b));
            const std::int64_t sampleId = writer.addSample(
                s.split, static_cast<std::int64_t>(i), store::ImageEncoding::Raw, kMultiFashionSize,
                kMultiFashionSize, 1, canvas.data(), canvas.size());
            writer.addLabel(sampleId, columnIds[0], *s.labels.item(a));
            writer.addLabel(sampleId, columnIds[1], *s.labels.item(b));
        }
        summary.added.push_back({s.split, static_cast<std::int64_t>(pairing.left.size())});
    }
    finishImport(project, tx, summary, "multi-fashion", source, started, progress);
    return summary;
}

} // namespace mtl::data
