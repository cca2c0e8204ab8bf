#include "experiment/catalog.h"

#include "experiment/jsonreader.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace mtl::experiment {

using nlohmann::json;

const PartSpec *findPart(const std::vector<PartSpec> &parts, const std::string &name)
{
    for (const PartSpec &part : parts)
        if (part.name == name)
            return &part;
    return nullptr;
}

std::vector<std::string> partNames(const std::vector<PartSpec> &parts)
{
    std::vector<std::string> names;
    for (const PartSpec &part : parts)
        names.push_back(part.name);
    return names;
}

namespace {

// NameLists: non-empty lists of names, each name in one list only. NamePairs: lists of two
// different names, each pair once (a pair and its reverse are two).
void checkNameLists(const JsonReader &r, const std::string &key, const json &value, bool pairs)
{
    if (!value.is_array())
        r.fail(key, std::string("expected an array of arrays of names, got ") +
                        JsonReader::typeName(value));
    std::map<std::string, std::string> seen; // name (pair) → where it was first
    for (std::size_t i = 0; i < value.size(); ++i) {
        const std::string list = key + "[" + std::to_string(i) + "]";
        if (!value[i].is_array() || value[i].empty())
            r.fail(list,
                   std::string("expected a non-empty array of names, got ") +
                       (value[i].is_array() ? "an empty array" : JsonReader::typeName(value[i])));
        if (pairs && value[i].size() != 2)
            r.fail(list,
                   "expected a pair [from, to], got " + std::to_string(value[i].size()) + " names");
        for (std::size_t j = 0; j < value[i].size(); ++j) {
            const std::string element = list + "[" + std::to_string(j) + "]";
            const json &name = value[i][j];
            if (!name.is_string() || name.get<std::string>().empty())
                r.fail(element,
                       std::string("expected a name, got ") +
                           (name.is_string() ? "an empty string" : JsonReader::typeName(name)));
            if (pairs)
                continue;
            const auto [it, fresh] = seen.emplace(name.get<std::string>(), element);
            if (!fresh)
                r.fail(element, "'" + it->first + "' is already in " + it->second);
        }
        if (!pairs)
            continue;
        const std::string from = value[i][0], to = value[i][1];
        if (from == to)
            r.fail(list, "'" + from + "' is paired with itself");
        const auto [it, fresh] = seen.emplace(from + "\n" + to, list);
        if (!fresh)
            r.fail(list, "[" + from + ", " + to + "] is listed already at " + it->second);
    }
}

// An array of numbers in [option.min, option.max]; integers only for IntegerList.
json numberList(const JsonReader &r, const std::string &key, const json &value,
                const OptionSpec &option)
{
    const bool integers = option.type == OptionSpec::Type::IntegerList;
    const char *what = integers ? "integer" : "number";
    if (!value.is_array())
        r.fail(key, std::string("expected an array of ") + what + "s, got " +
                        JsonReader::typeName(value));
    json list = json::array();
    for (std::size_t i = 0; i < value.size(); ++i) {
        const std::string element = key + "[" + std::to_string(i) + "]";
        const json &x = value[i];
        if (integers ? !x.is_number_integer() : !x.is_number())
            r.fail(element, std::string("expected ") + (integers ? "an " : "a ") + what + ", got " +
                                JsonReader::typeName(x));
        const double v = x.get<double>();
        if (!std::isfinite(v) || v < option.min || v > option.max)
            r.fail(element, "must be between " + JsonReader::format(option.min) + " and " +
                                JsonReader::format(option.max) + ", got " + x.dump());
        list.push_back(x);
    }
    return list;
}

} // namespace

json validateOptions(const json &given, const std::vector<OptionSpec> &options,
                     const std::string &keyPath, const std::string &source)
{
    const JsonReader r(source);
    const json values = given.is_null() ? json::object() : given;
    if (!values.is_object())
        r.fail(keyPath, std::string("expected an object, got ") + JsonReader::typeName(values));
    std::vector<std::string> known;
    for (const OptionSpec &option : options)
        known.push_back(option.name);
    r.checkKeys(values, keyPath, known);

    json result = json::object();
    for (const OptionSpec &option : options) {
        const std::string key = JsonReader::join(keyPath, option.name);
        if (!values.contains(option.name)) {
            if (option.defaultValue.is_null())
                r.fail(key, "missing (required): " + option.help);
            result[option.name] = option.defaultValue;
            continue;
        }
        const json &value = values.at(option.name);
        using Type = OptionSpec::Type;
        switch (option.type) {
        case Type::Integer:
            result[option.name] =
                r.integer(values, keyPath, option.name.c_str(), 0,
                          static_cast<std::int64_t>(std::max(option.min, -9.2e18)),
                          static_cast<std::int64_t>(std::min(option.max, 9.2e18)));
            break;
        case Type::Number:
            result[option.name] =
                r.number(values, keyPath, option.name.c_str(), 0.0, option.min, option.max);
            break;
        case Type::Boolean:
            if (!value.is_boolean())
                r.fail(key,
                       std::string("expected true or false, got ") + JsonReader::typeName(value));
            result[option.name] = value;
            break;
        case Type::String:
            result[option.name] = r.string(values, keyPath, option.name.c_str(), nullptr);
            break;
        case Type::Choice:
            result[option.name] = r.string(values, keyPath, option.name.c_str(), nullptr);
            r.oneOf(key, result[option.name].get<std::string>(), option.choices);
            break;
        case Type::IntegerList:
        case Type::NumberList:
            result[option.name] = numberList(r, key, value, option);
            break;
        case Type::NameLists:
        case Type::NamePairs:
            if (!option.choices.empty() && !value.is_array()) {
                const auto &c = option.choices;
                if (!value.is_string() ||
                    std::find(c.begin(), c.end(), value.get<std::string>()) == c.end())
                    r.fail(key, "expected an array of arrays of names or one of " + joinNames(c) +
                                    ", got " +
                                    (value.is_string() ? "'" + value.get<std::string>() + "'"
                                                       : JsonReader::typeName(value)));
                result[option.name] = value;
                break;
            }
            checkNameLists(r, key, value, option.type == Type::NamePairs);
            result[option.name] = value;
            break;
        case Type::NumberOrChoice:
            if (value.is_string()) {
                result[option.name] = value;
                r.oneOf(key, value.get<std::string>(), option.choices);
            } else if (value.is_number()) {
                result[option.name] =
                    r.number(values, keyPath, option.name.c_str(), 0.0, option.min, option.max);
            } else if (value.is_array()) {
                result[option.name] = numberList(r, key, value, option);
            } else {
                r.fail(key, "expected a number, a list of numbers or one of " +
                                joinNames(option.choices) + ", got " + JsonReader::typeName(value));
            }
            break;
        case Type::Object:
            if (!value.is_object())
                r.fail(key, std::string("expected an object, got ") + JsonReader::typeName(value));
            result[option.name] = value; // the part checks what is inside
            break;
        }
    }
    return result;
}

std::string describePart(const std::string &name, const json &options,
                         const std::vector<PartSpec> &parts)
{
    const PartSpec *part = findPart(parts, name);
    std::string changed;
    if (part && options.is_object())
        for (const OptionSpec &option : part->options) {
            const auto it = options.find(option.name);
            if (it == options.end() || *it == option.defaultValue)
                continue;
            std::string value = it->is_string() ? it->get<std::string>() : it->dump();
            std::string text = option.name + " " + value;
            if (it->is_array() && (option.type == OptionSpec::Type::NameLists ||
                                   option.type == OptionSpec::Type::NamePairs)) // "3 groups"
                text = std::to_string(it->size()) + " " + option.name;
            changed += (changed.empty() ? "" : ", ") + text;
        }
    return changed.empty() ? name : name + " (" + changed + ")";
}

} // namespace mtl::experiment
