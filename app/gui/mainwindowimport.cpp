// MainWindow's imports of the datasets it can make from Debian's Fashion-MNIST: in the
// background (BackgroundTask), and offered when a config names one the project lacks.

#include "mainwindow.h"

#include "backgroundtask.h"
#include "jobstatus.h"
#include "trainingcontroller.h"

#include <QMessageBox>

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

bool MainWindow::offerImport(const QString &dataset)
{
    const QString again = tr("Press Train again when the import is done.");
    QString question;
    std::function<void()> import;
    if (dataset == QLatin1String("fashion-mnist")) {
        question = tr("This project has no dataset 'fashion-mnist'. Import it from Debian's "
                      "Fashion-MNIST package now?");
        import = [this] { importFashionMnist();
    };
}
else if (dataset == QLatin1String("multi-fashion"))
{
    question = tr("This project has no dataset 'multi-fashion'. Make it from Debian's "
                  "Fashion-MNIST package now?");
    import = [this] { importMultiFashion();
};
} // namespace mtl::app
else if (dataset == QLatin1String("fashion-scenes"))
{
    question = tr("This project has no dataset 'fashion-scenes'. Compose it from Debian's "
                  "Fashion-MNIST package now?");
    import = [this] { importFashionScenes();
};
}
else
{
    return false;
}
if (QMessageBox::question(this, tr("Dataset missing"), question + QLatin1Char(' ') + again) ==
    QMessageBox::Yes)
    import();
return true;
}

} // namespace mtl::app
