#pragma once
// The open project of a window: opens or creates it, and reads what the views show from it
// (snapshots of its datasets and runs, a run's curves) on pool threads, so no query blocks the
// GUI thread. Every read is stamped with a generation: a result from before the latest request
// of its kind, or from a project opened before, is dropped, never delivered.
// Thread contract: use from the thread that owns the session (the GUI thread); its signals
// are emitted there. The reads open their own read-only connections (projectreader.h).

#include "backgroundtask.h"
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

    // Opens `path` (made absolute; created when missing with `create`) on the calling thread:
    // migrates an old file and marks runs of processes that no longer exist interrupted, which
    // is fast and the one write the GUI thread does. On success, reads of the project open
    // before that are still in flight are dropped. False with *error set on failure, when the
    // session keeps the project it had, and its reads.
    bool open(const QString &path, bool create, QString *error, int *interruptedRuns);
    bool isOpen() const { return !m_path.isEmpty(); }
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

Q_SIGNALS:
    void snapshotRead(const mtl::widgets::ProjectSnapshot &snapshot);
    void curvesRead(const mtl::widgets::RunCurves &curves);
    void recordedCurvesRead(const mtl::widgets::RunCurves &curves);

private:
    template <typename Result, typename Read, typename Deliver>
    void launch(quint64 &latest, Read read, Deliver deliver);

    QString m_path;
    quint64 m_snapshotGeneration = 0, m_curvesGeneration = 0, m_recordedGeneration = 0;
    QList<QFutureWatcherBase *> m_inFlight;
};

} // namespace mtl::widgets
