#pragma once
// The open project of a window: opens or creates it, and reads what the views show from it
// (snapshots of its datasets and runs, a run's curves) on pool threads, so no query blocks the
// GUI thread. Every read is stamped with a generation: a result from before the latest request
// of its kind, or from a project opened before, is dropped, never delivered.
// Thread contract: use from the thread that owns the session (the GUI thread); its signals
// are emitted there. The reads open their own read-only connections (projectreader.h).

#include "backgroundtask.h"
#include "data/importer.h"
#include "projectreader.h"

#include <QList>
#include <QObject>
#include <QString>

class QFutureWatcherBase;

namespace mtl::widgets {

class ProjectSession final : public QObject {
    Q_OBJECT
public:
    explicit ProjectSession(QObject *parent = nullptr);
    ~ProjectSession() override; // waits for the reads in flight

    struct OpenResult {
        QString path;  // absolute
        QString error; // empty on success
        int interruptedRuns = 0;
        bool readOnly = false; // the file may be read but not written here
    };
    // Opens `path` (made absolute; created when missing with `create`) on a pool thread:
    // checks it is an undamaged project (quick_check reads every page), migrates an old file
    // and marks runs of processes that no longer exist interrupted; a project this user may
    // not write is opened read-only instead. opened() follows. False with *error set at once
    // for a path that cannot be a project (missing without `create`, a directory); then, and
    // when the open fails later, the session keeps the project it had, and its reads.
    bool open(const QString &path, bool create, QString *error);
    bool isOpening() const { return m_opening; }
    bool isOpen() const { return !m_path.isEmpty(); }
    bool isReadOnly() const { return m_readOnly; }
    QString path() const { return m_path; } // absolute, empty before the first open

    // Reads the datasets and runs; snapshotRead() follows unless another refresh() or open()
    // comes first.
    void refresh();
    // Reads a run's curves for display; curvesRead() follows unless superseded likewise.
    void readCurves(qint64 runId);
    // Reads what a run recorded before it is resumed; recordedCurvesRead() follows.
    void readRecordedCurves(qint64 runId);

    // A BackgroundTask job that imports Debian's Fashion-MNIST (or the IDX files in `dir`) into
    // this project through its own connection, returning a one-line summary.
    BackgroundTask::Job fashionMnistImport(const QString &dir = {}) const;
    // A dataset an importer composes from Fashion-MNIST ("multi-fashion", "fashion-scenes"),
    // seed 0 and default counts, named as its format.
    BackgroundTask::Job composedImport(const QString &format, const QString &dir = {}) const;
    // Points dataset `name` at the folder its image files moved to (checked to hold them).
    BackgroundTask::Job relocateJob(const QString &name, const QString &folder) const;
    // An import of dataset files (ImportDialog's formats) as `request` says.
    BackgroundTask::Job fileImport(const QString &format,
                                   const mtl::data::ImportRequest &request) const;

Q_SIGNALS:
    // The open() just finished; on success the session is on the new project, and nothing
    // read from the previous one is delivered any more.
    void opened(const mtl::widgets::ProjectSession::OpenResult &result);
    void snapshotRead(const mtl::widgets::ProjectSnapshot &snapshot);
    void curvesRead(const mtl::widgets::RunCurves &curves);
    void recordedCurvesRead(const mtl::widgets::RunCurves &curves);

private:
    template <typename Result, typename Read, typename Deliver>
    void launch(quint64 &latest, Read read, Deliver deliver);

    QString m_path;
    bool m_readOnly = false, m_opening = false;
    quint64 m_openGeneration = 0;
    quint64 m_snapshotGeneration = 0, m_curvesGeneration = 0, m_recordedGeneration = 0;
    QList<QFutureWatcherBase *> m_inFlight;
};

} // namespace mtl::widgets
