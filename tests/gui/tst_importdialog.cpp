// File ▸ Import Dataset Files…: the form shows the chosen format's fields and says what is
// missing, its request carries what was filled in, and an import that is to ask offers to leave
// bad rows out, importing the rest on yes and nothing on no.

#include "datasettablemodel.h"
#include "fixtures.h"
#include "importdialog.h"
#include "mainwindow.h"
#include "store/project.h"

#include <QAbstractButton>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QAction>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <functional>

using namespace mtl;
using mtl::app::MainWindow;
using mtl::widgets::ImportDialog;

namespace {

template <class W> W *field(const ImportDialog &dialog, const char *name)
{
    W *widget = dialog.findChild<W *>(QLatin1String(name));
    if (!widget)
        qFatal("no field %s", name);
    return widget;
}

QPushButton *importButton(const ImportDialog &dialog)
{
    return field<QPushButton>(dialog, "importButton");
}

// img/{0,1,2}.png (8×8) and t.csv listing them and a fourth, missing image.
void writeCsvLayout(const QString &dir)
{
    QDir().mkpath(dir + u"/img"_qs);
    for (int i = 0; i < 3; ++i) {
        QImage image(8, 8, QImage::Format_RGB888);
        image.fill(QColor(i * 60, 100, 200));
        QVERIFY(image.save(dir + u"/img/"_qs + QString::number(i) + u".png"_qs));
    }
    QVERIFY(test::writeFile(dir + u"/t.csv"_qs,
                            "path,smile\n0.png,1\n1.png,0\n2.png,1\nmissing.png,0\n"));
}

// Clicks the button of the message box that comes up next whose text contains `text`.
void answerNextBox(const QString &text, bool *answered)
{
    QTimer::singleShot(50, [text, answered] {
        auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
        if (!box) {
            answerNextBox(text, answered);
            return;
        }
        qInfo("message box: %s %s", qPrintable(box->text()), qPrintable(box->informativeText()));
        for (QAbstractButton *button : box->buttons())
            if (button->text().remove(u'&').contains(text)) {
                *answered = true;
                button->click();
                return;
            }
        box->reject();
    });
}

} // namespace

class TestImportDialog : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_dir.isValid());
        writeCsvLayout(m_dir.path());
    }

    void showsTheFieldsOfTheFormat_data()
    {
        QTest::addColumn<QString>("format");
        QTest::addColumn<QStringList>("shown");
        QTest::addColumn<QStringList>("hidden");
        QTest::newRow("csv") << u"csv"_qs
                             << QStringList{u"importTable"_qs, u"importPathColumn"_qs,
                                            u"importSplitColumn"_qs, u"importResize"_qs}
                             << QStringList{u"importPartition"_qs, u"importDepthScale"_qs};
        QTest::newRow("celeba") << u"celeba"_qs
                                << QStringList{u"importTable"_qs, u"importPartition"_qs}
                                << QStringList{u"importPathColumn"_qs, u"importClasses"_qs};
        QTest::newRow("folders") << u"folders"_qs
                                 << QStringList{u"importClassAttributes"_qs, u"importSplit"_qs}
                                 << QStringList{u"importTable"_qs};
        QTest::newRow("nyuv2") << u"nyuv2"_qs
                               << QStringList{u"importClassNames"_qs, u"importDepthScale"_qs}
                               << QStringList{u"importTable"_qs, u"importResize"_qs,
                                              u"importSplit"_qs, u"importClasses"_qs};
        QTest::newRow("cityscapes")
            << u"cityscapes"_qs << QStringList{u"importClasses"_qs, u"importDepthScale"_qs}
            << QStringList{u"importResize"_qs};
    }

    void showsTheFieldsOfTheFormat()
    {
        QFETCH(QString, format);
        QFETCH(QStringList, shown);
        QFETCH(QStringList, hidden);
        ImportDialog dialog({});
        dialog.setFormat(format);
        dialog.show();
        QCOMPARE(dialog.format(), format);
        for (const QString &name : shown)
            QVERIFY2(dialog.findChild<QWidget *>(name)->isVisible(), qPrintable(name));
        for (const QString &name : hidden)
            QVERIFY2(!dialog.findChild<QWidget *>(name)->isVisible(), qPrintable(name));
        QVERIFY(!field<QLabel>(dialog, "importDescription")->text().isEmpty());
    }

    // Import stays disabled, with the reason shown, until the form is complete.
    void saysWhatIsMissing()
    {
        ImportDialog dialog({});
        dialog.setFormat(u"csv"_qs);
        QVERIFY(dialog.problem().contains(u"Choose the folder"_qs));
        QVERIFY(!importButton(dialog)->isEnabled());
        dialog.setRoot(m_dir.filePath(u"nowhere"_qs));
        QVERIFY(dialog.problem().contains(u"does not exist"_qs));
        dialog.setRoot(m_dir.filePath(u"img"_qs));
        QCOMPARE(field<QLineEdit>(dialog, "importName")->text(), u"img"_qs); // from the folder
        QVERIFY(dialog.problem().contains(u"Choose the table"_qs));
        field<QLineEdit>(dialog, "importTable")->setText(m_dir.filePath(u"gone.csv"_qs));
        QVERIFY(dialog.problem().contains(u"gone.csv does not exist"_qs));
        field<QLineEdit>(dialog, "importTable")->setText(m_dir.filePath(u"t.csv"_qs));
        QCOMPARE(dialog.problem(), QString());
        QVERIFY(importButton(dialog)->isEnabled());
        QCOMPARE(field<QLabel>(dialog, "importProblem")->text(), QString());
    }

    void denseNeedsItsLayoutAndANewName()
    {
        ImportDialog dialog({u"taken"_qs});
        dialog.setFormat(u"nyuv2"_qs);
        dialog.setRoot(m_dir.path());
        QVERIFY2(dialog.problem().contains(u"has no train/image folder"_qs),
                 qPrintable(dialog.problem()));
        QDir().mkpath(m_dir.filePath(u"train/image"_qs));
        QCOMPARE(dialog.problem(), QString());
        dialog.setDatasetName(u"taken"_qs);
        QVERIFY(dialog.problem().contains(u"has a dataset 'taken' already"_qs));
        // A typed name stays when the folder changes.
        auto *name = field<QLineEdit>(dialog, "importName");
        name->clear();
        QTest::keyClicks(name, u"rooms"_qs);
        dialog.setRoot(m_dir.filePath(u"img"_qs));
        QCOMPARE(name->text(), u"rooms"_qs);
    }

    void requestCarriesTheFields()
    {
        ImportDialog dialog({});
        dialog.setFormat(u"csv"_qs);
        dialog.setRoot(m_dir.filePath(u"img"_qs));
        dialog.setDatasetName(u"faces"_qs);
        field<QLineEdit>(dialog, "importTable")->setText(m_dir.filePath(u"t.csv"_qs));
        field<QLineEdit>(dialog, "importPathColumn")->setText(u"path"_qs);
        field<QLineEdit>(dialog, "importSplit")->setText(u"test"_qs);
        field<QCheckBox>(dialog, "importResize")->setChecked(true);
        auto *onError = field<QComboBox>(dialog, "importOnError");
        QVERIFY(dialog.asksOnError()); // the default
        auto request = dialog.request();
        QCOMPARE(request.dataset, std::string("faces"));
        QCOMPARE(request.file("root"), test::str(m_dir.filePath(u"img"_qs)));
        QCOMPARE(request.file("table"), test::str(m_dir.filePath(u"t.csv"_qs)));
        QCOMPARE(request.split, std::string("test"));
        QCOMPARE(request.option("path-column"), std::string("path"));
        QCOMPARE(request.option("resize"), std::string("64x64"));
        QCOMPARE(request.option("on-error"), std::string("fail"));
        QVERIFY(request.option("depth-scale").empty()); // not a csv field
        onError->setCurrentIndex(onError->findData(u"skip"_qs));
        QVERIFY(!dialog.asksOnError());
        QCOMPARE(dialog.request().option("on-error"), std::string("skip"));
    }

    void askingImport_data()
    {
        QTest::addColumn<QString>("answer");
        QTest::addColumn<bool>("imports");
        QTest::addColumn<QString>("reported");
        QTest::newRow("leave them out")
            << u"Leave Them Out"_qs << true << u"1 with problems left out"_qs;
        QTest::newRow("cancel") << u"Cancel"_qs << false << u"missing.png"_qs;
    }

    // An import that is to ask stops at the missing image and offers to leave it out: yes
    // imports the other three (one report, of the second try), no imports nothing.
    void askingImport()
    {
        QFETCH(QString, answer);
        QFETCH(bool, imports);
        QFETCH(QString, reported);
        const QString path =
            m_dir.filePath(QString::fromLatin1(QTest::currentDataTag()) + u".mtlproj"_qs);
        MainWindow window;
        QSignalSpy loaded(&window, &MainWindow::projectLoaded);
        QVERIFY(window.openProject(path, true));
        QVERIFY(loaded.wait(10000));
        QSignalSpy imported(&window, &MainWindow::importFinished);
        bool answered = false;
        answerNextBox(answer, &answered);
        QVERIFY(window.importFiles(u"csv"_qs, csvRequest(), true));
        QVERIFY(imported.wait(30000));
        QVERIFY(answered);
        QCOMPARE(imported.count(), 1);
        const QString message = imported.first().at(1).toString();
        QCOMPARE(imported.first().at(0).toBool(), imports);
        QVERIFY2(message.contains(reported), qPrintable(message));
        store::Project project(test::str(path));
        const auto dataset = project.datasets().find("smiles");
        QCOMPARE(bool(dataset), imports);
        if (dataset)
            QCOMPARE(dataset->splitSize("train"), 3);
    }

    // A dataset whose folder is gone: the window asks once where it is, checks the folder and
    // points the dataset there; a second refresh does not ask again.
    void asksOnceForAMovedFolder()
    {
        const QString dir = m_dir.filePath(u"moving"_qs);
        writeCsvLayout(dir);
        {
            store::Project project(test::str(dir + u"/p.mtlproj"_qs),
                                   store::Project::OpenMode::CreateIfMissing);
            auto request = csvRequest();
            request.files = {{"root", test::str(dir + u"/img"_qs)},
                             {"table", test::str(dir + u"/t.csv"_qs)}};
            request.options["on-error"] = "skip";
            data::makeImporter("csv")->run(project, request, {});
        }
        QVERIFY(QDir().rename(dir + u"/img"_qs, dir + u"/moved"_qs));
        bool answered = false, chosen = false;
        answerNextBox(u"Yes"_qs, &answered);
        // Then the folder dialog: pick the new place.
        std::function<void()> pick = [&] {
            auto *files = qobject_cast<QFileDialog *>(QApplication::activeModalWidget());
            if (!files) {
                QTimer::singleShot(50, pick);
                return;
            }
            chosen = true;
            files->setDirectory(dir + u"/moved"_qs); // accepted with nothing selected: itself
            QMetaObject::invokeMethod(files, "accept");
        };
        QTimer::singleShot(100, pick);
        MainWindow window;
        QSignalSpy loaded(&window, &MainWindow::projectLoaded);
        QSignalSpy relocated(&window, &MainWindow::importFinished);
        QVERIFY(window.openProject(dir + u"/p.mtlproj"_qs));
        QVERIFY(loaded.wait(10000));
        QVERIFY(relocated.wait(20000));
        QVERIFY(answered);
        QVERIFY(chosen);
        QVERIFY2(relocated.first().at(0).toBool(), qPrintable(relocated.first().at(1).toString()));
        QVERIFY(relocated.first().at(1).toString().contains(u"now reads its images from"_qs));
        {
            store::Project project(test::str(dir + u"/p.mtlproj"_qs));
            QCOMPARE(test::qstr(project.datasets().find("smiles")->root),
                     QFileInfo(dir + u"/moved"_qs).canonicalFilePath());
        }
        // Gone again: asked about the new place, not again about the old one.
        QVERIFY(QDir().rename(dir + u"/moved"_qs, dir + u"/img"_qs));
        bool askedAgain = false;
        answerNextBox(u"No"_qs, &askedAgain);
        window.findChild<QAction *>(u"refreshAction"_qs)->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(askedAgain, 5000);
    }

private:
    data::ImportRequest csvRequest() const
    {
        data::ImportRequest r;
        r.dataset = "smiles";
        r.split = "train";
        r.files = {{"root", test::str(m_dir.filePath(u"img"_qs))},
                   {"table", test::str(m_dir.filePath(u"t.csv"_qs))}};
        r.options = {{"on-error", "fail"}};
        return r;
    }

    QTemporaryDir m_dir;
};

QTEST_MAIN(TestImportDialog)
#include "tst_importdialog.moc"
