#pragma once
// Decodes a dataset's images for the annotation browser off the GUI thread: thumbnails for the
// grid (kept in a cache of ~64 MB) and a sample's full image for the sample panel. Requests are
// served newest first in batches, each batch on one read-only connection of its own.
// Thread contract: call from the GUI thread; signals are emitted there.

#include "samplemaps.h"
#include "store/datasetstore.h"

#include <QCache>
#include <QFutureWatcher>
#include <QImage>
#include <QObject>
#include <QSet>
#include <QString>
#include <QThreadPool>
#include <QVector>

namespace mtl::widgets {

class ThumbnailLoader final : public QObject {
    Q_OBJECT
public:
    ThumbnailLoader(QString projectPath, mtl::store::DatasetInfo dataset, int side,
                    QObject *parent = nullptr);
    ~ThumbnailLoader() override; // waits for the batch in flight

    int side() const { return m_side; }
    // The cached thumbnail (at most side × side, aspect kept); a null image while it loads,
    // and thumbnailReady() follows.
    QImage thumbnail(qint64 sampleId);
    // Decodes the sample's image at its stored size and draws its maps; mapsReady() and
    // imageReady() follow.
    void requestImage(qint64 sampleId);
    // Decoded so far, for tests and status text.
    int cachedCount() const { return m_cache.count(); }

    // An image as stored (raw pixels, or PNG/JPEG bytes, or the file under `root`) as a QImage.
    // Throws mtl::Error naming the file when it does not decode.
    static QImage decode(const mtl::store::StoredImage &image, const std::string &root);

Q_SIGNALS:
    void thumbnailReady(qint64 sampleId);
    void imageReady(qint64 sampleId, const QImage &image, const QString &error);
    // With imageReady(), just before it: the sample's dense labels, drawn (none: empty).
    void mapsReady(qint64 sampleId, const std::vector<mtl::widgets::SampleMap> &maps);

private:
    struct Decoded {
        qint64 sampleId = 0;
        bool full = false;
        QImage image;
        QString error;
        std::vector<SampleMap> maps; // full images of datasets with maps
    };
    void startBatch();
    void onBatchDone();

    QString m_path;
    mtl::store::DatasetInfo m_dataset;
    int m_side;
    QCache<qint64, QImage> m_cache;  // cost: KiB
    QVector<qint64> m_pendingThumbs; // newest last
    QSet<qint64> m_queued;
    qint64 m_pendingFull = 0;
    bool m_busy = false; // a batch is queued or running
    QThreadPool m_pool;
    QFutureWatcher<QVector<Decoded>> m_watcher;
};

} // namespace mtl::widgets
