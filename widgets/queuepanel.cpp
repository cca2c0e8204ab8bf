#include "queuepanel.h"

#include "experimentqueue.h"
#include "viewhelpers.h"

#include <QAction>
#include <QHBoxLayout>
#include <QItemSelectionModel>
#include <QLabel>
#include <QListView>
#include <QPushButton>
#include <QToolButton>
#include <QVBoxLayout>

namespace mtl::widgets {

QueuePanel::QueuePanel(ExperimentQueue *queue, QAction *runQueue, QWidget *parent)
    : QWidget(parent)
    , m_queue(queue)
{
    setObjectName(QStringLiteral("queuePanel"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(makeHeading(tr("Queue"), this));
    m_list = new QListView(this);
    m_list->setObjectName(QStringLiteral("queueView"));
    m_list->setModel(queue);
    m_list->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_list->setMaximumHeight(m_list->fontMetrics().height() * 7);
    layout->addWidget(m_list);

    auto *row = new QHBoxLayout;
    m_hint = new QLabel(this);
    m_hint->setWordWrap(true);
    m_hint->setStyleSheet(QStringLiteral("color: palette(mid);"));
    row->addWidget(m_hint, 1);
    m_remove = new QPushButton(tr("Remove"), this);
    m_remove->setObjectName(QStringLiteral("queueRemoveButton"));
    m_remove->setToolTip(tr("Take the selected experiments out of the queue (Delete)"));
    m_clear = new QPushButton(tr("Clear"), this);
    m_clear->setObjectName(QStringLiteral("queueClearButton"));
    m_clear->setToolTip(tr("Take every waiting experiment out of the queue"));
    m_continue = new QToolButton(this);
    m_continue->setObjectName(QStringLiteral("queueContinueButton"));
    m_continue->setDefaultAction(runQueue);
    m_continue->setToolButtonStyle(Qt::ToolButtonTextOnly);
    row->addWidget(m_continue);
    row->addWidget(m_remove);
    row->addWidget(m_clear);
    layout->addLayout(row);

    auto *removeKey = new QAction(this);
    removeKey->setShortcut(QKeySequence::Delete);
    removeKey->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_list->addAction(removeKey);
    connect(removeKey, &QAction::triggered, this, &QueuePanel::removeSelected);
    connect(m_remove, &QPushButton::clicked, this, &QueuePanel::removeSelected);
    connect(m_clear, &QPushButton::clicked, queue, &ExperimentQueue::clear);
    connect(queue, &ExperimentQueue::changed, this, &QueuePanel::update);
    connect(m_list->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &QueuePanel::update);
    update();
}

void QueuePanel::setTraining(bool training)
{
    m_training = training;
    update();
}

void QueuePanel::update()
{
    const int waiting = m_queue->rowCount();
    setVisible(waiting > 0);
    m_remove->setEnabled(m_list->selectionModel()->hasSelection());
    m_continue->setVisible(m_queue->isHalted());
    if (m_queue->isHalted())
        m_hint->setText(tr("Paused after a stop: Run Queue continues with the first."));
    else if (m_training)
        m_hint->setText(waiting == 1 ? tr("1 experiment waits for the current run; a failure "
                                          "does not stop the queue.")
                                     : tr("%1 experiments wait for the current run; a failure "
                                          "does not stop the queue.")
                                           .arg(waiting));
    else
        m_hint->setText(waiting == 1 ? tr("1 experiment waiting.")
                                     : tr("%1 experiments waiting.").arg(waiting));
}

void QueuePanel::removeSelected()
{
    QList<int> rows;
    for (const QModelIndex &index : m_list->selectionModel()->selectedIndexes())
        rows << index.row();
    m_queue->remove(rows);
}

} // namespace mtl::widgets
