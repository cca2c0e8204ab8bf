// MainWindow's imports: the datasets it can make from Debian's Fashion-MNIST, and dataset files
// through the import dialog, in the background (BackgroundTask); the Fashion-MNIST ones are
// offered when a config names one the project lacks.

#include "mainwindow.h"

#include "backgroundtask.h"
#include "datasettablemodel.h"
#include "importdialog.h"
#include "jobstatus.h"
#include "textconv.h"
#include "trainingcontroller.h"

#include <QFileDialog>
#include <QFileInfo>
#include <QMessageBox>
#include <QPushButton>
#include <QStatusBar>

#include <functional>

namespace mtl::app {

bool MainWindow::importFashionMnist(const QString &dir)
{
    if (!m_session->isOpen() || m_import->isRunning() || m_training->isRunning())
        return false;
    m_jobStatus->begin(tr("Importing Fashion-MNIST…"));
    m_import->start(tr("Import Fashion-MNIST"), m_session->fashionMnistImport(dir));
    updateActions();
    return true;
}

bool MainWindow::importComposed(const QString &format, const QString &status, const QString &title,
                                const QString &dir)
{
    if (!m_session->isOpen() || m_import->isRunning() || m_training->isRunning())
        return false;
    m_jobStatus->begin(status);
    m_import->start(title, m_session->composedImport(format, dir));
    updateActions();
    return true;
}

bool MainWindow::importMultiFashion(const QString &dir)
{
    return importComposed(QStringLiteral("multi-fashion"),
                          tr("Making MultiFashion from Fashion-MNIST…"), tr("Import MultiFashion"),
                          dir);
}

bool MainWindow::importFashionScenes(const QString &dir)
{
    return importComposed(QStringLiteral("fashion-scenes"),
                          tr("Composing fashion scenes from Fashion-MNIST…"),
                          tr("Import Fashion Scenes"), dir);
}

bool MainWindow::importFiles(const QString &format, const mtl::data::ImportRequest &request,
                             bool askOnError)
{
    if (!m_session->isOpen() || m_session->isReadOnly() || m_import->isRunning() ||
        m_training->isRunning())
        return false;
    m_askingImport.reset();
    if (askOnError && request.option("on-error") != "skip")
        m_askingImport = AskingImport{format, request};
    const QString name = widgets::toQt(request.dataset);
    m_jobStatus->begin(tr("Importing '%1' (%2)…").arg(name, format));
    m_import->start(tr("Import %1").arg(name), m_session->fileImport(format, request));
    updateActions();
    return true;
}

void MainWindow::importFilesDialog()
{
    QStringList names;
    for (int row = 0; row < datasetModel()->rowCount(); ++row)
        if (const auto *dataset = datasetModel()->dataset(row))
            names.append(widgets::toQt(dataset->name));
    widgets::ImportDialog dialog(names, this);
    if (dialog.exec() == QDialog::Accepted)
        importFiles(dialog.format(), dialog.request(), dialog.asksOnError());
}

MainWindow::SkipOffer MainWindow::offerSkippingBadRows(const QString &message)
{
    if (!m_askingImport)
        return SkipOffer::NotAsked;
    AskingImport asking = *std::exchange(m_askingImport, std::nullopt);
    // Only a problem with a row or file of the input can be left out; anything else (a name
    // taken, a folder missing) is reported as it is.
    const auto &error = m_import->lastError();
    if (!error || error->code() != mtl::ErrorCode::InvalidInput || error->where().file.empty() ||
        !m_interactive)
        return SkipOffer::NotAsked;
    QMessageBox box(QMessageBox::Warning, tr("Import found a problem"),
                    tr("Importing '%1' stopped at a problem; nothing was imported.")
                        .arg(widgets::toQt(asking.request.dataset)),
                    QMessageBox::Cancel, this);
    box.setInformativeText(message + QStringLiteral("\n\n") +
                           tr("Import the rest, leaving out every row or file with a problem? "
                              "They are listed in the project's import log."));
    QPushButton *skip = box.addButton(tr("Leave Them Out"), QMessageBox::AcceptRole);
    box.setDefaultButton(skip);
    box.exec();
    if (box.clickedButton() != skip)
        return SkipOffer::Declined;
    asking.request.options["on-error"] = "skip";
    return importFiles(asking.format, asking.request, false) ? SkipOffer::Restarted
                                                             : SkipOffer::Declined;
}

void MainWindow::askForMovedFolders()
{
    if (!m_interactive || !m_session->isOpen() || m_session->isReadOnly() || isBusy())
        return;
    for (int row = 0; row < datasetModel()->rowCount(); ++row) {
        const auto *dataset = datasetModel()->dataset(row);
        if (!dataset || dataset->root.empty())
            continue;
        const QString name = widgets::toQt(dataset->name);
        const QString root = widgets::toQt(dataset->root);
        if (QFileInfo(root).isDir() ||
            !m_askedFolders.insert(projectPath() + u'|' + name + u'|' + root).second)
            continue;
        const auto answer = QMessageBox::question(
            this, tr("Dataset folder moved"),
            tr("The images of dataset '%1' were in %2, which is not there any more. Training "
               "and review need them (images of at most 64×64 pixels are in the project).\n\n"
               "Show where the folder is now?")
                .arg(name, root));
        if (answer != QMessageBox::Yes)
            continue;
        const QString folder = QFileDialog::getExistingDirectory(
            this, tr("Where are the images of '%1' now?").arg(name),
            QFileInfo(root).absolutePath());
        if (folder.isEmpty())
            continue;
        m_jobStatus->begin(tr("Checking %1…").arg(folder));
        m_import->start(tr("Relocate %1").arg(name), m_session->relocateJob(name, folder));
        updateActions();
        return; // the next refresh asks about the others
    }
}

bool MainWindow::offerImport(const QString &dataset)
{
    struct Offer {
        const char *dataset;
        QString question;
        std::function<void()> import;
    };
    const std::vector<Offer> offers{
        {"fashion-mnist",
         tr("This project has no dataset 'fashion-mnist'. Import it from Debian's Fashion-MNIST "
            "package now?"),
         [this] { importFashionMnist(); }},
        {"multi-fashion",
         tr("This project has no dataset 'multi-fashion'. Make it from Debian's Fashion-MNIST "
            "package now?"),
         [this] { importMultiFashion(); }},
        {"fashion-scenes",
         tr("This project has no dataset 'fashion-scenes'. Compose it from Debian's "
            "Fashion-MNIST package now?"),
         [this] { importFashionScenes(); }},
    };
    for (const Offer &offer : offers) {
        if (dataset != QLatin1String(offer.dataset))
            continue;
        const QString again = tr("Press Train again when the import is done.");
        if (QMessageBox::question(this, tr("Dataset missing"),
                                  offer.question + QLatin1Char(' ') + again) == QMessageBox::Yes)
            offer.import();
        return true;
    }
    return false;
}

} // namespace mtl::app
