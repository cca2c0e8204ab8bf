#include "projectsession.h"

#include "common/error.h"
#include "data/importer.h"
#include "store/project.h"
#include "textconv.h"

#include <QFileInfo>
#include <QFutureWatcher>
#include <QLocale>
#include <QtConcurrent/QtConcurrentRun>

namespace mtl::widgets {

ProjectSession::ProjectSession(QObject *parent)
    : QObject(parent)
{}

ProjectSession::~ProjectSession()
{
    for (QFutureWatcherBase *watcher : std::as_const(m_inFlight))
        watcher->waitForFinished();
}

template <typename Result, typename Read, typename Deliver>
void ProjectSession::launch(quint64 &latest, Read read, Deliver deliver)
{
    const quint64 generation = ++latest;
    auto *watcher = new QFutureWatcher<Result>(this);
    m_inFlight.append(watcher);
    connect(watcher, &QFutureWatcherBase::finished, this,
            [this, watcher, generation, &latest, deliver] {
                m_inFlight.removeOne(watcher);
                watcher->deleteLater();
                if (generation < latest) // a later request (or another project) supersedes it
                    return;
                deliver(watcher->result());
            });
    watcher->setFuture(QtConcurrent::run(std::move(read)));
}

bool ProjectSession::open(const QString &path, bool create, QString *error, int *interruptedRuns)
{
    const QString absolute = QFileInfo(path).absoluteFilePath();
    try {
        mtl::store::Project project(toStd(absolute),
                                    create ? mtl::store::Project::OpenMode::CreateIfMissing
                                           : mtl::store::Project::OpenMode::MustExist);
        *interruptedRuns = project.reconcileInterruptedRuns();
    } catch (const mtl::Error &e) {
        *error = describe(e);
        return false;
    }
    m_path = absolute;
    // Nothing read from the previous project is delivered any more.
    ++m_snapshotGeneration;
    ++m_curvesGeneration;
    ++m_recordedGeneration;
    return true;
}

void ProjectSession::refresh()
{
    if (m_path.isEmpty())
        return;
    const QString path = m_path;
    launch<ProjectSnapshot>(
        m_snapshotGeneration, [path] { return readProjectSnapshot(path); },
        [this](const ProjectSnapshot &snapshot) {
            if (snapshot.path == m_path)
                Q_EMIT snapshotRead(snapshot);
        });
}

void ProjectSession::readCurves(qint64 runId)
{
    const QString path = m_path;
    launch<RunCurves>(
        m_curvesGeneration, [path, runId] { return readRunCurves(path, runId); },
        [this](const RunCurves &curves) { Q_EMIT curvesRead(curves); });
}

void ProjectSession::readRecordedCurves(qint64 runId)
{
    const QString path = m_path;
    launch<RunCurves>(
        m_recordedGeneration, [path, runId] { return readRunCurves(path, runId); },
        [this](const RunCurves &curves) { Q_EMIT recordedCurvesRead(curves); });
}

BackgroundTask::Job ProjectSession::fashionMnistImport(const QString &dir) const
{
    const std::string path = toStd(m_path);
    const std::string source = toStd(dir);
    return [path, source](const mtl::ProgressFn &progress) {
        mtl::store::Project project(path);
        const auto importer = mtl::data::makeImporter("fashion-mnist");
        mtl::data::ImportRequest request;
        request.dataset = "fashion-mnist";
        if (!source.empty())
            request.files["dir"] = source;
        const auto summary = importer->run(project, request, progress);
        qint64 samples = 0;
        for (const auto &split : summary.added)
            samples += split.samples;
        return ProjectSession::tr("Imported %1 images into '%2' in %3 s.")
            .arg(QLocale().toString(samples), toQt(summary.dataset))
            .arg(summary.seconds, 0, 'f', 1);
    };
}

} // namespace mtl::widgets
