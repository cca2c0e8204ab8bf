#include "liverun.h"

#include "projectsession.h"
#include "runtablemodel.h"
#include "textconv.h"
#include "trainingcontroller.h"
#include "viewhelpers.h"

#include <QLocale>
#include <QStringList>

#include <algorithm>

namespace mtl::widgets {

using mtl::store::RunStatus;

LiveRun::LiveRun(TrainingController *training, ProjectSession *session, QObject *parent)
    : QObject(parent)
    , m_training(training)
    , m_session(session)
{
    connect(session, &ProjectSession::recordedCurvesRead, this, &LiveRun::onRecordedCurvesRead);
    connect(training, &TrainingController::started, this, &LiveRun::onStarted);
    connect(training, &TrainingController::stepsArrived, this, &LiveRun::onSteps);
    connect(training, &TrainingController::evaluating, this, &LiveRun::onEvaluating);
    connect(training, &TrainingController::evaluated, this, &LiveRun::onEvaluated);
    connect(training, &TrainingController::statusChanged, this, &LiveRun::onStatus);
    connect(training, &TrainingController::finished, this, &LiveRun::onFinished);
}

void LiveRun::begin(const mtl::experiment::ExperimentConfig &config)
{
    m_curves = RunCurves{};
    m_curves.info.experimentName = config.name;
    m_curves.info.datasetName = config.dataset;
    m_curves.info.status = RunStatus::Queued;
    for (const auto &task : config.tasks)
        m_curves.tasks.push_back(task.name);
    m_recorded = RunCurves{};
    m_metrics = mtl::store::RunMetrics{};
    m_startDetails.clear();
}

void LiveRun::start(const mtl::experiment::ExperimentConfig &config)
{
    begin(config);
    m_training->start(m_session->path(), config);
}

void LiveRun::resume(qint64 runId, const mtl::experiment::ExperimentConfig &config)
{
    begin(config);
    m_pending = PendingResume{runId, config};
    m_session->readRecordedCurves(runId);
}

void LiveRun::onRecordedCurvesRead(const RunCurves &recorded)
{
    if (!m_pending || recorded.runId != m_pending->runId)
        return;
    m_recorded = recorded;
    mtl::train::TrainerOptions options;
    options.resumeRunId = m_pending->runId;
    const mtl::experiment::ExperimentConfig config = m_pending->config;
    m_pending.reset();
    m_training->start(m_session->path(), config, options);
}

void LiveRun::onStarted(const mtl::train::RunStartInfo &info)
{
    m_curves.runId = info.runId;
    m_curves.info.id = info.runId;
    m_curves.info.device = info.device;
    m_curves.info.status = RunStatus::Running;
    m_curves.info.stepsTotal = info.stepsTotal;
    m_curves.tasks = info.tasks;
    m_curves.evalSplit = toQt(info.evalSplit);
    m_curves.architecture = toQt(info.architecture);
    m_startDetails =
        tr("%1 · %2 (%3 parameters) · %4 training / %5 validation images, %n epoch(s) of %6 "
           "steps; final evaluation on %7",
           nullptr, info.epochs)
            .arg(toQt(info.device), toQt(info.model),
                 QLocale().toString(static_cast<qlonglong>(info.parameters)),
                 QLocale().toString(static_cast<qlonglong>(info.trainSamples)),
                 QLocale().toString(static_cast<qlonglong>(info.valSamples)))
            .arg(info.stepsPerEpoch)
            .arg(toQt(info.evalSplit)) +
        (info.weighting.empty() ? QString() : QStringLiteral(" · ") + toQt(info.weighting)) +
        (info.optimizer.empty() ? QString() : QStringLiteral(" · ") + toQt(info.optimizer)) +
        (info.resumedFromStep > 0
             ? tr(" · resumed from its checkpoint at step %1").arg(info.resumedFromStep)
             : QString());
    const bool withRecorded = info.resumedFromStep > 0 && m_recorded.runId == info.runId;
    if (withRecorded) {
        // What was recorded up to the checkpoint; the live steps and validations follow it.
        const auto upTo = [](Curve &curve, double lastKey) {
            qsizetype n = 0;
            while (n < curve.keys.size() && curve.keys[n] <= lastKey)
                ++n;
            curve.keys.resize(n);
            curve.values.resize(n);
        };
        const qint64 lastEpoch = info.resumedFromStep / std::max<qint64>(1, info.stepsPerEpoch);
        for (auto &[task, curve] : m_recorded.trainLoss) {
            upTo(curve, static_cast<double>(info.resumedFromStep));
            m_curves.trainLoss[task] = curve;
        }
        for (auto &[task, curve] : m_recorded.valAccuracy) {
            upTo(curve, static_cast<double>(lastEpoch));
            m_curves.valAccuracy[task] = curve;
        }
    }
    m_recorded = RunCurves{};
    Q_EMIT started(info, withRecorded);
}

void LiveRun::onSteps(const std::vector<mtl::train::StepProgress> &steps)
{
    const auto &last = steps.back();
    const std::size_t tasks = m_curves.tasks.size();
    std::vector<QVector<double>> keys(tasks), values(tasks);
    for (const auto &step : steps)
        for (std::size_t t = 0; t < tasks && t < step.taskLosses.size(); ++t) {
            keys[t].append(static_cast<double>(step.step));
            values[t].append(step.taskLosses[t]);
        }
    for (std::size_t t = 0; t < tasks; ++t) {
        Curve &curve = m_curves.trainLoss[m_curves.tasks[t]];
        curve.keys += keys[t];
        curve.values += values[t];
        Q_EMIT lossAdded(toQt(m_curves.tasks[t]), keys[t], values[t]);
    }
    m_curves.info.stepsDone = last.step;
    m_curves.info.imagesPerSecond = last.imagesPerSecond;
    Q_EMIT progressChanged(last.step, last.stepsTotal);
    Q_EMIT progressTextChanged(tr("step %1/%2 · epoch %3/%4 · %5 img/s · ETA %6")
                                   .arg(last.step)
                                   .arg(last.stepsTotal)
                                   .arg(last.epoch)
                                   .arg(last.epochs)
                                   .arg(QLocale().toString(last.imagesPerSecond, 'f', 0),
                                        formatDuration(last.etaSeconds)));
}

void LiveRun::onEvaluating(qint64, const QString &split, double fraction)
{
    Q_EMIT progressTextChanged(
        split == QLatin1String("test")
            ? tr("evaluating on the test split… %1 %").arg(qRound(fraction * 100))
            : tr("validating… %1 %").arg(qRound(fraction * 100)));
}

void LiveRun::onEvaluated(const mtl::train::EvaluationResult &result)
{
    // This evaluation's validation accuracy extends the per-epoch curves.
    mtl::store::RunMetrics evaluation;
    evaluation.add(result.rows);
    for (const std::string &task : evaluation.tasks()) {
        const std::string score = evaluation.scoreName(task);
        if (score.empty())
            continue;
        m_curves.scoreNames[task] = score;
        for (const auto &point : evaluation.validation(task, score)) {
            Curve &curve = m_curves.valAccuracy[task];
            curve.keys.append(point.key);
            curve.values.append(point.value);
            Q_EMIT validationAdded(scoreSeries(task, score), point.key, point.value);
        }
    }
    // All evaluations so far: per-attribute accuracy from the test split once it is evaluated,
    // else from the latest validation; final accuracy once the final evaluation is in.
    m_metrics.add(result.rows);
    m_curves.attributeAccuracy = m_metrics.finalAttributes("accuracy");
    if (!m_curves.attributeAccuracy.empty())
        m_curves.attributeSplit = toQt(m_metrics.finalSplit());
    if (result.split != "val") {
        for (const auto &[task, values] : m_metrics.finalMetrics()) {
            const auto accuracy = values.find(m_metrics.scoreName(task));
            if (accuracy != values.end())
                m_curves.finalAccuracy[task] = accuracy->second;
        }
        m_curves.evalSplit = toQt(m_metrics.finalSplit());
    }
    Q_EMIT changed(m_curves);
}

void LiveRun::onStatus(qint64 runId, RunStatus status)
{
    m_curves.info.status = status;
    if (status == RunStatus::Paused)
        Q_EMIT progressTextChanged(tr("paused at step %1 of %2 · F6 resumes")
                                       .arg(m_curves.info.stepsDone)
                                       .arg(m_curves.info.stepsTotal));
    Q_EMIT statusChanged(runId, status);
    Q_EMIT changed(m_curves);
}

void LiveRun::onFinished(const mtl::train::RunResult &result)
{
    m_curves.info.status = result.status;
    m_curves.info.error = result.error;
    m_curves.info.imagesPerSecond = result.imagesPerSecond;
    Q_EMIT changed(m_curves);
    Q_EMIT finished(result);
}

QString LiveRun::summary(const mtl::train::RunResult &result)
{
    QStringList accuracy;
    bool allAccuracy = true;
    for (const auto &[task, metrics] : result.metrics) {
        const auto shown = mtl::store::headline(metrics);
        if (!shown)
            continue;
        allAccuracy &= shown->name == "accuracy";
        accuracy.append(QStringLiteral("%1 %2").arg(
            toQt(task), shown->name == "accuracy" ? percent(shown->value) : toQt(shown->text())));
    }
    QString message =
        tr("Run %1 %2 in %3 (%4 images/s)")
            .arg(result.runId)
            .arg(RunTableModel::statusText(result.status), formatDuration(result.totalSeconds),
                 QLocale().toString(result.imagesPerSecond, 'f', 0));
    if (!accuracy.isEmpty())
        message += (allAccuracy ? tr(": %1 accuracy %2") : tr(": %1 %2"))
                       .arg(toQt(result.evalSplit), accuracy.join(QStringLiteral(", ")));
    return message;
}

} // namespace mtl::widgets
