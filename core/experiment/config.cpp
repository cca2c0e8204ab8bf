#include "experiment/config.h"

#include "common/error.h"
#include "common/utf8.h"
#include "data/gzipfile.h"
#include "experiment/jsonreader.h"
#include "resources/embedded.h"

#include <algorithm>
#include <set>
#include <tuple>
#include <variant>

namespace mtl::experiment {

using nlohmann::json;

namespace {

// A registered part's name at `keyPath`, and its options from parent[optionsKey].
const PartSpec &part(const JsonReader &r, const std::string &keyPath, const std::string &name,
                     const std::vector<PartSpec> &parts)
{
    r.oneOf(keyPath, name, partNames(parts));
    return *findPart(parts, name);
}

json optionsOf(const JsonReader &r, const json &parent, const std::string &path, const char *key,
               const PartSpec &spec)
{
    const std::string keyPath = JsonReader::join(path, key);
    if (parent.contains(key) && !parent.at(key).is_object())
        r.fail(keyPath,
               std::string("expected an object, got ") + JsonReader::typeName(parent.at(key)));
    return validateOptions(parent.contains(key) ? parent.at(key) : json(), spec.options, keyPath,
                           r.source());
}

} // namespace

std::vector<ProbeConfig> defaultProbes()
{
    return {ProbeConfig{"task_weights", json::object()}};
}

namespace {

// [width, height] at input.<key>, each in 1..4096.
std::pair<int, int> readSize(const JsonReader &r, const json &input, const char *key)
{
    const std::string path = JsonReader::join("input", key);
    const json &value = input.at(key);
    if (!value.is_array() || value.size() != 2 || !value[0].is_number_integer() ||
        !value[1].is_number_integer())
        r.fail(path, "expected [width, height], got " + value.dump());
    const int width = value[0].get<int>(), height = value[1].get<int>();
    if (width < 1 || height < 1 || width > 4096 || height > 4096)
        r.fail(path, "each side must be in 1..4096, got " + value.dump());
    return {width, height};
}

std::vector<double> readChannels(const JsonReader &r, const json &object, const std::string &path,
                                 const char *key)
{
    const std::string at = JsonReader::join(path, key);
    if (!object.contains(key))
        r.fail(at, "missing (required): one number per channel");
    const json &value = object.at(key);
    if (!value.is_array() || value.empty() || value.size() > 4)
        r.fail(at, "expected 1 to 4 numbers (one per channel), got " + value.dump());
    std::vector<double> numbers;
    for (const json &x : value) {
        if (!x.is_number())
            r.fail(at, "expected numbers, got " + value.dump());
        numbers.push_back(x.get<double>());
    }
    return numbers;
}

data::InputOptions parseInput(const JsonReader &r, const json &input)
{
    r.checkKeys(input, "input",
                {"resize", "crop", "crop_size", "hflip", "brightness", "contrast", "saturation",
                 "normalize", "source", "workers", "prefetch", "cache_mb"});
    data::InputOptions o;
    if (input.contains("resize"))
        std::tie(o.resizeWidth, o.resizeHeight) = readSize(r, input, "resize");
    o.crop = r.string(input, "input", "crop", &o.crop);
    r.oneOf("input.crop", o.crop, {"none", "center", "random"});
    if (input.contains("crop_size"))
        std::tie(o.cropWidth, o.cropHeight) = readSize(r, input, "crop_size");
    if (o.crop != "none" && o.cropWidth == 0)
        r.fail("input.crop_size", "missing: a " + o.crop + " crop needs its [width, height]");
    if (o.crop == "none" && o.cropWidth > 0)
        r.fail("input.crop", "crop_size is given; say \"center\" or \"random\"");
    o.hflip = r.boolean(input, "input", "hflip", o.hflip);
    o.brightness = r.number(input, "input", "brightness", o.brightness, 0.0, 1.0);
    o.contrast = r.number(input, "input", "contrast", o.contrast, 0.0, 1.0);
    o.saturation = r.number(input, "input", "saturation", o.saturation, 0.0, 1.0);
    if (input.contains("normalize") && input.at("normalize").is_object()) {
        const json &normalize = input.at("normalize");
        r.checkKeys(normalize, "input.normalize", {"mean", "std"});
        o.normalize = "custom";
        o.mean = readChannels(r, normalize, "input.normalize", "mean");
        o.std = readChannels(r, normalize, "input.normalize", "std");
        if (o.mean.size() != o.std.size())
            r.fail("input.normalize.std", "has " + std::to_string(o.std.size()) +
                                              " numbers and mean " + std::to_string(o.mean.size()));
        for (const double x : o.std)
            if (!(x > 0))
                r.fail("input.normalize.std", "every standard deviation must be above 0");
    } else {
        o.normalize = r.string(input, "input", "normalize", &o.normalize);
        r.oneOf("input.normalize", o.normalize, {"none", "dataset"});
    }
    o.source = r.string(input, "input", "source", &o.source);
    r.oneOf("input.source", o.source, {"auto", "memory", "pipeline"});
    if (o.source == "memory" && !o.identity())
        r.fail("input.source", "the in-memory source does not transform images; use \"auto\" "
                               "or \"pipeline\" with resize, crop, flips, jitter or normalize");
    o.workers = static_cast<int>(r.integer(input, "input", "workers", o.workers, 0, 64));
    o.prefetch = static_cast<int>(r.integer(input, "input", "prefetch", o.prefetch, 1, 64));
    o.cacheMb = static_cast<int>(r.integer(input, "input", "cache_mb", o.cacheMb, 0, 1 << 20));
    return o;
}

json inputJson(const data::InputOptions &o)
{
    json j = json::object();
    if (o.resizeWidth > 0)
        j["resize"] = {o.resizeWidth, o.resizeHeight};
    j["crop"] = o.crop;
    if (o.crop != "none")
        j["crop_size"] = {o.cropWidth, o.cropHeight};
    j["hflip"] = o.hflip;
    j["brightness"] = o.brightness;
    j["contrast"] = o.contrast;
    j["saturation"] = o.saturation;
    if (o.normalize == "custom")
        j["normalize"] = {{"mean", o.mean}, {"std", o.std}};
    else
        j["normalize"] = o.normalize;
    j["source"] = o.source;
    j["workers"] = o.workers;
    j["prefetch"] = o.prefetch;
    j["cache_mb"] = o.cacheMb;
    return j;
}

} // namespace

ExperimentConfig ExperimentConfig::parse(const std::string &text, const std::string &source,
                                         const Catalog &catalog)
{
    const json root = parseJson(text, source);
    const JsonReader r(source);
    using Reader = JsonReader;
    if (!root.is_object())
        r.fail("", std::string("the config must be a JSON object, got ") + Reader::typeName(root));
    r.checkKeys(root, "",
                {"name", "dataset", "tasks", "model", "weighting", "optimizer", "scheduler",
                 "train", "input", "debug", "probes"});

    ExperimentConfig config;
    config.name = r.string(root, "", "name", nullptr);
    config.dataset = r.string(root, "", "dataset", nullptr);

    if (!root.contains("tasks"))
        r.fail("tasks", "missing (required): a list of tasks");
    const json &tasks = root.at("tasks");
    if (!tasks.is_array() || tasks.empty())
        r.fail("tasks", "expected a non-empty array of tasks");
    std::set<std::string> taskNames;
    for (std::size_t i = 0; i < tasks.size(); ++i) {
        const std::string path = "tasks[" + std::to_string(i) + "]";
        const json &t = tasks[i];
        if (!t.is_object())
            r.fail(path, std::string("expected an object, got ") + Reader::typeName(t));
        r.checkKeys(t, path, {"name", "type", "label", "labels", "options"});
        TaskConfig task;
        task.name = r.string(t, path, "name", nullptr);
        // Task names name model submodules and metric rows: letters, digits, '_' and '-'.
        if (task.name.empty() ||
            task.name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                        "0123456789_-") != std::string::npos)
            r.fail(path + ".name",
                   "task name '" + task.name + "' may only contain letters, digits, '_' and '-'");
        if (!taskNames.insert(task.name).second)
            r.fail(path + ".name", "duplicate task name '" + task.name + "'");
        task.type = r.string(t, path, "type", nullptr);
        const PartSpec &type = part(r, path + ".type", task.type, catalog.taskTypes);
        task.options = optionsOf(r, t, path, "options", type);
        if (task.type == "reconstruction") {
            for (const char *key : {"label", "labels"})
                if (t.contains(key))
                    r.fail(path + "." + key, "a reconstruction task reads the input image; it "
                                             "takes no label columns");
        } else if (task.type != "attributes") {
            if (t.contains("labels"))
                r.fail(path + ".labels", "a " + task.type + " task takes one column in 'label'");
            task.label = r.string(t, path, "label", nullptr);
        } else {
            if (t.contains("label"))
                r.fail(path + ".label", "an attributes task takes its columns in 'labels'");
            if (!t.contains("labels"))
                r.fail(path + ".labels", "missing (required): a list of binary columns");
            const json &labels = t.at("labels");
            if (!labels.is_array() || labels.empty())
                r.fail(path + ".labels", "expected a non-empty array of column names");
            std::set<std::string> seen;
            for (std::size_t j = 0; j < labels.size(); ++j) {
                const std::string labelPath = path + ".labels[" + std::to_string(j) + "]";
                if (!labels[j].is_string() || labels[j].get<std::string>().empty())
                    r.fail(labelPath, "expected a column name");
                if (!seen.insert(labels[j].get<std::string>()).second)
                    r.fail(labelPath, "column '" + labels[j].get<std::string>() + "' listed twice");
                task.labels.push_back(labels[j].get<std::string>());
            }
        }
        config.tasks.push_back(std::move(task));
    }

    const json &model = r.object(root, "", "model", false);
    r.checkKeys(model, "model", {"backbone", "sharing", "backbone_options", "sharing_options"});
    ModelConfig &m = config.model;
    m.backbone = r.string(model, "model", "backbone", &m.backbone);
    m.backboneOptions = optionsOf(r, model, "model", "backbone_options",
                                  part(r, "model.backbone", m.backbone, catalog.backbones));
    m.sharing = r.string(model, "model", "sharing", &m.sharing);
    m.sharingOptions = optionsOf(r, model, "model", "sharing_options",
                                 part(r, "model.sharing", m.sharing, catalog.sharings));

    const json &weighting = r.object(root, "", "weighting", false);
    r.checkKeys(weighting, "weighting", {"method", "options"});
    WeightingConfig &w = config.weighting;
    w.method = r.string(weighting, "weighting", "method", &w.method);
    w.options = optionsOf(r, weighting, "weighting", "options",
                          part(r, "weighting.method", w.method, catalog.weightings));

    const json &optimizer = r.object(root, "", "optimizer", false);
    OptimizerConfig &o = config.optimizer;
    o.name = r.string(optimizer, "optimizer", "name", &o.name);
    const PartSpec &optimizerSpec = part(r, "optimizer.name", o.name, catalog.optimizers);
    {
        // The optimiser's own options sit beside name and lr; an option of another one is
        // named as such ("only the sgd, rmsprop optimizers take a momentum").
        const std::vector<std::string> common{"name", "lr", "weight_decay", "clip_norm", "groups"};
        std::vector<std::string> known = common;
        for (const OptionSpec &option : optimizerSpec.options)
            known.push_back(option.name);
        json own = json::object();
        for (const auto &item : optimizer.items()) {
            if (std::find(known.begin(), known.end(), item.key()) != known.end()) {
                if (std::find(common.begin(), common.end(), item.key()) == common.end())
                    own[item.key()] = item.value();
                continue;
            }
            std::vector<std::string> takers;
            for (const PartSpec &other : catalog.optimizers)
                for (const OptionSpec &option : other.options)
                    if (option.name == item.key())
                        takers.push_back(other.name);
            if (!takers.empty())
                r.fail("optimizer." + item.key(),
                       "only the " + joinNames(takers) +
                           (takers.size() == 1 ? " optimizer takes " : " optimizers take ") + "a " +
                           item.key() + " (optimizer.name is " + o.name + ")");
        }
        r.checkKeys(optimizer, "optimizer", known);
        o.options = validateOptions(own, optimizerSpec.options, "optimizer", r.source());
    }
    o.lr = r.number(optimizer, "optimizer", "lr", o.lr, 0.0, 10.0, true);
    o.weightDecay = r.number(optimizer, "optimizer", "weight_decay", o.weightDecay, 0.0, 1.0);
    o.clipNorm = r.number(optimizer, "optimizer", "clip_norm", o.clipNorm, 0.0, 1e9);
    // Which groups exist depends on the model; the trainer checks the names when it builds it.
    const json &groups = r.object(optimizer, "optimizer", "groups", false);
    for (const auto &item : groups.items()) {
        const std::string path = "optimizer.groups." + item.key();
        if (!item.value().is_object())
            r.fail(path, std::string("expected an object such as {\"lr_scale\": 10}, got ") +
                             Reader::typeName(item.value()));
        r.checkKeys(item.value(), path, {"lr_scale", "weight_decay"});
        ParameterGroupConfig group;
        group.lrScale = r.number(item.value(), path, "lr_scale", 1.0, 0.0, 1e6, true);
        if (item.value().contains("weight_decay"))
            group.weightDecay = r.number(item.value(), path, "weight_decay", 0.0, 0.0, 1.0);
        o.groups[item.key()] = group;
    }

    const json &train = r.object(root, "", "train", false);
    r.checkKeys(train, "train",
                {"epochs", "batch_size", "max_steps_per_epoch", "val_fraction", "seed", "threads",
                 "device", "checkpoint_every_steps", "memory_format", "monitor", "patience",
                 "min_delta", "keep_best", "probe_samples", "amp"});
    TrainConfig &tc = config.train;
    tc.epochs = static_cast<int>(r.integer(train, "train", "epochs", tc.epochs, 1, 100000));
    tc.batchSize =
        static_cast<int>(r.integer(train, "train", "batch_size", tc.batchSize, 1, 1 << 16));
    tc.maxStepsPerEpoch = r.integer(train, "train", "max_steps_per_epoch", tc.maxStepsPerEpoch, 0,
                                    std::int64_t(1) << 40);
    tc.valFraction = r.number(train, "train", "val_fraction", tc.valFraction, 0.0, 0.9);
    tc.seed = static_cast<std::uint64_t>(
        r.integer(train, "train", "seed", 0, 0, std::numeric_limits<std::int64_t>::max()));
    tc.threads = static_cast<int>(r.integer(train, "train", "threads", tc.threads, 0, 1024));
    tc.device = r.string(train, "train", "device", &tc.device);
    tc.checkpointEverySteps = r.integer(train, "train", "checkpoint_every_steps",
                                        tc.checkpointEverySteps, 0, std::int64_t(1) << 40);
    tc.memoryFormat = r.string(train, "train", "memory_format", &tc.memoryFormat);
    r.oneOf("train.memory_format", tc.memoryFormat, {"contiguous", "channels_last"});
    tc.amp = r.boolean(train, "train", "amp", tc.amp);
    const std::string &device = tc.device;
    const bool cudaIndex =
        device.rfind("cuda:", 0) == 0 && device.size() > 5 &&
        std::all_of(device.begin() + 5, device.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (device != "auto" && device != "cpu" && device != "cuda" && !cudaIndex)
        r.fail("train.device", "unknown device '" + device + "' (use auto, cpu, cuda or cuda:N)");

    tc.monitor = r.string(train, "train", "monitor", &tc.monitor);
    if (const auto dot = tc.monitor.find('.'); dot != std::string::npos) {
        const std::string task = tc.monitor.substr(0, dot);
        if (!taskNames.count(task))
            r.fail("train.monitor", "'" + tc.monitor + "' names no task of this config (tasks: " +
                                        joinNames({taskNames.begin(), taskNames.end()}) + ")");
        if (dot + 1 == tc.monitor.size())
            r.fail("train.monitor", "'" + tc.monitor + "' names no metric after the task");
    }
    tc.patience = static_cast<int>(r.integer(train, "train", "patience", tc.patience, 0, 100000));
    tc.minDelta = r.number(train, "train", "min_delta", tc.minDelta, 0.0, 1e9);
    tc.keepBest = r.boolean(train, "train", "keep_best", tc.keepBest);
    tc.probeSamples =
        static_cast<int>(r.integer(train, "train", "probe_samples", tc.probeSamples, 0, 1024));

    const json &scheduler = r.object(root, "", "scheduler", false);
    r.checkKeys(scheduler, "scheduler", {"name", "options"});
    SchedulerConfig &sc = config.scheduler;
    sc.name = r.string(scheduler, "scheduler", "name", &sc.name);
    sc.options = optionsOf(r, scheduler, "scheduler", "options",
                           part(r, "scheduler.name", sc.name, catalog.schedulers));

    // What follows the validation metric needs a validation split.
    if (tc.valFraction == 0.0) {
        const char *why = "follows train.monitor on the validation split, and "
                          "train.val_fraction is 0";
        if (tc.patience > 0)
            r.fail("train.patience", std::string("early stopping ") + why);
        if (tc.keepBest)
            r.fail("train.keep_best", std::string("keep_best ") + why);
        if (sc.name == "plateau")
            r.fail("scheduler.name", std::string("plateau ") + why);
    }

    config.input = parseInput(r, r.object(root, "", "input", false));

    const json &debug = r.object(root, "", "debug", false);
    r.checkKeys(debug, "debug", {"nan_at_step", "nan_in", "nan_task"});
    DebugConfig &dc = config.debug;
    dc.nanAtStep = r.integer(debug, "debug", "nan_at_step", 0, 0, std::int64_t(1) << 40);
    dc.nanIn = r.string(debug, "debug", "nan_in", &dc.nanIn);
    r.oneOf("debug.nan_in", dc.nanIn, {"loss", "gradient"});
    if (debug.contains("nan_task")) {
        dc.nanTask = r.string(debug, "debug", "nan_task", nullptr);
        if (!taskNames.count(dc.nanTask))
            r.fail("debug.nan_task", "'" + dc.nanTask + "' is not a task of this config");
    }

    // "probes": ["task_weights", {"name": "param_norms", "options": {...}}]
    if (!root.contains("probes")) {
        config.probes = defaultProbes();
        return config;
    }
    const json &probes = root.at("probes");
    if (!probes.is_array())
        r.fail("probes",
               std::string("expected an array of probe names, got ") + Reader::typeName(probes));
    std::set<std::string> probeNames;
    for (std::size_t i = 0; i < probes.size(); ++i) {
        const std::string path = "probes[" + std::to_string(i) + "]";
        const json item = probes[i].is_string() ? json{{"name", probes[i]}} : probes[i];
        if (!item.is_object())
            r.fail(path, std::string("expected a probe name or {\"name\": …, \"options\": …}, "
                                     "got ") +
                             Reader::typeName(probes[i]));
        r.checkKeys(item, path, {"name", "options"});
        ProbeConfig probe;
        probe.name = r.string(item, path, "name", nullptr);
        const std::string nameKey = probes[i].is_string() ? path : path + ".name";
        probe.options =
            optionsOf(r, item, path, "options", part(r, nameKey, probe.name, catalog.probes));
        if (!probeNames.insert(probe.name).second)
            r.fail(path, "probe '" + probe.name + "' listed twice");
        config.probes.push_back(std::move(probe));
    }
    return config;
}

std::string ExperimentConfig::toJson(int indent) const
{
    json tasksJson = json::array();
    for (const TaskConfig &t : tasks) {
        json task = {{"name", t.name}, {"type", t.type}};
        if (t.type == "attributes")
            task["labels"] = t.labels;
        else if (t.type != "reconstruction")
            task["label"] = t.label;
        if (!t.options.empty())
            task["options"] = t.options;
        tasksJson.push_back(task);
    }
    json optimizerJson = {{"name", optimizer.name},
                          {"lr", optimizer.lr},
                          {"weight_decay", optimizer.weightDecay},
                          {"clip_norm", optimizer.clipNorm}};
    for (const auto &item : optimizer.options.items())
        optimizerJson[item.key()] = item.value();
    if (!optimizer.groups.empty()) {
        json groups = json::object();
        for (const auto &[group, options] : optimizer.groups) {
            groups[group] = {{"lr_scale", options.lrScale}};
            if (options.weightDecay)
                groups[group]["weight_decay"] = *options.weightDecay;
        }
        optimizerJson["groups"] = groups;
    }
    json modelJson = {{"backbone", model.backbone}, {"sharing", model.sharing}};
    if (!model.backboneOptions.empty())
        modelJson["backbone_options"] = model.backboneOptions;
    if (!model.sharingOptions.empty())
        modelJson["sharing_options"] = model.sharingOptions;
    json weightingJson = {{"method", weighting.method}};
    if (!weighting.options.empty())
        weightingJson["options"] = weighting.options;
    json probesJson = json::array();
    for (const ProbeConfig &probe : probes)
        probesJson.push_back(probe.options.empty()
                                 ? json(probe.name)
                                 : json{{"name", probe.name}, {"options", probe.options}});
    json root = {
        {"name", name},
        {"dataset", dataset},
        {"tasks", tasksJson},
        {"model", modelJson},
        {"weighting", weightingJson},
        {"optimizer", optimizerJson},
        {"train",
         {{"epochs", train.epochs},
          {"batch_size", train.batchSize},
          {"max_steps_per_epoch", train.maxStepsPerEpoch},
          {"val_fraction", train.valFraction},
          {"seed", train.seed},
          {"threads", train.threads},
          {"device", train.device},
          {"checkpoint_every_steps", train.checkpointEverySteps},
          {"memory_format", train.memoryFormat},
          {"amp", train.amp},
          {"monitor", train.monitor},
          {"patience", train.patience},
          {"min_delta", train.minDelta},
          {"keep_best", train.keepBest},
          {"probe_samples", train.probeSamples}}},
        {"probes", probesJson},
    };
    json schedulerJson = {{"name", scheduler.name}};
    if (!scheduler.options.empty())
        schedulerJson["options"] = scheduler.options;
    root["scheduler"] = schedulerJson;
    // Only a config that sets something of "input" carries it: every earlier config keeps its
    // canonical text.
    if (const json input = inputJson(this->input); input != inputJson(data::InputOptions{}))
        root["input"] = input;
    // Only a config that asks for a test aid carries it.
    if (!(debug == DebugConfig{})) {
        json debugJson = {{"nan_at_step", debug.nanAtStep}, {"nan_in", debug.nanIn}};
        if (!debug.nanTask.empty())
            debugJson["nan_task"] = debug.nanTask;
        root["debug"] = debugJson;
    }
    return root.dump(indent);
}

std::string applyOverrides(const std::string &text, const std::vector<std::string> &overrides,
                           const std::string &source)
{
    if (overrides.empty())
        return text;
    json root = parseJson(text, source);
    for (const std::string &item : overrides) {
        const auto eq = item.find('=');
        ErrorLocation where;
        where.key = item;
        if (eq == std::string::npos || eq == 0)
            throw Error(ErrorCode::Config, "an override looks like key.path=value", where);
        const std::string path = item.substr(0, eq);
        const std::string valueText = item.substr(eq + 1);
        requireUtf8(item, "--set " + path);
        json value;
        try {
            value = json::parse(valueText);
        } catch (const json::out_of_range &) {
            ErrorLocation key;
            key.key = path;
            throw Error(ErrorCode::Config, "number out of range: " + valueText, key);
        } catch (const json::exception &) {
            value = valueText; // not JSON: a plain string
        }
        // Path steps: object keys separated by '.', array elements as [N] ("tasks[0].label").
        std::vector<std::variant<std::string, std::size_t>> steps;
        std::string key;
        bool ok = true;
        for (std::size_t i = 0; i < path.size() && ok; ++i) {
            const char c = path[i];
            if (c == '.' || c == '[') {
                if (!key.empty())
                    steps.emplace_back(key);
                else if (c == '.' && (i == 0 || path[i - 1] != ']'))
                    ok = false; // "a..b", ".a"
                else if (c == '[' && (i == 0 || path[i - 1] == '.'))
                    ok = false; // "[0]", "a.[0]"
                key.clear();
                if (c == '[') {
                    const auto close = path.find(']', i);
                    const std::string digits =
                        close == std::string::npos ? "" : path.substr(i + 1, close - i - 1);
                    ok = ok && !digits.empty() &&
                         digits.find_first_not_of("0123456789") == std::string::npos;
                    if (ok)
                        steps.emplace_back(static_cast<std::size_t>(std::stoul(digits)));
                    i = close == std::string::npos ? path.size() : close;
                    // After "]" comes the end, "." or another "[": not "tasks[0]label".
                    if (i + 1 < path.size() && path[i + 1] != '.' && path[i + 1] != '[')
                        ok = false;
                }
            } else {
                key += c;
            }
        }
        if (!key.empty())
            steps.emplace_back(key);
        else if (!path.empty() && path.back() == '.')
            ok = false;
        if (!ok || steps.empty())
            throw Error(ErrorCode::Config, "cannot parse the key path '" + path + "'", where);
        json *node = &root;
        for (std::size_t i = 0; i < steps.size(); ++i) {
            const bool last = i + 1 == steps.size();
            if (const auto *name = std::get_if<std::string>(&steps[i])) {
                if (node->is_null())
                    *node = json::object();
                if (!node->is_object())
                    throw Error(ErrorCode::Config,
                                "cannot set '" + path + "': '" + *name +
                                    "' is not inside an object",
                                where);
                node = &(*node)[*name];
            } else {
                const std::size_t index = std::get<std::size_t>(steps[i]);
                if (!node->is_array() || index >= node->size())
                    throw Error(ErrorCode::Config,
                                "cannot set '" + path + "': no element [" + std::to_string(index) +
                                    "]",
                                where);
                node = &(*node)[index];
            }
            if (last)
                *node = value;
        }
    }
    return root.dump(2);
}

std::string readExperimentText(const std::string &spec, std::string &source)
{
    constexpr std::uint64_t kMaxConfigBytes = 16u << 20; // a config is a few kilobytes
    static const std::string prefix = "example:";
    source = spec;
    if (spec.rfind(prefix, 0) == 0) {
        const std::string name = spec.substr(prefix.size());
        source = "experiments/" + name + ".json";
        if (!resources::contains(source))
            throw Error(ErrorCode::NotFound, "no example config '" + name + "' (known: " +
                                                 joinNames(exampleExperiments()) + ")");
        return std::string(resources::get(source));
    }
    try {
        return data::readTextFile(spec, kMaxConfigBytes);
    } catch (const Error &e) {
        throw Error(e.code() == ErrorCode::NotFound ? ErrorCode::NotFound : ErrorCode::Config,
                    e.message(), e.where());
    }
}

std::vector<std::string> exampleExperiments()
{
    static const std::string dir = "experiments/", suffix = ".json";
    std::vector<std::string> names;
    for (const std::string &name : resources::names())
        if (name.rfind(dir, 0) == 0 && name.size() > dir.size() + suffix.size() &&
            name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
            names.push_back(name.substr(dir.size(), name.size() - dir.size() - suffix.size()));
    std::sort(names.begin(), names.end());
    return names;
}

} // namespace mtl::experiment
