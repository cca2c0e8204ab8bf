#include "train/trainer.h"

#include "common/error.h"
#include "data/splittensors.h"
#include "model/factory.h"
#include "store/project.h"
#include "train/optimizer.h"
#include "train/probe.h"
#include "train/task.h"
#include "train/weighting.h"

#include <torch/cuda.h>
#include <torch/serialize.h>
#include <torch/serialize/archive.h>
#include <torch/types.h>
#include <torch/utils.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <numeric>
#include <optional>
#include <random>
#include <sstream>
#include <thread>

namespace mtl::train {

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

// One batch ready for the model.
struct Batch {
    at::Tensor images;               // float [B, C, H, W] on the device
    std::vector<at::Tensor> targets; // per task, on the device
    std::int64_t size = 0;
};

std::string serialize(const std::function<void(torch::serialize::OutputArchive &)> &save)
{
    torch::serialize::OutputArchive archive;
    save(archive);
    std::ostringstream out;
    archive.save_to(out);
    return out.str();
}

} // namespace

namespace {

// The run `id`, when it exists and may be resumed; else the Error that says why not.
store::RunInfo resumableRun(store::RunStore &runs, std::int64_t id, const std::string &projectPath)
{
    const auto run = runs.find(id);
    const std::string name = "run " + std::to_string(id);
    if (!run)
        throw Error(ErrorCode::NotFound, name + " is not in " + projectPath);
    if (run->status == store::RunStatus::Completed || !isFinished(run->status))
        throw Error(ErrorCode::InvalidInput,
                    name + " is " + store::toString(run->status) +
                        "; only stopped, interrupted or failed runs can be resumed");
    return *run;
}

} // namespace

ExperimentConfig configForResume(const std::string &projectPath, std::int64_t runId)
{
    store::Project project(projectPath, store::Project::OpenMode::ReadOnly);
    const store::RunInfo run = resumableRun(project.runs(), runId, projectPath);
    return ExperimentConfig::parse(project.runs().experimentConfig(run.experimentId),
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
        throw setupError("train.device", "'" + spec + "' asked for, but LibTorch sees no CUDA "
                                                      "device (this build or machine is CPU-only)");
    const std::string device = spec == "cuda" ? "cuda:0" : spec;
    const int index = std::stoi(device.substr(5));
    if (index >= static_cast<int>(torch::cuda::device_count()))
        throw setupError("train.device", "'" + spec + "' does not exist (" +
                                             std::to_string(torch::cuda::device_count()) +
                                             " CUDA devices)");
    return device;
}

struct Trainer::Impl {
    std::unique_ptr<store::Project> project;
    store::DatasetInfo dataset;
    std::vector<std::unique_ptr<Task>> tasks;
    std::vector<std::string> taskNames;
    std::string evalSplit;
    std::int64_t trainSamples = 0, valSamples = 0, stepsPerEpoch = 0;

    // Set up in run().
    torch::Device device{torch::kCPU};
    data::SplitTensors trainData, evalData;
    std::vector<at::Tensor> trainTargets, evalTargets; // per task, whole split, CPU
    std::vector<std::int64_t> trainIndices, valIndices, evalIndices;
    model::MultiTaskModelPtr model;
    std::unique_ptr<torch::optim::Optimizer> optimizer;
    std::unique_ptr<WeightingMethod> weighting;
    std::vector<std::unique_ptr<Probe>> probes;
    RecordBatch pending;
    std::optional<store::Checkpoint> resumeFrom; // set when continuing a run
    Clock::time_point lastFlush = Clock::now();
    double imagesPerSecond = 0.0;
    std::int64_t step = 0;

    Batch makeBatch(const data::SplitTensors &data, const std::vector<at::Tensor> &targets,
                    const std::int64_t *indices, std::int64_t count) const
    {
        const at::Tensor index =
            torch::from_blob(const_cast<std::int64_t *>(indices), {count}, torch::kInt64);
        Batch batch;
        batch.size = count;
        batch.images = data::toModelInput(data.images.index_select(0, index)).to(device);
        for (const at::Tensor &target : targets)
            batch.targets.push_back(target.index_select(0, index).to(device));
        return batch;
    }

    void flush(std::int64_t runId)
    {
        project->runs().record(runId, pending.metrics, pending.taskWeights, step, imagesPerSecond);
        pending.clear();
        lastFlush = Clock::now();
    }

    std::vector<store::MetricRow> evaluate(const data::SplitTensors &data,
                                           const std::vector<at::Tensor> &targets,
                                           const std::vector<std::int64_t> &indices,
                                           const std::string &split, int epoch, int batchSize,
                                           TrainerListener *listener,
                                           const std::atomic<bool> &stop, bool &interrupted)
    {
        // A stop request ends the evaluation at the next batch: no rows, interrupted = true.
        interrupted = false;
        torch::NoGradGuard noGrad;
        model->eval();
        std::vector<std::unique_ptr<TaskMeter>> meters;
        for (const auto &task : tasks)
            meters.push_back(task->makeMeter());
        const auto n = static_cast<std::int64_t>(indices.size());
        for (std::int64_t begin = 0; begin < n; begin += batchSize) {
            if (stop.load()) {
                interrupted = true;
                break;
            }
            const std::int64_t count = std::min<std::int64_t>(batchSize, n - begin);
            Batch batch = makeBatch(data, targets, indices.data() + begin, count);
            const std::vector<at::Tensor> outputs = model->forward(batch.images);
            for (std::size_t t = 0; t < tasks.size(); ++t) {
                const double loss = tasks[t]->loss(outputs[t], batch.targets[t]).item<double>();
                meters[t]->add(outputs[t], batch.targets[t], loss);
            }
            if (listener)
                listener->evaluating(split, static_cast<double>(begin + count) / n);
        }
        model->train();
        std::vector<store::MetricRow> rows;
        if (interrupted)
            return rows;
        for (std::size_t t = 0; t < tasks.size(); ++t)
            for (const MetricValue &value : meters[t]->values())
                rows.push_back({step, epoch, split, taskNames[t], value.attribute, value.name,
                                value.value});
        return rows;
    }
};

Trainer::Trainer(std::string projectPath, ExperimentConfig config, TrainerOptions options)
    : m_projectPath(std::move(projectPath))
    , m_config(std::move(config))
    , m_options(options)
{
}

Trainer::~Trainer() = default;

std::int64_t Trainer::prepare()
{
    if (m_runId)
        return m_runId;
    auto impl = std::make_unique<Impl>();
    impl->project = std::make_unique<store::Project>(m_projectPath);
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
        throw setupError("dataset", "dataset '" + m_config.dataset +
                                        "' has no 'train' split to train on");
    for (std::size_t i = 0; i < m_config.tasks.size(); ++i) {
        impl->tasks.push_back(
            makeTask(m_config.tasks[i], impl->dataset, "tasks[" + std::to_string(i) + "]"));
        impl->taskNames.push_back(m_config.tasks[i].name);
    }
    const TrainConfig &tc = m_config.train;
    impl->valSamples = static_cast<std::int64_t>(std::floor(trainSize * tc.valFraction));
    impl->trainSamples = trainSize - impl->valSamples;
    if (impl->trainSamples < 2)
        throw setupError("train.val_fraction", "leaves fewer than 2 training samples");
    impl->stepsPerEpoch = (impl->trainSamples + tc.batchSize - 1) / tc.batchSize;
    if (impl->trainSamples % tc.batchSize == 1)
        --impl->stepsPerEpoch; // a last batch of 1 cannot be batch-normalised
    if (tc.maxStepsPerEpoch > 0)
        impl->stepsPerEpoch = std::min(impl->stepsPerEpoch, tc.maxStepsPerEpoch);
    impl->evalSplit = impl->dataset.splitSize("test") > 0 ? "test"
                      : impl->valSamples > 0                ? "val"
                                                            : "";
    // Resolved once, here: a CUDA device on a machine without one is bad input, not a failed run.
    impl->device = torch::Device(resolveDevice(tc.device));
    auto &runs = impl->project->runs();
    if (m_options.resumeRunId > 0) {
        const std::int64_t id = m_options.resumeRunId;
        const std::string name = "run " + std::to_string(id);
        const store::RunInfo run = resumableRun(runs, id, m_projectPath);
        if (run.stepsTotal != impl->stepsPerEpoch * tc.epochs)
            throw Error(ErrorCode::Config, name + " was planned with " +
                                               std::to_string(run.stepsTotal) +
                                               " steps; resume it with its own config");
        impl->resumeFrom = runs.latestCheckpoint(id);
        if (!impl->resumeFrom)
            throw Error(ErrorCode::InvalidInput,
                        name + " has no checkpoint to continue from; start a new run instead");
        runs.prepareResume(id, impl->resumeFrom->step);
        m_runId = id;
    } else {
        const std::int64_t experiment =
            runs.createExperiment(m_config.name, impl->dataset.id, m_config.toJson());
        m_runId = runs.createRun(experiment, impl->stepsPerEpoch * tc.epochs);
    }
    m_impl = std::move(impl);
    return m_runId;
}

RunResult Trainer::run(TrainerListener *listener)
{
    prepare();
    Impl &d = *m_impl;
    const TrainConfig &tc = m_config.train;
    auto &runs = d.project->runs();
    const auto runStarted = Clock::now();
    RunResult result;
    result.runId = m_runId;
    result.evalSplit = d.evalSplit;

    const auto setStatus = [&](store::RunStatus status, const std::string &error = {}) {
        runs.setStatus(m_runId, status, error);
        if (listener)
            listener->statusChanged(m_runId, status);
    };

    double trainSeconds = 0.0;
    std::int64_t imagesTrained = 0;
    try {
        torch::set_num_threads(tc.threads > 0 ? tc.threads
                                              : std::max(1u, std::thread::hardware_concurrency()));
        result.device = d.device.str();
        runs.markStarted(m_runId, result.device);
        if (listener)
            listener->statusChanged(m_runId, store::RunStatus::Running);

        // Data: the train split (train + held-out validation) and the evaluation split.
        std::vector<std::string> columns;
        for (const auto &task : d.tasks)
            for (const auto &column : task->columns())
                if (std::find(columns.begin(), columns.end(), column) == columns.end())
                    columns.push_back(column);
        d.trainData = data::loadSplit(*d.project, d.dataset, "train", columns);
        for (const auto &task : d.tasks)
            d.trainTargets.push_back(task->targets(d.trainData.columns));
        std::vector<std::int64_t> order(static_cast<std::size_t>(d.trainData.size()));
        std::iota(order.begin(), order.end(), 0);
        std::mt19937_64 rng(tc.seed);
        std::shuffle(order.begin(), order.end(), rng);
        d.valIndices.assign(order.begin(), order.begin() + d.valSamples);
        d.trainIndices.assign(order.begin() + d.valSamples, order.end());
        if (d.evalSplit == "test") {
            d.evalData = data::loadSplit(*d.project, d.dataset, "test", columns);
            for (const auto &task : d.tasks)
                d.evalTargets.push_back(task->targets(d.evalData.columns));
            d.evalIndices.resize(static_cast<std::size_t>(d.evalData.size()));
            std::iota(d.evalIndices.begin(), d.evalIndices.end(), 0);
        }

        // Model, optimiser, weighting, probes.
        torch::manual_seed(tc.seed);
        std::vector<model::HeadSpec> heads;
        for (const auto &task : d.tasks)
            heads.push_back({task->name(), task->outputs()});
        const model::InputShape input{d.trainData.images.size(1), d.trainData.images.size(2),
                                      d.trainData.images.size(3)};
        d.model = model::buildModel(m_config.model, input, heads);
        d.model->to(d.device);
        d.model->train();
        d.weighting = makeWeighting(m_config.weighting, d.tasks.size());
        std::vector<at::Tensor> parameters = d.model->parameters();
        for (const at::Tensor &p : d.weighting->parameters())
            parameters.push_back(p);
        d.optimizer = makeOptimizer(m_config.optimizer, parameters);
        std::int64_t firstEpoch = 1, firstBatch = 0;
        if (d.resumeFrom) {
            // Continue where the checkpoint was taken: same weights, same optimiser moments,
            // same step count; the epochs' shuffles are replayed below from the same seed.
            const auto load = [&](const std::string &bytes, const auto &into) {
                std::istringstream in(bytes);
                torch::serialize::InputArchive archive;
                archive.load_from(in, d.device);
                into(archive);
            };
            load(d.resumeFrom->model, [&](auto &a) { d.model->load(a); });
            load(d.resumeFrom->optimizer, [&](auto &a) { d.optimizer->load(a); });
            d.step = d.resumeFrom->step;
            firstEpoch = static_cast<int>(d.step / d.stepsPerEpoch) + 1;
            firstBatch = d.step % d.stepsPerEpoch;
        }
        const std::int64_t firstStep = d.step;
        d.probes.push_back(std::make_unique<TaskWeightProbe>());

        const std::int64_t stepsTotal = d.stepsPerEpoch * tc.epochs;
        if (listener) {
            RunStartInfo info;
            info.runId = m_runId;
            info.device = result.device;
            info.model = d.model->describe();
            info.tasks = d.taskNames;
            info.stepsTotal = stepsTotal;
            info.stepsPerEpoch = d.stepsPerEpoch;
            info.epochs = tc.epochs;
            info.trainSamples = d.trainSamples;
            info.valSamples = d.valSamples;
            info.evalSamples = d.evalSplit == "test" ? d.evalData.size() : d.valSamples;
            info.evalSplit = d.evalSplit;
            info.resumedFromStep = firstStep;
            listener->runStarted(info);
        }

        std::vector<double> losses(d.tasks.size()), lossSums(d.tasks.size());
        StepRecord stepRecord;
        stepRecord.tasks = &d.taskNames;
        stepRecord.losses = &losses;
        bool paused = false;
        int epoch = 0;
        std::vector<store::MetricRow> lastValidation;
        // Validation on the held-out part of the train split after an epoch; false when a
        // stop request interrupted it.
        const auto validate = [&](int validatedEpoch) {
            if (d.valIndices.empty())
                return true;
            EvaluationResult evaluation{m_runId, d.step, validatedEpoch, "val", {}};
            bool interrupted = false;
            evaluation.rows = d.evaluate(d.trainData, d.trainTargets, d.valIndices, "val",
                                         validatedEpoch, tc.batchSize, listener, m_stop,
                                         interrupted);
            if (interrupted)
                return false;
            d.pending.metrics.insert(d.pending.metrics.end(), evaluation.rows.begin(),
                                     evaluation.rows.end());
            d.flush(m_runId);
            lastValidation = evaluation.rows;
            if (listener)
                listener->evaluated(evaluation);
            return true;
        };
        const auto validatedBefore = [&](int validatedEpoch) {
            store::MetricFilter filter;
            filter.split = "val";
            for (const auto &row : runs.metrics(m_runId, filter))
                if (row.epoch == validatedEpoch)
                    return true;
            return false;
        };
        for (epoch = 1; epoch <= tc.epochs && !m_stop.load(); ++epoch) {
            std::shuffle(d.trainIndices.begin(), d.trainIndices.end(), rng);
            if (epoch < firstEpoch) {
                // Trained before the checkpoint; only its shuffle is replayed. A stop right
                // after an epoch's last batch left that epoch unvalidated: validate it now.
                if (epoch == firstEpoch - 1 && firstBatch == 0 && !validatedBefore(epoch) &&
                    !validate(epoch))
                    break;
                continue;
            }
            std::fill(lossSums.begin(), lossSums.end(), 0.0);
            std::vector<Batch> preloaded;
            const auto batchAt = [&](std::int64_t b) {
                const std::int64_t begin = b * tc.batchSize;
                const std::int64_t count = std::min<std::int64_t>(
                    tc.batchSize, static_cast<std::int64_t>(d.trainIndices.size()) - begin);
                return d.makeBatch(d.trainData, d.trainTargets, d.trainIndices.data() + begin,
                                   count);
            };
            if (m_options.preloadBatches)
                for (std::int64_t b = 0; b < d.stepsPerEpoch; ++b)
                    preloaded.push_back(batchAt(b));

            std::int64_t b = epoch == firstEpoch ? firstBatch : 0;
            auto clock = Clock::now();
            for (; b < d.stepsPerEpoch; ++b) {
                if (m_stop.load())
                    break;
                if (m_paused.load()) {
                    trainSeconds += secondsSince(clock);
                    if (!paused) {
                        paused = true;
                        d.flush(m_runId);
                        setStatus(store::RunStatus::Paused);
                    }
                    while (m_paused.load() && !m_stop.load())
                        std::this_thread::sleep_for(std::chrono::milliseconds(20));
                    clock = Clock::now();
                    if (m_stop.load())
                        break;
                }
                if (paused) {
                    paused = false;
                    setStatus(store::RunStatus::Running);
                }
                const Batch batch = m_options.preloadBatches ? preloaded[b] : batchAt(b);
                ++d.step;
                const std::vector<at::Tensor> outputs = d.model->forward(batch.images);
                std::vector<at::Tensor> taskLosses;
                for (std::size_t t = 0; t < d.tasks.size(); ++t)
                    taskLosses.push_back(d.tasks[t]->loss(outputs[t], batch.targets[t]));
                d.optimizer->zero_grad();
                WeightingContext context;
                context.step = d.step;
                context.epoch = epoch;
                const std::vector<double> weights = d.weighting->backward(taskLosses, context);
                d.optimizer->step();

                StepProgress progress;
                progress.runId = m_runId;
                progress.step = d.step;
                progress.stepsTotal = stepsTotal;
                progress.epoch = epoch;
                progress.epochs = tc.epochs;
                for (std::size_t t = 0; t < d.tasks.size(); ++t) {
                    losses[t] = taskLosses[t].item<double>();
                    if (!std::isfinite(losses[t]))
                        throw Error(ErrorCode::Training,
                                    "the loss of task '" + d.taskNames[t] + "' became " +
                                        std::to_string(losses[t]) + " at step " +
                                        std::to_string(d.step) +
                                        "; training diverged (try a lower optimizer.lr)");
                    lossSums[t] += losses[t];
                    progress.totalLoss += weights[t] * losses[t];
                    d.pending.metrics.push_back(
                        {d.step, epoch, "train", d.taskNames[t], "", "loss", losses[t]});
                }
                d.pending.metrics.push_back({d.step, epoch, "train", "", "", "loss",
                                             progress.totalLoss});
                stepRecord.step = d.step;
                stepRecord.epoch = epoch;
                stepRecord.weights = &weights;
                for (auto &probe : d.probes)
                    probe->afterStep(stepRecord, d.pending);

                imagesTrained += batch.size;
                const double elapsed = trainSeconds + secondsSince(clock);
                d.imagesPerSecond = elapsed > 0 ? imagesTrained / elapsed : 0.0;
                if (std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() -
                                                                          d.lastFlush)
                        .count() >= m_options.flushIntervalMs)
                    d.flush(m_runId);
                if (listener) {
                    progress.taskLosses = losses;
                    progress.imagesPerSecond = d.imagesPerSecond;
                    const double perStep = elapsed / static_cast<double>(d.step - firstStep);
                    progress.etaSeconds = perStep * static_cast<double>(stepsTotal - d.step);
                    listener->stepFinished(progress);
                }
            }
            trainSeconds += secondsSince(clock);
            d.flush(m_runId);
            const std::int64_t trainedThisEpoch = b - (epoch == firstEpoch ? firstBatch : 0);
            if (trainedThisEpoch > 0) {
                for (double &sum : lossSums)
                    sum /= static_cast<double>(trainedThisEpoch);
                d.weighting->epochEnded(epoch, lossSums);
            }
            if (m_stop.load())
                break;
            if (!validate(epoch))
                break; // stopped during validation: handled as a stop below
            runs.saveCheckpoint(m_runId, epoch, d.step,
                                serialize([&](auto &a) { d.model->save(a); }),
                                serialize([&](auto &a) { d.optimizer->save(a); }));
        }
        const int lastEpoch = std::min(epoch, tc.epochs);

        if (m_stop.load()) {
            // Keep what was learnt: the model as it is now becomes the run's checkpoint.
            runs.saveCheckpoint(m_runId, lastEpoch, d.step,
                                serialize([&](auto &a) { d.model->save(a); }),
                                serialize([&](auto &a) { d.optimizer->save(a); }));
            d.flush(m_runId);
            setStatus(store::RunStatus::Stopped, "stopped by the user at step " +
                                                     std::to_string(d.step));
            result.status = store::RunStatus::Stopped;
        } else {
            // The final evaluation: the test split, or else the last epoch's validation.
            EvaluationResult evaluation{m_runId, d.step, lastEpoch, d.evalSplit, {}};
            bool interrupted = false;
            if (d.evalSplit == "test") {
                evaluation.rows = d.evaluate(d.evalData, d.evalTargets, d.evalIndices, "test",
                                             lastEpoch, tc.batchSize, listener, m_stop,
                                             interrupted);
                d.pending.metrics.insert(d.pending.metrics.end(), evaluation.rows.begin(),
                                         evaluation.rows.end());
            } else {
                evaluation.rows = lastValidation;
            }
            for (const auto &row : evaluation.rows) {
                if (row.attribute.empty())
                    result.metrics[row.task][row.name] = row.value;
                else
                    result.attributeAccuracy[row.task][row.attribute] = row.value;
            }
            d.flush(m_runId);
            if (interrupted) {
                // Training had finished; its checkpoint is saved. Only the test numbers are
                // missing.
                setStatus(store::RunStatus::Stopped,
                          "stopped by the user during the final evaluation, after all " +
                              std::to_string(d.step) + " training steps");
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
        try {
            d.flush(m_runId);
            setStatus(store::RunStatus::Failed, result.error);
        } catch (const std::exception &) {
            // The project file itself failed; the caller still gets the reason.
        }
    }
    result.steps = d.step;
    result.trainSeconds = trainSeconds;
    result.imagesPerSecond = trainSeconds > 0 ? imagesTrained / trainSeconds : 0.0;
    result.totalSeconds = secondsSince(runStarted);
    return result;
}

} // namespace mtl::train
