// The dense task types: segmentation, depth and normals (each reads one map column of the
// dataset, docs/STORE.md) and reconstruction (the input image). Each predicts a map at the
// input resolution; its loss and metrics average over the labelled pixels only.

#include "train/meters.h"
#include "train/taskhelpers.h"

#include <torch/nn/functional/loss.h>
#include <torch/nn/functional/normalization.h>
#include <torch/types.h>

#include <cmath>
#include <functional>
#include <cstdio>

namespace mtl::train::detail {

namespace {

constexpr double kPi = 3.14159265358979323846;

std::string format(const char *pattern, double a, double b = 0.0, double c = 0.0)
{
    char text[160];
    std::snprintf(text, sizeof text, pattern, a, b, c);
    return text;
}

// The values a stored map stands for: stored × scale + offset, as float [B, C, H, W]. uint16
// maps are held as int16 bits (data::MemorySplit).
at::Tensor decode(const at::Tensor &stored, const store::MapColumn &column)
{
    at::Tensor values = stored.scalar_type() == torch::kInt16
                            ? stored.to(torch::kInt32).bitwise_and(0xFFFF).to(torch::kFloat32)
                            : stored.to(torch::kFloat32);
    return values * column.scale + column.offset;
}

// [B, 1, H, W]: pixels with a label — some channel stored non-zero (depth, normals).
at::Tensor storedNonZero(const at::Tensor &stored)
{
    return stored.ne(0).any(1, true);
}

// Mean of `perPixel` over the pixels of `mask` (both [B, 1, H, W] or broadcastable).
at::Tensor maskedMean(const at::Tensor &perPixel, const at::Tensor &mask)
{
    const at::Tensor m = mask.to(perPixel.scalar_type());
    return (perPixel * m).sum() / m.sum().clamp_min(1.0);
}

// Runs `visit` over slices of 1024 samples of a whole split's targets: what fit() computes
// from the training split, without temporaries the size of the split (decoded normals would
// take 12 bytes a pixel).
void forEachChunk(const at::Tensor &targets, const std::function<void(const at::Tensor &)> &visit)
{
    constexpr std::int64_t chunk = 1024;
    const std::int64_t n = targets.size(0);
    for (std::int64_t i = 0; i < n; i += chunk)
        visit(targets.slice(0, i, std::min(n, i + chunk)));
}

// Sums and counts a dense meter keeps: the loss weighted by labelled pixels, plus `extra`
// sums of its own; state() is [loss sum, pixels, extra…].
class PixelMeter : public TaskMeter {
public:
    explicit PixelMeter(std::size_t extra)
        : m_sums(extra, 0.0)
    {}
    std::vector<double> state() const override
    {
        std::vector<double> s{m_lossSum, m_pixels};
        s.insert(s.end(), m_sums.begin(), m_sums.end());
        return s;
    }
    void merge(const std::vector<double> &state) override
    {
        checkStateSize(state, 2 + m_sums.size());
        m_lossSum += state[0];
        m_pixels += state[1];
        for (std::size_t i = 0; i < m_sums.size(); ++i)
            m_sums[i] += state[2 + i];
    }

protected:
    void addLoss(double loss, double pixels)
    {
        m_lossSum += loss * pixels;
        m_pixels += pixels;
    }
    // loss, then name/sum pairs as means over the pixels; empty when nothing was labelled.
    std::vector<MetricValue> means(std::initializer_list<std::pair<const char *, double>> sums,
                                   double factor = 1.0) const
    {
        if (m_pixels <= 0)
            return {};
        std::vector<MetricValue> values{{"", "loss", m_lossSum / m_pixels}};
        for (const auto &[name, sum] : sums)
            values.push_back({"", name, factor * sum / m_pixels});
        return values;
    }
    double m_lossSum = 0.0, m_pixels = 0.0;
    std::vector<double> m_sums;
};

class MapTask : public Task {
public:
    MapTask(const experiment::TaskConfig &config, store::MapColumn column)
        : Task(config)
        , m_column(std::move(column))
    {}
    std::vector<std::string> columns() const override { return {config().label}; }
    at::Tensor targets(const SplitLabels &split) const override
    {
        const auto it = split.maps.find(config().label);
        if (it == split.maps.end())
            throw Error(ErrorCode::Training, "map '" + config().label + "' was not loaded");
        return it->second;
    }
    data::TargetGeometry targetGeometry() const override
    {
        if (m_column.kind != store::MapKind::Normals)
            return {data::TargetGeometry::Kind::Map};
        // The stored value of −x: (−x − offset) / scale = −s − 2 · offset / scale.
        return {data::TargetGeometry::Kind::Normals, -2.0 * m_column.offset / m_column.scale};
    }

protected:
    model::HeadSpec denseHead(std::int64_t channels, const char *type) const
    {
        return {name(), model::HeadSpec::Kind::Dense, channels, config().options, type};
    }
    // "7 of 8 pixels labelled", said only when some are not.
    static std::string labelledPixels(std::int64_t labelled, std::int64_t total)
    {
        return labelled < total ? labelledText(labelled, total, "pixels labelled") : std::string();
    }
    store::MapColumn m_column;
};

// Per-pixel cross-entropy over the classes of a segmentation map; 255 is not labelled.
class SegmentationMeter final : public TaskMeter {
public:
    explicit SegmentationMeter(std::vector<std::string> classes)
        : m_classes(std::move(classes))
        , m_confusion(m_classes.size() * m_classes.size(), 0.0)
    {}
    void add(const at::Tensor &output, const at::Tensor &target, double loss) override
    {
        const auto k = static_cast<std::int64_t>(m_classes.size());
        const at::Tensor truth = target.squeeze(1).to(torch::kLong);
        const at::Tensor valid = truth.lt(k);
        const at::Tensor cells =
            truth.masked_select(valid) * k + output.argmax(1).masked_select(valid);
        const at::Tensor counts = torch::bincount(cells, {}, k * k).cpu().to(torch::kDouble);
        const auto c = counts.accessor<double, 1>();
        for (std::int64_t i = 0; i < k * k; ++i)
            m_confusion[static_cast<std::size_t>(i)] += c[i];
        const double pixels = static_cast<double>(cells.numel());
        m_lossSum += loss * pixels;
        m_pixels += pixels;
    }
    // loss, pixel_accuracy, miou (over the classes seen or predicted), then iou per class.
    std::vector<MetricValue> values() const override
    {
        if (m_pixels <= 0)
            return {};
        const std::size_t k = m_classes.size();
        double correct = 0.0, iouSum = 0.0;
        int present = 0;
        std::vector<MetricValue> perClass;
        for (std::size_t c = 0; c < k; ++c) {
            double truth = 0.0, predicted = 0.0;
            for (std::size_t j = 0; j < k; ++j) {
                truth += m_confusion[c * k + j];
                predicted += m_confusion[j * k + c];
            }
            const double hit = m_confusion[c * k + c];
            correct += hit;
            const double unite = truth + predicted - hit;
            if (unite <= 0)
                continue;
            iouSum += hit / unite;
            ++present;
            perClass.push_back({m_classes[c], "iou", hit / unite});
        }
        std::vector<MetricValue> values{{"", "loss", m_lossSum / m_pixels},
                                        {"", "miou", iouSum / std::max(1, present)},
                                        {"", "pixel_accuracy", correct / m_pixels}};
        values.insert(values.end(), perClass.begin(), perClass.end());
        return values;
    }
    std::vector<double> state() const override
    {
        std::vector<double> s{m_lossSum, m_pixels};
        s.insert(s.end(), m_confusion.begin(), m_confusion.end());
        return s;
    }
    void merge(const std::vector<double> &state) override
    {
        checkStateSize(state, 2 + m_confusion.size());
        m_lossSum += state[0];
        m_pixels += state[1];
        for (std::size_t i = 0; i < m_confusion.size(); ++i)
            m_confusion[i] += state[2 + i];
    }

private:
    std::vector<std::string> m_classes;
    std::vector<double> m_confusion; // [truth × predicted], row-major
    double m_lossSum = 0.0, m_pixels = 0.0;
};

class SegmentationTask final : public MapTask {
public:
    using MapTask::MapTask;
    model::HeadSpec head() const override
    {
        return denseHead(static_cast<std::int64_t>(m_column.categories.size()), "segmentation");
    }
    // The majority-class baseline of the training split, for the run header.
    void fit(const at::Tensor &trainTargets) override
    {
        const auto k = static_cast<std::int64_t>(m_column.categories.size());
        // Per class: its labelled pixels, and the labelled pixels of the images it occurs in.
        at::Tensor counts = torch::zeros({k}, torch::kDouble),
                   seen = torch::zeros({k}, torch::kDouble);
        forEachChunk(trainTargets, [&](const at::Tensor &chunk) {
            const at::Tensor part = chunk.reshape({chunk.size(0), -1}).to(torch::kLong);
            const at::Tensor valid = part.lt(k);
            const at::Tensor image =
                torch::arange(part.size(0)).unsqueeze(1).expand_as(part).masked_select(valid);
            const at::Tensor perImage =
                torch::bincount(image * k + part.masked_select(valid), {}, part.size(0) * k)
                    .view({part.size(0), k})
                    .to(torch::kDouble);
            counts += perImage.sum(0);
            seen +=
                (perImage.gt(0).to(torch::kDouble) * valid.sum(1, true).to(torch::kDouble)).sum(0);
        });
        const double labelled = counts.sum().item<double>();
        m_notes = labelledPixels(static_cast<std::int64_t>(labelled), trainTargets.numel());
        if (labelled <= 0)
            return;
        const std::int64_t majority = counts.argmax().item<std::int64_t>();
        const double share = counts[majority].item<double>() / labelled;
        // Predicting the majority everywhere: its IoU is its share, every other class's 0.
        const double present = counts.gt(0).sum().item<double>();
        m_notes += (m_notes.empty() ? "" : "; ") + std::string("majority class ") +
                   m_column.categories[static_cast<std::size_t>(majority)] +
                   format(" (predicting it: pixel accuracy %.1f%%, mIoU %.1f%%)", 100.0 * share,
                          100.0 * share / present);
        if (config().options.value("class_weights", std::string("none")) == "median_frequency")
            fitMedianFrequency(counts, seen);
    }
    std::string fitted() const override { return m_notes; }
    at::Tensor loss(const at::Tensor &output, const at::Tensor &target) const override
    {
        namespace F = torch::nn::functional;
        auto options = F::CrossEntropyFuncOptions().ignore_index(store::kSegmentationIgnore);
        if (m_weights.defined())
            options.weight(m_weights.to(output.device()));
        return F::cross_entropy(output, target.squeeze(1).to(torch::kLong), options);
    }
    Prediction predict(const at::Tensor &output) const override
    {
        return {"class_map", output.detach().argmax(1, true).to(torch::kFloat32).cpu(), true};
    }
    std::unique_ptr<TaskMeter> makeMeter() const override
    {
        return std::make_unique<SegmentationMeter>(m_column.categories);
    }

private:
    // Median frequency balancing (Eigen & Fergus, ICCV 2015; the SegNet paper's weights):
    // freq(c) = pixels of c / pixels of the images c occurs in, weight(c) = median(freq) /
    // freq(c); a class the split never shows keeps 1.
    void fitMedianFrequency(const at::Tensor &pixels, const at::Tensor &seen)
    {
        const auto k = static_cast<std::int64_t>(m_column.categories.size());
        const at::Tensor present = seen.gt(0) & pixels.gt(0);
        if (!present.any().item<bool>())
            return;
        const at::Tensor frequency = pixels / seen.clamp_min(1.0);
        const double median = frequency.masked_select(present).median().item<double>();
        m_weights =
            torch::where(present, median / frequency.clamp_min(1e-12), torch::ones_like(frequency))
                .to(torch::kFloat32);
        m_notes += "; class weights";
        for (std::int64_t c = 0; c < k; ++c)
            m_notes += (c == 0 ? " " : ", ") + m_column.categories[static_cast<std::size_t>(c)] +
                       format(" %.2f", m_weights[c].item<double>());
    }

    std::string m_notes;
    at::Tensor m_weights; // [K] on the CPU; undefined: unweighted
};

// Depth: the prediction is the distance itself; stored 0 is not labelled.
class DepthMeter final : public PixelMeter {
public:
    DepthMeter(store::MapColumn column)
        : PixelMeter(4)
        , m_column(std::move(column))
    {}
    void add(const at::Tensor &output, const at::Tensor &target, double loss) override
    {
        const at::Tensor valid = storedNonZero(target);
        const at::Tensor truth = decode(target, m_column).masked_select(valid);
        const at::Tensor predicted = output.masked_select(valid);
        const at::Tensor error = (predicted - truth).abs();
        const at::Tensor ratio = torch::max(predicted / truth, truth / predicted.clamp_min(1e-6));
        addLoss(loss, static_cast<double>(truth.numel()));
        m_sums[0] += error.sum(torch::kDouble).item<double>();
        m_sums[1] += (error / truth).sum(torch::kDouble).item<double>();
        m_sums[2] += error.square().sum(torch::kDouble).item<double>();
        m_sums[3] += ratio.lt(1.25).sum().item<double>();
    }
    // loss, abs_err, rel_err, rmse, delta1 (share of pixels within a factor 1.25)
    std::vector<MetricValue> values() const override
    {
        std::vector<MetricValue> values = means({{"abs_err", m_sums[0]},
                                                 {"rel_err", m_sums[1]},
                                                 {"rmse", m_sums[2]},
                                                 {"delta1", m_sums[3]}});
        if (!values.empty())
            values[3].value = std::sqrt(values[3].value);
        return values;
    }

private:
    store::MapColumn m_column;
};

class DepthTask final : public MapTask {
public:
    bool regression() const override { return true; }
    using MapTask::MapTask;
    model::HeadSpec head() const override { return denseHead(1, "depth"); }
    // The mean-depth baseline of the training split, for the run header.
    void fit(const at::Tensor &trainTargets) override
    {
        double sum = 0.0, absSum = 0.0, relSum = 0.0;
        std::int64_t labelled = 0;
        forEachChunk(trainTargets, [&](const at::Tensor &chunk) {
            const at::Tensor depth = decode(chunk, m_column).masked_select(storedNonZero(chunk));
            sum += depth.sum(torch::kDouble).item<double>();
            labelled += depth.numel();
        });
        m_notes = labelledPixels(labelled, trainTargets.numel());
        if (labelled == 0)
            return;
        const double mean = sum / static_cast<double>(labelled);
        m_prior = {mean};
        forEachChunk(trainTargets, [&](const at::Tensor &chunk) {
            const at::Tensor depth = decode(chunk, m_column).masked_select(storedNonZero(chunk));
            const at::Tensor error = (depth - mean).abs();
            absSum += error.sum(torch::kDouble).item<double>();
            relSum += (error / depth).sum(torch::kDouble).item<double>();
        });
        m_notes += (m_notes.empty() ? "" : "; ") +
                   format("mean depth %.3f (predicting it: abs err %.3f, rel err %.3f)", mean,
                          absSum / labelled, relSum / labelled);
    }
    std::string fitted() const override { return m_notes; }
    // Starting at the mean depth spares the head thousands of small steps towards it.
    std::vector<double> outputPrior() const override { return m_prior; }
    at::Tensor loss(const at::Tensor &output, const at::Tensor &target) const override
    {
        const at::Tensor valid = storedNonZero(target);
        const at::Tensor truth = decode(target, m_column);
        const std::string kind = config().options.value("loss", std::string("l1"));
        if (kind == "mse")
            return maskedMean((output - truth).square(), valid);
        if (kind == "l1")
            return maskedMean((output - truth).abs(), valid);
        // The log losses read the prediction as a distance, kept above 1e-3.
        const at::Tensor d =
            (torch::log(output.clamp_min(1e-3)) - torch::log(truth.clamp_min(1e-3)));
        if (kind == "log_l1")
            return maskedMean(d.abs(), valid);
        // scale_invariant (Eigen et al., NeurIPS 2014): mean(d²) − λ·mean(d)², λ = 0.5.
        const at::Tensor mean = maskedMean(d, valid);
        return maskedMean(d.square(), valid) - 0.5 * mean.square();
    }
    Prediction predict(const at::Tensor &output) const override
    {
        return {"depth_map", output.detach().to(torch::kFloat32).cpu(), true};
    }
    std::unique_ptr<TaskMeter> makeMeter() const override
    {
        return std::make_unique<DepthMeter>(m_column);
    }

private:
    std::string m_notes;
    std::vector<double> m_prior;
};

// Angles in degrees between predicted and true unit normals ([B, H, W] of labelled pixels).
at::Tensor angles(const at::Tensor &output, const at::Tensor &truth)
{
    const at::Tensor cosine = torch::cosine_similarity(output, truth, 1, 1e-8);
    return torch::acos(cosine.clamp(-1.0, 1.0)) * (180.0 / kPi);
}

// Angle histogram for the median: kAngleBins bins of kAngleBin degrees over [0°, 180°].
constexpr double kAngleBin = 0.05;
constexpr std::int64_t kAngleBins = 3600;

class NormalsMeter final : public PixelMeter {
public:
    explicit NormalsMeter(store::MapColumn column)
        : PixelMeter(4 + kAngleBins)
        , m_column(std::move(column))
    {}
    void add(const at::Tensor &output, const at::Tensor &target, double loss) override
    {
        const at::Tensor valid = storedNonZero(target).squeeze(1);
        const at::Tensor angle = angles(output, decode(target, m_column)).masked_select(valid);
        addLoss(loss, static_cast<double>(angle.numel()));
        m_sums[0] += angle.sum(torch::kDouble).item<double>();
        m_sums[1] += angle.lt(11.25).sum().item<double>();
        m_sums[2] += angle.lt(22.5).sum().item<double>();
        m_sums[3] += angle.lt(30.0).sum().item<double>();
        const at::Tensor bins =
            (angle / kAngleBin).floor().to(torch::kLong).clamp(0, kAngleBins - 1);
        const at::Tensor counts =
            torch::bincount(bins, {}, kAngleBins).to(torch::kDouble).cpu().contiguous();
        const double *c = counts.data_ptr<double>();
        for (std::int64_t b = 0; b < kAngleBins; ++b)
            m_sums[static_cast<std::size_t>(4 + b)] += c[b];
    }
    // loss, angle_err (mean, degrees), median_angle_err (degrees, to 0.05°),
    // within_11.25/22.5/30 (shares of pixels)
    std::vector<MetricValue> values() const override
    {
        std::vector<MetricValue> values = means({{"angle_err", m_sums[0]},
                                                 {"within_11.25", m_sums[1]},
                                                 {"within_22.5", m_sums[2]},
                                                 {"within_30", m_sums[3]}});
        if (!values.empty())
            values.insert(values.begin() + 2,
                          {"", "median_angle_err",
                           histogramMedian(m_sums.data() + 4, kAngleBins, kAngleBin)});
        return values;
    }

private:
    store::MapColumn m_column;
};

class NormalsTask final : public MapTask {
public:
    bool regression() const override { return true; }
    using MapTask::MapTask;
    model::HeadSpec head() const override { return denseHead(3, "normals"); }
    // The mean-normal baseline of the training split, for the run header.
    void fit(const at::Tensor &trainTargets) override
    {
        at::Tensor sum = torch::zeros({3}, torch::kDouble);
        std::int64_t labelled = 0;
        forEachChunk(trainTargets, [&](const at::Tensor &chunk) {
            const at::Tensor mask = storedNonZero(chunk).to(torch::kFloat32);
            sum += (decode(chunk, m_column) * mask).sum({0, 2, 3}).to(torch::kDouble);
            labelled += mask.sum().item<std::int64_t>();
        });
        const std::int64_t total =
            trainTargets.size(0) * trainTargets.size(2) * trainTargets.size(3);
        m_notes = labelledPixels(labelled, total);
        if (labelled == 0 || sum.norm().item<double>() <= 0)
            return;
        const at::Tensor mean = (sum / labelled).to(torch::kFloat32).view({1, 3, 1, 1});
        const at::Tensor unit = mean.flatten() / mean.norm();
        m_prior = {unit[0].item<double>(), unit[1].item<double>(), unit[2].item<double>()};
        double angleSum = 0.0;
        forEachChunk(trainTargets, [&](const at::Tensor &chunk) {
            const at::Tensor normals = decode(chunk, m_column);
            angleSum += angles(normals, mean.expand_as(normals))
                            .masked_select(storedNonZero(chunk).squeeze(1))
                            .sum(torch::kDouble)
                            .item<double>();
        });
        m_notes += (m_notes.empty() ? "" : "; ") +
                   format("predicting the mean normal: angle err %.1f°", angleSum / labelled);
    }
    std::string fitted() const override { return m_notes; }
    // The mean normal's direction: the head starts where the baseline is.
    std::vector<double> outputPrior() const override { return m_prior; }
    // 1 − cosine between the prediction and the true normal, over the labelled pixels.
    at::Tensor loss(const at::Tensor &output, const at::Tensor &target) const override
    {
        const at::Tensor cosine =
            torch::cosine_similarity(output, decode(target, m_column), 1, 1e-8);
        return maskedMean(1.0 - cosine, storedNonZero(target).squeeze(1));
    }
    Prediction predict(const at::Tensor &output) const override
    {
        namespace F = torch::nn::functional;
        return {"normals_map",
                F::normalize(output.detach().to(torch::kFloat32), F::NormalizeFuncOptions().dim(1))
                    .cpu(),
                true};
    }
    std::unique_ptr<TaskMeter> makeMeter() const override
    {
        return std::make_unique<NormalsMeter>(m_column);
    }

private:
    std::string m_notes;
    std::vector<double> m_prior;
};

// Reconstruction of the input image in [0, 1]: every pixel and channel is labelled.
class ReconstructionMeter final : public PixelMeter {
public:
    ReconstructionMeter()
        : PixelMeter(2)
    {}
    void add(const at::Tensor &output, const at::Tensor &target, double loss) override
    {
        const at::Tensor error = output - target.to(torch::kFloat32) / 255.0;
        addLoss(loss, static_cast<double>(error.numel()));
        m_sums[0] += error.abs().sum(torch::kDouble).item<double>();
        m_sums[1] += error.square().sum(torch::kDouble).item<double>();
    }
    // loss, l1, psnr (dB, from the mean squared error over the pass)
    std::vector<MetricValue> values() const override
    {
        std::vector<MetricValue> values = means({{"l1", m_sums[0]}, {"psnr", m_sums[1]}});
        if (!values.empty())
            values[2].value = 10.0 * std::log10(1.0 / std::max(values[2].value, 1e-12));
        return values;
    }
};

class ReconstructionTask final : public Task {
public:
    bool regression() const override { return true; }
    ReconstructionTask(const experiment::TaskConfig &config, std::int64_t channels)
        : Task(config)
        , m_channels(channels)
    {}
    std::vector<std::string> columns() const override { return {}; }
    model::HeadSpec head() const override
    {
        return {name(), model::HeadSpec::Kind::Dense, m_channels, config().options,
                "reconstruction"};
    }
    at::Tensor targets(const SplitLabels &split) const override { return split.images; }
    data::TargetGeometry targetGeometry() const override
    {
        return {data::TargetGeometry::Kind::Input};
    }
    at::Tensor loss(const at::Tensor &output, const at::Tensor &target) const override
    {
        const at::Tensor error = output - target.to(output.scalar_type()) / 255.0;
        return config().options.value("loss", std::string("l1")) == "mse" ? error.square().mean()
                                                                          : error.abs().mean();
    }
    Prediction predict(const at::Tensor &output) const override
    {
        return {"image", output.detach().clamp(0.0, 1.0).to(torch::kFloat32).cpu(), true};
    }
    std::unique_ptr<TaskMeter> makeMeter() const override
    {
        return std::make_unique<ReconstructionMeter>();
    }

private:
    std::int64_t m_channels;
};

const store::MapColumn &requireMap(const experiment::TaskConfig &config,
                                   const store::DatasetInfo &dataset, const std::string &keyPath,
                                   store::MapKind kind)
{
    const std::string key = keyPath + ".label";
    const store::MapColumn *map = dataset.map(config.label);
    if (!map && dataset.column(config.label))
        throw configError(key, "column '" + config.label + "' is a label column; a " +
                                   toString(kind) + " task reads a " + toString(kind) +
                                   " map (columns: " + columnList(dataset) + ")");
    if (!map)
        throw configError(key, "map '" + config.label + "' is not in dataset '" + dataset.name +
                                   "' (columns: " + columnList(dataset) + ")");
    if (map->kind != kind)
        throw configError(key, "map '" + config.label + "' holds " + toString(map->kind) + "; a " +
                                   toString(kind) + " task needs a " + toString(kind) + " map");
    if (kind == store::MapKind::Normals && map->channels != 3)
        throw configError(key, "map '" + config.label + "' has " + std::to_string(map->channels) +
                                   " channels; normals have 3");
    if (kind != store::MapKind::Normals && map->channels != 1)
        throw configError(key, "map '" + config.label + "' has " + std::to_string(map->channels) +
                                   " channels; a " + toString(kind) + " map has 1");
    if (kind == store::MapKind::Segmentation && map->categories.size() < 2)
        throw configError(key, "map '" + config.label + "' names fewer than 2 classes");
    return *map;
}

} // namespace

std::unique_ptr<Task> makeSegmentation(const experiment::TaskConfig &config,
                                       const store::DatasetInfo &dataset,
                                       const std::string &keyPath)
{
    return std::make_unique<SegmentationTask>(
        config, requireMap(config, dataset, keyPath, store::MapKind::Segmentation));
}

std::unique_ptr<Task> makeDepth(const experiment::TaskConfig &config,
                                const store::DatasetInfo &dataset, const std::string &keyPath)
{
    return std::make_unique<DepthTask>(config,
                                       requireMap(config, dataset, keyPath, store::MapKind::Depth));
}

std::unique_ptr<Task> makeNormals(const experiment::TaskConfig &config,
                                  const store::DatasetInfo &dataset, const std::string &keyPath)
{
    return std::make_unique<NormalsTask>(
        config, requireMap(config, dataset, keyPath, store::MapKind::Normals));
}

std::unique_ptr<Task> makeReconstruction(const experiment::TaskConfig &config,
                                         const store::DatasetInfo &dataset, const std::string &)
{
    return std::make_unique<ReconstructionTask>(config, std::max(1, dataset.channels));
}

} // namespace mtl::train::detail
