#include "train/trainer.h"

#include "common/blas.h"

#include "common/error.h"
#include "common/registry.h"
#include "data/memorysource.h"
#include "model/factory.h"
#include "store/project.h"
#include "store/runmetrics.h"
#include "train/checkpointer.h"
#include "train/collective.h"
#include "train/evaluator.h"
#include "train/monitor.h"
#include "train/optimizer.h"
#include "train/probe.h"
#include "train/catalog.h"
#include "train/runjournal.h"
#include "train/schedule.h"
#include "train/task.h"
#include "train/trainingloop.h"
#include "train/weighting.h"

#include <torch/cuda.h>
#include <torch/optim/optimizer.h>
#include <torch/types.h>
#include <torch/utils.h>
#include <torch/version.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <sstream>
#include <thread>

#include <unistd.h>

namespace mtl::train {

using experiment::ExperimentConfig;

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start)
{
    return std::chrono::duration<double>(Clock::now() - start).count();
}

Error setupError(const std::string &key, const std::string &message)
{
    ErrorLocation where;
    where.key = key;
    return Error(ErrorCode::Config, message, where);
}

// The run `id`, when it exists and may be resumed; else the Error that says why not.
store::RunInfo resumableRun(store::RunStore &runs, std::int64_t id, const std::string &projectPath)
{
    const auto run = runs.find(id);
    const std::string name = "run " + std::to_string(id);
    if (!run)
        throw Error(ErrorCode::NotFound, name + " is not in " + projectPath);
    if (!store::isResumable(run->status))
        throw Error(ErrorCode::InvalidInput,
                    name + " is " + store::toString(run->status) +
                        "; only stopped, interrupted or failed runs can be resumed");
    return *run;
}

std::string numberText(double value)
{
    std::ostringstream text;
    text << value;
    return text.str();
}

// What the run runs on, recorded with it (runs.environment): enough to tell two machines'
// numbers apart and to rebuild the setting.
std::string environmentJson(const c10::Device &device, int threads, std::uint64_t seed,
                            const std::map<std::string, std::string> &extra)
{
    char host[256] = {};
    gethostname(host, sizeof host - 1);
    nlohmann::json env = {
        {"mtlstudio", MTL_VERSION},
        {"libtorch", TORCH_VERSION},
        {"device", device.str()},
        {"cuda_available", torch::cuda::is_available()},
        {"threads", threads},
        {"cores", std::thread::hardware_concurrency()},
        {"seed", seed},
        {"blas", loadedBlas().vendor},
        {"blas_library", loadedBlas().path},
        {"host", std::string(host)},
        {"compiler", __VERSION__},
    };
    for (const auto &[key, value] : extra)
        env[key] = value;
    return env.dump();
}

} // namespace

ExperimentConfig configForResume(const std::string &projectPath, std::int64_t runId)
{
    store::Project project(projectPath, store::Project::OpenMode::ReadOnly);
    const store::RunInfo run = resumableRun(project.runs(), runId, projectPath);
    return parseExperiment(project.runs().experimentConfig(run.experimentId),
                           "run " + std::to_string(runId) + " config");
}

std::string resolveDevice(const std::string &spec)
{
    const bool cuda = torch::cuda::is_available();
    if (spec == "auto")
        return cuda ? "cuda:0" : "cpu";
    if (spec == "cpu")
        return "cpu";
    if (!cuda)
        throw setupError("train.device", "'" + spec +
                                             "' asked for, but LibTorch sees no CUDA "
                                             "device (this build or machine is CPU-only)");
    const std::string device = spec == "cuda" ? "cuda:0" : spec;
    const int index = std::stoi(device.substr(5));
    if (index >= static_cast<int>(torch::cuda::device_count()))
        throw setupError("train.device", "'" + spec + "' does not exist (" +
                                             std::to_string(torch::cuda::device_count()) +
                                             " CUDA devices)");
    return device;
}

// One run's set-up and state. prepare() fills the first block; run() the rest, then drives
// the epochs through trainEpoch(), validate() and the checkpointer.
struct Trainer::Impl {
    // prepare(): the run's plan, and the model with what trains it.
    std::unique_ptr<store::Project> project;
    std::unique_ptr<RunJournal> journal;
    std::shared_ptr<Collective> collective;
    store::DatasetInfo dataset;
    std::vector<std::unique_ptr<Task>> tasks;
    std::vector<std::string> taskNames;
    std::vector<std::vector<std::string>> taskOutputs; // per task: its heads' output names
    std::string evalSplit;
    std::int64_t trainSamples = 0, valSamples = 0, stepsPerEpoch = 0;
    torch::Device device{torch::kCPU};
    bool channelsLast = false; // train.memory_format
    c10::MemoryFormat memoryFormat() const
    {
        return channelsLast ? c10::MemoryFormat::ChannelsLast : c10::MemoryFormat::Contiguous;
    }
    std::optional<store::Checkpoint> resumeFrom; // set when continuing a run
    model::InputShape input;
    model::MultiTaskModelPtr model;
    std::vector<at::Tensor> sharedParameters;
    std::unique_ptr<torch::optim::Optimizer> optimizer;
    std::unique_ptr<WeightingMethod> weighting;
    std::vector<std::unique_ptr<Probe>> ownProbes;
    std::vector<Probe *> probes; // the config's, then TrainerOptions::extraProbes
    std::unique_ptr<Evaluator> evaluator;
    std::unique_ptr<Checkpointer> checkpointer;
    std::unique_ptr<Schedule> schedule;
    std::unique_ptr<LearningRates> rates;  // null for scheduler "none"
    std::unique_ptr<EpochMonitor> monitor; // null when nothing follows the validation metric
    std::string monitorUsers;              // who follows it, for messages

    // run(): the data.
    std::unique_ptr<data::BatchSource> trainSource, valSource, testSource;
    std::unique_ptr<data::BatchSource> otherSamples; // the weighting's second pass, or null
    std::int64_t testSamples = 0;

    TrainingLoop::Progress progress;
    std::vector<store::MetricRow> lastValidation;
    std::optional<store::Checkpoint> best; // train.keep_best: the best epoch's, this session
    std::int64_t checkpointStep = -1;      // the last checkpoint saved or resumed from
    int checkpointEpoch = 0;

    void loadData(const ExperimentConfig &config, bool preload);
    void buildModel(const ExperimentConfig &config, const TrainerOptions &options);
    // Whether the model exposes one representation all task heads read (ModelOutput::shared).
    bool hasSharedRepresentation();
    Evaluator::Outcome evaluate(data::BatchSource &source, const std::string &split, int epoch,
                                const ExperimentConfig &config, TrainerListener *listener,
                                const std::atomic<bool> &stop);
};

Trainer::Trainer(std::string projectPath, ExperimentConfig config, TrainerOptions options)
    : m_projectPath(std::move(projectPath))
    , m_config(std::move(config))
    , m_options(std::move(options))
{}

Trainer::~Trainer() = default;

std::int64_t Trainer::prepare()
{
    if (m_runId)
        return m_runId;
    auto impl = std::make_unique<Impl>();
    impl->collective =
        m_options.collective ? m_options.collective : std::make_shared<LocalCollective>();
    const bool root = impl->collective->isRoot();
    // Only rank 0 opens the project for writing; the others read it.
    impl->project =
        std::make_unique<store::Project>(m_projectPath, root ? store::Project::OpenMode::MustExist
                                                             : store::Project::OpenMode::ReadOnly);
    impl->journal = std::make_unique<RunJournal>(root ? &impl->project->runs() : nullptr,
                                                 m_options.flushIntervalMs);
    auto dataset = impl->project->datasets().find(m_config.dataset);
    if (!dataset) {
        std::string names;
        for (const auto &d : impl->project->datasets().list())
            names += (names.empty() ? "" : ", ") + d.name;
        throw setupError("dataset", "dataset '" + m_config.dataset + "' is not in " +
                                        m_projectPath + " (datasets: " +
                                        (names.empty() ? "none; import one first" : names) + ")");
    }
    impl->dataset = *dataset;
    const std::int64_t trainSize = impl->dataset.splitSize("train");
    if (trainSize == 0)
        throw setupError("dataset",
                         "dataset '" + m_config.dataset + "' has no 'train' split to train on");
    for (std::size_t i = 0; i < m_config.tasks.size(); ++i) {
        impl->tasks.push_back(
            makeTask(m_config.tasks[i], impl->dataset, "tasks[" + std::to_string(i) + "]"));
        impl->taskNames.push_back(m_config.tasks[i].name);
        impl->taskOutputs.push_back(impl->tasks.back()->head().outputs);
    }
    const experiment::TrainConfig &tc = m_config.train;
    impl->valSamples = static_cast<std::int64_t>(std::floor(trainSize * tc.valFraction));
    impl->trainSamples = trainSize - impl->valSamples;
    if (impl->trainSamples < 2)
        throw setupError("train.val_fraction", "leaves fewer than 2 training samples");
    const int world = impl->collective->worldSize();
    impl->stepsPerEpoch = data::batchCount(impl->trainSamples / world, tc.batchSize, true);
    if (tc.maxStepsPerEpoch > 0)
        impl->stepsPerEpoch = std::min(impl->stepsPerEpoch, tc.maxStepsPerEpoch);
    impl->evalSplit = impl->dataset.splitSize("test") > 0 ? "test"
                      : impl->valSamples > 0              ? "val"
                                                          : "";
    const store::DatasetInfo &d = impl->dataset;
    if (d.channels <= 0 || d.height <= 0 || d.width <= 0)
        throw setupError("dataset", "dataset '" + d.name +
                                        "' has images of different sizes; "
                                        "resizing is not supported by this build yet");
    impl->input = {d.channels, d.height, d.width};
    // Resolved once, here: a CUDA device on a machine without one is bad input, not a failed run.
    impl->device = torch::Device(resolveDevice(tc.device));
    impl->channelsLast = tc.memoryFormat == "channels_last";
    // Built here, so that a model the config cannot make (an input too small for the
    // backbone, an optimiser group it does not have) is bad input, not a failed run.
    impl->buildModel(m_config, m_options);
    if (impl->monitor && impl->valSamples == 0)
        throw setupError("train.val_fraction",
                         "holds out no sample of the " + std::to_string(trainSize) +
                             " training samples, and " + impl->monitorUsers +
                             " follows the validation metric; raise train.val_fraction");
    auto &runs = impl->project->runs();
    if (m_options.resumeRunId > 0) {
        const std::int64_t id = m_options.resumeRunId;
        const std::string name = "run " + std::to_string(id);
        const store::RunInfo run = resumableRun(runs, id, m_projectPath);
        impl->progress.imagesPerSecond = run.imagesPerSecond; // until this session trains
        if (run.stepsTotal != impl->stepsPerEpoch * tc.epochs)
            throw Error(ErrorCode::Config, name + " was planned with " +
                                               std::to_string(run.stepsTotal) +
                                               " steps; resume it with its own config");
        impl->resumeFrom = runs.latestCheckpoint(id);
        if (!impl->resumeFrom)
            throw Error(ErrorCode::InvalidInput,
                        name + " has no checkpoint to continue from; start a new run instead");
        impl->journal->prepareResume(id, impl->resumeFrom->step);
        impl->checkpointStep = impl->resumeFrom->step;
        impl->checkpointEpoch = impl->resumeFrom->epoch;
        m_runId = id;
    } else {
        m_runId = impl->journal->createRun(m_config.name, impl->dataset.id, m_config.toJson(),
                                           impl->stepsPerEpoch * tc.epochs);
    }
    m_impl = std::move(impl);
    return m_runId;
}

void Trainer::Impl::loadData(const ExperimentConfig &config, bool preload)
{
    const experiment::TrainConfig &tc = config.train;
    std::vector<std::string> columns;
    for (const auto &task : tasks)
        for (const auto &column : task->columns())
            if (std::find(columns.begin(), columns.end(), column) == columns.end())
                columns.push_back(column);
    const auto load = [&](const std::string &split) {
        auto loaded =
            std::make_shared<data::MemorySplit>(data::loadSplit(*project, dataset, split, columns));
        for (const auto &task : tasks)
            loaded->targets.push_back(
                task->targets({loaded->columns, loaded->maps, loaded->images}));
        return std::shared_ptr<const data::MemorySplit>(std::move(loaded));
    };
    const auto train = load("train");
    for (std::size_t t = 0; t < tasks.size(); ++t)
        tasks[t]->fit(train->targets[t]);
    using data::Selection;
    trainSource = std::make_unique<data::MemoryBatchSource>(
        train, Selection::holdOutTrain(valSamples), tc.batchSize, true);
    if (weighting->samplesPerStep() > 1) // shares the decoded split: no second copy
        otherSamples = std::make_unique<data::MemoryBatchSource>(
            train, Selection::holdOutTrain(valSamples), tc.batchSize, true);
    if (preload)
        trainSource =
            std::make_unique<data::PreloadedSource>(std::move(trainSource), stepsPerEpoch);
    if (valSamples > 0)
        valSource = std::make_unique<data::MemoryBatchSource>(
            train, Selection::holdOutVal(valSamples), tc.batchSize, false);
    if (evalSplit == "test") {
        const auto test = load("test");
        testSamples = test->size();
        testSource =
            std::make_unique<data::MemoryBatchSource>(test, Selection::all(), tc.batchSize, false);
    }
}

void Trainer::Impl::buildModel(const ExperimentConfig &config, const TrainerOptions &options)
{
    torch::manual_seed(config.train.seed);
    std::vector<model::HeadSpec> heads;
    for (const auto &task : tasks)
        heads.push_back(task->head());
    model = model::buildModel(config.model, input, heads);
    model->to(device);
    if (channelsLast)
        model::toChannelsLast(*model);
    model->train();
    sharedParameters = model->sharedParameters();
    weighting = makeWeighting(config.weighting, objectivesOf(tasks), device, config.train.seed);
    std::vector<ParameterSet> sets;
    for (const model::ParameterGroup &group : model->parameterGroups())
        sets.push_back(
            {group.name, group.name.rfind("head.", 0) == 0, group.parameters, group.lrScale});
    sets.push_back({"weighting", false, weighting->parameters()});
    optimizer = makeOptimizer(config.optimizer, sets);
    for (const experiment::ProbeConfig &probe : config.probes)
        ownProbes.push_back(makeProbe(probe));
    for (const auto &probe : ownProbes)
        probes.push_back(probe.get());
    for (const auto &probe : options.extraProbes)
        probes.push_back(probe.get());
    evaluator = std::make_unique<Evaluator>(tasks, taskNames, *model, device, *collective, probes,
                                            memoryFormat());
    checkpointer = std::make_unique<Checkpointer>(*model, *optimizer, *weighting, probes, device);

    const experiment::TrainConfig &tc = config.train;
    schedule = makeSchedule(config.scheduler, {stepsPerEpoch, stepsPerEpoch * tc.epochs});
    if (config.scheduler.name != "none") // built before a resume restores the optimiser
        rates = std::make_unique<LearningRates>(*optimizer, *schedule);
    std::vector<std::string> users;
    if (tc.patience > 0)
        users.push_back("early stopping (train.patience)");
    if (tc.keepBest)
        users.push_back("train.keep_best");
    if (schedule->followsMonitor())
        users.push_back("the " + config.scheduler.name + " schedule");
    if (!users.empty()) {
        monitor = std::make_unique<EpochMonitor>(tc.monitor, tc.patience, tc.minDelta);
        monitorUsers = joinNames(users);
    }
    checkpointer->setControl(schedule.get(), monitor.get());
}

bool Trainer::Impl::hasSharedRepresentation()
{
    // One sample through the network in eval mode: nothing it holds changes.
    torch::NoGradGuard noGrad;
    model->eval();
    const at::Tensor sample = model::inMemoryFormat(
        torch::zeros({1, input.channels, input.height, input.width}, torch::Device(device)),
        memoryFormat());
    const bool shared = model->forward(sample).shared.defined();
    model->train();
    return shared;
}

Evaluator::Outcome Trainer::Impl::evaluate(data::BatchSource &source, const std::string &split,
                                           int epoch, const ExperimentConfig &config,
                                           TrainerListener *listener, const std::atomic<bool> &stop)
{
    Evaluator::Callbacks callbacks;
    callbacks.stop = [&stop] { return stop.load(); };
    callbacks.progress = [&](double fraction) {
        if (listener)
            listener->evaluating(split, fraction);
    };
    return evaluator->run(source, config.train.seed, split, epoch, progress.step,
                          journal->pending(), callbacks);
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
        torch::set_num_threads(threads);
        result.device = d.device.str();
        journal.markStarted(result.device,
                            environmentJson(d.device, threads, tc.seed, m_options.environment));
        if (listener)
            listener->statusChanged(m_runId, store::RunStatus::Running);

        d.loadData(m_config, m_options.preloadBatches);
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
        const auto endEpoch = [&](int epoch) {
            if (!validate(epoch))
                return EpochEnd::Interrupted; // stopped during validation: a stop, below
            EpochMonitor::Verdict verdict;
            if (d.monitor && d.valSource) {
                verdict = d.monitor->observe(epoch, d.lastValidation);
                d.schedule->epochEnded(epoch, verdict.value, d.monitor->lowerIsBetter());
            }
            const EpochRecord record{epoch, d.progress.step, d.taskNames, *d.model, &d.taskOutputs};
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
            // The final evaluation: the test split, or else the last epoch's validation; with
            // train.keep_best, of the best epoch's weights.
            int evaluatedEpoch = lastEpoch;
            if (tc.keepBest && d.monitor && d.monitor->bestEpoch() > 0 &&
                d.monitor->bestEpoch() != lastEpoch) {
                if (!d.best) // saved by an earlier session of this run
                    d.best = d.project->runs().bestCheckpoint(m_runId);
                if (!d.best)
                    throw Error(ErrorCode::Training, "train.keep_best: the checkpoint of the best "
                                                     "epoch is missing from the project");
                d.checkpointer->restoreModel(*d.best);
                if (d.channelsLast)
                    model::toChannelsLast(*d.model);
                evaluatedEpoch = d.monitor->bestEpoch();
                result.note += (result.note.empty() ? "" : "; ") +
                               std::string("final evaluation with the weights of epoch ") +
                               std::to_string(evaluatedEpoch) + " (best val " + tc.monitor + " " +
                               numberText(d.monitor->best()) + ")";
                journal.setNote(result.note);
                if (!d.testSource) {
                    store::MetricFilter filter;
                    filter.split = "val";
                    d.lastValidation.clear();
                    for (const auto &row : d.project->runs().metrics(m_runId, filter))
                        if (row.epoch == evaluatedEpoch)
                            d.lastValidation.push_back(row);
                }
            }
            EvaluationResult evaluation{m_runId, d.progress.step, evaluatedEpoch, d.evalSplit, {}};
            bool interrupted = false;
            if (d.testSource) {
                Evaluator::Outcome outcome =
                    d.evaluate(*d.testSource, "test", evaluatedEpoch, m_config, listener, m_stop);
                interrupted = outcome.interrupted;
                evaluation.rows = std::move(outcome.rows);
                auto &metrics = journal.pending().rows<store::MetricRow>();
                metrics.insert(metrics.end(), evaluation.rows.begin(), evaluation.rows.end());
            } else {
                evaluation.rows = d.lastValidation;
            }
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
