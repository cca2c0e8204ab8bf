// The main window's part in annotation review: opening a dataset's browser, and following the
// label edits it makes (the dataset list re-reads the edit counts).

#include "mainwindow.h"

#include "datasetbrowser.h"
#include "datasettablemodel.h"

#include <QStatusBar>
#include <QTableView>

namespace mtl::app {

using widgets::DatasetBrowser;

DatasetBrowser *MainWindow::reviewDataset(const QString &name)
{
    const mtl::store::DatasetInfo *dataset = nullptr;
    for (int row = 0; row < datasetModel()->rowCount(); ++row)
        if (const auto *d = datasetModel()->dataset(row);
            d && QString::fromStdString(d->name) == name)
            dataset = d;
    if (!dataset) {
        reportError(tr("No such dataset"),
                    tr("There is no dataset '%1' in this project to review.").arg(name));
        return nullptr;
    }
    QPointer<DatasetBrowser> &open = m_browsers[dataset->id];
    if (open) {
        open->raise();
        open->activateWindow();
        return open;
    }
    auto *browser = new DatasetBrowser(projectPath(), *dataset, m_session->isReadOnly(), this);
    connect(browser, &DatasetBrowser::labelsChanged, this, [this](qint64, qint64 edits) {
        statusBar()->showMessage(tr("Labels corrected: %n edit(s) in effect in this dataset; new "
                                    "runs train on them",
                                    nullptr, static_cast<int>(edits)),
                                 6000);
        refresh();
    });
    open = browser;
    browser->show();
    return browser;
}

void MainWindow::reviewSelectedDataset()
{
    const QModelIndex current = m_datasets->view()->currentIndex();
    const int row = current.isValid() ? current.row() : 0;
    if (const auto *dataset = datasetModel()->dataset(row))
        reviewDataset(QString::fromStdString(dataset->name));
}

} // namespace mtl::app
