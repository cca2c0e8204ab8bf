#include "progressprinter.h"

#include "store/runmetrics.h"

#include <cmath>
#include <cstdio>

std::string formatDuration(double seconds)
{
    if (!std::isfinite(seconds) || seconds < 0)
        return "--:--";
    const long total = std::lround(seconds);
    char buffer[32];
    if (total >= 3600)
        std::snprintf(buffer, sizeof buffer, "%ld:%02ld:%02ld", total / 3600, (total / 60) % 60,
                      total % 60);
    else
        std::snprintf(buffer, sizeof buffer, "%ld:%02ld", total / 60, total % 60);
    return buffer;
}

ProgressPrinter::ProgressPrinter(bool terminal)
    : m_terminal(terminal)
{}

void ProgressPrinter::finishLine()
{
    if (m_lineOpen) {
        std::fputc('\n', stderr);
        m_lineOpen = false;
    }
}

void ProgressPrinter::runStarted(const mtl::train::RunStartInfo &info)
{
    m_tasks = info.tasks;
    for (const std::string &warning : info.warnings)
        std::fprintf(stderr, "warning: %s\n", warning.c_str());
    if (info.resumedFromStep > 0)
        std::fprintf(stderr, "resuming run %lld from its checkpoint at step %lld of %lld\n",
                     static_cast<long long>(info.runId),
                     static_cast<long long>(info.resumedFromStep),
                     static_cast<long long>(info.stepsTotal));
    std::fprintf(stderr,
                 "run %lld on %s: %s; %lld trainable parameters\n  %lld training / %lld "
                 "validation samples, %d epoch(s) of %lld steps; final evaluation on %s (%lld "
                 "samples)\n",
                 static_cast<long long>(info.runId), info.device.c_str(), info.model.c_str(),
                 static_cast<long long>(info.parameters), static_cast<long long>(info.trainSamples),
                 static_cast<long long>(info.valSamples), info.epochs,
                 static_cast<long long>(info.stepsPerEpoch),
                 info.evalSplit.empty() ? "nothing" : info.evalSplit.c_str(),
                 static_cast<long long>(info.evalSamples));
    if (!info.weighting.empty())
        std::fprintf(stderr, "  weighting %s\n", info.weighting.c_str());
    if (!info.optimizer.empty())
        std::fprintf(stderr, "  optimizer %s\n", info.optimizer.c_str());
    for (const std::string &note : info.taskNotes)
        std::fprintf(stderr, "  %s\n", note.c_str());
}

void ProgressPrinter::stepFinished(const mtl::train::StepProgress &p)
{
    const auto now = std::chrono::steady_clock::now();
    const bool last = p.step == p.stepsTotal;
    if (!m_terminal) {
        // One line per tenth of the run, so logs show that something is happening.
        const std::int64_t every = std::max<std::int64_t>(1, p.stepsTotal / 10);
        if (p.step % every != 0 && !last)
            return;
    } else if (now - m_lastDraw < std::chrono::milliseconds(100) && !last) {
        return;
    }
    m_lastDraw = now;
    const int width = 24;
    const double fraction = p.stepsTotal ? static_cast<double>(p.step) / p.stepsTotal : 0.0;
    const int filled = static_cast<int>(fraction * width);
    std::string bar(filled, '#');
    bar.append(width - filled, '.');
    std::string losses;
    for (std::size_t t = 0; t < p.taskLosses.size() && t < m_tasks.size(); ++t) {
        char item[96];
        std::snprintf(item, sizeof item, " %s %.3f", m_tasks[t].c_str(), p.taskLosses[t]);
        losses += item;
    }
    std::fprintf(stderr, "%s[%s] step %lld/%lld epoch %d/%d loss%s | %.0f img/s | ETA %s%s",
                 m_terminal ? "\r\033[K" : "", bar.c_str(), static_cast<long long>(p.step),
                 static_cast<long long>(p.stepsTotal), p.epoch, p.epochs, losses.c_str(),
                 p.imagesPerSecond, formatDuration(p.etaSeconds).c_str(), m_terminal ? "" : "\n");
    m_lineOpen = m_terminal;
    std::fflush(stderr);
}

void ProgressPrinter::evaluating(const std::string &split, double fraction)
{
    if (!m_terminal)
        return;
    std::fprintf(stderr, "\r\033[Kevaluating on %s: %3.0f%%", split.c_str(), fraction * 100.0);
    m_lineOpen = true;
    std::fflush(stderr);
}

void ProgressPrinter::evaluated(const mtl::train::EvaluationResult &result)
{
    finishLine();
    mtl::store::RunMetrics metrics;
    metrics.add(result.rows);
    std::string text;
    bool allAccuracy = true;
    const mtl::store::RunMetrics::Values values = metrics.finalMetrics();
    for (const std::string &task : metrics.tasks()) {
        const auto it = values.find(task);
        const auto shown = it == values.end() ? std::nullopt : mtl::store::headline(it->second);
        if (!shown)
            continue;
        text += "  " + task + " " + shown->text();
        allAccuracy &= shown->name == "accuracy";
    }
    std::fprintf(stderr, "epoch %d %s%s:%s\n", result.epoch, result.split.c_str(),
                 allAccuracy ? " accuracy" : "", text.c_str());
}

void ProgressPrinter::statusChanged(std::int64_t runId, mtl::store::RunStatus status)
{
    if (status == mtl::store::RunStatus::Paused || status == mtl::store::RunStatus::Stopped) {
        finishLine();
        std::fprintf(stderr, "run %lld %s\n", static_cast<long long>(runId),
                     mtl::store::toString(status));
    }
}
