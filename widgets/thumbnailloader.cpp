#include "thumbnailloader.h"

#include "data/imagefile.h"
#include "store/datasetstore.h"
#include "store/project.h"
#include "textconv.h"

#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <cstring>
#include <filesystem>

namespace mtl::widgets {

namespace {
constexpr int kBatch = 48;
constexpr int kCacheKiB = 64 * 1024;
} // namespace

ThumbnailLoader::ThumbnailLoader(QString projectPath, mtl::store::DatasetInfo dataset, int side,
                                 QObject *parent)
    : QObject(parent)
    , m_path(std::move(projectPath))
    , m_dataset(std::move(dataset))
    , m_side(side)
    , m_cache(kCacheKiB)
{
    m_pool.setMaxThreadCount(1);
    connect(&m_watcher, &QFutureWatcher<QVector<Decoded>>::finished, this,
            &ThumbnailLoader::onBatchDone);
}

ThumbnailLoader::~ThumbnailLoader()
{
    m_pendingThumbs.clear();
    m_pendingFull = 0;
    m_watcher.waitForFinished();
}

QImage ThumbnailLoader::decode(const mtl::store::StoredImage &image, const std::string &root)
{
    const int c = image.channels;
    if (image.encoding == mtl::store::ImageEncoding::Raw && image.data) {
        QImage out(image.width, image.height,
                   c == 1 ? QImage::Format_Grayscale8 : QImage::Format_RGB888);
        const auto *pixels = static_cast<const uchar *>(image.data);
        const int rowBytes = image.width * (c == 1 ? 1 : 3);
        for (int y = 0; y < image.height; ++y)
            std::memcpy(out.scanLine(y), pixels + static_cast<std::size_t>(y) * rowBytes,
                        static_cast<std::size_t>(rowBytes));
        return out;
    }
    std::string file;
    const void *bytes = image.data;
    std::size_t size = image.size;
    const std::string where = image.path.empty()
                                  ? "sample " + std::to_string(image.sampleId)
                                  : (std::filesystem::path(root) / image.path).string();
    if (!bytes) {
        file = mtl::data::readImageFile(where);
        bytes = file.data();
        size = file.size();
    }
    const mtl::data::DecodedImage decoded = mtl::data::decodeImage(bytes, size, where);
    QImage out(decoded.width, decoded.height,
               decoded.channels == 1 ? QImage::Format_Grayscale8 : QImage::Format_RGB888);
    const std::size_t rowBytes = static_cast<std::size_t>(decoded.width) * decoded.channels;
    for (int y = 0; y < decoded.height; ++y)
        std::memcpy(out.scanLine(y), decoded.pixels.data() + y * rowBytes, rowBytes);
    return out;
}

QImage ThumbnailLoader::thumbnail(qint64 sampleId)
{
    if (const QImage *cached = m_cache.object(sampleId))
        return *cached;
    if (!m_queued.contains(sampleId)) {
        m_queued.insert(sampleId);
        m_pendingThumbs.append(sampleId);
    } else {
        // Asked again: it is on screen now, so serve it before older requests.
        m_pendingThumbs.removeOne(sampleId);
        m_pendingThumbs.append(sampleId);
    }
    startBatch();
    return {};
}

void ThumbnailLoader::requestImage(qint64 sampleId)
{
    m_pendingFull = sampleId;
    startBatch();
}

void ThumbnailLoader::startBatch()
{
    // Not m_watcher.isRunning(): a future still queued in the pool does not count as running.
    if (m_busy || (m_pendingThumbs.isEmpty() && m_pendingFull == 0))
        return;
    m_busy = true;
    QVector<qint64> thumbs;
    while (!m_pendingThumbs.isEmpty() && thumbs.size() < kBatch)
        thumbs.append(m_pendingThumbs.takeLast()); // newest first: what is on screen now
    const qint64 full = m_pendingFull;
    m_pendingFull = 0;
    const std::string path = toStd(m_path), root = m_dataset.root;
    const int side = m_side;
    const mtl::store::DatasetInfo dataset = m_dataset;
    m_watcher.setFuture(QtConcurrent::run(&m_pool, [path, root, side, thumbs, full, dataset] {
        QVector<Decoded> results;
        try {
            mtl::store::Project project(path, mtl::store::Project::OpenMode::ReadOnly);
            const auto one = [&](qint64 id, bool isFull) {
                Decoded decoded;
                decoded.sampleId = id;
                decoded.full = isFull;
                try {
                    const bool found =
                        project.datasets().readImage(id, [&](const mtl::store::StoredImage &image) {
                            decoded.image = decode(image, root);
                        });
                    if (!found)
                        decoded.error = QObject::tr("sample %1 is not in the project").arg(id);
                    if (isFull && found && !dataset.maps.empty())
                        project.datasets().readMaps(dataset, id,
                                                    [&](const mtl::store::MapColumn &column,
                                                        const mtl::store::StoredMap &map) {
                                                        decoded.maps.push_back(
                                                            renderMap(column, map));
                                                    });
                } catch (const mtl::Error &e) {
                    decoded.error = describe(e);
                }
                // To the grid's cell: shrunk smoothly, or grown by whole pixels (a 28×28 image
                // stays sharp at 56×56).
                if (!isFull && !decoded.image.isNull()) {
                    const QSize size = decoded.image.size();
                    if (size.width() > side || size.height() > side) {
                        decoded.image = decoded.image.scaled(side, side, Qt::KeepAspectRatio,
                                                             Qt::SmoothTransformation);
                    } else {
                        const int factor =
                            std::max(1, std::min(side / size.width(), side / size.height()));
                        if (factor > 1)
                            decoded.image = decoded.image.scaled(size * factor, Qt::KeepAspectRatio,
                                                                 Qt::FastTransformation);
                    }
                }
                results.append(decoded);
            };
            if (full != 0)
                one(full, true);
            for (const qint64 id : thumbs)
                one(id, false);
        } catch (const mtl::Error &e) {
            for (const qint64 id : thumbs)
                results.append({id, false, QImage(), describe(e), {}});
            if (full != 0)
                results.append({full, true, QImage(), describe(e), {}});
        }
        return results;
    }));
}

void ThumbnailLoader::onBatchDone()
{
    m_busy = false;
    const QVector<Decoded> results = m_watcher.result();
    for (const Decoded &decoded : results) {
        if (decoded.full) {
            Q_EMIT mapsReady(decoded.sampleId, decoded.maps);
            Q_EMIT imageReady(decoded.sampleId, decoded.image, decoded.error);
            continue;
        }
        m_queued.remove(decoded.sampleId);
        // A sample that does not decode gets an empty grey tile; its error shows when opened.
        QImage image = decoded.image;
        if (image.isNull()) {
            image = QImage(m_side, m_side, QImage::Format_Grayscale8);
            image.fill(Qt::lightGray);
        }
        const int cost = std::max<int>(1, static_cast<int>(image.sizeInBytes() / 1024));
        m_cache.insert(decoded.sampleId, new QImage(std::move(image)), cost);
        Q_EMIT thumbnailReady(decoded.sampleId);
    }
    startBatch();
}

} // namespace mtl::widgets
