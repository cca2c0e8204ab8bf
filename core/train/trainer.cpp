#include "train/trainer.h"

#include "train/trainerimpl.h"

#include "common/blas.h"
#include "common/error.h"
#include "model/factory.h"
#include "store/project.h"
#include "store/runmetrics.h"
#include "train/catalog.h"

#include <torch/utils.h>

#include <algorithm>
#include <chrono>
#include <thread>

namespace mtl::train {

using experiment::ExperimentConfig;

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start)
{
    return std::chrono::duration<double>(Clock::now() - start).count();
}

} // namespace

EvaluationResult Trainer::Impl::finalEvaluation(const ExperimentConfig &config, std::int64_t runId,
                                                int lastEpoch, TrainerListener *listener,
                                                const std::atomic<bool> &stop, std::string &note,
                                                bool &interrupted)
{
    // With train.keep_best, of the best epoch's weights.
    int evaluatedEpoch = lastEpoch;
    if (config.train.keepBest && monitor && monitor->bestEpoch() > 0 &&
        monitor->bestEpoch() != lastEpoch) {
        if (!best) // saved by an earlier session of this run
            best = project->runs().bestCheckpoint(runId);
        if (!best)
            throw Error(ErrorCode::Training, "train.keep_best: the checkpoint of the best "
                                             "epoch is missing from the project");
        checkpointer->restoreModel(*best);
        if (channelsLast)
            model::toChannelsLast(*model);
        evaluatedEpoch = monitor->bestEpoch();
        note += (note.empty() ? "" : "; ") +
                std::string("final evaluation with the weights of epoch ") +
                std::to_string(evaluatedEpoch) + " (best val " + config.train.monitor + " " +
                numberText(monitor->best()) + ")";
        journal->setNote(note);
        if (!testSource) {
            store::MetricFilter filter;
            filter.split = "val";
            lastValidation.clear();
            for (const auto &row : project->runs().metrics(runId, filter))
                if (row.epoch == evaluatedEpoch)
                    lastValidation.push_back(row);
        }
    }
    EvaluationResult evaluation{runId, progress.step, evaluatedEpoch, evalSplit, {}};
    interrupted = false;
    if (testSource) {
        Evaluator::Outcome outcome =
            evaluate(*testSource, "test", evaluatedEpoch, config, listener, stop);
        interrupted = outcome.interrupted;
        evaluation.rows = std::move(outcome.rows);
        auto &metrics = journal->pending().rows<store::MetricRow>();
        metrics.insert(metrics.end(), evaluation.rows.begin(), evaluation.rows.end());
    } else {
        evaluation.rows = lastValidation;
    }
    if (!interrupted)
        probeSamples(evaluatedEpoch, true);
    return evaluation;
}

RunResult Trainer::run(TrainerListener *listener)
{
    prepare();
    Impl &d = *m_impl;
    const experiment::TrainConfig &tc = m_config.train;
    const auto runStarted = Clock::now();
    RunResult result;
    result.runId = m_runId;
    result.evalSplit = d.evalSplit;
    RunJournal &journal = *d.journal;
    d.journal->attach(m_runId);

    const auto setStatus = [&](store::RunStatus status, const std::string &error = {}) {
        journal.setStatus(status, error);
        if (listener)
            listener->statusChanged(m_runId, status);
    };
    const auto flush = [&] { journal.flush(d.progress.step, d.progress.imagesPerSecond); };
    const auto checkpoint = [&](int epoch) {
        if (journal.writes())
            journal.saveCheckpoint(d.checkpointer->capture(epoch, d.progress.step));
        d.checkpointStep = d.progress.step;
        d.checkpointEpoch = epoch;
    };
    std::string stopMessage; // set when the run stops for a reason other than requestStop()

    try {
        // More threads than cores only slow training down: capped, and said so.
        const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
        const int threads = tc.threads > 0 ? std::min(tc.threads, cores) : cores;
        std::vector<std::string> warnings;
        if (tc.threads > cores)
            warnings.push_back("train.threads is " + std::to_string(tc.threads) +
                               " but this machine has " + std::to_string(cores) +
                               " cores; training with " + std::to_string(cores) + " threads");
        if (d.device.is_cpu() && loadedBlas().isReference())
            warnings.push_back("the BLAS library loaded is the reference one (" +
                               loadedBlas().path +
                               "): fully connected layers train several times slower than with "
                               "OpenBLAS; install libopenblas0-openmp");
        std::map<std::string, std::string> environment = m_options.environment;
        if (tc.amp && d.device.is_cuda()) {
            d.model->setMixedPrecision(true);
            environment["amp"] = "bfloat16 autocast";
        } else if (tc.amp) {
            warnings.push_back("train.amp is ignored on the CPU (mixed precision here is CUDA "
                               "autocast); training in float32");
            environment["amp"] = "ignored on the cpu";
        }
        // Which labels the run trains on: the dataset's corrections in effect now.
        environment["label_edits"] = std::to_string(d.dataset.labelEdits);
        torch::set_num_threads(threads);
        result.device = d.device.str();
        journal.markStarted(result.device,
                            environmentJson(d.device, threads, tc.seed, environment));
        if (listener)
            listener->statusChanged(m_runId, store::RunStatus::Running);

        d.loadData(m_config, m_options.preloadBatches);
        d.chooseProbeSamples(m_config);
        if (d.monitor && d.valSource && tc.monitor != "loss") {
            // A monitored metric the tasks do not record fails now, not after the first epoch:
            // the metric names of one validation batch (a meter that saw no label in it says
            // nothing, and the check waits for the first validation).
            const std::vector<store::MetricRow> rows =
                d.evaluator->firstBatchMetrics(*d.valSource, tc.seed);
            const auto dot = tc.monitor.find('.');
            bool conclusive = true;
            for (const std::string &task : d.taskNames)
                if (dot == std::string::npos || tc.monitor.compare(0, dot, task) == 0)
                    conclusive &= std::any_of(rows.begin(), rows.end(),
                                              [&](const auto &row) { return row.task == task; });
            if (conclusive)
                d.monitor->valueOf(rows); // throws Error(Config) naming what there is
        }
        // A new run's heads start from the priors the tasks learnt from the training split.
        for (std::size_t t = 0; t < d.tasks.size() && !d.resumeFrom; ++t)
            if (const std::vector<double> prior = d.tasks[t]->outputPrior(); !prior.empty())
                if (const model::HeadPtr head = model::findHead(*d.model, d.tasks[t]->name()))
                    head->setOutputBias(prior);
        std::int64_t firstEpoch = 1, firstBatch = 0;
        if (d.resumeFrom) {
            // Continue where the checkpoint was taken: same weights, optimiser moments,
            // weighting state and step; each epoch's batch order follows from the seed.
            d.checkpointer->restore(*d.resumeFrom);
            if (d.channelsLast) // the checkpoint's tensors replaced the model's
                model::toChannelsLast(*d.model);
            d.progress.step = d.resumeFrom->step;
            firstEpoch = static_cast<int>(d.progress.step / d.stepsPerEpoch) + 1;
            firstBatch = d.progress.step % d.stepsPerEpoch;
        }
        d.progress.runId = m_runId;
        d.progress.firstStep = d.progress.step;
        d.progress.stepsTotal = d.stepsPerEpoch * tc.epochs;
        d.progress.epochs = tc.epochs;
        if (listener) {
            RunStartInfo info;
            info.runId = m_runId;
            info.device = result.device;
            const model::ModelDescription described = d.model->describe();
            info.model = described.summary;
            info.parameters = described.parameters;
            info.architecture =
                architectureText(m_config.model) + " · " + weightingText(m_config.weighting);
            info.weighting = d.weighting->describe(d.hasSharedRepresentation());
            info.optimizer = trainingText(m_config);
            if (d.weighting->balancesSharedGradients() && d.model->sharedParameters().empty())
                info.weighting =
                    d.weighting->name() +
                    ": nothing is shared by this model, so the plain sum of the losses";
            info.tasks = d.taskNames;
            info.stepsTotal = d.progress.stepsTotal;
            info.stepsPerEpoch = d.stepsPerEpoch;
            info.epochs = tc.epochs;
            info.trainSamples = d.trainSamples;
            info.valSamples = d.valSamples;
            info.evalSamples = d.evalSplit == "test" ? d.testSamples : d.valSamples;
            info.evalSplit = d.evalSplit;
            info.resumedFromStep = d.progress.firstStep;
            info.threads = threads;
            info.warnings = warnings;
            for (const auto &task : d.tasks)
                if (const std::string note = task->fitted(); !note.empty())
                    info.taskNotes.push_back(task->name() + ": " + note);
            listener->runStarted(info);
        }

        // Validation on the held-out part of the train split after an epoch; false when a
        // stop request interrupted it.
        const auto validate = [&](int epoch) {
            if (!d.valSource)
                return true;
            Evaluator::Outcome outcome =
                d.evaluate(*d.valSource, "val", epoch, m_config, listener, m_stop);
            if (outcome.interrupted)
                return false;
            auto &metrics = journal.pending().rows<store::MetricRow>();
            metrics.insert(metrics.end(), outcome.rows.begin(), outcome.rows.end());
            flush();
            d.lastValidation = outcome.rows;
            if (listener)
                listener->evaluated(
                    {m_runId, d.progress.step, epoch, "val", std::move(outcome.rows)});
            return true;
        };
        const auto validatedBefore = [&](int epoch) {
            store::MetricFilter filter;
            filter.split = "val";
            for (const auto &row : d.project->runs().metrics(m_runId, filter))
                if (row.epoch == epoch)
                    return true;
            return false;
        };

        // The end of an epoch: what follows the validation metric (early stopping, keep_best,
        // the plateau schedule), the probes, then the checkpoint that holds all of it.
        enum class EpochEnd { Next, Interrupted, EarlyStop };
        const auto earlyStopNote = [&](int epoch) {
            return "early stopping: val " + tc.monitor + " did not improve by more than " +
                   numberText(tc.minDelta) + " for " + std::to_string(tc.patience) +
                   (tc.patience == 1 ? " epoch" : " epochs") + " (best " +
                   numberText(d.monitor->best()) + " at epoch " +
                   std::to_string(d.monitor->bestEpoch()) + "); stopped after epoch " +
                   std::to_string(epoch) + " of " + std::to_string(tc.epochs);
        };
        const std::vector<std::string> objectives = objectiveNames(d.tasks);
        const auto endEpoch = [&](int epoch) {
            if (!validate(epoch))
                return EpochEnd::Interrupted; // stopped during validation: a stop, below
            EpochMonitor::Verdict verdict;
            if (d.monitor && d.valSource) {
                verdict = d.monitor->observe(epoch, d.lastValidation);
                d.schedule->epochEnded(epoch, verdict.value, d.monitor->lowerIsBetter());
            }
            d.probeSamples(epoch, false);
            const EpochRecord record{epoch,          d.progress.step,   d.taskNames, *d.model,
                                     &d.taskOutputs, d.weighting.get(), &objectives};
            for (Probe *probe : d.probes)
                probe->afterEpoch(record, journal.pending());
            flush();
            if (tc.keepBest && verdict.improved) {
                d.best = d.checkpointer->capture(epoch, d.progress.step);
                if (journal.writes())
                    journal.saveCheckpoint(*d.best, "best");
            }
            checkpoint(epoch);
            if (verdict.stop && epoch < tc.epochs) {
                result.note = earlyStopNote(epoch);
                return EpochEnd::EarlyStop;
            }
            if (m_stopAfterEpoch.load() && epoch < tc.epochs) {
                stopMessage = "stopped by the user after epoch " + std::to_string(epoch) + " of " +
                              std::to_string(tc.epochs) + " (step " +
                              std::to_string(d.progress.step) + ")";
                m_stop.store(true);
            }
            return EpochEnd::Next;
        };

        TrainingLoop::Control control{m_stop, m_paused, setStatus, checkpoint,
                                      tc.checkpointEverySteps};
        TrainingLoop loop({d.tasks, d.taskNames, *d.model, *d.optimizer, *d.weighting,
                           *d.collective, d.probes, journal, d.device, d.memoryFormat(),
                           d.otherSamples.get(), tc.seed, d.rates.get(),
                           m_config.optimizer.clipNorm, m_config.debug},
                          control, d.progress);
        int epoch = 0, reached = 0; // reached: the last epoch trained or ended
        // A run killed between early stopping and its final evaluation trains no further.
        const bool stoppedEarly = d.monitor && tc.patience > 0 && firstBatch == 0 &&
                                  firstEpoch > 1 && firstEpoch <= tc.epochs &&
                                  d.monitor->epochsWithoutImprovement() >= tc.patience;
        if (stoppedEarly) {
            reached = firstEpoch - 1;
            result.note = earlyStopNote(reached);
        }
        for (epoch = 1; epoch <= tc.epochs && !m_stop.load() && !stoppedEarly; ++epoch) {
            if (epoch < firstEpoch) {
                // Trained before the checkpoint. A stop right after an epoch's last batch left
                // that epoch unvalidated: end it now, as it would have ended.
                if (epoch == firstEpoch - 1 && firstBatch == 0 && !validatedBefore(epoch)) {
                    reached = epoch;
                    if (endEpoch(epoch) != EpochEnd::Next)
                        break; // a stop, or early stopping (then the final evaluation)
                }
                continue;
            }
            d.trainSource->startEpoch(tc.seed, epoch, d.collective->rank(),
                                      d.collective->worldSize());
            const std::int64_t first = epoch == firstEpoch ? firstBatch : 0;
            d.trainSource->skip(first);
            reached = epoch;
            loop.runEpoch(*d.trainSource, epoch, first, d.stepsPerEpoch, listener);
            if (m_stop.load())
                break;
            if (endEpoch(epoch) != EpochEnd::Next)
                break; // a stop, or early stopping (then the final evaluation)
        }
        const int lastEpoch = reached > 0 ? reached : std::min(epoch, tc.epochs);
        if (!result.note.empty())
            journal.setNote(result.note);

        if (m_stop.load()) {
            // Keep what was learnt: the model as it is now becomes the run's checkpoint.
            flush();
            checkpoint(lastEpoch);
            setStatus(store::RunStatus::Stopped,
                      !stopMessage.empty()
                          ? stopMessage
                          : "stopped by the user at step " + std::to_string(d.progress.step));
            result.status = store::RunStatus::Stopped;
            result.note = stopMessage;
        } else {
            // The final evaluation: the test split, or else the last epoch's validation.
            bool interrupted = false;
            EvaluationResult evaluation = d.finalEvaluation(m_config, m_runId, lastEpoch, listener,
                                                            m_stop, result.note, interrupted);
            store::RunMetrics final;
            final.add(evaluation.rows);
            result.metrics = final.finalMetrics();
            result.attributeAccuracy = final.finalAttributes();
            flush();
            if (interrupted) {
                // Training had finished; its checkpoint is saved. Only the test numbers are
                // missing.
                setStatus(store::RunStatus::Stopped,
                          "stopped by the user during the final evaluation, after all " +
                              std::to_string(d.progress.step) + " training steps");
                result.status = store::RunStatus::Stopped;
            } else {
                if (listener && d.evalSplit == "test")
                    listener->evaluated(evaluation);
                setStatus(store::RunStatus::Completed);
                result.status = store::RunStatus::Completed;
            }
        }
    } catch (const std::exception &e) {
        result.status = store::RunStatus::Failed;
        result.error = e.what();
        // c10::Error messages carry a C++ backtrace after the first line; keep the reason.
        const auto newline = result.error.find('\n');
        if (newline != std::string::npos && dynamic_cast<const Error *>(&e) == nullptr)
            result.error = result.error.substr(0, newline);
        if (d.checkpointStep >= 0)
            result.error += "; the last checkpoint (epoch " + std::to_string(d.checkpointEpoch) +
                            ", step " + std::to_string(d.checkpointStep) + ") is kept";
        try {
            flush();
            setStatus(store::RunStatus::Failed, result.error);
        } catch (const std::exception &) {
            // The project file itself failed; the caller still gets the reason.
        }
    }
    result.steps = d.progress.step;
    result.trainSeconds = d.progress.trainSeconds;
    // A resumed run with only its final evaluation left keeps the speed it trained at.
    result.imagesPerSecond = d.progress.trainSeconds > 0
                                 ? d.progress.imagesTrained / d.progress.trainSeconds
                                 : d.progress.imagesPerSecond;
    result.totalSeconds = secondsSince(runStarted);
    return result;
}

} // namespace mtl::train
