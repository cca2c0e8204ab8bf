#include "train/config.h"

#include "common/error.h"
#include "data/gzipfile.h"
#include "model/registry.h"
#include "resources/embedded.h"
#include "train/registry.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>
#include <variant>

namespace mtl::train {

namespace {
using nlohmann::json;

class Reader {
public:
    explicit Reader(std::string source)
        : m_source(std::move(source))
    {
    }

    [[noreturn]] void fail(const std::string &key, const std::string &message) const
    {
        ErrorLocation where;
        where.file = m_source;
        where.key = key;
        throw Error(ErrorCode::Config, message, where);
    }

    static const char *typeName(const json &value)
    {
        if (value.is_number_integer())
            return "an integer";
        if (value.is_number())
            return "a number";
        if (value.is_string())
            return "a string";
        if (value.is_boolean())
            return "a boolean";
        if (value.is_array())
            return "an array";
        if (value.is_object())
            return "an object";
        return "null";
    }

    // Rejects keys not in `known`, suggesting the nearest known one.
    void checkKeys(const json &object, const std::string &path,
                   const std::vector<std::string> &known) const
    {
        for (const auto &item : object.items()) {
            if (std::find(known.begin(), known.end(), item.key()) != known.end())
                continue;
            std::string best;
            std::size_t bestDistance = 4;
            for (const auto &candidate : known) {
                const std::size_t d = distance(item.key(), candidate);
                if (d < bestDistance) {
                    bestDistance = d;
                    best = candidate;
                }
            }
            std::string message = "unknown key";
            if (!best.empty())
                message += " (did you mean '" + best + "'?)";
            else {
                message += " (known keys:";
                for (const auto &candidate : known)
                    message += " " + candidate;
                message += ")";
            }
            fail(join(path, item.key()), message);
        }
    }

    const json &object(const json &parent, const std::string &path, const char *key,
                       bool required) const
    {
        static const json empty = json::object();
        const std::string keyPath = join(path, key);
        if (!parent.contains(key)) {
            if (required)
                fail(keyPath, "missing (required)");
            return empty;
        }
        const json &value = parent.at(key);
        if (!value.is_object())
            fail(keyPath, std::string("expected an object, got ") + typeName(value));
        return value;
    }

    std::string string(const json &parent, const std::string &path, const char *key,
                       const std::string *fallback) const
    {
        const std::string keyPath = join(path, key);
        if (!parent.contains(key)) {
            if (!fallback)
                fail(keyPath, "missing (required)");
            return *fallback;
        }
        const json &value = parent.at(key);
        if (!value.is_string())
            fail(keyPath, std::string("expected a string, got ") + typeName(value));
        std::string text = value.get<std::string>();
        if (text.empty())
            fail(keyPath, "must not be empty");
        return text;
    }

    double number(const json &parent, const std::string &path, const char *key, double fallback,
                  double min, double max, bool minExclusive = false) const
    {
        const std::string keyPath = join(path, key);
        if (!parent.contains(key))
            return fallback;
        const json &value = parent.at(key);
        if (!value.is_number())
            fail(keyPath, std::string("expected a number, got ") + typeName(value));
        const double x = value.get<double>();
        if ((minExclusive ? x <= min : x < min) || x > max)
            fail(keyPath, "must be " + std::string(minExclusive ? "> " : ">= ") + format(min) +
                              " and <= " + format(max) + ", got " + format(x));
        return x;
    }

    std::int64_t integer(const json &parent, const std::string &path, const char *key,
                         std::int64_t fallback, std::int64_t min, std::int64_t max) const
    {
        const std::string keyPath = join(path, key);
        if (!parent.contains(key))
            return fallback;
        const json &value = parent.at(key);
        if (!value.is_number_integer() && !value.is_number_unsigned())
            fail(keyPath, std::string("expected an integer, got ") + typeName(value));
        if (value.is_number_unsigned() && value.get<std::uint64_t>() > std::uint64_t(max))
            fail(keyPath, "must be <= " + std::to_string(max));
        const std::int64_t x = value.get<std::int64_t>();
        if (x < min || x > max)
            fail(keyPath, "must be between " + std::to_string(min) + " and " +
                              std::to_string(max) + ", got " + std::to_string(x));
        return x;
    }

    void oneOf(const std::string &keyPath, const std::string &value,
               const std::vector<std::string> &choices) const
    {
        if (std::find(choices.begin(), choices.end(), value) != choices.end())
            return;
        std::string list;
        for (const auto &choice : choices)
            list += (list.empty() ? "" : ", ") + choice;
        fail(keyPath, "unknown value '" + value + "' (known: " + list + ")");
    }

    static std::string join(const std::string &path, const std::string &key)
    {
        return path.empty() ? key : path + "." + key;
    }

private:
    static std::string format(double x)
    {
        std::string text = std::to_string(x);
        while (text.size() > 1 && text.back() == '0')
            text.pop_back();
        if (!text.empty() && text.back() == '.')
            text.pop_back();
        return text;
    }

    static std::size_t distance(const std::string &a, const std::string &b)
    {
        std::vector<std::size_t> row(b.size() + 1);
        for (std::size_t j = 0; j <= b.size(); ++j)
            row[j] = j;
        for (std::size_t i = 1; i <= a.size(); ++i) {
            std::size_t diagonal = row[0];
            row[0] = i;
            for (std::size_t j = 1; j <= b.size(); ++j) {
                const std::size_t next = std::min({row[j] + 1, row[j - 1] + 1,
                                                   diagonal + (a[i - 1] != b[j - 1] ? 1 : 0)});
                diagonal = row[j];
                row[j] = next;
            }
        }
        return row[b.size()];
    }

    std::string m_source;
};

json parseJson(const std::string &text, const std::string &source)
{
    try {
        return json::parse(text);
    } catch (const json::parse_error &e) {
        // Turn the byte position into line and column.
        const std::size_t position = std::min<std::size_t>(e.byte, text.size());
        std::int64_t line = 1, column = 1;
        for (std::size_t i = 0; i + 1 < position; ++i) {
            if (text[i] == '\n') {
                ++line;
                column = 1;
            } else {
                ++column;
            }
        }
        std::string message = e.what();
        const auto cut = message.find("parse error");
        if (cut != std::string::npos) {
            const auto colon = message.find(": ", cut);
            if (colon != std::string::npos)
                message = message.substr(colon + 2);
        }
        ErrorLocation where;
        where.file = source;
        where.line = line;
        where.column = column;
        throw Error(ErrorCode::Config, "invalid JSON: " + message, where);
    }
}
} // namespace

ExperimentConfig ExperimentConfig::parse(const std::string &text, const std::string &source)
{
    const json root = parseJson(text, source);
    Reader r(source);
    if (!root.is_object())
        r.fail("", std::string("the config must be a JSON object, got ") + Reader::typeName(root));
    r.checkKeys(root, "", {"name", "dataset", "tasks", "model", "weighting", "optimizer", "train"});

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
        r.checkKeys(t, path, {"name", "type", "label", "labels"});
        TaskConfig task;
        task.name = r.string(t, path, "name", nullptr);
        // Task names name model submodules and metric rows: letters, digits, '_' and '-'.
        if (task.name.empty() ||
            task.name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                        "0123456789_-") != std::string::npos)
            r.fail(path + ".name", "task name '" + task.name +
                                       "' may only contain letters, digits, '_' and '-'");
        if (!taskNames.insert(task.name).second)
            r.fail(path + ".name", "duplicate task name '" + task.name + "'");
        task.type = r.string(t, path, "type", nullptr);
        r.oneOf(path + ".type", task.type, taskTypes());
        if (task.type == "classification") {
            if (t.contains("labels"))
                r.fail(path + ".labels", "a classification task takes one column in 'label'");
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
    r.checkKeys(model, "model", {"backbone", "sharing"});
    config.model.backbone = r.string(model, "model", "backbone", &config.model.backbone);
    r.oneOf("model.backbone", config.model.backbone, model::backboneNames());
    config.model.sharing = r.string(model, "model", "sharing", &config.model.sharing);
    r.oneOf("model.sharing", config.model.sharing, model::sharingNames());

    const json &weighting = r.object(root, "", "weighting", false);
    r.checkKeys(weighting, "weighting", {"method"});
    config.weighting.method = r.string(weighting, "weighting", "method", &config.weighting.method);
    r.oneOf("weighting.method", config.weighting.method, weightingMethods());

    const json &optimizer = r.object(root, "", "optimizer", false);
    r.checkKeys(optimizer, "optimizer", {"name", "lr", "weight_decay", "momentum"});
    OptimizerConfig &o = config.optimizer;
    o.name = r.string(optimizer, "optimizer", "name", &o.name);
    r.oneOf("optimizer.name", o.name, optimizerNames());
    o.lr = r.number(optimizer, "optimizer", "lr", o.lr, 0.0, 10.0, true);
    o.weightDecay = r.number(optimizer, "optimizer", "weight_decay", o.weightDecay, 0.0, 1.0);
    if (optimizer.contains("momentum") && o.name != "sgd")
        r.fail("optimizer.momentum", "only the sgd optimizer takes a momentum");
    o.momentum = r.number(optimizer, "optimizer", "momentum", o.momentum, 0.0, 1.0);

    const json &train = r.object(root, "", "train", false);
    r.checkKeys(train, "train", {"epochs", "batch_size", "max_steps_per_epoch", "val_fraction",
                                 "seed", "threads", "device"});
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
    const std::string &device = tc.device;
    const bool cudaIndex = device.rfind("cuda:", 0) == 0 && device.size() > 5 &&
                           std::all_of(device.begin() + 5, device.end(),
                                       [](char c) { return c >= '0' && c <= '9'; });
    if (device != "auto" && device != "cpu" && device != "cuda" && !cudaIndex)
        r.fail("train.device", "unknown device '" + device + "' (use auto, cpu, cuda or cuda:N)");
    return config;
}

ExperimentConfig ExperimentConfig::load(const std::string &path)
{
    std::string text;
    try {
        text = data::readTextFile(path);
    } catch (const Error &e) {
        throw Error(e.code() == ErrorCode::NotFound ? ErrorCode::NotFound : ErrorCode::Config,
                    e.message(), e.where());
    }
    return parse(text, path);
}

std::string ExperimentConfig::toJson(int indent) const
{
    json tasksJson = json::array();
    for (const TaskConfig &t : tasks) {
        json task = {{"name", t.name}, {"type", t.type}};
        if (t.type == "classification")
            task["label"] = t.label;
        else
            task["labels"] = t.labels;
        tasksJson.push_back(task);
    }
    json optimizerJson = {{"name", optimizer.name},
                          {"lr", optimizer.lr},
                          {"weight_decay", optimizer.weightDecay}};
    if (optimizer.name == "sgd")
        optimizerJson["momentum"] = optimizer.momentum;
    json root = {
        {"name", name},
        {"dataset", dataset},
        {"tasks", tasksJson},
        {"model", {{"backbone", model.backbone}, {"sharing", model.sharing}}},
        {"weighting", {{"method", weighting.method}}},
        {"optimizer", optimizerJson},
        {"train",
         {{"epochs", train.epochs},
          {"batch_size", train.batchSize},
          {"max_steps_per_epoch", train.maxStepsPerEpoch},
          {"val_fraction", train.valFraction},
          {"seed", train.seed},
          {"threads", train.threads},
          {"device", train.device}}},
    };
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
        json value;
        try {
            value = json::parse(valueText);
        } catch (const json::parse_error &) {
            value = valueText;
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
                    throw Error(ErrorCode::Config, "cannot set '" + path + "': '" + *name +
                                                       "' is not inside an object", where);
                node = &(*node)[*name];
            } else {
                const std::size_t index = std::get<std::size_t>(steps[i]);
                if (!node->is_array() || index >= node->size())
                    throw Error(ErrorCode::Config, "cannot set '" + path + "': no element [" +
                                                       std::to_string(index) + "]", where);
                node = &(*node)[index];
            }
            if (last)
                *node = value;
        }
    }
    return root.dump(2);
}

ExperimentConfig loadExperiment(const std::string &spec, const std::vector<std::string> &overrides)
{
    static const std::string prefix = "example:";
    std::string text;
    std::string source = spec;
    if (spec.rfind(prefix, 0) == 0) {
        const std::string name = spec.substr(prefix.size());
        source = "experiments/" + name + ".json";
        if (!resources::contains(source)) {
            std::string known;
            for (const std::string &example : exampleExperiments())
                known += (known.empty() ? "" : ", ") + example;
            throw Error(ErrorCode::NotFound,
                        "no example config '" + name + "' (known: " + known + ")");
        }
        text = std::string(resources::get(source));
    } else {
        try {
            text = data::readTextFile(spec);
        } catch (const Error &e) {
            throw Error(e.code() == ErrorCode::NotFound ? ErrorCode::NotFound : ErrorCode::Config,
                        e.message(), e.where());
        }
    }
    return ExperimentConfig::parse(applyOverrides(text, overrides, source), source);
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

} // namespace mtl::train
