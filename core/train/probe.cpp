#include "train/probe.h"

#include "common/png.h"

#include "common/error.h"
#include "model/multitask.h"
#include "train/weighting.h"

#include <cmath>

namespace mtl::train {

void TaskWeightProbe::afterStep(const StepRecord &step, store::RecordBatch &out)
{
    const std::vector<double> &weights = step.weights;
    bool changed = m_last.size() != weights.size();
    for (std::size_t i = 0; !changed && i < weights.size(); ++i)
        changed = std::abs(weights[i] - m_last[i]) > 1e-12;
    if (!changed)
        return;
    auto &rows = out.rows<store::TaskWeightRow>();
    for (std::size_t i = 0; i < weights.size(); ++i)
        rows.push_back({step.step, step.tasks[i], weights[i]});
    m_last = weights;
}

void TaskWeightProbe::loadState(const nlohmann::json &state)
{
    m_last.clear();
    if (state.is_array())
        m_last = state.get<std::vector<double>>();
}

void ParameterNormProbe::afterEpoch(const EpochRecord &epoch, store::RecordBatch &out)
{
    auto &rows = out.rows<store::MetricRow>();
    for (const model::ParameterGroup &group : epoch.model.parameterGroups()) {
        double squares = 0.0;
        for (const torch::Tensor &p : group.parameters)
            squares += p.detach().pow(2).sum().item<double>();
        rows.push_back({epoch.step, epoch.epoch, "train", group.task, group.name, "param_norm",
                        std::sqrt(squares)});
    }
}

void CrossStitchAlphaProbe::afterEpoch(const EpochRecord &epoch, store::RecordBatch &out)
{
    // Units are modules "cross_stitch_<stage>" holding "alpha" ([T, T] or [C, T, T]): a
    // parameter when α trains, a buffer when it is fixed.
    static const std::string prefix = "cross_stitch_", suffix = ".alpha";
    auto &rows = out.rows<store::MetricRow>();
    const auto record = [&](const std::string &name, const torch::Tensor &value) {
        if (name.rfind(prefix, 0) != 0 || name.size() <= prefix.size() + suffix.size() ||
            name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0)
            return;
        const std::string stage =
            name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
        torch::Tensor alpha = value.detach().to(torch::kCPU, torch::kDouble);
        if (alpha.dim() == 3)
            alpha = alpha.mean(0);
        const auto tasks = static_cast<std::int64_t>(epoch.tasks.size());
        if (alpha.dim() != 2 || alpha.size(0) != tasks || alpha.size(1) != tasks)
            return;
        for (std::int64_t t = 0; t < tasks; ++t)
            for (std::int64_t s = 0; s < tasks; ++s)
                rows.push_back(
                    {epoch.step, epoch.epoch, "train", epoch.tasks[static_cast<std::size_t>(t)],
                     "after_stage" + stage + "." + epoch.tasks[static_cast<std::size_t>(s)],
                     "cross_stitch_alpha", alpha[t][s].item<double>()});
    };
    for (const auto &item : epoch.model.named_parameters())
        record(item.key(), item.value());
    for (const auto &item : epoch.model.named_buffers())
        record(item.key(), item.value());
}

void AttentionMaskProbe::afterEvalBatch(const EvalRecord &eval, store::RecordBatch &)
{
    if (eval.split != "val")
        return;
    for (const auto &[name, mask] : eval.output.taps)
        if (name.rfind("mtan.", 0) == 0) {
            auto &[sum, samples] = m_sums[name];
            sum += mask.flatten(1).mean(1).sum().item<double>();
            samples += mask.size(0);
        }
}

void AttentionMaskProbe::afterProbeSamples(const ProbeSampleRecord &samples,
                                           store::RecordBatch &out)
{
    if (samples.final) // the epochs' images have them; the final weights are one of those
        return;
    auto &images = out.rows<store::ProbeImageRow>();
    for (const auto &[name, mask] : samples.output.taps) {
        const std::size_t dot = name.rfind('.');
        if (name.rfind("mtan.", 0) != 0 || dot == std::string::npos || dot <= 5)
            continue;
        // [B, C, H, W] → the channel mean [B, H, W] as bytes, 255 = a mask of 1.
        const torch::Tensor bytes = (mask.detach().to(torch::kFloat32).mean(1) * 255.0)
                                        .round()
                                        .clamp(0, 255)
                                        .to(torch::kUInt8)
                                        .cpu()
                                        .contiguous();
        const auto height = static_cast<int>(bytes.size(1)),
                   width = static_cast<int>(bytes.size(2));
        for (std::int64_t b = 0; b < bytes.size(0); ++b)
            images.push_back({samples.step, samples.epoch,
                              samples.sampleIds[static_cast<std::size_t>(b)],
                              name.substr(5, dot - 5), "attention." + name.substr(dot + 1),
                              encodeGrayPng(bytes[b].data_ptr<std::uint8_t>(), width, height)});
    }
}

void AttentionMaskProbe::afterEpoch(const EpochRecord &epoch, store::RecordBatch &out)
{
    // "mtan.<task>.stage<i>": tasks are letters, digits, '_' and '-', so the last '.' splits.
    auto &rows = out.rows<store::MetricRow>();
    for (const auto &[name, total] : m_sums) {
        const std::size_t dot = name.rfind('.');
        if (dot == std::string::npos || dot <= 5 || total.second == 0)
            continue;
        rows.push_back({epoch.step, epoch.epoch, "val", name.substr(5, dot - 5),
                        name.substr(dot + 1), "attention_mean",
                        total.first / static_cast<double>(total.second)});
    }
    m_sums.clear();
}

void GateWeightProbe::afterEvalBatch(const EvalRecord &eval, store::RecordBatch &)
{
    if (eval.split != "val")
        return;
    for (const auto &[name, weights] : eval.output.taps)
        if (name.rfind("gate.", 0) == 0 && weights.dim() == 2) {
            auto &[sums, samples] = m_sums[name];
            const torch::Tensor total = weights.sum(0).to(torch::kDouble).cpu().contiguous();
            sums.resize(static_cast<std::size_t>(total.size(0)), 0.0);
            for (std::int64_t e = 0; e < total.size(0); ++e)
                sums[static_cast<std::size_t>(e)] += total[e].item<double>();
            samples += weights.size(0);
        }
}

void GateWeightProbe::afterEpoch(const EpochRecord &epoch, store::RecordBatch &out)
{
    // "gate.<task>.level<l>": task names have no '.', so the last '.' splits.
    auto &rows = out.rows<store::MetricRow>();
    for (const auto &[name, total] : m_sums) {
        const std::size_t dot = name.rfind('.');
        if (dot == std::string::npos || dot <= 5 || total.second == 0)
            continue;
        for (std::size_t e = 0; e < total.first.size(); ++e)
            rows.push_back({epoch.step, epoch.epoch, "val", name.substr(5, dot - 5),
                            name.substr(dot + 1) + ".expert" + std::to_string(e), "gate_weight",
                            total.first[e] / static_cast<double>(total.second)});
    }
    m_sums.clear();
}

void LatentTaskProbe::afterEpoch(const EpochRecord &epoch, store::RecordBatch &out)
{
    auto &rows = out.rows<store::MetricRow>();
    const auto parameters = epoch.model.named_parameters();
    const torch::Tensor *latent = parameters.find("latent_L");
    if (!latent)
        return;
    const torch::Tensor norms = latent->detach().norm(2, 0).to(torch::kDouble).cpu();
    for (std::int64_t k = 0; k < norms.size(0); ++k)
        rows.push_back({epoch.step, epoch.epoch, "train", "", "latent" + std::to_string(k),
                        "latent_norm", norms[k].item<double>()});
    for (std::size_t t = 0; t < epoch.tasks.size(); ++t) {
        const torch::Tensor *s = parameters.find("head_" + epoch.tasks[t] + ".S");
        if (!s)
            continue;
        const torch::Tensor values = s->detach().to(torch::kDouble).cpu();
        const std::vector<std::string> *names =
            epoch.outputs && t < epoch.outputs->size() ? &(*epoch.outputs)[t] : nullptr;
        for (std::int64_t a = 0; a < values.size(1); ++a) {
            const std::string attribute = names && static_cast<std::size_t>(a) < names->size()
                                              ? (*names)[static_cast<std::size_t>(a)]
                                              : "output" + std::to_string(a);
            for (std::int64_t k = 0; k < values.size(0); ++k)
                rows.push_back({epoch.step, epoch.epoch, "train", epoch.tasks[t],
                                attribute + ".latent" + std::to_string(k), "latent_weight",
                                values[k][a].item<double>()});
        }
    }
}

void WeightingStateProbe::afterEpoch(const EpochRecord &epoch, store::RecordBatch &out)
{
    if (!epoch.weighting || !epoch.objectives)
        return;
    const std::vector<std::string> &objectives = *epoch.objectives;
    auto &rows = out.rows<store::MetricRow>();
    for (const LearnedValues &learned : epoch.weighting->learnedValues())
        for (std::size_t k = 0; k < learned.values.size() && k < objectives.size(); ++k) {
            const std::string &objective = objectives[k]; // "<task>" or "<task>.<term>"
            const std::size_t dot = objective.find('.');
            rows.push_back({epoch.step, epoch.epoch, "train", objective.substr(0, dot),
                            dot == std::string::npos ? "" : objective.substr(dot + 1), learned.name,
                            learned.values[k]});
        }
}

const Registry<ProbeMaker> &probeTypes()
{
    static const Registry<ProbeMaker> table{
        {{"task_weights", "the loss weight of each task whenever it changes", {}},
         [](const nlohmann::json &) -> std::unique_ptr<Probe> {
             return std::make_unique<TaskWeightProbe>();
         }},
        {{"param_norms",
          "after each epoch, the L2 norm of each parameter group (shared, each head, …)",
          {}},
         [](const nlohmann::json &) -> std::unique_ptr<Probe> {
             return std::make_unique<ParameterNormProbe>();
         }},
        {{"cross_stitch_alpha",
          "after each epoch, every cross-stitch unit's mixing weights α (per target and source "
          "task; channel-wise α averaged)",
          {}},
         [](const nlohmann::json &) -> std::unique_ptr<Probe> {
             return std::make_unique<CrossStitchAlphaProbe>();
         }},
        {{"attention_masks",
          "after each epoch's validation, the mean of each MTAN attention mask per task and "
          "stage; and each probe sample's masks as 8-bit PNGs",
          {{"images", OptionSpec::Type::Boolean, true,
            "true: each epoch, the mask of every probe sample (train.probe_samples) per task and "
            "stage, averaged over channels, as an 8-bit grayscale PNG; false: the means only"}}},
         [](const nlohmann::json &options) -> std::unique_ptr<Probe> {
             return std::make_unique<AttentionMaskProbe>(options.value("images", true));
         }},
        {{"predictions",
          "what every task predicted for every sample of the final evaluation (class and "
          "attribute probabilities; dense tasks: the maps of the probe samples)",
          {{"every_epoch", OptionSpec::Type::Boolean, false,
            "true: also each epoch's validation (and the probe samples' maps each epoch); "
            "false: the final evaluation only (without a test split: every validation)"}}},
         [](const nlohmann::json &options) -> std::unique_ptr<Probe> {
             return std::make_unique<PredictionProbe>(options.value("every_epoch", false));
         }},
        {{"gradient_conflict",
          "every N steps, how the tasks' gradients on the shared part agree: cosine per pair, "
          "norms, magnitude similarity and the condition number of the gradient matrix",
          {{"every", OptionSpec::Type::Integer, 50, "steps between two measurements", 1, 1000000},
           {"space",
            OptionSpec::Type::Choice,
            "auto",
            "representation: gradients at the shared representation (one backward through the "
            "heads per task, cheap); parameters: at the shared parameters (through the whole "
            "shared network); auto: the representation when the model has one",
            0,
            0,
            {"auto", "representation", "parameters"}}}},
         [](const nlohmann::json &options) -> std::unique_ptr<Probe> {
             return std::make_unique<GradientConflictProbe>(options.value("every", 50),
                                                            options.value("space", "auto"));
         }},
        {{"gate_weights",
          "after each epoch's validation, the mean weight each task's gate gives each expert "
          "(mmoe, cgc, ple, dselect_k)",
          {}},
         [](const nlohmann::json &) -> std::unique_ptr<Probe> {
             return std::make_unique<GateWeightProbe>();
         }},
        {{"weighting_state",
          "after each epoch, what the weighting method learns per task: uncertainty's "
          "log-variances s_k, GradNorm's weights, IMTL-L's log scales, FAMO's logits",
          {}},
         [](const nlohmann::json &) -> std::unique_ptr<Probe> {
             return std::make_unique<WeightingStateProbe>();
         }},
        {{"latent_tasks",
          "after each epoch, MTL-CNN's latent task matrix (each latent task's norm) and each "
          "attribute's weights on the latent tasks",
          {}},
         [](const nlohmann::json &) -> std::unique_ptr<Probe> {
             return std::make_unique<LatentTaskProbe>();
         }},
    };
    return table;
}

std::unique_ptr<Probe> makeProbe(const experiment::ProbeConfig &config)
{
    const auto *entry = probeTypes().find(config.name);
    if (!entry)
        throw Error(ErrorCode::Config, "unknown probe '" + config.name + "'");
    return entry->make(config.options);
}

} // namespace mtl::train
