#include "datasetpanel.h"

#include "datasettablemodel.h"
#include "viewhelpers.h"

#include <QHeaderView>
#include <QLabel>
#include <QTableView>
#include <QVBoxLayout>

namespace mtl::widgets {

DatasetPanel::DatasetPanel(QWidget *parent)
    : QWidget(parent)
    , m_model(new DatasetTableModel(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(makeHeading(tr("Datasets"), this));
    m_view = makeTable(m_model, this);
    m_view->setObjectName(QStringLiteral("datasetView"));
    m_view->setColumnHidden(DatasetTableModel::Format, true); // in the name's tooltip
    m_view->setMaximumHeight(m_view->verticalHeader()->defaultSectionSize() * 4 +
                             m_view->horizontalHeader()->sizeHint().height());
    layout->addWidget(m_view);
    m_hint = new QLabel(this);
    m_hint->setWordWrap(true);
    m_hint->setStyleSheet(QStringLiteral("color: palette(mid);"));
    layout->addWidget(m_hint);
}

void DatasetPanel::updateHint(bool projectOpen, bool readOnly)
{
    if (projectOpen && readOnly)
        m_hint->setText(tr("This project is read-only here: its runs can be browsed, but not "
                           "trained in or imported into."));
    else if (!projectOpen)
        m_hint->setText(tr("Open a project (Ctrl+O) or create one (Ctrl+N)."));
    else if (m_model->rowCount() == 0)
        m_hint->setText(tr("No datasets yet. Import Fashion-MNIST (Ctrl+I), or import your own "
                           "with mtlstudio-cli import."));
    else
        m_hint->clear();
    m_hint->setVisible(!m_hint->text().isEmpty());
}

} // namespace mtl::widgets
