#include "runview.h"

#include "store/runmetrics.h"

#include "curveplot.h"
#include "runtablemodel.h"
#include "textconv.h"
#include "trainingcontroller.h"
#include "viewhelpers.h"

#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>

namespace mtl::widgets {

using mtl::store::RunStatus;

namespace {
std::string scoreOf(const RunCurves &curves, const std::string &task)
{
    const auto it = curves.scoreNames.find(task);
    return it == curves.scoreNames.end() ? std::string("accuracy") : it->second;
}
} // namespace

RunView::RunView(const RunTableModel *runs, const TrainingController *training, QWidget *parent)
    : QWidget(parent)
    , m_runs(runs)
    , m_training(training)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 8, 8, 8);
    m_title = makeHeading(QString(), this);
    QFont titleFont = m_title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.25);
    m_title->setFont(titleFont);
    m_details = new QLabel(this);
    m_details->setWordWrap(true);
    m_details->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_result = new QLabel(this);
    m_result->setWordWrap(true);
    m_result->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_title);
    layout->addWidget(m_details);
    layout->addWidget(m_result);

    m_lossPlot = new CurvePlot(this);
    m_lossPlot->setObjectName(QStringLiteral("lossPlot"));
    m_lossPlot->setTitle(tr("Training loss per task"));
    m_lossPlot->setAxisLabels(tr("step"), tr("loss"));
    m_lossPlot->setSmoothing(0.1);
    m_accuracyPlot = new CurvePlot(this);
    m_accuracyPlot->setObjectName(QStringLiteral("accuracyPlot"));
    m_accuracyPlot->setTitle(tr("Validation accuracy per task"));
    m_accuracyPlot->setAxisLabels(tr("epoch"), tr("accuracy"));
    m_accuracyPlot->setToolTip(
        tr("Each task's validation score per epoch: accuracy, or for a dense task its mIoU "
           "(segmentation), share of pixels within 1.25× of the true depth (δ<1.25) or within "
           "11.25° of the true normal"));
    m_accuracyPlot->setValueFormat(CurvePlot::ValueFormat::Percent);
    m_accuracyPlot->setMarkers(true);
    m_accuracyPlot->setIntegerKeys(true);
    auto *plots = new QSplitter(Qt::Vertical, this);
    plots->addWidget(m_lossPlot);
    plots->addWidget(m_accuracyPlot);
    plots->setStretchFactor(0, 3);
    plots->setStretchFactor(1, 2);
    layout->addWidget(plots, 1);

    m_attributeHeading = makeHeading(QString(), this);
    m_attributeTable = new QTableWidget(0, 3, this);
    m_attributeTable->setObjectName(QStringLiteral("attributeTable"));
    m_attributeTable->setHorizontalHeaderLabels({tr("Task"), tr("Attribute"), tr("Accuracy")});
    m_attributeTable->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_attributeTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_attributeTable->setAlternatingRowColors(true);
    m_attributeTable->setShowGrid(false);
    m_attributeTable->verticalHeader()->hide();
    // As high as the rows of the tables made by makeTable().
    m_attributeTable->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 8);
    m_attributeTable->horizontalHeader()->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    m_attributeTable->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_attributeTable->horizontalHeader()->setSectionResizeMode(1, QHeaderView::Stretch);
    m_attributeTable->setToolTip(tr("Accuracy of each binary attribute, worst first"));
    m_attributeHeading->hide(); // until a run with attributes is shown
    m_attributeTable->hide();

    showRun(RunCurves{}, false);
}

void RunView::showRun(const RunCurves &curves, bool live)
{
    m_live = live;
    m_displayed = curves;
    m_lossPlot->clear();
    m_accuracyPlot->clear();
    for (const std::string &task : curves.tasks) {
        const auto loss = curves.trainLoss.find(task);
        if (loss != curves.trainLoss.end())
            m_lossPlot->addPoints(toQt(task), loss->second.keys, loss->second.values);
        const auto accuracy = curves.valAccuracy.find(task);
        if (accuracy != curves.valAccuracy.end())
            m_accuracyPlot->addPoints(scoreSeries(task, scoreOf(curves, task)),
                                      accuracy->second.keys, accuracy->second.values);
    }
    if (!m_projectOpen) {
        m_lossPlot->setPlaceholderText(tr("Open a project (Ctrl+O) or create one (Ctrl+N)"));
        m_accuracyPlot->setPlaceholderText(QString());
    } else if (curves.runId == 0 && curves.tasks.empty()) {
        m_lossPlot->setPlaceholderText(tr("No run selected. Press Train (F5) to train the "
                                          "example experiment."));
        m_accuracyPlot->setPlaceholderText(QString());
    } else {
        m_lossPlot->setPlaceholderText(tr("This run recorded no training steps"));
        m_accuracyPlot->setPlaceholderText(tr("No validation yet"));
    }
    if (curves.runId != 0 || !curves.tasks.empty())
        m_details->setText(QString());
    showHeader(curves);
}

void RunView::showHeader(const RunCurves &curves)
{
    nameScores(curves);
    m_displayed = curves;
    if (curves.runId == 0 && curves.tasks.empty()) {
        const bool noRuns = m_runs->rowCount() == 0;
        m_title->setText(!m_projectOpen ? tr("No project open")
                         : noRuns       ? tr("No runs yet")
                                        : tr("No run selected"));
        m_details->setText(
            m_projectOpen && noRuns
                ? tr("Train (F5) runs the example experiment fmnist-hps: one small CNN shared by "
                     "two tasks, the 10 Fashion-MNIST classes and their 3 groups (shoes, for "
                     "women, other), for one epoch. Run ▸ Train Example has more.")
                : QString());
        m_result->clear();
        showAttributes(curves); // nothing to show: hides the table of a run shown before
        return;
    }
    const auto &info = curves.info;
    m_title->setText(curves.runId == 0
                         ? tr("New run — %1").arg(toQt(info.experimentName))
                         : tr("Run %1 — %2 on %3")
                               .arg(curves.runId)
                               .arg(toQt(info.experimentName), toQt(info.datasetName)));
    if (m_details->text().isEmpty() || !m_live) {
        QStringList details{RunTableModel::statusText(info.status)};
        if (!curves.architecture.isEmpty())
            details.append(curves.architecture);
        if (!info.device.empty())
            details.append(toQt(info.device));
        if (info.stepsTotal > 0)
            details.append(tr("%1 of %2 steps").arg(info.stepsDone).arg(info.stepsTotal));
        if (info.imagesPerSecond > 0)
            details.append(tr("%1 images/s").arg(QLocale().toString(info.imagesPerSecond, 'f', 0)));
        m_details->setText(details.join(QStringLiteral(" · ")));
    }
    QStringList accuracy;
    bool allAccuracy = true;
    for (const std::string &task : curves.tasks) {
        const auto it = curves.finalAccuracy.find(task);
        if (it == curves.finalAccuracy.end())
            continue;
        const QString label = toQt(mtl::store::scoreLabel(scoreOf(curves, task)));
        allAccuracy &= label.isEmpty();
        accuracy.append(
            QStringLiteral("<b>%1</b> %2%3")
                .arg(toQt(task).toHtmlEscaped(),
                     label.isEmpty() ? QString() : label.toHtmlEscaped() + QLatin1Char(' '),
                     percent(it->second)));
    }
    const bool resumable = mtl::store::isResumable(info.status);
    const QString resumeHint =
        resumable && !m_training->isRunning()
            ? tr(" — Run ▸ Resume Selected Run (%1) continues it from its checkpoint.")
                  .arg(m_resumeShortcut.toString(QKeySequence::NativeText))
            : QString();
    if (!info.error.empty() && info.status == RunStatus::Stopped)
        // A stop is the user's choice, not an error: its reason reads as a plain note.
        m_result->setText(QStringLiteral("%1%2").arg(toQt(info.error).toHtmlEscaped(),
                                                     resumeHint.toHtmlEscaped()));
    else if (!info.error.empty())
        m_result->setText(tr("<span style='color:#c62828'>Error: %1</span>%2")
                              .arg(toQt(info.error).toHtmlEscaped(), resumeHint.toHtmlEscaped()));
    else if (!accuracy.isEmpty())
        m_result->setText(
            (allAccuracy ? tr("Accuracy on %1: %2") : tr("Scores on %1: %2"))
                .arg(curves.evalSplit, accuracy.join(QStringLiteral(" · "))) +
            // How it ended early, or whose weights the scores are of.
            (info.note.empty()
                 ? QString()
                 : QStringLiteral("<br><i>%1</i>").arg(toQt(info.note).toHtmlEscaped())));
    else
        m_result->clear();
    showAttributes(curves);
}

void RunView::addLiveLoss(const QString &task, const QVector<double> &steps,
                          const QVector<double> &losses)
{
    if (m_live)
        m_lossPlot->addPoints(task, steps, losses);
}

void RunView::addLiveValidation(const QString &task, double epoch, double accuracy)
{
    if (m_live)
        m_accuracyPlot->addPoints(task, {epoch}, {accuracy});
}

void RunView::showLiveHeader(const RunCurves &curves)
{
    if (m_live)
        showHeader(curves);
}

void RunView::nameScores(const RunCurves &curves)
{
    // Dense tasks are scored by other shares than accuracy: the plot says so.
    const bool onlyAccuracy =
        std::all_of(curves.scoreNames.begin(), curves.scoreNames.end(),
                    [](const auto &entry) { return entry.second == "accuracy"; });
    m_accuracyPlot->setTitle(onlyAccuracy ? tr("Validation accuracy per task")
                                          : tr("Validation score per task"));
    m_accuracyPlot->setAxisLabels(tr("epoch"), onlyAccuracy ? tr("accuracy") : tr("score"));
}

void RunView::showLoading(const QString &dataset)
{
    m_lossPlot->setPlaceholderText(tr("Loading %1 and building the model…").arg(dataset));
}

void RunView::showStarted(const RunCurves &curves, const QString &details, bool redraw)
{
    m_live = true;
    m_details->setText(details);
    showHeader(curves); // keeps `details`: the run is live
    m_lossPlot->setPlaceholderText(tr("Waiting for the first step…"));
    m_accuracyPlot->setPlaceholderText(tr("Validation runs at the end of each epoch"));
    if (redraw) {
        showRun(curves, true);
        m_details->setText(details);
    }
}

void RunView::showAttributes(const RunCurves &curves)
{
    struct Row {
        std::string task, attribute;
        double accuracy;
    };
    std::vector<Row> rows;
    for (const auto &[task, attributes] : curves.attributeAccuracy)
        for (const auto &[attribute, accuracy] : attributes)
            rows.push_back({task, attribute, accuracy});
    // Errors first: the attributes the model gets wrong most often lead.
    std::sort(rows.begin(), rows.end(),
              [](const Row &a, const Row &b) { return a.accuracy < b.accuracy; });
    m_attributeTable->setSortingEnabled(false);
    m_attributeTable->setRowCount(static_cast<int>(rows.size()));
    for (int i = 0; i < static_cast<int>(rows.size()); ++i) {
        const Row &r = rows[static_cast<std::size_t>(i)];
        m_attributeTable->setItem(i, 0, new QTableWidgetItem(toQt(r.task)));
        m_attributeTable->setItem(i, 1, new QTableWidgetItem(toQt(r.attribute)));
        auto *value = new QTableWidgetItem(percent(r.accuracy));
        value->setData(Qt::UserRole, r.accuracy);
        value->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        m_attributeTable->setItem(i, 2, value);
    }
    m_attributeHeading->setText(curves.attributeSplit == QLatin1String("test")
                                    ? tr("Attributes — accuracy on test, worst first")
                                    : tr("Attributes — latest validation accuracy, worst first"));
    m_attributeHeading->setVisible(!rows.empty());
    m_attributeTable->setVisible(!rows.empty());
}

} // namespace mtl::widgets
