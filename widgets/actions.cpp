#include "actions.h"

#include "textconv.h"
#include "train/catalog.h"

#include <QAction>
#include <QApplication>
#include <QKeySequence>
#include <QMenuBar>
#include <QSignalBlocker>
#include <QStyle>
#include <QToolBar>
#include <QWidget>

namespace mtl::widgets {

QAction *Actions::makeAction(QObject *parent, const char *name, const QIcon &icon,
                             const QString &text, const QKeySequence &shortcut,
                             const QString &toolTip)
{
    auto *action = new QAction(icon, text, parent);
    action->setObjectName(QLatin1String(name));
    action->setShortcut(shortcut);
    // The shortcut is appended here, so tooltips never disagree with the real binding.
    action->setToolTip(
        shortcut.isEmpty()
            ? toolTip
            : QStringLiteral("%1 (%2)").arg(toolTip, shortcut.toString(QKeySequence::NativeText)));
    return action;
}

Actions::Actions(QWidget *window)
    : QObject(window)
    , m_window(window)
{
    QStyle *s = window->style();
    m_new = makeAction(window, "newAction", s->standardIcon(QStyle::SP_FileDialogNewFolder),
                       tr("&New Project…"), QKeySequence::New,
                       tr("Create an empty project file (*.mtlproj)"));
    m_open =
        makeAction(window, "openAction", s->standardIcon(QStyle::SP_DialogOpenButton),
                   tr("&Open Project…"), QKeySequence::Open, tr("Open a project file (*.mtlproj)"));
    m_import = makeAction(
        window, "importAction", s->standardIcon(QStyle::SP_ArrowDown), tr("&Import Fashion-MNIST"),
        QKeySequence(Qt::CTRL | Qt::Key_I),
        tr("Import the 70,000 Fashion-MNIST images of Debian's dataset-fashion-mnist package "
           "with their class, group and visual attribute labels"));
    m_importMulti = makeAction(
        window, "importMultiFashionAction", {}, tr("Import &MultiFashion"),
        QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_I),
        tr("Make MultiFashion from Debian's Fashion-MNIST: two garments on each 36×36 image, one "
           "top left and one bottom right, tasks left and right (the benchmark of the Pareto "
           "MTL papers)"));
    m_importScenes = makeAction(
        window, "importFashionScenesAction", {}, tr("Import Fashion &Scenes"), {},
        tr("Compose 12,000 64×64 scenes of 2–4 garments from Debian's Fashion-MNIST, with a "
           "semantic, depth and normals map per scene: the dense tasks of segnet and MTAN"));
    m_importFiles = makeAction(
        window, "importFilesAction", s->standardIcon(QStyle::SP_DirOpenIcon),
        tr("Import Dataset &Files…"), QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_I),
        tr("Import a dataset as it ships: an image folder with a table, CelebA, Animals with "
           "Attributes 2, class folders, or NYUv2 and Cityscapes as the MTAN code reads them"));
    m_train = makeAction(
        window, "trainAction", s->standardIcon(QStyle::SP_MediaPlay), tr("&Train"),
        QKeySequence(Qt::Key_F5),
        tr("Train the example experiment fmnist-hps: 10 classes and 3 groups of Fashion-MNIST "
           "with one shared small CNN and a head per task"));
    m_trainFile =
        makeAction(window, "trainFileAction", {}, tr("Train from Config &File…"),
                   QKeySequence(Qt::CTRL | Qt::Key_F5),
                   tr("Train an experiment described by a JSON config (keys in docs/CONFIG.md)"));
    m_resume =
        makeAction(window, "resumeAction", {}, tr("&Resume Selected Run"),
                   QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R),
                   tr("Continue the selected stopped, interrupted or failed run from its latest "
                      "checkpoint, as the same run"));
    m_queueFile = makeAction(
        window, "queueFileAction", {}, tr("Config &File…"), QKeySequence(Qt::CTRL | Qt::Key_F6),
        tr("Add the experiment of a JSON config to the queue: it trains after the run in "
           "progress and the experiments before it"));
    m_runQueue = makeAction(window, "runQueueAction", {}, tr("Run &Queue"),
                            QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_F6),
                            tr("Train the waiting experiments one after another (a failed one "
                               "does not stop the queue; Stop pauses it)"));
    m_pause = makeAction(window, "pauseAction", s->standardIcon(QStyle::SP_MediaPause),
                         tr("&Pause"), QKeySequence(Qt::Key_F6),
                         tr("Pause training after the current batch; press again to resume"));
    m_pause->setCheckable(true);
    connect(m_pause, &QAction::toggled, this, &Actions::showPaused);
    m_stop = makeAction(window, "stopAction", s->standardIcon(QStyle::SP_MediaStop), tr("&Stop"),
                        QKeySequence(Qt::SHIFT | Qt::Key_F5),
                        tr("Stop after the current batch, keeping the model trained so far as "
                           "the run's checkpoint"));
    m_stopAfterEpoch = makeAction(
        window, "stopAfterEpochAction", {}, tr("Stop &After This Epoch"),
        QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_F5),
        tr("Finish the epoch being trained, validate and checkpoint it, then stop; Resume "
           "Selected Run continues from there"));
    // Not QKeySequence::Refresh: that is F5 on Linux, which is Train.
    m_refresh =
        makeAction(window, "refreshAction", s->standardIcon(QStyle::SP_BrowserReload),
                   tr("&Refresh"), QKeySequence(Qt::CTRL | Qt::Key_R),
                   tr("Re-read the project file (runs started from the command line appear here)"));
    m_review = makeAction(window, "reviewDatasetAction", {}, tr("Review &Dataset…"),
                          QKeySequence(Qt::CTRL | Qt::Key_D),
                          tr("Browse the selected dataset's images and labels, correct labels "
                             "(undoable, used by training) and see its statistics"));
    m_quit = makeAction(window, "quitAction", {}, tr("&Quit"), QKeySequence::Quit, QString());
    m_about = new QAction(tr("&About MTL Studio"), window);
    m_aboutQt = new QAction(tr("About &Qt"), window);
    connect(m_aboutQt, &QAction::triggered, qApp, &QApplication::aboutQt);
}

void Actions::addToMenuBar(QMenuBar *bar, QMenu *recent)
{
    QMenu *file = bar->addMenu(tr("&File"));
    file->addAction(m_new);
    file->addAction(m_open);
    file->addMenu(recent);
    file->addSeparator();
    file->addAction(m_import);
    file->addAction(m_importMulti);
    file->addAction(m_importScenes);
    file->addAction(m_importFiles);
    file->addSeparator();
    file->addAction(m_quit);

    QMenu *run = bar->addMenu(tr("&Run"));
    run->addAction(m_train);
    m_examples = run->addMenu(tr("Train &Example"));
    addExamples(m_examples, &Actions::exampleChosen);
    run->addAction(m_trainFile);
    run->addAction(m_resume);
    run->addSeparator();
    m_queue = run->addMenu(tr("Add to &Queue"));
    m_queue->setObjectName(QStringLiteral("queueMenu"));
    m_queue->setToolTipsVisible(true);
    addExamples(m_queue, &Actions::exampleQueued);
    m_queue->addSeparator();
    m_queue->addAction(m_queueFile);
    run->addAction(m_runQueue);
    run->addSeparator();
    run->addAction(m_pause);
    run->addAction(m_stop);
    run->addAction(m_stopAfterEpoch);

    QMenu *view = bar->addMenu(tr("&View"));
    view->addAction(m_review);
    view->addAction(m_refresh);

    QMenu *help = bar->addMenu(tr("&Help"));
    help->addAction(m_about);
    help->addAction(m_aboutQt);
}

void Actions::addExamples(QMenu *menu, void (Actions::*chosen)(const QString &))
{
    for (const std::string &name : mtl::experiment::exampleExperiments()) {
        const QString spec = QStringLiteral("example:%1").arg(toQt(name));
        QAction *action = menu->addAction(toQt(name));
        connect(action, &QAction::triggered, this, [this, chosen, spec] { (this->*chosen)(spec); });
    }
}

void Actions::addToToolBar(QToolBar *tools)
{
    tools->addAction(m_new);
    tools->addAction(m_open);
    tools->addAction(m_import);
    tools->addSeparator();
    tools->addAction(m_train);
    tools->addAction(m_pause);
    tools->addAction(m_stop);
    tools->addSeparator();
    tools->addAction(m_refresh);
}

void Actions::showPaused(bool paused)
{
    m_pause->setText(paused ? tr("&Resume") : tr("&Pause"));
    m_pause->setIcon(
        m_window->style()->standardIcon(paused ? QStyle::SP_MediaPlay : QStyle::SP_MediaPause));
}

void Actions::update(const State &state)
{
    const bool busy = state.training || state.importing || state.opening;
    const bool writable = state.projectOpen && !state.readOnly && !busy;
    m_new->setEnabled(!busy);
    m_open->setEnabled(!busy);
    m_import->setEnabled(writable && state.canImport);
    m_importMulti->setEnabled(writable && state.canImportMultiFashion);
    m_importScenes->setEnabled(writable && state.canImportFashionScenes);
    m_importFiles->setEnabled(writable);
    m_train->setEnabled(writable);
    if (m_examples)
        m_examples->setEnabled(writable);
    m_trainFile->setEnabled(writable);
    m_resume->setEnabled(writable && state.canResume);
    // Queueing is possible while a run trains; starting the queue is not.
    const bool canQueue = state.projectOpen && !state.readOnly && !state.opening;
    if (m_queue)
        m_queue->setEnabled(canQueue);
    m_queueFile->setEnabled(canQueue);
    m_runQueue->setEnabled(writable && state.queueWaiting);
    m_pause->setEnabled(state.training);
    if (!state.training && m_pause->isChecked()) {
        const QSignalBlocker block(m_pause);
        m_pause->setChecked(false);
        showPaused(false);
    }
    m_stop->setEnabled(state.training || state.importing);
    m_stopAfterEpoch->setEnabled(state.training);
    m_refresh->setEnabled(state.projectOpen);
    m_review->setEnabled(state.projectOpen && !state.opening && state.hasDatasets);
}

} // namespace mtl::widgets
