// DatasetBrowser's comparison of a run's recorded predictions with the labels: reading them off
// the GUI thread, the "Model disagrees" filter, the count line and the heading's prediction.

#include "datasetbrowser.h"

#include "samplegridmodel.h"
#include "textconv.h"

#include "store/project.h"

#include <QtConcurrent/QtConcurrentRun>

#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QListView>
#include <QLocale>

#include <algorithm>

namespace mtl::widgets {

void DatasetBrowser::updateCount()
{
    const QLocale locale;
    QString text =
        tr("%1 of %2 samples · %n label edit(s) in effect", nullptr,
           m_edits ? static_cast<int>(m_edits->editsInEffect(m_dataset.id)) : 0)
            .arg(locale.toString(m_model->rowCount()), locale.toString(m_model->totalSamples()));
    if (const auto &predicted = m_model->predictions())
        text += QStringLiteral(" · ") +
                tr("run %1 predicted %2 %3 samples and disagrees on %4")
                    .arg(predicted->runId)
                    .arg(locale.toString(static_cast<qlonglong>(predicted->samples.size())),
                         toQt(predicted->split), locale.toString(m_model->disagreeingSamples()));
    m_count->setText(text);
}

void DatasetBrowser::showPredictionsOf(qint64 runId)
{
    m_wantedRun = runId;
    if (const int index = m_run->findData(static_cast<qlonglong>(runId)); index >= 0) {
        const QSignalBlocker quiet(m_run);
        m_run->setCurrentIndex(index);
    }
    if (runId == 0) {
        m_model->setPredictions(std::nullopt);
        m_disagrees->setEnabled(false);
        applyFilter();
        Q_EMIT predictionsChanged(0, {});
        return;
    }
    if (m_readingPredictions)
        return; // onPredictionsRead() asks again for the run wanted last
    m_readingPredictions = true;
    const std::string path = toStd(m_path);
    const mtl::store::DatasetInfo dataset = m_dataset;
    m_predictionWatcher.setFuture(QtConcurrent::run([path, dataset, runId] {
        PredictionsRead read;
        read.runId = runId;
        try {
            mtl::store::Project project(path, mtl::store::Project::OpenMode::ReadOnly);
            read.labels = mtl::report::predictedLabels(project, dataset, runId);
        } catch (const mtl::Error &e) {
            read.error = describe(e);
        }
        return read;
    }));
}

void DatasetBrowser::onPredictionsRead()
{
    PredictionsRead read = m_predictionWatcher.result();
    m_readingPredictions = false;
    if (read.runId != m_wantedRun) {
        showPredictionsOf(m_wantedRun);
        return;
    }
    m_model->setPredictions(std::move(read.labels));
    m_model->setSortColumn(m_sort->currentData().toInt());
    m_disagrees->setEnabled(m_model->predictions().has_value());
    if (!m_model->predictions())
        m_disagrees->setChecked(false);
    applyFilter();
    if (!read.error.isEmpty())
        m_count->setText(tr("No predictions to compare: %1").arg(read.error));
    Q_EMIT predictionsChanged(read.runId, read.error);
}

void DatasetBrowser::setDisagreesOnly(bool on, bool mostConfidentFirst)
{
    m_disagrees->setChecked(on && m_disagrees->isEnabled());
    if (!mostConfidentFirst)
        return;
    m_sort->setCurrentIndex(m_sort->findData(SampleGridModel::kSortByDisagreement));
    if (m_model->rowCount() > 0) { // the likeliest error, to review first
        m_grid->setCurrentIndex(m_model->index(0));
        m_grid->scrollToTop();
    }
}

QString DatasetBrowser::predictionText(int tableRow) const
{
    const auto &predicted = m_model->predictions();
    const auto *sample =
        m_model->prediction(m_model->table().rows[static_cast<std::size_t>(tableRow)].sampleId);
    if (!predicted || !sample)
        return {};
    const std::vector<int> wrong = m_model->disagreements(tableRow);
    QStringList parts;
    for (std::size_t k = 0; k < predicted->columns.size(); ++k) {
        const int column = predicted->columns[k];
        if (sample->values[k] < 0)
            continue;
        const bool differs = std::find(wrong.begin(), wrong.end(), column) != wrong.end();
        parts << QStringLiteral("%1 %2 (%3%)%4")
                     .arg(toQt(m_dataset.columns[static_cast<std::size_t>(column)].name),
                          m_model->labelText(column, sample->values[k]))
                     .arg(qRound(100.0 * sample->confidence[k]))
                     .arg(differs ? QStringLiteral(" ✗") : QString());
    }
    return tr("Run %1 predicts: %2").arg(predicted->runId).arg(parts.join(QStringLiteral(" · ")));
}

} // namespace mtl::widgets
