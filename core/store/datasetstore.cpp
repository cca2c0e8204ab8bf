#include "store/datasetstore.h"

#include "common/clock.h"
#include "common/error.h"
#include "store/numbersjson.h"
#include "store/sqlite.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <unordered_map>

namespace mtl::store {

namespace {
std::string categoriesToJson(const std::vector<std::string> &categories)
{
    return nlohmann::json(categories).dump();
}

std::vector<std::string> categoriesFromJson(const std::string &text)
{
    try {
        return nlohmann::json::parse(text).get<std::vector<std::string>>();
    } catch (const nlohmann::json::exception &) {
        return {};
    }
}
} // namespace

DatasetStore::DatasetStore(Database &db)
    : m_db(db)
{}

DatasetStore::~DatasetStore() = default;

std::vector<DatasetInfo> DatasetStore::query(const std::string &where,
                                             const std::function<void(Statement &)> &bind)
{
    std::vector<DatasetInfo> result;
    Statement st(m_db, "SELECT id, name, format, source, created_at, width, height, channels, "
                       "root FROM datasets " +
                           where + " ORDER BY name");
    bind(st);
    while (st.step()) {
        DatasetInfo info;
        info.id = st.int64(0);
        info.name = st.text(1);
        info.format = st.text(2);
        info.source = st.text(3);
        info.createdAt = st.text(4);
        info.width = st.int32(5);
        info.height = st.int32(6);
        info.channels = st.int32(7);
        info.root = st.text(8);
        result.push_back(std::move(info));
    }
    Statement splits(m_db, "SELECT split, count(*) FROM samples WHERE dataset_id = ?1 "
                           "GROUP BY split ORDER BY min(id)");
    Statement columns(m_db, "SELECT id, name, kind, categories, attribute_group FROM label_columns "
                            "WHERE dataset_id = ?1 ORDER BY position, id");
    Statement maps(m_db, "SELECT id, name, kind, type, channels, scale, offset, categories "
                         "FROM map_columns WHERE dataset_id = ?1 ORDER BY position, id");
    Statement stats(m_db, "SELECT images, pixel_mean, pixel_std FROM split_stats "
                          "WHERE dataset_id = ?1 AND split = 'train'");
    Statement edits(m_db, "SELECT count(*) FROM label_edits WHERE dataset_id = ?1 AND undone = 0");
    for (DatasetInfo &info : result) {
        splits.bind(1, info.id);
        while (splits.step())
            info.splits.push_back({splits.text(0), splits.int64(1)});
        splits.reset();
        columns.bind(1, info.id);
        while (columns.step()) {
            LabelColumn column;
            column.id = columns.int64(0);
            column.name = columns.text(1);
            column.kind = columnKindFromString(columns.text(2)).value_or(ColumnKind::Categorical);
            column.categories = categoriesFromJson(columns.text(3));
            column.group = columns.text(4);
            info.columns.push_back(std::move(column));
        }
        columns.reset();
        maps.bind(1, info.id);
        while (maps.step()) {
            MapColumn map;
            map.id = maps.int64(0);
            map.name = maps.text(1);
            map.kind = mapKindFromString(maps.text(2)).value_or(MapKind::Segmentation);
            map.type = mapTypeFromString(maps.text(3)).value_or(MapType::UInt8);
            map.channels = maps.int32(4);
            map.scale = maps.real(5);
            map.offset = maps.real(6);
            map.categories = categoriesFromJson(maps.text(7));
            info.maps.push_back(std::move(map));
        }
        maps.reset();
        stats.bind(1, info.id);
        if (stats.step()) {
            info.statsImages = stats.int64(0);
            info.pixelMean = numbersFromJson(stats.text(1));
            info.pixelStd = numbersFromJson(stats.text(2));
        }
        stats.reset();
        edits.bind(1, info.id);
        if (edits.step())
            info.labelEdits = edits.int64(0);
        edits.reset();
    }
    return result;
}

std::vector<DatasetInfo> DatasetStore::list()
{
    return query({}, [](Statement &) {});
}

std::optional<DatasetInfo> DatasetStore::find(const std::string &name)
{
    auto found = query("WHERE name = ?1", [&](Statement &st) { st.bind(1, name); });
    if (found.empty())
        return std::nullopt;
    return std::move(found.front());
}

std::optional<DatasetInfo> DatasetStore::find(std::int64_t id)
{
    auto found = query("WHERE id = ?1", [&](Statement &st) { st.bind(1, id); });
    if (found.empty())
        return std::nullopt;
    return std::move(found.front());
}

std::int64_t DatasetStore::create(const std::string &name, const std::string &format,
                                  const std::string &source, int width, int height, int channels,
                                  const std::string &root)
{
    Statement st(m_db, "INSERT INTO datasets (name, format, source, created_at, width, height, "
                       "channels, root) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    st.bind(1, name).bind(2, format).bind(3, source).bind(4, nowIso8601());
    st.bind(5, width).bind(6, height).bind(7, channels).bind(8, root);
    st.exec();
    return m_db.lastInsertId();
}

void DatasetStore::setRoot(std::int64_t datasetId, const std::string &root)
{
    Statement st(m_db, "UPDATE datasets SET root = ?2 WHERE id = ?1");
    st.bind(1, datasetId).bind(2, root);
    st.exec();
}

std::vector<std::string> DatasetStore::samplePaths(std::int64_t datasetId, int limit)
{
    Statement count(m_db,
                    "SELECT count(*) FROM samples WHERE dataset_id = ?1 AND path IS NOT NULL");
    count.bind(1, datasetId);
    count.step();
    const std::int64_t total = count.int64(0);
    const std::int64_t every = std::max<std::int64_t>(1, total / std::max(1, limit));
    std::vector<std::string> paths;
    Statement st(m_db, "SELECT path FROM samples WHERE dataset_id = ?1 AND path IS NOT NULL "
                       "ORDER BY id");
    st.bind(1, datasetId);
    for (std::int64_t i = 0; st.step() && static_cast<int>(paths.size()) < limit; ++i)
        if (i % every == 0)
            paths.push_back(st.text(0));
    return paths;
}

void DatasetStore::logImport(std::int64_t datasetId, const ImportLogEntry &entry)
{
    Statement st(m_db, "INSERT INTO imports (dataset_id, created_at, format, source, added, "
                       "skipped, log) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    st.bind(1, datasetId).bind(2, entry.createdAt.empty() ? nowIso8601() : entry.createdAt);
    st.bind(3, entry.format).bind(4, entry.source).bind(5, entry.added).bind(6, entry.skipped);
    st.bind(7, entry.log);
    st.exec();
}

std::vector<ImportLogEntry> DatasetStore::imports(std::int64_t datasetId)
{
    std::vector<ImportLogEntry> result;
    Statement st(m_db, "SELECT id, created_at, format, source, added, skipped, log FROM imports "
                       "WHERE dataset_id = ?1 ORDER BY id");
    st.bind(1, datasetId);
    while (st.step())
        result.push_back({st.int64(0), st.text(1), st.text(2), st.text(3), st.int64(4), st.int64(5),
                          st.text(6)});
    return result;
}

namespace {
// Label columns and map columns share one namespace per dataset (tasks name either by `label`).
void checkNameFree(Database &db, std::int64_t datasetId, const std::string &name, const char *table,
                   const char *what)
{
    Statement st(db,
                 std::string("SELECT 1 FROM ") + table + " WHERE dataset_id = ?1 AND name = ?2");
    st.bind(1, datasetId).bind(2, name);
    if (st.step())
        throw Error(ErrorCode::InvalidInput, "'" + name + "' already names a " + what +
                                                 " of this dataset; choose another name");
}
} // namespace

std::int64_t DatasetStore::ensureMapColumn(std::int64_t datasetId, const MapColumn &column)
{
    Statement existing(m_db, "SELECT id, kind, type, channels, scale, offset, categories "
                             "FROM map_columns WHERE dataset_id = ?1 AND name = ?2");
    existing.bind(1, datasetId).bind(2, column.name);
    if (existing.step()) {
        if (existing.text(1) != toString(column.kind) ||
            existing.text(2) != toString(column.type) || existing.int32(3) != column.channels ||
            existing.real(4) != column.scale || existing.real(5) != column.offset ||
            categoriesFromJson(existing.text(6)) != column.categories)
            throw Error(ErrorCode::InvalidInput,
                        "map column '" + column.name + "' already exists in this dataset as " +
                            existing.text(1) + " " + existing.text(2) + " × " +
                            std::to_string(existing.int32(3)) +
                            " with other settings; import into a new dataset instead");
        return existing.int64(0);
    }
    checkNameFree(m_db, datasetId, column.name, "label_columns", "label column");
    Statement insert(m_db, "INSERT INTO map_columns (dataset_id, name, kind, type, channels, "
                           "scale, offset, categories, position) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
                           "?7, ?8, (SELECT count(*) FROM map_columns WHERE dataset_id = ?1))");
    insert.bind(1, datasetId).bind(2, column.name).bind(3, toString(column.kind));
    insert.bind(4, toString(column.type)).bind(5, column.channels).bind(6, column.scale);
    insert.bind(7, column.offset).bind(8, categoriesToJson(column.categories));
    insert.exec();
    return m_db.lastInsertId();
}

std::int64_t DatasetStore::ensureColumn(std::int64_t datasetId, const LabelColumn &column)
{
    Statement existing(m_db, "SELECT id, kind, categories, attribute_group FROM label_columns "
                             "WHERE dataset_id = ?1 AND name = ?2");
    existing.bind(1, datasetId).bind(2, column.name);
    if (existing.step()) {
        const auto kind = columnKindFromString(existing.text(1));
        const auto categories = categoriesFromJson(existing.text(2));
        if (kind != column.kind || categories != column.categories) {
            throw Error(ErrorCode::InvalidInput,
                        "label column '" + column.name +
                            "' already exists in this dataset with other " +
                            (kind != column.kind ? "kind (" + std::string(toString(*kind)) + ")"
                                                 : std::string("categories")) +
                            "; import into a new dataset instead");
        }
        const std::int64_t id = existing.int64(0);
        const std::string group = existing.text(3);
        if (!column.group.empty() && !group.empty() && group != column.group)
            throw Error(ErrorCode::InvalidInput, "label column '" + column.name +
                                                     "' is already in attribute group '" + group +
                                                     "', not '" + column.group +
                                                     "'; import into a new dataset instead");
        if (!column.group.empty() && group.empty()) { // an append that names the group
            Statement update(m_db, "UPDATE label_columns SET attribute_group = ?2 WHERE id = ?1");
            update.bind(1, id).bind(2, column.group);
            update.exec();
        }
        return id;
    }
    checkNameFree(m_db, datasetId, column.name, "map_columns", "map column");
    Statement insert(m_db, "INSERT INTO label_columns (dataset_id, name, kind, categories, "
                           "attribute_group, position) VALUES (?1, ?2, ?3, ?4, ?5, "
                           "(SELECT count(*) FROM label_columns WHERE dataset_id = ?1))");
    insert.bind(1, datasetId).bind(2, column.name).bind(3, toString(column.kind));
    insert.bind(4, categoriesToJson(column.categories)).bind(5, column.group);
    insert.exec();
    return m_db.lastInsertId();
}

DatasetStore::Writer::Writer(Database &db, std::int64_t datasetId)
    : m_db(db)
    , m_datasetId(datasetId)
    , m_sample(std::make_unique<Statement>(
          db, "INSERT INTO samples (dataset_id, split, idx, path, encoding, width, height, "
              "channels, image) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"))
    , m_label(std::make_unique<Statement>(
          db, "INSERT INTO labels (sample_id, column_id, value) VALUES (?1, ?2, ?3)"))
    , m_map(std::make_unique<Statement>(
          db, "INSERT INTO label_maps (sample_id, column_id, encoding, width, height, data) "
              "VALUES (?1, ?2, ?3, ?4, ?5, ?6)"))
{}

DatasetStore::Writer::~Writer() = default;

std::int64_t DatasetStore::Writer::addSample(const std::string &split, std::int64_t index,
                                             ImageEncoding encoding, int width, int height,
                                             int channels, const void *data, std::size_t size,
                                             const std::string &path)
{
    Statement &st = *m_sample;
    st.bind(1, m_datasetId).bind(2, split).bind(3, index);
    if (path.empty())
        st.bindNull(4);
    else
        st.bind(4, path);
    st.bind(5, toString(encoding)).bind(6, width).bind(7, height).bind(8, channels);
    if (data)
        st.bindBlob(9, data, size);
    else
        st.bindNull(9);
    st.exec();
    return m_db.lastInsertId();
}

void DatasetStore::Writer::addLabel(std::int64_t sampleId, std::int64_t columnId,
                                    std::int64_t value)
{
    m_label->bind(1, sampleId).bind(2, columnId).bind(3, value);
    m_label->exec();
}

void DatasetStore::visitImages(const std::string &where,
                               const std::function<void(Statement &)> &bind,
                               const std::function<void(const StoredImage &)> &visit)
{
    Statement st(m_db, "SELECT id, idx, encoding, width, height, channels, image, "
                       "coalesce(path, '') FROM samples " +
                           where);
    bind(st);
    StoredImage image;
    while (st.step()) {
        image.sampleId = st.int64(0);
        image.index = st.int64(1);
        image.encoding = imageEncodingFromString(st.text(2)).value_or(ImageEncoding::Raw);
        image.width = st.int32(3);
        image.height = st.int32(4);
        image.channels = st.int32(5);
        image.data = st.isNull(6) ? nullptr : st.blob(6, &image.size);
        if (!image.data)
            image.size = 0;
        image.path = st.text(7);
        visit(image);
    }
}

void DatasetStore::forEachImage(std::int64_t datasetId, const std::string &split,
                                const std::function<void(const StoredImage &)> &visit)
{
    visitImages(
        "WHERE dataset_id = ?1 AND split = ?2 ORDER BY idx",
        [&](Statement &st) { st.bind(1, datasetId).bind(2, split); }, visit);
}

void DatasetStore::forEachImageEvery(std::int64_t datasetId, const std::string &split,
                                     std::int64_t step,
                                     const std::function<void(const StoredImage &)> &visit)
{
    visitImages(
        "WHERE dataset_id = ?1 AND split = ?2 AND idx % ?3 = 0 ORDER BY idx",
        [&](Statement &st) {
            st.bind(1, datasetId).bind(2, split).bind(3, std::max<std::int64_t>(1, step));
        },
        visit);
}

std::optional<ImageEncoding> DatasetStore::firstEncoding(std::int64_t datasetId,
                                                         const std::string &split)
{
    Statement st(m_db, "SELECT encoding FROM samples WHERE dataset_id = ?1 AND split = ?2 "
                       "ORDER BY idx LIMIT 1");
    st.bind(1, datasetId).bind(2, split);
    if (!st.step())
        return std::nullopt;
    return imageEncodingFromString(st.text(0));
}

bool DatasetStore::readImage(std::int64_t sampleId,
                             const std::function<void(const StoredImage &)> &visit)
{
    bool found = false;
    visitImages(
        "WHERE id = ?1", [&](Statement &st) { st.bind(1, sampleId); },
        [&](const StoredImage &image) {
            found = true;
            visit(image);
        });
    return found;
}

std::vector<std::int32_t> DatasetStore::labelsOf(std::int64_t datasetId, const std::string &split,
                                                 std::int64_t columnId)
{
    std::vector<std::int32_t> values;
    Statement st(m_db, "SELECT l.value FROM samples s LEFT JOIN labels l "
                       "ON l.sample_id = s.id AND l.column_id = ?3 "
                       "WHERE s.dataset_id = ?1 AND s.split = ?2 ORDER BY s.idx");
    st.bind(1, datasetId).bind(2, split).bind(3, columnId);
    while (st.step())
        values.push_back(st.isNull(0) ? -1 : st.int32(0));
    return values;
}

SampleTable DatasetStore::sampleTable(const DatasetInfo &dataset, const std::string &split)
{
    SampleTable table;
    // Splits in import order (the DatasetInfo lists them by their first sample), each by index.
    std::unordered_map<std::int64_t, std::size_t> position;
    Statement rows(m_db, "SELECT id, split, idx, coalesce(path, ''), width, height FROM samples "
                         "WHERE dataset_id = ?1 AND split = ?2 ORDER BY idx");
    for (const SplitCount &s : dataset.splits) {
        if (!split.empty() && s.name != split)
            continue;
        rows.bind(1, dataset.id).bind(2, s.name);
        while (rows.step()) {
            position.emplace(rows.int64(0), table.rows.size());
            table.rows.push_back({rows.int64(0), rows.text(1), rows.int64(2), rows.text(3),
                                  rows.int32(4), rows.int32(5)});
        }
        rows.reset();
    }
    const std::string where =
        "WHERE s.dataset_id = ?1" + std::string(split.empty() ? "" : " AND s.split = ?2");
    Statement labels(m_db, "SELECT l.sample_id, l.value FROM labels l JOIN samples s ON s.id = "
                           "l.sample_id " +
                               where + " AND l.column_id = ?3");
    for (const LabelColumn &column : dataset.columns) {
        std::vector<std::int32_t> values(table.rows.size(), -1);
        labels.bind(1, dataset.id).bind(3, column.id);
        if (!split.empty())
            labels.bind(2, split);
        while (labels.step())
            if (const auto it = position.find(labels.int64(0)); it != position.end())
                values[it->second] = labels.int32(1);
        labels.reset();
        table.labels.push_back(std::move(values));
    }
    return table;
}

} // namespace mtl::store
