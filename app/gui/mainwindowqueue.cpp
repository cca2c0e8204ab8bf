// MainWindow's queue of experiments: adding to it, and starting the next whenever nothing
// trains (after a run ends, an import ends, or Run Queue).

#include "mainwindow.h"

#include "datasettablemodel.h"
#include "experimentqueue.h"
#include "textconv.h"
#include "experiment/config.h"

#include <QFileDialog>
#include <QStatusBar>

namespace mtl::app {

using widgets::ExperimentQueue;
using widgets::toQt;

bool MainWindow::enqueue(const QString &spec, const QStringList &overrides)
{
    if (!m_session->isOpen()) {
        reportError(tr("Cannot queue"), tr("Open or create a project first."));
        return false;
    }
    if (m_session->isReadOnly()) {
        reportError(
            tr("Cannot queue"),
            tr("%1 is read-only here: a run cannot be recorded in it.").arg(m_session->path()));
        return false;
    }
    // Read now, so a config that cannot run here is refused at once, not when its turn comes.
    mtl::experiment::ExperimentConfig config;
    if (!readConfig(spec, overrides, config))
        return false;
    if (!datasetModel()->contains(toQt(config.dataset))) {
        reportError(
            tr("Cannot queue"),
            tr("The project has no dataset '%1'. Import it first.").arg(toQt(config.dataset)));
        return false;
    }
    m_queue->append({spec, overrides, toQt(config.name)});
    statusBar()->showMessage(
        tr("Queued %1 (%2 waiting)").arg(toQt(config.name)).arg(m_queue->rowCount()), 10000);
    startQueued();
    return true;
}

void MainWindow::runQueue()
{
    m_queue->setHalted(false);
    startQueued();
}

void MainWindow::startQueued()
{
    while (!m_queue->isEmpty() && !m_queue->isHalted() && !isBusy()) {
        const ExperimentQueue::Entry next = m_queue->takeFirst();
        m_runFromQueue = true; // its errors go to the status bar, not a dialog
        if (startTraining(next.spec, next.overrides))
            return;
        m_runFromQueue = false;
        statusBar()->showMessage(tr("Queue: %1 could not start: %2").arg(next.name, m_lastError),
                                 30000);
        Q_EMIT runFinished(0, QStringLiteral("failed")); // as for a run that fails to set up
    }
}

void MainWindow::queueFromFile()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Add to Queue"), QString(),
                                                      tr("Experiment configs (*.json)"));
    if (!path.isEmpty())
        enqueue(path);
}

} // namespace mtl::app
