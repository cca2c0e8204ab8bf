#include "data/idximporter.h"

#include "common/error.h"
#include "data/statistics.h"
#include "common/utf8.h"
#include "data/classtable.h"
#include "data/gzipfile.h"
#include "data/idx.h"
#include "data/denseimporters.h"
#include "data/fashionscenes.h"
#include "data/multifashion.h"
#include "data/tableimporters.h"
#include "resources/embedded.h"
#include "store/project.h"

#include <chrono>
#include <filesystem>

namespace mtl::data {

LoadedSplit loadIdxSplit(const IdxSplitFiles &files)
{
    LoadedSplit loaded;
    loaded.split = files.split;
    loaded.imagesPath = files.images;
    loaded.labelsPath = files.labels;
    loaded.images = readIdx(files.images);
    loaded.labels = readIdx(files.labels);
    const auto &dims = loaded.images.dims;
    if (dims.size() != 3 && dims.size() != 4)
        throw offsetError(files.images, 3,
                          "expected images: an IDX array of rank 3 [N, H, W] or 4 [N, H, W, C], "
                          "got rank " +
                              std::to_string(dims.size()));
    loaded.height = static_cast<int>(dims[1]);
    loaded.width = static_cast<int>(dims[2]);
    loaded.channels = dims.size() == 4 ? static_cast<int>(dims[3]) : 1;
    if (loaded.channels != 1 && loaded.channels != 3)
        throw offsetError(files.images, 16,
                          "expected 1 or 3 channels, got " + std::to_string(loaded.channels));
    if (loaded.labels.dims.size() != 1)
        throw offsetError(files.labels, 3,
                          "expected labels: an IDX array of rank 1 [N], got rank " +
                              std::to_string(loaded.labels.dims.size()));
    if (loaded.labels.count() != loaded.images.count())
        throw offsetError(files.labels, 4,
                          "holds " + std::to_string(loaded.labels.count()) + " labels but " +
                              files.images + " holds " + std::to_string(loaded.images.count()) +
                              " images");
    return loaded;
}

void checkImportProgress(const ProgressFn &progress, double fraction, const std::string &stage)
{
    if (progress && !progress(fraction, stage))
        throw Error(ErrorCode::Interrupted, "import cancelled; the project is unchanged");
}

void finishImport(store::Project &project, store::Transaction &tx, ImportSummary &summary,
                  const std::string &format, const std::string &source,
                  std::chrono::steady_clock::time_point started, const ProgressFn &progress)
{
    std::int64_t added = 0;
    for (const auto &split : summary.added)
        added += split.samples;
    std::string log;
    for (const std::string &line : summary.log)
        log += line + "\n";
    project.datasets().logImport(summary.datasetId,
                                 {0, {}, format, source, added, summary.skipped, log});
    checkImportProgress(progress, 1.0, "counting labels and pixel statistics");
    computeStatistics(project, summary.datasetId);
    checkImportProgress(progress, 1.0, "committing");
    tx.commit();
    summary.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
}

ImportSummary importIdx(store::Project &project, const IdxImportSpec &spec,
                        const ProgressFn &progress)
{
    const auto started = std::chrono::steady_clock::now();
    if (spec.dataset.empty())
        throw Error(ErrorCode::InvalidInput, "the dataset needs a name");
    requireUtf8(spec.dataset, "the dataset name");
    for (const IdxSplitFiles &split : spec.splits) {
        requireUtf8(split.split, "the split name");
        requireUtf8(split.images, "the images path");
        requireUtf8(split.labels, "the labels path");
    }
    if (spec.splits.empty())
        throw Error(ErrorCode::InvalidInput, "nothing to import: no split given");

    // Parse everything before touching the project.
    std::vector<LoadedSplit> splits;
    for (std::size_t i = 0; i < spec.splits.size(); ++i) {
        checkImportProgress(progress, 0.3 * i / spec.splits.size(),
                            "reading " + spec.splits[i].images);
        if (spec.splits[i].split.empty())
            throw Error(ErrorCode::InvalidInput, "the split needs a name (e.g. train or test)");
        splits.push_back(loadIdxSplit(spec.splits[i]));
    }
    for (const LoadedSplit &s : splits)
        if (s.width != splits[0].width || s.height != splits[0].height ||
            s.channels != splits[0].channels)
            throw offsetError(s.imagesPath, 4, "image size differs from " + splits[0].imagesPath);

    std::vector<std::string> classNames;
    int maxLabel = 0;
    for (const LoadedSplit &s : splits)
        for (std::uint64_t i = 0; i < s.labels.count(); ++i)
            maxLabel = std::max<int>(maxLabel, *s.labels.item(i));
    if (spec.classNames) {
        classNames = parseClassNames(spec.classNames->text, spec.classNames->source);
        for (const LoadedSplit &s : splits)
            for (std::uint64_t i = 0; i < s.labels.count(); ++i)
                if (*s.labels.item(i) >= classNames.size())
                    throw offsetError(
                        s.labelsPath, static_cast<std::int64_t>(s.labels.dataOffset + i),
                        "label " + std::to_string(*s.labels.item(i)) + " of item " +
                            std::to_string(i) + " has no class name (" + spec.classNames->source +
                            " names " + std::to_string(classNames.size()) + " classes)");
    } else {
        for (int k = 0; k <= maxLabel; ++k)
            classNames.push_back(std::to_string(k));
    }
    std::optional<ClassAttributeTable> attributes;
    if (spec.classAttributes)
        attributes = parseClassAttributes(spec.classAttributes->text, spec.classAttributes->source,
                                          classNames);
    if (spec.attributeGroups) {
        if (!attributes)
            throw Error(ErrorCode::InvalidInput,
                        "--attribute-groups needs --class-attributes (the attributes it groups)");
        applyAttributeGroups(*attributes, spec.attributeGroups->text, spec.attributeGroups->source);
    }

    store::LabelColumn classColumn;
    classColumn.name = "class";
    classColumn.kind = store::ColumnKind::Categorical;
    classColumn.categories = classNames;
    std::vector<store::LabelColumn> columns{classColumn};
    if (attributes) {
        for (const auto &column : attributes->columns) {
            if (column.name == "class")
                throw inputError(spec.classAttributes->source, 1,
                                 "an attribute may not be called 'class' (the IDX label column)");
            columns.push_back(column);
        }
    }

    checkImportProgress(progress, 0.3, "writing to the project");
    store::Database &db = project.db();
    store::DatasetStore &datasets = project.datasets();
    store::Transaction tx(db);

    ImportSummary summary;
    summary.dataset = spec.dataset;
    const LoadedSplit &first = splits.front();
    std::string source;
    for (const LoadedSplit &s : splits)
        source += (source.empty() ? "" : ";") + s.imagesPath;
    if (auto existing = datasets.find(spec.dataset)) {
        if (existing->width != first.width || existing->height != first.height ||
            existing->channels != first.channels)
            throw offsetError(first.imagesPath, 4,
                              "images are " + std::to_string(first.width) + "x" +
                                  std::to_string(first.height) + "x" +
                                  std::to_string(first.channels) + " but dataset '" + spec.dataset +
                                  "' holds " + std::to_string(existing->width) + "x" +
                                  std::to_string(existing->height) + "x" +
                                  std::to_string(existing->channels) + " images");
        for (const LoadedSplit &s : splits)
            if (existing->splitSize(s.split) > 0)
                throw Error(ErrorCode::InvalidInput,
                            "dataset '" + spec.dataset + "' already has a split '" + s.split +
                                "' (" + std::to_string(existing->splitSize(s.split)) +
                                " samples); import into another split or dataset");
        summary.datasetId = existing->id;
    } else {
        summary.datasetId = datasets.create(spec.dataset, spec.format, source, first.width,
                                            first.height, first.channels);
        summary.created = true;
    }
    std::vector<std::int64_t> columnIds;
    for (const auto &column : columns)
        columnIds.push_back(datasets.ensureColumn(summary.datasetId, column));

    store::DatasetStore::Writer writer(db, summary.datasetId);
    std::uint64_t total = 0, done = 0;
    for (const LoadedSplit &s : splits)
        total += s.images.count();
    const std::uint64_t itemSize = first.images.itemSize();
    for (const LoadedSplit &s : splits) {
        for (std::uint64_t i = 0; i < s.images.count(); ++i, ++done) {
            if (done % 4096 == 0)
                checkImportProgress(progress, 0.3 + 0.7 * done / total, "writing " + s.split);
            const std::int64_t sampleId =
                writer.addSample(s.split, static_cast<std::int64_t>(i), store::ImageEncoding::Raw,
                                 s.width, s.height, s.channels, s.images.item(i), itemSize);
            const int label = *s.labels.item(i);
            writer.addLabel(sampleId, columnIds[0], label);
            if (attributes)
                for (std::size_t c = 0; c < attributes->columns.size(); ++c)
                    writer.addLabel(sampleId, columnIds[c + 1], attributes->values[label][c]);
        }
        summary.added.push_back({s.split, static_cast<std::int64_t>(s.images.count())});
    }
    for (const auto &column : columns)
        summary.columns.push_back(column.name);
    finishImport(project, tx, summary, spec.format, source, started, progress);
    return summary;
}

std::string IdxImporter::description() const
{
    return "MNIST-style IDX files: --images, --labels, --split, optional --class-names, "
           "--class-attributes and --attribute-groups";
}

ImportSummary IdxImporter::run(store::Project &project, const ImportRequest &request,
                               const ProgressFn &progress)
{
    const auto file = [&](const char *role) -> std::string {
        auto it = request.files.find(role);
        return it == request.files.end() ? std::string() : it->second;
    };
    if (file("images").empty() || file("labels").empty())
        throw Error(ErrorCode::InvalidInput, "format idx needs both --images and --labels");
    IdxImportSpec spec;
    spec.dataset = request.dataset;
    spec.splits.push_back(
        {request.split.empty() ? "train" : request.split, file("images"), file("labels")});
    if (!file("class-names").empty())
        spec.classNames = TextSource{readTextFile(file("class-names")), file("class-names")};
    if (!file("class-attributes").empty())
        spec.classAttributes =
            TextSource{readTextFile(file("class-attributes")), file("class-attributes")};
    if (!file("attribute-groups").empty())
        spec.attributeGroups =
            TextSource{readTextFile(file("attribute-groups")), file("attribute-groups")};
    return importIdx(project, spec, progress);
}

std::vector<IdxSplitFiles> fashionMnistFiles(const std::string &dirOrEmpty)
{
    namespace fs = std::filesystem;
    const fs::path dir =
        dirOrEmpty.empty() ? fs::path(FashionMnistImporter::kDefaultDir) : fs::path(dirOrEmpty);
    const auto pick = [&](const std::string &stem) {
        for (const char *suffix : {".gz", ""}) {
            fs::path candidate = dir / (stem + suffix);
            if (fs::exists(candidate))
                return candidate.string();
        }
        ErrorLocation where;
        where.file = (dir / (stem + ".gz")).string();
        throw Error(ErrorCode::NotFound,
                    "Fashion-MNIST file missing (install Debian's dataset-fashion-mnist or pass "
                    "--dir)",
                    where);
    };
    return {{"train", pick("train-images-idx3-ubyte"), pick("train-labels-idx1-ubyte")},
            {"test", pick("t10k-images-idx3-ubyte"), pick("t10k-labels-idx1-ubyte")}};
}

std::string FashionMnistImporter::description() const
{
    return std::string("Fashion-MNIST train and test splits from --dir (default ") + kDefaultDir +
           ") with class names, groups and 12 visual attributes";
}

ImportSummary FashionMnistImporter::run(store::Project &project, const ImportRequest &request,
                                        const ProgressFn &progress)
{
    IdxImportSpec spec;
    spec.dataset = request.dataset.empty() ? "fashion-mnist" : request.dataset;
    spec.format = "fashion-mnist";
    const auto dir = request.files.find("dir");
    spec.splits = fashionMnistFiles(dir == request.files.end() ? std::string() : dir->second);
    spec.classNames = TextSource{std::string(resources::get("datasets/fashion-mnist/classes.txt")),
                                 "datasets/fashion-mnist/classes.txt"};
    spec.classAttributes =
        TextSource{std::string(resources::get("datasets/fashion-mnist/attributes.csv")),
                   "datasets/fashion-mnist/attributes.csv"};
    spec.attributeGroups =
        TextSource{std::string(resources::get("datasets/fashion-mnist/attribute-groups.csv")),
                   "datasets/fashion-mnist/attribute-groups.csv"};
    return importIdx(project, spec, progress);
}

const Registry<ImporterMaker> &importers()
{
    static const Registry<ImporterMaker> table{
        {{"idx", IdxImporter().description(), {}},
         [] { return std::unique_ptr<Importer>(std::make_unique<IdxImporter>()); }},
        {{"fashion-mnist", FashionMnistImporter().description(), {}},
         [] { return std::unique_ptr<Importer>(std::make_unique<FashionMnistImporter>()); }},
        {{"multi-fashion",
          MultiFashionImporter().description(),
          {{"seed", OptionSpec::Type::Integer, 0, "seeds which garments are paired", 0, 9.2e18},
           {"count", OptionSpec::Type::Integer, 0,
            "at most this many samples per split (0: as many as Fashion-MNIST has)", 0, 1e9}}},
         [] { return std::unique_ptr<Importer>(std::make_unique<MultiFashionImporter>()); }},
        {{"fashion-scenes",
          FashionScenesImporter().description(),
          {{"seed", OptionSpec::Type::Integer, 0, "seeds where garments are placed", 0, 9.2e18},
           {"count", OptionSpec::Type::Integer, 0,
            "training scenes; the test split gets a fifth as many (0: 10,000 and 2,000)", 0, 1e9}}},
         [] { return std::unique_ptr<Importer>(std::make_unique<FashionScenesImporter>()); }},
        {{"csv", ImageFileImporter("csv").description(), {}},
         [] { return std::unique_ptr<Importer>(std::make_unique<ImageFileImporter>("csv")); }},
        {{"celeba", ImageFileImporter("celeba").description(), {}},
         [] { return std::unique_ptr<Importer>(std::make_unique<ImageFileImporter>("celeba")); }},
        {{"awa", ImageFileImporter("awa").description(), {}},
         [] { return std::unique_ptr<Importer>(std::make_unique<ImageFileImporter>("awa")); }},
        {{"folders", ImageFileImporter("folders").description(), {}},
         [] { return std::unique_ptr<Importer>(std::make_unique<ImageFileImporter>("folders")); }},
        {{"nyuv2", DenseImporter("nyuv2").description(), {}},
         [] { return std::unique_ptr<Importer>(std::make_unique<DenseImporter>("nyuv2")); }},
        {{"cityscapes", DenseImporter("cityscapes").description(), {}},
         [] { return std::unique_ptr<Importer>(std::make_unique<DenseImporter>("cityscapes")); }},
    };
    return table;
}

std::unique_ptr<Importer> makeImporter(const std::string &format)
{
    if (const auto *entry = importers().find(format))
        return entry->make();
    throw Error(ErrorCode::InvalidInput, "unknown import format '" + format +
                                             "' (known: " + joinNames(importFormats()) + ")");
}

std::vector<std::string> importFormats()
{
    return importers().names();
}

} // namespace mtl::data
