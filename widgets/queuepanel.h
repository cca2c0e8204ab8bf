#pragma once
// The queue of experiments below the runs: each waiting experiment, what happens next, and
// buttons to remove one (Delete) or all. Hidden while the queue is empty. GUI thread only.

#include <QWidget>

class QAction;
class QLabel;
class QListView;
class QPushButton;
class QToolButton;

namespace mtl::widgets {

class ExperimentQueue;

class QueuePanel final : public QWidget {
    Q_OBJECT
public:
    // runQueue: the action that continues a paused queue, shown as a button while it is paused.
    QueuePanel(ExperimentQueue *queue, QAction *runQueue, QWidget *parent = nullptr);

    // Whether a run is training now (the hint says the queue waits for it).
    void setTraining(bool training);

private:
    void update();
    void removeSelected();

    ExperimentQueue *m_queue;
    QListView *m_list;
    QLabel *m_hint;
    QPushButton *m_remove, *m_clear;
    QToolButton *m_continue;
    bool m_training = false;
};

} // namespace mtl::widgets
