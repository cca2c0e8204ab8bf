// mtlstudio: the workbench. `mtlstudio [PROJECT]` opens the window (on the last project when
// none is given); --train, --screenshot and --quit-when-done script it for demos and tests.

#include "common/allocator.h"
#include "experimentqueue.h"
#include "datasetbrowser.h"
#include "datasettablemodel.h"
#include "importdialog.h"
#include "mainwindow.h"
#include "samplepanel.h"
#include "recentprojectsmenu.h"
#include "trainingcontroller.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QIcon>
#include <QLibraryInfo>
#include <QLocale>
#include <QPointer>
#include <QTabWidget>
#include <QTimer>
#include <QTranslator>

#include <cstdio>

int main(int argc, char *argv[])
{
    mtl::tuneAllocator();
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("mtlstudio"));
    QApplication::setOrganizationName(QStringLiteral("MTL Studio"));
    QApplication::setApplicationDisplayName(QStringLiteral("MTL Studio"));
    QApplication::setApplicationVersion(QStringLiteral(MTL_VERSION));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/mtlstudio.svg")));
    QApplication::setDesktopFileName(QStringLiteral("mtlstudio"));

    QTranslator qtTranslator, appTranslator;
    if (qtTranslator.load(QLocale(), QStringLiteral("qtbase"), QStringLiteral("_"),
                          QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        QApplication::installTranslator(&qtTranslator);
    if (appTranslator.load(QLocale(), QStringLiteral("mtlstudio"), QStringLiteral("_"),
                           QStringLiteral(":/i18n")))
        QApplication::installTranslator(&appTranslator);

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QApplication::translate("main", "MTL Studio, a workbench for multi-task learning in "
                                        "computer vision."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(
        QStringLiteral("project"),
        QApplication::translate("main", "Project file to open (*.mtlproj)."),
        QStringLiteral("[PROJECT]"));
    const QCommandLineOption trainOption(
        QStringLiteral("train"),
        QApplication::translate("main", "Start training CONFIG (a JSON file or example:NAME) once "
                                        "the project is open."),
        QStringLiteral("CONFIG"));
    const QCommandLineOption setOption(
        QStringLiteral("set"),
        QApplication::translate("main", "Override a config key for --train and --queue, e.g. "
                                        "train.max_steps_per_epoch=50 (repeatable)."),
        QStringLiteral("KEY=VALUE"));
    const QCommandLineOption queueOption(
        QStringLiteral("queue"),
        QApplication::translate("main", "Add CONFIG to the queue once the project is open "
                                        "(repeatable): it trains after --train and the ones "
                                        "before it."),
        QStringLiteral("CONFIG"));
    const QCommandLineOption screenshotOption(
        QStringLiteral("screenshot"),
        QApplication::translate("main", "Save a PNG of the window once the project is shown (after "
                                        "the run with --train)."),
        QStringLiteral("FILE"));
    const QCommandLineOption quitOption(
        QStringLiteral("quit-when-done"),
        QApplication::translate(
            "main", "Quit after --train, --queue and --screenshot are done (exit code 0 "
                    "when the run completed, 2 for bad input, 3 when the run "
                    "failed)."));
    const QCommandLineOption reviewOption(
        QStringLiteral("review"),
        QApplication::translate("main", "Open the annotation browser of DATASET once the project "
                                        "is open (--screenshot then saves the browser)."),
        QStringLiteral("DATASET"));
    const QCommandLineOption reviewSampleOption(
        QStringLiteral("review-sample"),
        QApplication::translate("main", "With --review: select sample ID."), QStringLiteral("ID"));
    const QCommandLineOption reviewTabOption(
        QStringLiteral("review-tab"),
        QApplication::translate("main", "With --review: show the samples or the statistics tab."),
        QStringLiteral("samples|statistics"));
    const QCommandLineOption reviewOverlayOption(
        QStringLiteral("review-overlay"),
        QApplication::translate("main", "With --review: lay the dense label MAP over the image."),
        QStringLiteral("MAP"));
    const QCommandLineOption reviewPredictionsOption(
        QStringLiteral("review-predictions"),
        QApplication::translate("main", "With --review: compare run RUN's predictions with the "
                                        "labels and show the samples it disagrees with."),
        QStringLiteral("RUN"));
    const QCommandLineOption importDialogOption(
        QStringLiteral("import-dialog"),
        QApplication::translate("main", "Open File ▸ Import Dataset Files… for FORMAT once the "
                                        "project is open (--screenshot then saves the dialog)."),
        QStringLiteral("FORMAT"));
    const QCommandLineOption importRootOption(
        QStringLiteral("import-root"),
        QApplication::translate("main", "With --import-dialog: the dataset folder to fill in."),
        QStringLiteral("DIR"));
    parser.addOptions({trainOption, queueOption, setOption, screenshotOption, quitOption,
                       reviewOption, reviewSampleOption, reviewTabOption, reviewOverlayOption,
                       reviewPredictionsOption, importDialogOption, importRootOption});
    parser.process(app);

    mtl::app::MainWindow window;
    const bool scripted = parser.isSet(quitOption);
    window.setInteractive(!scripted);
    window.show();

    QString project = parser.positionalArguments().value(0);
    if (project.isEmpty()) {
        const QStringList recent = mtl::widgets::RecentProjectsMenu::recentProjects();
        if (!recent.isEmpty() && QFileInfo::exists(recent.first()))
            project = recent.first();
    }
    int exitCode = 0;
    const QString screenshot = parser.value(screenshotOption);
    QPointer<QWidget> shown = &window; // what --screenshot grabs
    const auto takeScreenshot = [&] {
        if (screenshot.isEmpty())
            return;
        if (shown && shown->grab().save(screenshot))
            std::fprintf(stderr, "mtlstudio: saved %s\n", qPrintable(screenshot));
        else {
            std::fprintf(stderr, "mtlstudio: cannot write %s\n", qPrintable(screenshot));
            exitCode = 1;
        }
    };
    const auto finish = [&] {
        // Let queued replots land before grabbing.
        QTimer::singleShot(400, &window, [&] {
            takeScreenshot();
            if (scripted)
                QApplication::exit(0); // main returns exitCode
        });
    };

    if (!project.isEmpty()) {
        const bool exists = QFileInfo::exists(project);
        if (!window.openProject(project, /*create*/ !exists && scripted)) {
            if (scripted) {
                std::fprintf(stderr, "mtlstudio: %s\n", qPrintable(window.lastError()));
                return 2;
            }
        }
        // Scripted, a project that turns out not to open ends the program.
        QObject::connect(&window, &mtl::app::MainWindow::projectOpenFailed, &window,
                         [&](const QString &message) {
                             if (!scripted)
                                 return;
                             std::fprintf(stderr, "mtlstudio: %s\n", qPrintable(message));
                             exitCode = 2;
                             QApplication::exit(0);
                         });
    }
    const QStringList queued = parser.values(queueOption);
    if ((parser.isSet(trainOption) || !queued.isEmpty()) && project.isEmpty()) {
        std::fprintf(stderr, "mtlstudio: --train and --queue need a project to train in\n");
        return 2;
    }
    if (parser.isSet(trainOption) || !queued.isEmpty()) {
        const QString spec = parser.value(trainOption);
        const QStringList overrides = parser.values(setOption);
        QObject::connect(
            &window, &mtl::app::MainWindow::projectLoaded, &window,
            [&, spec, overrides, queued] {
                bool ok = spec.isEmpty() || window.startTraining(spec, overrides);
                for (const QString &config : queued)
                    ok = ok && window.enqueue(config, overrides);
                if (!ok) {
                    std::fprintf(stderr, "mtlstudio: %s\n", qPrintable(window.lastError()));
                    exitCode = 2;
                    finish();
                }
            },
            Qt::SingleShotConnection);
        // Done when the last run ended and nothing waits (a failed one does not stop the queue).
        QObject::connect(&window, &mtl::app::MainWindow::runFinished, &window,
                         [&](qint64, const QString &status) {
                             if (status != QLatin1String("completed"))
                                 exitCode = 3;
                             if (window.queue()->isEmpty())
                                 finish();
                         });
    } else if (parser.isSet(reviewOption)) {
        if (project.isEmpty()) {
            std::fprintf(stderr, "mtlstudio: --review needs a project\n");
            return 2;
        }
        const QString dataset = parser.value(reviewOption);
        const qint64 sample = parser.value(reviewSampleOption).toLongLong();
        const bool statistics = parser.value(reviewTabOption) == QLatin1String("statistics");
        const QString overlay = parser.value(reviewOverlayOption);
        const qint64 predictionsOf = parser.value(reviewPredictionsOption).toLongLong();
        QObject::connect(
            &window, &mtl::app::MainWindow::projectLoaded, &window,
            [&, dataset, sample, statistics, overlay, predictionsOf] {
                mtl::widgets::DatasetBrowser *browser = window.reviewDataset(dataset);
                if (!browser) {
                    std::fprintf(stderr, "mtlstudio: %s\n", qPrintable(window.lastError()));
                    exitCode = 2;
                    if (scripted)
                        QApplication::exit(0);
                    return;
                }
                shown = browser;
                if (!overlay.isEmpty())
                    browser->panel()->preferOverlay(overlay);
                QObject::connect(browser, &mtl::widgets::DatasetBrowser::predictionsChanged,
                                 browser, [&, browser](qint64, const QString &error) {
                                     if (!error.isEmpty())
                                         std::fprintf(stderr, "mtlstudio: %s\n", qPrintable(error));
                                     browser->setDisagreesOnly(true, true);
                                 });
                QObject::connect(browser, &mtl::widgets::DatasetBrowser::loaded, browser,
                                 [&, browser, sample, statistics, predictionsOf] {
                                     if (predictionsOf > 0)
                                         browser->showPredictionsOf(predictionsOf);
                                     if (sample && !browser->selectSample(sample))
                                         std::fprintf(stderr,
                                                      "mtlstudio: no sample %lld in this dataset\n",
                                                      static_cast<long long>(sample));
                                     if (statistics)
                                         browser->tabs()->setCurrentIndex(1);
                                     // Thumbnails decode in the background: give them time before
                                     // grabbing.
                                     if (!screenshot.isEmpty() || scripted)
                                         QTimer::singleShot(1500, browser, finish);
                                 });
            },
            Qt::SingleShotConnection);
    } else if (parser.isSet(importDialogOption)) {
        const QString format = parser.value(importDialogOption);
        if (project.isEmpty() || !mtl::widgets::ImportDialog::formats().contains(format)) {
            std::fprintf(stderr, "mtlstudio: --import-dialog needs a project and one of %s\n",
                         qPrintable(mtl::widgets::ImportDialog::formats().join(u", ")));
            return 2;
        }
        const QString root = parser.value(importRootOption);
        QObject::connect(
            &window, &mtl::app::MainWindow::projectLoaded, &window,
            [&, format, root] {
                QStringList names;
                for (int row = 0; row < window.datasetModel()->rowCount(); ++row)
                    names.append(QString::fromStdString(window.datasetModel()->dataset(row)->name));
                auto *dialog = new mtl::widgets::ImportDialog(names, &window);
                dialog->setAttribute(Qt::WA_DeleteOnClose);
                dialog->setFormat(format);
                if (!root.isEmpty())
                    dialog->setRoot(root);
                QObject::connect(dialog, &QDialog::accepted, &window, [&window, dialog] {
                    window.importFiles(dialog->format(), dialog->request(), dialog->asksOnError());
                });
                dialog->show();
                shown = dialog;
                if (!screenshot.isEmpty() || scripted)
                    QTimer::singleShot(400, dialog, finish);
            },
            Qt::SingleShotConnection);
    } else if (!screenshot.isEmpty() || scripted) {
        if (project.isEmpty())
            finish();
        else // the selected run's curves are read after the project; give them a moment
            QObject::connect(
                &window, &mtl::app::MainWindow::projectLoaded, &window,
                [&] { QTimer::singleShot(600, &window, finish); }, Qt::SingleShotConnection);
    }
    return app.exec() == 0 ? exitCode : 1;
}
