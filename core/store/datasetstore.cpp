#include "store/datasetstore.h"

#include "common/clock.h"
#include "common/error.h"
#include "store/sqlite.h"

#include <nlohmann/json.hpp>

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
{
}

DatasetStore::~DatasetStore() = default;

std::vector<DatasetInfo> DatasetStore::query(const std::string &where,
                                             const std::function<void(Statement &)> &bind)
{
    std::vector<DatasetInfo> result;
    Statement st(m_db, "SELECT id, name, format, source, created_at, width, height, channels "
                       "FROM datasets " + where + " ORDER BY name");
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
        result.push_back(std::move(info));
    }
    Statement splits(m_db, "SELECT split, count(*) FROM samples WHERE dataset_id = ?1 "
                           "GROUP BY split ORDER BY min(id)");
    Statement columns(m_db, "SELECT id, name, kind, categories FROM label_columns "
                            "WHERE dataset_id = ?1 ORDER BY position, id");
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
            info.columns.push_back(std::move(column));
        }
        columns.reset();
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
                                  const std::string &source, int width, int height, int channels)
{
    Statement st(m_db, "INSERT INTO datasets (name, format, source, created_at, width, height, "
                       "channels) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    st.bind(1, name).bind(2, format).bind(3, source).bind(4, nowIso8601());
    st.bind(5, width).bind(6, height).bind(7, channels);
    st.exec();
    return m_db.lastInsertId();
}

std::int64_t DatasetStore::ensureColumn(std::int64_t datasetId, const LabelColumn &column)
{
    Statement existing(m_db, "SELECT id, kind, categories FROM label_columns "
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
        return existing.int64(0);
    }
    Statement insert(m_db, "INSERT INTO label_columns (dataset_id, name, kind, categories, "
                           "position) VALUES (?1, ?2, ?3, ?4, "
                           "(SELECT count(*) FROM label_columns WHERE dataset_id = ?1))");
    insert.bind(1, datasetId).bind(2, column.name).bind(3, toString(column.kind));
    insert.bind(4, categoriesToJson(column.categories));
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
{
}

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

void DatasetStore::forEachImage(std::int64_t datasetId, const std::string &split,
                                const std::function<void(const StoredImage &)> &visit)
{
    Statement st(m_db, "SELECT id, idx, encoding, width, height, channels, image FROM samples "
                       "WHERE dataset_id = ?1 AND split = ?2 ORDER BY idx");
    st.bind(1, datasetId).bind(2, split);
    StoredImage image;
    while (st.step()) {
        image.sampleId = st.int64(0);
        image.index = st.int64(1);
        image.encoding = imageEncodingFromString(st.text(2)).value_or(ImageEncoding::Raw);
        image.width = st.int32(3);
        image.height = st.int32(4);
        image.channels = st.int32(5);
        image.data = st.blob(6, &image.size);
        visit(image);
    }
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

} // namespace mtl::store
