#pragma once
// Prints training progress to stderr: a one-line bar redrawn in place on a terminal, plain
// lines (one per epoch and evaluation) otherwise. Called on the training thread.

#include "train/trainer.h"

#include <chrono>

class ProgressPrinter final : public mtl::train::TrainerListener {
public:
    explicit ProgressPrinter(bool terminal);

    void runStarted(const mtl::train::RunStartInfo &info) override;
    void stepFinished(const mtl::train::StepProgress &progress) override;
    void evaluated(const mtl::train::EvaluationResult &result) override;
    void evaluating(const std::string &split, double fraction) override;
    void statusChanged(std::int64_t runId, mtl::store::RunStatus status) override;

    // Ends the in-place line, if one is open.
    void finishLine();

private:
    bool m_terminal;
    bool m_lineOpen = false;
    std::vector<std::string> m_tasks;
    std::chrono::steady_clock::time_point m_lastDraw{};
};

std::string formatDuration(double seconds);
