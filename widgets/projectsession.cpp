#include "projectsession.h"

#include "common/error.h"
#include "data/imagetable.h"
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

namespace {
ProjectSession::OpenResult openOnWorker(const QString &path, bool create)
{
    using mtl::store::Project;
    ProjectSession::OpenResult result;
    result.path = path;
    try {
        try {
            Project project(toStd(path),
                            create ? Project::OpenMode::CreateIfMissing
                                   : Project::OpenMode::MustExist,
                            Project::Checks::Integrity);
            result.interruptedRuns = project.reconcileInterruptedRuns();
        } catch (const mtl::Error &e) {
            if (e.code() != mtl::ErrorCode::Io || !QFileInfo::exists(path))
                throw;
            // Not writable here: read it, and say why it cannot be trained in.
            Project project(toStd(path), Project::OpenMode::Read, Project::Checks::Integrity);
            result.readOnly = true;
        }
    } catch (const mtl::Error &e) {
        result.error = describe(e);
    }
    return result;
}
} // namespace

bool ProjectSession::open(const QString &path, bool create, QString *error)
{
    const QFileInfo info(path);
    const QString absolute = info.absoluteFilePath();
    if (!create && !info.exists()) {
        *error = tr("%1: project file does not exist").arg(absolute);
        return false;
    }
    if (info.isDir()) {
        *error = tr("%1: is a folder, not a project file").arg(absolute);
        return false;
    }
    m_opening = true;
    launch<OpenResult>(
        m_openGeneration, [absolute, create] { return openOnWorker(absolute, create); },
        [this](const OpenResult &result) {
            m_opening = false;
            if (result.error.isEmpty()) {
                m_path = result.path;
                m_readOnly = result.readOnly;
                // Nothing read from the previous project is delivered any more.
                ++m_snapshotGeneration;
                ++m_curvesGeneration;
                ++m_recordedGeneration;
            }
            Q_EMIT opened(result);
        });
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

namespace {
// An import of `format` into this project through its own connection.
BackgroundTask::Job importJob(const std::string &path, const std::string &format,
                              const mtl::data::ImportRequest &request)
{
    return [path, format, request](const mtl::ProgressFn &progress) {
        mtl::store::Project project(path);
        const auto importer = mtl::data::makeImporter(format);
        const auto summary = importer->run(project, request, progress);
        qint64 samples = 0;
        for (const auto &split : summary.added)
            samples += split.samples;
        QString text = ProjectSession::tr("Imported %1 images into '%2' in %3 s.")
                           .arg(QLocale().toString(samples), toQt(summary.dataset))
                           .arg(summary.seconds, 0, 'f', 1);
        if (summary.skipped > 0)
            text += QLatin1Char(' ') +
                    ProjectSession::tr("%n with problems left out (listed in the import log).",
                                       nullptr, static_cast<int>(summary.skipped));
        return text;
    };
}

// An import of a built-in format from Fashion-MNIST's directory into dataset `dataset`.
BackgroundTask::Job fashionImport(const std::string &path, const std::string &format,
                                  const std::string &dataset, const std::string &source)
{
    mtl::data::ImportRequest request;
    request.dataset = dataset;
    if (!source.empty())
        request.files["dir"] = source;
    return importJob(path, format, request);
}
} // namespace

BackgroundTask::Job ProjectSession::relocateJob(const QString &name, const QString &folder) const
{
    return [path = toStd(m_path), name = toStd(name),
            folder = toStd(folder)](const mtl::ProgressFn &) {
        mtl::store::Project project(path);
        const std::size_t checked = mtl::data::relocateDataset(project, name, folder);
        return ProjectSession::tr("Dataset '%1' now reads its images from %2 (%n image(s) "
                                  "checked).",
                                  nullptr, static_cast<int>(checked))
            .arg(toQt(name), toQt(project.datasets().find(name)->root));
    };
}

BackgroundTask::Job ProjectSession::fileImport(const QString &format,
                                               const mtl::data::ImportRequest &request) const
{
    return importJob(toStd(m_path), toStd(format), request);
}

BackgroundTask::Job ProjectSession::fashionMnistImport(const QString &dir) const
{
    return fashionImport(toStd(m_path), "fashion-mnist", "fashion-mnist", toStd(dir));
}

BackgroundTask::Job ProjectSession::composedImport(const QString &format, const QString &dir) const
{
    return fashionImport(toStd(m_path), toStd(format), toStd(format), toStd(dir));
}

} // namespace mtl::widgets
