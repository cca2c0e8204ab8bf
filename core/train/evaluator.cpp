#include "train/evaluator.h"

#include "model/multitask.h"
#include "train/collective.h"

#include <torch/types.h>
#include <torch/utils.h>

#include <algorithm>

namespace mtl::train {

Evaluator::Evaluator(const std::vector<std::unique_ptr<Task>> &tasks,
                     const std::vector<std::string> &taskNames, model::MultiTaskModelImpl &model,
                     const c10::Device &device, Collective &collective,
                     const std::vector<Probe *> &probes, c10::MemoryFormat memoryFormat)
    : m_tasks(tasks)
    , m_taskNames(taskNames)
    , m_model(model)
    , m_device(device)
    , m_collective(collective)
    , m_probes(probes)
    , m_memoryFormat(memoryFormat)
{}

std::vector<store::MetricRow> Evaluator::firstBatchMetrics(data::BatchSource &source,
                                                           std::uint64_t seed)
{
    torch::NoGradGuard noGrad;
    m_model.eval();
    source.startEpoch(seed, 0, 0, 1);
    std::vector<store::MetricRow> rows;
    if (std::optional<data::SampleBatch> batch = source.next()) {
        const model::ModelOutput output =
            m_model.run(model::inMemoryFormat(batch->images.to(m_device), m_memoryFormat), false);
        for (std::size_t t = 0; t < m_tasks.size(); ++t) {
            const at::Tensor target = batch->targets[t].to(m_device);
            auto meter = m_tasks[t]->makeMeter();
            meter->add(output.tasks[t], target,
                       m_tasks[t]->loss(output.tasks[t], target).item<double>());
            for (const MetricValue &value : meter->values())
                if (value.attribute.empty())
                    rows.push_back({0, 0, "val", m_taskNames[t], "", value.name, value.value});
        }
    }
    m_model.train();
    return rows;
}

Evaluator::Outcome Evaluator::run(data::BatchSource &source, std::uint64_t seed,
                                  const std::string &split, int epoch, std::int64_t step,
                                  store::RecordBatch &records, const Callbacks &callbacks)
{
    Outcome outcome;
    torch::NoGradGuard noGrad;
    m_model.eval();
    std::vector<std::unique_ptr<TaskMeter>> meters;
    for (const auto &task : m_tasks)
        meters.push_back(task->makeMeter());
    const bool taps = std::any_of(m_probes.begin(), m_probes.end(),
                                  [](const Probe *probe) { return probe->wantsTaps(); });
    const int rank = m_collective.rank(), world = m_collective.worldSize();
    source.startEpoch(seed, 0, rank, world);
    const auto total =
        static_cast<double>(std::max<std::int64_t>(1, source.samplesPerEpoch(rank, world)));
    std::int64_t done = 0;
    while (std::optional<data::SampleBatch> batch = source.next()) {
        if (callbacks.stop && callbacks.stop()) {
            outcome.interrupted = true;
            break;
        }
        batch->images = batch->images.to(m_device);
        for (at::Tensor &target : batch->targets)
            target = target.to(m_device);
        const model::ModelOutput output =
            m_model.run(model::inMemoryFormat(batch->images, m_memoryFormat), taps);
        for (std::size_t t = 0; t < m_tasks.size(); ++t) {
            const double loss = m_tasks[t]->loss(output.tasks[t], batch->targets[t]).item<double>();
            meters[t]->add(output.tasks[t], batch->targets[t], loss);
        }
        const EvalRecord record{split,  epoch,  step,     m_taskNames,
                                *batch, output, &m_tasks, split == m_finalSplit};
        for (Probe *probe : m_probes)
            probe->afterEvalBatch(record, records);
        done += batch->size();
        if (callbacks.progress)
            callbacks.progress(static_cast<double>(done) / total);
    }
    m_model.train();
    if (outcome.interrupted)
        return outcome;
    const EvaluationEnd end{split, epoch, step, split == m_finalSplit};
    for (Probe *probe : m_probes)
        probe->afterEvaluation(end, records);
    // Combine what every rank saw; one process: nothing to combine.
    if (m_collective.worldSize() > 1) {
        std::vector<double> states;
        std::vector<std::size_t> sizes;
        for (const auto &meter : meters) {
            const std::vector<double> state = meter->state();
            sizes.push_back(state.size());
            states.insert(states.end(), state.begin(), state.end());
        }
        m_collective.allReduceSum(states);
        std::size_t offset = 0;
        for (std::size_t t = 0; t < meters.size(); ++t) {
            auto fresh = m_tasks[t]->makeMeter();
            fresh->merge(std::vector<double>(states.begin() + static_cast<std::ptrdiff_t>(offset),
                                             states.begin() +
                                                 static_cast<std::ptrdiff_t>(offset + sizes[t])));
            meters[t] = std::move(fresh);
            offset += sizes[t];
        }
    }
    for (std::size_t t = 0; t < m_tasks.size(); ++t)
        for (const MetricValue &value : meters[t]->values())
            outcome.rows.push_back(
                {step, epoch, split, m_taskNames[t], value.attribute, value.name, value.value});
    return outcome;
}

void Evaluator::runProbeSamples(const at::Tensor &images,
                                const std::vector<std::int64_t> &sampleIds,
                                const std::string &split, int epoch, std::int64_t step, bool final,
                                store::RecordBatch &records)
{
    std::vector<Probe *> wanting;
    for (Probe *probe : m_probes)
        if (probe->wantsProbeSamples())
            wanting.push_back(probe);
    if (wanting.empty() || sampleIds.empty())
        return;
    torch::NoGradGuard noGrad;
    m_model.eval();
    const model::ModelOutput output =
        m_model.run(model::inMemoryFormat(images.to(m_device), m_memoryFormat), true);
    m_model.train();
    const ProbeSampleRecord record{epoch,       step,    split,     final,
                                   m_taskNames, m_tasks, sampleIds, output};
    for (Probe *probe : wanting)
        probe->afterProbeSamples(record, records);
}

} // namespace mtl::train
