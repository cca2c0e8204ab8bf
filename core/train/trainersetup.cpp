// The trainer's set-up: what prepare() checks and builds before the first step (the run's
// plan, the model and what trains it, the data), and the helpers run() shares.

#include "train/trainerimpl.h"

#include "common/blas.h"
#include "common/error.h"
#include "data/memorysource.h"
#include "data/pipelinesource.h"
#include "data/statistics.h"
#include "model/factory.h"
#include "store/project.h"
#include "train/catalog.h"
#include "train/optimizer.h"

#include <torch/cuda.h>
#include <torch/utils.h>
#include <torch/version.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <sstream>
#include <thread>

#include <unistd.h>

namespace mtl::train {

using experiment::ExperimentConfig;

namespace {

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

} // namespace

std::string numberText(double value)
{
    std::ostringstream text;
    text << value;
    return text.str();
}

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
                                        "' has images of different sizes; import it again "
                                        "with --resize WxH");
    // A dataset imported before statistics were stored: computed now from its train split.
    if (m_config.input.normalize == "dataset" && impl->dataset.pixelMean.empty()) {
        const store::PixelStats stats = data::pixelStatistics(*impl->project, d, "train");
        impl->dataset.pixelMean = stats.mean;
        impl->dataset.pixelStd = stats.std;
        impl->dataset.statsImages = stats.images;
    }
    // What the model sees: the "input" transforms checked against the dataset here, so that a
    // crop larger than its images is bad input, not a failed run.
    const data::ImageSize output = impl->inputTransform(m_config.input, true).output();
    impl->input = {output.channels, output.height, output.width};
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

data::InputTransform Trainer::Impl::inputTransform(const data::InputOptions &options,
                                                   bool training) const
{
    return data::InputTransform(options, {dataset.channels, dataset.height, dataset.width},
                                training, dataset.pixelMean, dataset.pixelStd);
}

void Trainer::Impl::loadData(const ExperimentConfig &config, bool preload)
{
    const experiment::TrainConfig &tc = config.train;
    const data::InputOptions &in = config.input;
    std::vector<std::string> columns;
    for (const auto &task : tasks)
        for (const auto &column : task->columns())
            if (std::find(columns.begin(), columns.end(), column) == columns.end())
                columns.push_back(column);
    const auto images = [&](const std::string &split) {
        return std::make_shared<const data::SplitImages>(
            data::SplitImages::load(*project, dataset, split));
    };
    const auto trainImages = images("train");
    using data::Selection;
    // The in-memory source unless something transforms the pixels or the images are files:
    // every earlier run's batches, and no decoding after the first.
    const bool pipeline = in.source == "pipeline" ||
                          (in.source == "auto" && (!in.identity() || trainImages->readsFiles()));
    if (!pipeline) {
        const auto load = [&](const data::SplitImages &split, const std::string &name) {
            auto loaded = std::make_shared<data::MemorySplit>(
                data::loadLabels(*project, dataset, name, columns, split.sampleIds()));
            loaded->images = split.all();
            for (const auto &task : tasks)
                loaded->targets.push_back(
                    task->targets({loaded->columns, loaded->maps, loaded->images}));
            return std::shared_ptr<const data::MemorySplit>(std::move(loaded));
        };
        const auto train = load(*trainImages, "train");
        for (std::size_t t = 0; t < tasks.size(); ++t)
            tasks[t]->fit(train->targets[t]);
        trainSource = std::make_unique<data::MemoryBatchSource>(
            train, Selection::holdOutTrain(valSamples), tc.batchSize, true);
        if (weighting->samplesPerStep() > 1) // shares the decoded split: no second copy
            otherSamples = std::make_unique<data::MemoryBatchSource>(
                train, Selection::holdOutTrain(valSamples), tc.batchSize, true);
        if (valSamples > 0)
            valSource = std::make_unique<data::MemoryBatchSource>(
                train, Selection::holdOutVal(valSamples), tc.batchSize, false);
        if (evalSplit == "test") {
            const auto test = load(*images("test"), "test");
            testSamples = test->size();
            testSource = std::make_unique<data::MemoryBatchSource>(test, Selection::all(),
                                                                   tc.batchSize, false);
        }
    } else {
        const auto split = [&](std::shared_ptr<const data::SplitImages> splitImages,
                               const std::string &name) {
            auto labels = std::make_shared<data::MemorySplit>(
                data::loadLabels(*project, dataset, name, columns, splitImages->sampleIds()));
            auto made = std::make_shared<data::PipelineSplit>();
            for (const auto &task : tasks) {
                const at::Tensor target =
                    task->targets({labels->columns, labels->maps, labels->images});
                labels->targets.push_back(target.defined() ? target.contiguous() : target);
                made->geometry.push_back(task->targetGeometry());
            }
            if (splitImages->decodes())
                made->cache = std::make_shared<data::DecodedCache>(
                    splitImages->size(), splitImages->sampleBytes(),
                    static_cast<std::size_t>(in.cacheMb) << 20);
            made->images = std::move(splitImages);
            made->labels = std::move(labels);
            return std::shared_ptr<const data::PipelineSplit>(std::move(made));
        };
        const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
        const data::PipelineThreads threads{
            in.workers > 0 ? in.workers : std::max(1, cores - torch::get_num_threads()),
            in.prefetch};
        const auto source = [&](const std::shared_ptr<const data::PipelineSplit> &from,
                                Selection selection, bool training) {
            return std::make_unique<data::PipelineBatchSource>(
                from, selection, tc.batchSize, training, inputTransform(in, training), threads);
        };
        const auto train = split(trainImages, "train");
        for (std::size_t t = 0; t < tasks.size(); ++t)
            tasks[t]->fit(train->labels->targets[t]);
        trainSource = source(train, Selection::holdOutTrain(valSamples), true);
        if (weighting->samplesPerStep() > 1) // shares the split and its cache
            otherSamples = source(train, Selection::holdOutTrain(valSamples), true);
        if (valSamples > 0)
            valSource = source(train, Selection::holdOutVal(valSamples), false);
        if (evalSplit == "test") {
            const auto test = split(images("test"), "test");
            testSamples = test->images->size();
            testSource = source(test, Selection::all(), false);
        }
    }
    if (preload)
        trainSource =
            std::make_unique<data::PreloadedSource>(std::move(trainSource), stepsPerEpoch);
}

void Trainer::Impl::chooseProbeSamples(const ExperimentConfig &config)
{
    data::BatchSource *source = testSource ? testSource.get() : valSource.get();
    const bool wanted = std::any_of(probes.begin(), probes.end(),
                                    [](const Probe *probe) { return probe->wantsProbeSamples(); });
    if (!source || !wanted || config.train.probeSamples <= 0)
        return;
    // Positions in the source's (fixed) order, chosen by the seed; gathered batch by batch.
    source->startEpoch(config.train.seed, 0, 0, 1);
    const std::int64_t n = source->samplesPerEpoch(0, 1);
    std::vector<std::int64_t> positions(static_cast<std::size_t>(n));
    std::iota(positions.begin(), positions.end(), 0);
    std::mt19937_64 random(config.train.seed ^ 0x70726f6265ULL); // "probe"
    const auto k = static_cast<std::size_t>(std::min<std::int64_t>(config.train.probeSamples, n));
    for (std::size_t i = 0; i < k; ++i)
        std::swap(positions[i], positions[i + random() % (positions.size() - i)]);
    positions.resize(k);
    std::sort(positions.begin(), positions.end());
    std::vector<at::Tensor> images;
    std::int64_t seen = 0;
    std::size_t next = 0;
    while (next < positions.size()) {
        const std::optional<data::SampleBatch> batch = source->next();
        if (!batch)
            break;
        std::vector<std::int64_t> rows;
        for (; next < positions.size() && positions[next] < seen + batch->size(); ++next) {
            rows.push_back(positions[next] - seen);
            probeIds.push_back(batch->sampleIds[static_cast<std::size_t>(positions[next] - seen)]);
        }
        if (!rows.empty())
            images.push_back(batch->images.index_select(0, torch::tensor(rows, torch::kInt64)));
        seen += batch->size();
    }
    if (!images.empty())
        probeImages = torch::cat(images);
    std::vector<store::ProbeSample> samples;
    for (const std::int64_t id : probeIds)
        samples.push_back({evalSplit, id});
    journal->setProbeSamples(samples);
}

void Trainer::Impl::probeSamples(int epoch, bool final)
{
    if (!probeIds.empty())
        evaluator->runProbeSamples(probeImages, probeIds, evalSplit, epoch, progress.step, final,
                                   journal->pending());
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
    evaluator->setFinalSplit(evalSplit);
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

} // namespace mtl::train
