#pragma once
// Typed reading of JSON values with errors that name the key path and the source (a file or
// "<config>"): the checks every config section and every part's options go through.
// Internal to core/experiment.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace mtl::experiment {

class JsonReader {
public:
    explicit JsonReader(std::string source)
        : m_source(std::move(source))
    {
    }
    const std::string &source() const { return m_source; }

    // Throws Error(Config) at `key` (a path such as "tasks[1].label").
    [[noreturn]] void fail(const std::string &key, const std::string &message) const;
    // Rejects keys not in `known`, suggesting the nearest known one.
    void checkKeys(const nlohmann::json &object, const std::string &path,
                   const std::vector<std::string> &known) const;
    // The object at parent[key]; an empty object when absent and not required.
    const nlohmann::json &object(const nlohmann::json &parent, const std::string &path,
                                 const char *key, bool required) const;
    // A non-empty string; `fallback` (nullptr: required) when absent.
    std::string string(const nlohmann::json &parent, const std::string &path, const char *key,
                       const std::string *fallback) const;
    double number(const nlohmann::json &parent, const std::string &path, const char *key,
                  double fallback, double min, double max, bool minExclusive = false) const;
    std::int64_t integer(const nlohmann::json &parent, const std::string &path, const char *key,
                         std::int64_t fallback, std::int64_t min, std::int64_t max) const;
    bool boolean(const nlohmann::json &parent, const std::string &path, const char *key,
                 bool fallback) const;
    void oneOf(const std::string &keyPath, const std::string &value,
               const std::vector<std::string> &choices) const;

    static const char *typeName(const nlohmann::json &value);
    static std::string join(const std::string &path, const std::string &key);
    // A number as short text: 0.5, 100, 1e-06.
    static std::string format(double x);

private:
    std::string m_source;
};

// Parses JSON text, turning a syntax error into Error(Config) at source:line:column.
nlohmann::json parseJson(const std::string &text, const std::string &source);

} // namespace mtl::experiment
