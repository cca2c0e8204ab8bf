#pragma once
// Typed access to datasets, samples, label columns and labels in a project file.
// Thread-safety: as the Database it wraps (one thread).

#include "store/records.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mtl::store {

class Database;
class Statement;

// Pixels of one sample as stored. data points into SQLite memory: valid during the callback.
struct StoredImage {
    std::int64_t sampleId = 0;
    std::int64_t index = 0; // position within its split
    ImageEncoding encoding = ImageEncoding::Raw;
    int width = 0, height = 0, channels = 0;
    const void *data = nullptr; // null when only the file is referenced (`path`)
    std::size_t size = 0;
    std::string path; // relative to the dataset's root; empty for images stored only inline
};

// One sample's label map, decoded: `data` holds height × width × channels values of the
// column's type, row-major [H, W, C]. Valid during the callback.
struct StoredMap {
    std::int64_t sampleId = 0;
    std::int64_t index = 0; // position within its split
    int width = 0, height = 0;
    const void *data = nullptr;
    std::size_t size = 0; // bytes
};

// Every sample of a dataset with all its labels, in dataset order (splits in the order they
// were imported, then position): what the annotation browser and the label export show.
struct SampleTable {
    struct Row {
        std::int64_t sampleId = 0;
        std::string split;
        std::int64_t index = 0;
        std::string path; // relative to the dataset's root; empty when the project holds it
        int width = 0, height = 0;
    };
    std::vector<Row> rows;
    // Per label column of the dataset (its order), one value per row; -1: no label.
    std::vector<std::vector<std::int32_t>> labels;
};

// A map's bytes as addMap() stores them: deflated when that is smaller, else as they are.
struct EncodedMap {
    bool deflated = false;
    std::vector<unsigned char> bytes;
};
// Thread-safe: touches no database.
EncodedMap encodeMap(const void *data, std::size_t size);

class DatasetStore {
public:
    explicit DatasetStore(Database &db);
    ~DatasetStore();

    std::vector<DatasetInfo> list();
    std::optional<DatasetInfo> find(const std::string &name);
    std::optional<DatasetInfo> find(std::int64_t id);

    // Writing; callers wrap these in a Transaction (an import is all or nothing).
    std::int64_t create(const std::string &name, const std::string &format,
                        const std::string &source, int width, int height, int channels,
                        const std::string &root = {});
    // Points a dataset of image files at the folder it moved to.
    void setRoot(std::int64_t datasetId, const std::string &root);
    // The paths of up to `limit` samples spread over the dataset (every n-th by id).
    std::vector<std::string> samplePaths(std::int64_t datasetId, int limit);
    void logImport(std::int64_t datasetId, const ImportLogEntry &entry);
    // Oldest first.
    std::vector<ImportLogEntry> imports(std::int64_t datasetId);
    // Counts the label values of every split and column again (after an import or an edit).
    void refreshLabelCounts(std::int64_t datasetId);
    // By split in first-import order, then column position and value.
    std::vector<LabelCount> labelCounts(std::int64_t datasetId);
    void setPixelStats(std::int64_t datasetId, const PixelStats &stats);
    std::vector<PixelStats> pixelStats(std::int64_t datasetId);
    // Adds the column, or returns the id of an identical existing one. Throws InvalidInput when
    // a column of that name exists with another kind, other categories or another non-empty
    // attribute group; a group given for an existing column without one is stored.
    std::int64_t ensureColumn(std::int64_t datasetId, const LabelColumn &column);
    // The same for a map column (kind, type, channels, scale, offset and categories must match).
    // A map column and a label column of one dataset never share a name.
    std::int64_t ensureMapColumn(std::int64_t datasetId, const MapColumn &column);

    // Fast bulk insertion of samples and their labels (prepared statements reused).
    class Writer {
    public:
        Writer(Database &db, std::int64_t datasetId);
        ~Writer();
        std::int64_t addSample(const std::string &split, std::int64_t index, ImageEncoding encoding,
                               int width, int height, int channels, const void *data,
                               std::size_t size, const std::string &path = {});
        void addLabel(std::int64_t sampleId, std::int64_t columnId, std::int64_t value);
        // A map of width × height × channels values of the column's type ([H, W, C], `size`
        // bytes), stored deflated when that is smaller.
        void addMap(std::int64_t sampleId, std::int64_t columnId, int width, int height,
                    const void *data, std::size_t size);
        // The same with the deflating done beforehand (encodeMap(), on any thread).
        void addMap(std::int64_t sampleId, std::int64_t columnId, int width, int height,
                    const EncodedMap &map);

    private:
        Database &m_db;
        std::int64_t m_datasetId;
        std::unique_ptr<Statement> m_sample, m_label, m_map;
    };

    // Visits the samples of a split in index order.
    void forEachImage(std::int64_t datasetId, const std::string &split,
                      const std::function<void(const StoredImage &)> &visit);
    // Every `step`-th sample of a split (positions 0, step, 2·step, …), as forEachImage().
    void forEachImageEvery(std::int64_t datasetId, const std::string &split, std::int64_t step,
                           const std::function<void(const StoredImage &)> &visit);
    // How the split's first sample is stored; nullopt for an empty split.
    std::optional<ImageEncoding> firstEncoding(std::int64_t datasetId, const std::string &split);
    // One sample's maps, one visit per map column it has (in no set order).
    void readMaps(const DatasetInfo &dataset, std::int64_t sampleId,
                  const std::function<void(const MapColumn &, const StoredMap &)> &visit);
    // One sample's image, as forEachImage() visits it; false when there is no such sample.
    bool readImage(std::int64_t sampleId, const std::function<void(const StoredImage &)> &visit);
    // Visits, in index order, the samples of a split that have a map in column `columnId`.
    // Throws Error(Store) naming the sample when a stored map does not inflate to its size.
    void forEachMap(std::int64_t datasetId, const std::string &split, const MapColumn &column,
                    const std::function<void(const StoredMap &)> &visit);
    // Label values of one column for the samples of a split, in index order; -1 where a
    // sample has no label in that column.
    std::vector<std::int32_t> labelsOf(std::int64_t datasetId, const std::string &split,
                                       std::int64_t columnId);
    // All samples and labels; `split` empty: every split.
    SampleTable sampleTable(const DatasetInfo &dataset, const std::string &split = {});

private:
    void visitImages(const std::string &where, const std::function<void(Statement &)> &bind,
                     const std::function<void(const StoredImage &)> &visit);
    std::vector<DatasetInfo> query(const std::string &where,
                                   const std::function<void(Statement &)> &bind);
    Database &m_db;
};

} // namespace mtl::store
