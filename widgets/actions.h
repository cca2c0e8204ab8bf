#pragma once
// The workbench's commands as QActions with their shortcuts and tooltips, and the menus and
// toolbar that hold them; what they do is connected by their user. Every action is made by
// makeAction(), which appends the shortcut to the tooltip, so a tooltip never disagrees with
// the binding. GUI thread only. The actions are children of the window given (their shortcuts
// are its).

#include <QObject>
#include <QString>

class QAction;
class QIcon;
class QKeySequence;
class QMenu;
class QMenuBar;
class QToolBar;
class QWidget;

namespace mtl::widgets {

class Actions final : public QObject {
    Q_OBJECT
public:
    explicit Actions(QWidget *window);

    // An action named `name` (its objectName), with "tooltip (shortcut)" as its tooltip.
    static QAction *makeAction(QObject *parent, const char *name, const QIcon &icon,
                               const QString &text, const QKeySequence &shortcut,
                               const QString &toolTip);

    // What is possible now; enables and disables the actions accordingly.
    struct State {
        bool projectOpen = false;
        bool readOnly = false;  // the project may not be written here: nothing that writes
        bool opening = false;   // a project is being opened
        bool training = false;  // a run is being trained or about to start
        bool importing = false; // an import is in progress
        bool canImport = false; // the project has no Fashion-MNIST yet
        bool canImportMultiFashion = false;  // … and no MultiFashion
        bool canImportFashionScenes = false; // … and no fashion scenes
        bool canResume = false;              // the selected run can continue from its checkpoint
        bool queueWaiting = false;           // experiments wait in the queue
        bool hasDatasets = false;            // the project holds a dataset to review
    };
    void update(const State &state);

    // File (with `recent` after Open), Run (with Train Example), View and Help.
    void addToMenuBar(QMenuBar *bar, QMenu *recent);
    void addToToolBar(QToolBar *tools);

    QAction *newProject() const { return m_new; }
    QAction *openProject() const { return m_open; }
    QAction *importFashionMnist() const { return m_import; }
    QAction *importMultiFashion() const { return m_importMulti; }
    QAction *importFashionScenes() const { return m_importScenes; }
    // File ▸ Import Dataset Files…: the ImportDialog.
    QAction *importFiles() const { return m_importFiles; }
    QAction *train() const { return m_train; }
    QAction *trainFromFile() const { return m_trainFile; }
    QAction *resume() const { return m_resume; }
    // Add a config file's experiment to the queue (also while a run trains).
    QAction *queueFromFile() const { return m_queueFile; }
    // Start the first waiting experiment (after a stop paused the queue).
    QAction *runQueue() const { return m_runQueue; }
    // Checkable: checked while paused, when it reads "Resume".
    QAction *pause() const { return m_pause; }
    QAction *stop() const { return m_stop; }
    // Ends the run after the epoch in progress (validated and checkpointed), resumable.
    QAction *stopAfterEpoch() const { return m_stopAfterEpoch; }
    QAction *refresh() const { return m_refresh; }
    QAction *reviewDataset() const { return m_review; }
    QAction *quit() const { return m_quit; }
    QAction *about() const { return m_about; }
    // One entry per example experiment (train/catalog.h); null before addToMenuBar().
    QMenu *examplesMenu() const { return m_examples; }
    // Add to Queue: the examples, then Config File…; null before addToMenuBar().
    QMenu *queueMenu() const { return m_queue; }

Q_SIGNALS:
    // An entry of Train Example was chosen: "example:NAME".
    void exampleChosen(const QString &spec);
    // An entry of Add to Queue was chosen: "example:NAME".
    void exampleQueued(const QString &spec);

private:
    void showPaused(bool paused);
    // One entry per example experiment in `menu`, each emitting `chosen` with "example:NAME".
    void addExamples(QMenu *menu, void (Actions::*chosen)(const QString &));

    QWidget *m_window;
    QAction *m_new, *m_open, *m_import, *m_importMulti, *m_importScenes, *m_importFiles, *m_train,
        *m_trainFile, *m_resume, *m_queueFile, *m_runQueue, *m_pause, *m_stop, *m_stopAfterEpoch,
        *m_refresh, *m_review, *m_quit, *m_about, *m_aboutQt;
    QMenu *m_examples = nullptr;
    QMenu *m_queue = nullptr;
};

} // namespace mtl::widgets
