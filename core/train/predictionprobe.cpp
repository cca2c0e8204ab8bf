// The predictions probe (train/probe.h): what each task predicted, per sample, at the final
// evaluation — the record the results browser's "errors first" view reads back.

#include "train/probe.h"

#include "data/batchsource.h"
#include "model/multitask.h"
#include "train/task.h"

#include <torch/types.h>

namespace mtl::train {

namespace {

// Appends a batch's values [B, …] (float, CPU) to `row`, setting its kind and shape at first.
void append(store::PredictionRow &row, const Prediction &prediction,
            const std::vector<std::int64_t> &sampleIds)
{
    const at::Tensor values = prediction.values.contiguous();
    if (row.sampleIds.empty()) {
        row.kind = prediction.kind;
        row.shape.assign(values.sizes().begin() + 1, values.sizes().end());
    }
    row.sampleIds.insert(row.sampleIds.end(), sampleIds.begin(), sampleIds.end());
    const float *data = values.data_ptr<float>();
    row.values.insert(row.values.end(), data, data + values.numel());
}

} // namespace

void PredictionProbe::afterEvalBatch(const EvalRecord &eval, store::RecordBatch &)
{
    if (!eval.taskObjects || !(eval.finalSplit || (m_everyEpoch && eval.split == "val")))
        return;
    for (std::size_t t = 0; t < eval.tasks.size(); ++t) {
        const Prediction prediction = (*eval.taskObjects)[t]->predict(eval.output.tasks[t]);
        if (prediction.dense) // maps: of the probe samples only
            continue;
        store::PredictionRow &row = m_pending[eval.tasks[t]];
        row.split = eval.split;
        row.task = eval.tasks[t];
        append(row, prediction, eval.batch.sampleIds);
    }
}

void PredictionProbe::afterEvaluation(const EvaluationEnd &end, store::RecordBatch &out)
{
    auto &rows = out.rows<store::PredictionRow>();
    for (auto &[task, row] : m_pending) {
        if (row.split != end.split)
            continue;
        row.step = end.step;
        row.epoch = end.epoch;
        rows.push_back(std::move(row));
    }
    m_pending.clear();
}

void PredictionProbe::afterProbeSamples(const ProbeSampleRecord &samples, store::RecordBatch &out)
{
    if (!samples.final && !m_everyEpoch)
        return;
    auto &rows = out.rows<store::PredictionRow>();
    for (std::size_t t = 0; t < samples.tasks.size(); ++t) {
        const Prediction prediction = samples.taskObjects[t]->predict(samples.output.tasks[t]);
        if (!prediction.dense)
            continue;
        store::PredictionRow row;
        row.step = samples.step;
        row.epoch = samples.epoch;
        row.split = samples.split;
        row.task = samples.tasks[t];
        append(row, prediction, samples.sampleIds);
        rows.push_back(std::move(row));
    }
}

} // namespace mtl::train
