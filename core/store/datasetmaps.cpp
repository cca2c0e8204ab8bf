// DatasetStore's dense label maps (docs/STORE.md "maps"): stored deflated when that is
// smaller, inflated and checked against their size when read.

#include "store/datasetstore.h"

#include "common/error.h"
#include "store/sqlite.h"

#include <zlib.h>

namespace mtl::store {

EncodedMap encodeMap(const void *data, std::size_t size)
{
    // Level 1: label maps are mostly runs of one value, which even the fastest level shrinks.
    EncodedMap map;
    uLongf deflatedSize = compressBound(static_cast<uLong>(size));
    map.bytes.resize(deflatedSize);
    map.deflated = compress2(map.bytes.data(), &deflatedSize, static_cast<const Bytef *>(data),
                             static_cast<uLong>(size), 1) == Z_OK &&
                   deflatedSize < size;
    if (map.deflated) {
        map.bytes.resize(deflatedSize);
    } else {
        const auto *bytes = static_cast<const unsigned char *>(data);
        map.bytes.assign(bytes, bytes + size);
    }
    return map;
}

void DatasetStore::Writer::addMap(std::int64_t sampleId, std::int64_t columnId, int width,
                                  int height, const void *data, std::size_t size)
{
    addMap(sampleId, columnId, width, height, encodeMap(data, size));
}

void DatasetStore::Writer::addMap(std::int64_t sampleId, std::int64_t columnId, int width,
                                  int height, const EncodedMap &map)
{
    Statement &st = *m_map;
    st.bind(1, sampleId).bind(2, columnId).bind(3, map.deflated ? "deflate" : "raw");
    st.bind(4, width).bind(5, height);
    st.bindBlob(6, map.bytes.data(), map.bytes.size());
    st.exec();
}

namespace {
// A stored map's values as the column's type, [H, W, C]: inflated when deflated (into
// `inflated`). Throws Error(Store) naming the sample when the size does not match.
void readMapRow(const Statement &st, int first, const MapColumn &column,
                std::vector<unsigned char> &inflated, StoredMap &map)
{
    map.width = st.int32(first + 1);
    map.height = st.int32(first + 2);
    std::size_t stored = 0;
    const void *blob = st.blob(first + 3, &stored);
    const std::size_t expected =
        static_cast<std::size_t>(map.width) * map.height * column.channels * byteSize(column.type);
    map.data = blob;
    map.size = stored;
    if (st.text(first) == "deflate") {
        inflated.resize(expected);
        uLongf size = static_cast<uLongf>(expected);
        if (uncompress(inflated.data(), &size, static_cast<const Bytef *>(blob),
                       static_cast<uLong>(stored)) != Z_OK)
            size = 0;
        map.data = inflated.data();
        map.size = size;
    }
    if (map.size != expected)
        throw Error(ErrorCode::Store,
                    "the '" + column.name + "' map of sample " + std::to_string(map.sampleId) +
                        " holds " + std::to_string(map.size) + " bytes; its " +
                        std::to_string(map.width) + "×" + std::to_string(map.height) +
                        " size needs " + std::to_string(expected));
}
} // namespace

void DatasetStore::forEachMap(std::int64_t datasetId, const std::string &split,
                              const MapColumn &column,
                              const std::function<void(const StoredMap &)> &visit)
{
    Statement st(m_db,
                 "SELECT s.id, s.idx, m.encoding, m.width, m.height, m.data "
                 "FROM samples s JOIN label_maps m ON m.sample_id = s.id AND m.column_id = ?3 "
                 "WHERE s.dataset_id = ?1 AND s.split = ?2 ORDER BY s.idx");
    st.bind(1, datasetId).bind(2, split).bind(3, column.id);
    std::vector<unsigned char> inflated;
    StoredMap map;
    while (st.step()) {
        map.sampleId = st.int64(0);
        map.index = st.int64(1);
        readMapRow(st, 2, column, inflated, map);
        visit(map);
    }
}

void DatasetStore::readMaps(const DatasetInfo &dataset, std::int64_t sampleId,
                            const std::function<void(const MapColumn &, const StoredMap &)> &visit)
{
    Statement st(m_db, "SELECT m.column_id, m.encoding, m.width, m.height, m.data "
                       "FROM label_maps m WHERE m.sample_id = ?1");
    st.bind(1, sampleId);
    std::vector<unsigned char> inflated;
    StoredMap map;
    map.sampleId = sampleId;
    while (st.step()) {
        const std::int64_t columnId = st.int64(0);
        const auto column = std::find_if(dataset.maps.begin(), dataset.maps.end(),
                                         [&](const MapColumn &c) { return c.id == columnId; });
        if (column == dataset.maps.end())
            continue;
        readMapRow(st, 1, *column, inflated, map);
        visit(*column, map);
    }
}

} // namespace mtl::store
