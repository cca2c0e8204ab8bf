// DatasetBrowser's label edits: each change a step of the project's history (store/labeledits.h)
// and of the browser's QUndoStack, restored from the store when the browser opens, so undo and
// redo work across sessions.

#include "datasetbrowser.h"

#include "datasetstatistics.h"
#include "samplegridmodel.h"
#include "samplepanel.h"
#include "textconv.h"

#include <QLabel>
#include <QUndoCommand>
#include <QUndoStack>

#include <map>

namespace mtl::widgets {

namespace {

// One step of the label-edit history. The first redo() applies the changes; later ones redo
// the stored step. Restored steps (from an earlier session) start as applied.
class LabelStepCommand final : public QUndoCommand {
public:
    LabelStepCommand(DatasetBrowser *browser, std::vector<mtl::store::LabelChange> changes,
                     const QString &text)
        : QUndoCommand(text)
        , m_browser(browser)
        , m_changes(std::move(changes))
    {}
    LabelStepCommand(DatasetBrowser *browser, const QString &text)
        : QUndoCommand(text)
        , m_browser(browser)
        , m_applied(true)
    {}
    void redo() override
    {
        if (m_applied) {
            m_browser->redoStep();
            return;
        }
        m_applied = true;
        if (m_browser->applyStep(m_changes) == 0)
            setObsolete(true); // nothing changed: not worth an undo step
    }
    void undo() override { m_browser->undoStep(); }

private:
    DatasetBrowser *m_browser;
    std::vector<mtl::store::LabelChange> m_changes;
    bool m_applied = false;
};

} // namespace

void DatasetBrowser::restoreHistory(const std::vector<mtl::store::LabelEdit> &history)
{
    // One command per stored step, oldest first, then the undone ones undone: the stack
    // mirrors the store without touching it.
    std::map<std::int64_t, std::vector<const mtl::store::LabelEdit *>> steps;
    for (const auto &edit : history)
        steps[edit.step].push_back(&edit);
    int done = 0;
    m_restoring = true;
    for (const auto &[step, edits] : steps) {
        const auto &first = *edits.front();
        const QString text =
            edits.size() == 1
                ? tr("Set %1 of sample %2 to %3")
                      .arg(columnText(static_cast<int>(first.columnId)))
                      .arg(first.sampleId)
                      .arg(first.newValue ? QString::number(*first.newValue) : tr("no label"))
                : tr("%n label change(s) (%1)", nullptr, static_cast<int>(edits.size()))
                      .arg(toQt(first.source));
        m_undo->push(new LabelStepCommand(this, text));
        if (!first.undone)
            ++done;
    }
    m_undo->setIndex(done);
    m_restoring = false;
    m_undo->setClean();
}

void DatasetBrowser::labelChangeRequested(qint64 sampleId, int column, std::int32_t value)
{
    if (!m_edits || column < 0 || column >= static_cast<int>(m_dataset.columns.size()))
        return;
    const auto &c = m_dataset.columns[static_cast<std::size_t>(column)];
    std::optional<std::int32_t> to;
    if (value >= 0)
        to = value;
    const QString text = tr("Set '%1' of sample %2 to %3")
                             .arg(toQt(c.name))
                             .arg(sampleId)
                             .arg(m_model->labelText(column, value));
    m_undo->push(new LabelStepCommand(this, {{sampleId, c.id, to}}, text));
}

std::int64_t DatasetBrowser::applyStep(const std::vector<mtl::store::LabelChange> &changes)
{
    if (!m_edits)
        return 0;
    try {
        const std::int64_t step = m_edits->apply(m_dataset.id, changes, "gui");
        refreshStep(step);
        return step;
    } catch (const mtl::Error &e) {
        m_count->setText(tr("The label was not changed: %1").arg(describe(e)));
        return 0;
    }
}

void DatasetBrowser::undoStep()
{
    if (m_restoring || !m_edits)
        return;
    refreshStep(m_edits->undo(m_dataset.id));
}

void DatasetBrowser::redoStep()
{
    if (m_restoring || !m_edits)
        return;
    refreshStep(m_edits->redo(m_dataset.id));
}

void DatasetBrowser::refreshStep(std::int64_t step)
{
    if (step == 0)
        return;
    std::map<std::int64_t, int> columnOf;
    for (std::size_t c = 0; c < m_dataset.columns.size(); ++c)
        columnOf[m_dataset.columns[c].id] = static_cast<int>(c);
    for (const auto &edit : m_edits->step(step)) {
        const auto value = edit.undone ? edit.oldValue : edit.newValue;
        m_model->setLabel(edit.sampleId, columnOf[edit.columnId], value ? *value : -1);
    }
    const auto edited = m_edits->editedSamples(m_dataset.id);
    m_model->setEdited(QSet<qint64>(edited.begin(), edited.end()));
    if (const qint64 current = m_panel->sampleId()) {
        const int r = m_model->tableRowOfSample(current);
        m_panel->setLabels(labelsOf(r), m_model->isEdited(current));
    }
    m_statistics->setData(m_model->dataset(), m_model->table());
    updateCount();
    Q_EMIT labelsChanged(m_dataset.id, m_edits->editsInEffect(m_dataset.id));
}

} // namespace mtl::widgets
