#include "train/trainingloop.h"

#include "common/error.h"
#include "data/batchsource.h"
#include "model/multitask.h"
#include "train/collective.h"
#include "train/consistency.h"
#include "train/optimizer.h"
#include "train/probe.h"
#include "train/schedule.h"
#include "train/runjournal.h"
#include "train/task.h"
#include "train/weighting.h"

#include <torch/optim/optimizer.h>
#include <torch/types.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

namespace mtl::train {

namespace {
using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start)
{
    return std::chrono::duration<double>(Clock::now() - start).count();
}
} // namespace

TrainingLoop::TrainingLoop(const TrainingParts &parts, Control control, Progress &progress)
    : m_parts(parts)
    , m_control(std::move(control))
    , m_progress(progress)
    , m_sharedParameters(parts.model.sharedParameters())
    , m_objectives(objectiveNames(parts.tasks))
    , m_samplesPerStep(std::max<std::size_t>(1, parts.weighting.samplesPerStep()))
{
    if (m_samplesPerStep > 1 && !parts.moreSamples)
        throw Error(ErrorCode::Training, parts.weighting.name() + " needs " +
                                             std::to_string(m_samplesPerStep) +
                                             " batches per step and the loop has one source");
    for (const auto &task : parts.tasks)
        m_terms.push_back(task->lossTerms());
    std::set<const void *> shared;
    for (const at::Tensor &parameter : m_sharedParameters)
        shared.insert(parameter.unsafeGetTensorImpl());
    for (const at::Tensor &parameter : parts.model.parameters())
        if (parameter.requires_grad() && !shared.count(parameter.unsafeGetTensorImpl()))
            m_taskParameters.push_back(parameter);
}

std::int64_t TrainingLoop::runEpoch(data::BatchSource &source, int epoch, std::int64_t firstBatch,
                                    std::int64_t batches, TrainerListener *listener)
{
    const TrainingParts &p = m_parts;
    Progress &progress = m_progress;
    const std::size_t taskCount = p.tasks.size();
    std::vector<double> losses(taskCount);
    std::vector<double> objectiveLosses(m_objectives.size()), lossSums(m_objectives.size(), 0.0);
    std::int64_t b = firstBatch;
    auto clock = Clock::now();
    for (; b < batches; ++b) {
        if (m_control.stop.load())
            break;
        if (m_control.paused.load()) {
            progress.trainSeconds += secondsSince(clock);
            waitWhilePaused();
            clock = Clock::now();
            if (m_control.stop.load())
                break;
        }
        if (m_paused) {
            m_paused = false;
            m_control.setStatus(store::RunStatus::Running);
        }
        std::optional<data::SampleBatch> batch = source.next();
        if (!batch)
            throw Error(ErrorCode::Training, "the training data ended after " + std::to_string(b) +
                                                 " of " + std::to_string(batches) + " batches");
        std::vector<Sample> samples{onDevice(*batch)};
        while (samples.size() < m_samplesPerStep)
            samples.push_back(onDevice(nextOtherBatch()));

        const std::int64_t step = ++progress.step;
        const double lr =
            p.rates ? p.rates->apply(step) : p.optimizer.param_groups().front().options().get_lr();
        const model::ModelOutput output = p.model.run(samples.front().images);
        std::vector<at::Tensor> taskLosses, transferTerms;
        std::vector<at::Tensor> objectives =
            objectivesOf(output, samples.front().targets, taskLosses, transferTerms);
        if (p.debug.nanAtStep == step && p.debug.nanIn == "loss") {
            // The test aid: the chosen task's loss, and what is balanced of it, become NaN.
            std::size_t t = 0, o = 0;
            while (t < taskCount && !p.debug.nanTask.empty() && p.taskNames[t] != p.debug.nanTask)
                o += std::max<std::size_t>(1, m_terms[t++].size());
            const double nan = std::numeric_limits<double>::quiet_NaN();
            taskLosses.at(t) = taskLosses.at(t) * nan;
            for (std::size_t k = 0; k < std::max<std::size_t>(1, m_terms[t].size()); ++k)
                objectives.at(o + k) = objectives.at(o + k) * nan;
        }
        checkLosses(step, taskLosses, objectives, losses, objectiveLosses);
        p.optimizer.zero_grad();
        WeightingContext context;
        for (std::size_t s = 1; s < samples.size(); ++s) {
            std::vector<at::Tensor> otherLosses, otherTransfers;
            context.moreSamples.push_back(objectivesOf(
                p.model.run(samples[s].images), samples[s].targets, otherLosses, otherTransfers));
        }
        context.sharedParameters = m_sharedParameters;
        context.taskParameters = m_taskParameters;
        context.sharedRepresentation = output.shared;
        for (const auto &extra : output.extraLosses)
            context.extraLoss =
                context.extraLoss.defined() ? context.extraLoss + extra.second : extra.second;
        context.step = step;
        context.epoch = epoch;
        context.collective = &p.collective;
        context.objectivesAt = [&](std::size_t sample, bool withGradients) {
            return objectivesAgain(samples.at(sample), withGradients);
        };
        context.stepRules = [&] { return stepRules(p.optimizer); };
        const BackwardRecord before{step,       epoch,         m_objectives,
                                    objectives, output.shared, m_sharedParameters};
        for (Probe *probe : p.probes)
            probe->beforeBackward(before, p.journal.pending());
        const std::vector<double> weights = p.weighting.backward(objectives, context);
        // The seam for data parallelism: gradients become the mean over all ranks.
        if (p.collective.worldSize() > 1) {
            std::vector<at::Tensor> grads;
            for (const at::Tensor &parameter : p.model.parameters())
                grads.push_back(parameter.grad());
            p.collective.allReduceMean(grads);
        }
        if (p.debug.nanAtStep == step && p.debug.nanIn == "gradient")
            for (const at::Tensor &parameter : m_sharedParameters)
                if (parameter.grad().defined()) {
                    parameter.mutable_grad().fill_(std::numeric_limits<double>::quiet_NaN());
                    break;
                }
        const double gradNorm = checkAndClipGradients(step);
        p.model.beforeOptimizerStep(step);
        p.optimizer.step();
        p.weighting.afterOptimizerStep();

        StepProgress report;
        report.runId = progress.runId;
        report.step = step;
        report.stepsTotal = progress.stepsTotal;
        report.epoch = epoch;
        report.epochs = progress.epochs;
        auto &metrics = p.journal.pending().rows<store::MetricRow>();
        for (std::size_t o = 0; o < objectives.size(); ++o) {
            lossSums[o] += objectiveLosses[o];
            report.totalLoss += weights[o] * objectiveLosses[o];
        }
        std::size_t o = 0; // the task's first objective
        for (std::size_t t = 0; t < taskCount; ++t) {
            metrics.push_back({step, epoch, "train", p.taskNames[t], "", "loss", losses[t]});
            if (m_terms[t].empty()) {
                ++o;
            } else {
                for (const std::string &term : m_terms[t])
                    metrics.push_back(
                        {step, epoch, "train", p.taskNames[t], term, "loss", objectiveLosses[o++]});
            }
            if (t < transferTerms.size() && transferTerms[t].defined())
                metrics.push_back({step, epoch, "train", p.taskNames[t], "", "transfer_loss",
                                   transferTerms[t].item<double>()});
        }
        for (const auto &[name, loss] : output.extraLosses) {
            const double value = loss.item<double>();
            report.totalLoss += value;
            metrics.push_back({step, epoch, "train", "", name, "loss", value});
        }
        metrics.push_back({step, epoch, "train", "", "", "loss", report.totalLoss});
        metrics.push_back({step, epoch, "train", "", "", "lr", lr});
        metrics.push_back({step, epoch, "train", "", "", "grad_norm", gradNorm});
        const StepRecord record{step, epoch, m_objectives, objectiveLosses, weights, output};
        for (Probe *probe : p.probes)
            probe->afterStep(record, p.journal.pending());

        progress.imagesTrained += batch->size();
        const double elapsed = progress.trainSeconds + secondsSince(clock);
        progress.imagesPerSecond = elapsed > 0 ? progress.imagesTrained / elapsed : 0.0;
        metrics.push_back({step, epoch, "train", "", "", "images_per_s", progress.imagesPerSecond});
        p.journal.flushIfDue(step, progress.imagesPerSecond);
        if (b + 1 < batches) // the epoch's end has a checkpoint of its own
            checkpointIfDue(epoch);
        if (listener) {
            report.taskLosses = losses;
            report.imagesPerSecond = progress.imagesPerSecond;
            const double perStep = elapsed / static_cast<double>(step - progress.firstStep);
            report.etaSeconds = perStep * static_cast<double>(progress.stepsTotal - step);
            listener->stepFinished(report);
        }
    }
    progress.trainSeconds += secondsSince(clock);
    p.journal.flush(progress.step, progress.imagesPerSecond);
    const std::int64_t trained = b - firstBatch;
    // Only a whole epoch ends: a stop inside one continues it after the resume.
    if (trained > 0 && b == batches) {
        for (double &sum : lossSums)
            sum /= static_cast<double>(trained);
        p.weighting.epochEnded(epoch, lossSums);
    }
    return trained;
}

void TrainingLoop::checkLosses(std::int64_t step, const std::vector<at::Tensor> &taskLosses,
                               const std::vector<at::Tensor> &objectives,
                               std::vector<double> &losses,
                               std::vector<double> &objectiveLosses) const
{
    const TrainingParts &p = m_parts;
    const auto fail = [&](const std::string &what, double value) {
        std::ostringstream text;
        text << "step " << step << ": " << what << " is " << value
             << "; training diverged (try a lower optimizer.lr or an optimizer.clip_norm)";
        throw Error(ErrorCode::Training, text.str());
    };
    for (std::size_t t = 0; t < taskLosses.size(); ++t) {
        losses[t] = taskLosses[t].item<double>();
        if (!std::isfinite(losses[t]))
            fail("the loss of task '" + p.taskNames[t] + "'", losses[t]);
    }
    for (std::size_t o = 0; o < objectives.size(); ++o) {
        objectiveLosses[o] = objectives[o].item<double>();
        if (!std::isfinite(objectiveLosses[o]))
            fail("the loss '" + m_objectives[o] + "'", objectiveLosses[o]);
    }
}

double TrainingLoop::checkAndClipGradients(std::int64_t step)
{
    torch::NoGradGuard noGrad;
    std::vector<at::Tensor> grads, norms;
    for (const auto &group : m_parts.optimizer.param_groups())
        for (const at::Tensor &parameter : group.params())
            if (parameter.grad().defined()) {
                grads.push_back(parameter.grad());
                norms.push_back(parameter.grad().norm().to(torch::kDouble));
            }
    if (norms.empty())
        return 0.0;
    const at::Tensor each = torch::stack(norms);
    const double total = each.norm().item<double>();
    if (!std::isfinite(total)) {
        // Which one: the first parameter, in the model's order, whose gradient is not finite.
        const at::Tensor bad = torch::logical_not(torch::isfinite(each)).nonzero();
        const std::size_t first = bad.numel() > 0 ? bad[0][0].item<std::int64_t>() : 0;
        const void *impl = grads[first].unsafeGetTensorImpl();
        std::string name = "parameter #" + std::to_string(first + 1) + " of the optimiser";
        for (const auto &item : m_parts.model.named_parameters())
            if (item.value().grad().defined() && item.value().grad().unsafeGetTensorImpl() == impl)
                name = "'" + item.key() + "'";
        std::ostringstream text;
        text << "step " << step << ": the gradient of " << name << " is not finite (norm "
             << each[static_cast<std::int64_t>(first)].item<double>()
             << ") although every loss was; training diverged (try a lower optimizer.lr or an "
                "optimizer.clip_norm)";
        throw Error(ErrorCode::Training, text.str());
    }
    if (m_parts.clipNorm > 0 && total > m_parts.clipNorm) {
        const double scale = m_parts.clipNorm / (total + 1e-6);
        for (at::Tensor &grad : grads)
            grad.mul_(scale);
    }
    return total;
}

TrainingLoop::Sample TrainingLoop::onDevice(const data::SampleBatch &batch) const
{
    Sample sample{model::inMemoryFormat(batch.images.to(m_parts.device), m_parts.memoryFormat), {}};
    for (const at::Tensor &target : batch.targets)
        sample.targets.push_back(target.to(m_parts.device));
    return sample;
}

data::SampleBatch TrainingLoop::nextOtherBatch()
{
    data::BatchSource &source = *m_parts.moreSamples;
    const int rank = m_parts.collective.rank(), world = m_parts.collective.worldSize();
    // A different order from the first pass's of the same epoch number.
    const std::uint64_t seed = m_parts.seed ^ 0x9e3779b97f4a7c15ULL;
    if (m_otherPass == 0) {
        const std::int64_t perPass = source.batchesPerEpoch(rank, world);
        if (perPass <= 0)
            throw Error(ErrorCode::Training, "the training split has no batch to draw");
        const std::int64_t drawn =
            static_cast<std::int64_t>(m_samplesPerStep - 1) * m_progress.step;
        m_otherPass = static_cast<int>(drawn / perPass) + 1;
        source.startEpoch(seed, m_otherPass, rank, world);
        source.skip(drawn % perPass);
    }
    for (int attempt = 0; attempt < 2; ++attempt) {
        if (std::optional<data::SampleBatch> batch = source.next())
            return std::move(*batch);
        source.startEpoch(seed, ++m_otherPass, rank, world);
    }
    throw Error(ErrorCode::Training, "the second pass over the training data gave no batch");
}

std::vector<at::Tensor> TrainingLoop::objectivesAgain(const Sample &sample, bool withGradients)
{
    std::vector<at::Tensor> buffers;
    {
        torch::NoGradGuard noGrad;
        for (const at::Tensor &buffer : m_parts.model.buffers())
            buffers.push_back(buffer.clone());
    }
    std::vector<at::Tensor> objectives;
    {
        std::optional<torch::NoGradGuard> noGrad;
        if (!withGradients)
            noGrad.emplace();
        std::vector<at::Tensor> losses, transfers;
        objectives =
            objectivesOf(m_parts.model.run(sample.images), sample.targets, losses, transfers);
    }
    // Through data(): BatchNorm's backward keeps its running statistics, and the step's graph
    // must not see them changed (they are the same values again).
    torch::NoGradGuard noGrad;
    const std::vector<at::Tensor> now = m_parts.model.buffers();
    for (std::size_t i = 0; i < now.size() && i < buffers.size(); ++i)
        now[i].data().copy_(buffers[i]);
    return objectives;
}

std::vector<at::Tensor> TrainingLoop::objectivesOf(const model::ModelOutput &output,
                                                   const std::vector<at::Tensor> &targets,
                                                   std::vector<at::Tensor> &taskLosses,
                                                   std::vector<at::Tensor> &transferTerms) const
{
    const TrainingParts &p = m_parts;
    const std::size_t taskCount = p.tasks.size();
    for (std::size_t t = 0; t < taskCount; ++t) {
        // A task with loss terms only reports loss(): no graph for it.
        std::optional<torch::NoGradGuard> reportOnly;
        if (!m_terms[t].empty())
            reportOnly.emplace();
        taskLosses.push_back(p.tasks[t]->loss(output.tasks[t], targets[t]));
    }
    if (!output.transferred.empty())
        transferTerms = foldTransfers(p.tasks, output, targets, taskLosses);
    // What the weighting balances: each task's loss, or its terms.
    std::vector<at::Tensor> objectives;
    for (std::size_t t = 0; t < taskCount; ++t) {
        if (m_terms[t].empty()) {
            objectives.push_back(taskLosses[t]);
            continue;
        }
        const std::vector<at::Tensor> terms = p.tasks[t]->termLosses(output.tasks[t], targets[t]);
        objectives.insert(objectives.end(), terms.begin(), terms.end());
    }
    return objectives;
}

void TrainingLoop::checkpointIfDue(int epoch)
{
    const bool due = m_control.checkpointEverySteps > 0
                         ? m_progress.step % m_control.checkpointEverySteps == 0
                         : std::chrono::duration<double>(Clock::now() - m_lastCheckpoint).count() >=
                               m_control.checkpointEverySeconds;
    if (!due || !m_control.checkpoint)
        return;
    // What the checkpoint's step covers is on file first, so a resume from it loses nothing.
    m_parts.journal.flush(m_progress.step, m_progress.imagesPerSecond);
    m_control.checkpoint(epoch);
    m_lastCheckpoint = Clock::now();
}

void TrainingLoop::waitWhilePaused()
{
    if (!m_paused) {
        m_paused = true;
        m_parts.journal.flush(m_progress.step, m_progress.imagesPerSecond);
        m_control.setStatus(store::RunStatus::Paused);
    }
    while (m_control.paused.load() && !m_control.stop.load())
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
}

} // namespace mtl::train
