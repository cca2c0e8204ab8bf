#include "experiment/jsonreader.h"

#include "common/error.h"

#include <algorithm>
#include <set>

namespace mtl::experiment {

using nlohmann::json;

namespace {
std::size_t editDistance(const std::string &a, const std::string &b)
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
} // namespace

void JsonReader::fail(const std::string &key, const std::string &message) const
{
    ErrorLocation where;
    where.file = m_source;
    where.key = key;
    throw Error(ErrorCode::Config, message, where);
}

const char *JsonReader::typeName(const json &value)
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

void JsonReader::checkKeys(const json &object, const std::string &path,
                           const std::vector<std::string> &known) const
{
    for (const auto &item : object.items()) {
        if (std::find(known.begin(), known.end(), item.key()) != known.end())
            continue;
        std::string best;
        std::size_t bestDistance = 4;
        for (const auto &candidate : known) {
            const std::size_t d = editDistance(item.key(), candidate);
            // A suggestion only when most letters agree ("foo" is not a typo of "amp").
            if (d < bestDistance && 2 * d <= std::min(item.key().size(), candidate.size())) {
                bestDistance = d;
                best = candidate;
            }
        }
        std::string message = "unknown key";
        if (!best.empty())
            message += " (did you mean '" + best + "'?)";
        else if (known.empty())
            message += " (takes no options)";
        else {
            message += " (known keys:";
            for (const auto &candidate : known)
                message += " " + candidate;
            message += ")";
        }
        fail(join(path, item.key()), message);
    }
}

const json &JsonReader::object(const json &parent, const std::string &path, const char *key,
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

std::string JsonReader::string(const json &parent, const std::string &path, const char *key,
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

double JsonReader::number(const json &parent, const std::string &path, const char *key,
                          double fallback, double min, double max, bool minExclusive) const
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

bool JsonReader::boolean(const json &parent, const std::string &path, const char *key,
                         bool fallback) const
{
    if (!parent.contains(key))
        return fallback;
    const json &value = parent.at(key);
    if (!value.is_boolean())
        fail(join(path, key), std::string("expected true or false, got ") + typeName(value));
    return value.get<bool>();
}

std::int64_t JsonReader::integer(const json &parent, const std::string &path, const char *key,
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
        fail(keyPath, "must be between " + std::to_string(min) + " and " + std::to_string(max) +
                          ", got " + std::to_string(x));
    return x;
}

void JsonReader::oneOf(const std::string &keyPath, const std::string &value,
                       const std::vector<std::string> &choices) const
{
    if (std::find(choices.begin(), choices.end(), value) != choices.end())
        return;
    std::string list;
    for (const auto &choice : choices)
        list += (list.empty() ? "" : ", ") + choice;
    fail(keyPath, "unknown value '" + value + "' (known: " + list + ")");
}

std::string JsonReader::join(const std::string &path, const std::string &key)
{
    return path.empty() ? key : path + "." + key;
}

std::string JsonReader::format(double x)
{
    std::string text = std::to_string(x);
    while (text.size() > 1 && text.back() == '0')
        text.pop_back();
    if (!text.empty() && text.back() == '.')
        text.pop_back();
    return text;
}

namespace {

// A first pass over the text that builds nothing: it knows the key path at every point, so it
// can name the key of a duplicate or of a number out of range, and it stops nesting deeper than
// a config ever needs before the tree is built.
class CheckingSax {
public:
    static constexpr std::size_t kMaxDepth = 64;

    bool null() { return value(); }
    bool boolean(bool) { return value(); }
    bool number_integer(json::number_integer_t) { return value(); }
    bool number_unsigned(json::number_unsigned_t) { return value(); }
    bool number_float(json::number_float_t, const std::string &) { return value(); }
    bool string(std::string &) { return value(); }
    bool binary(json::binary_t &) { return value(); }
    bool start_object(std::size_t) { return open(false); }
    bool start_array(std::size_t) { return open(true); }
    bool end_object() { return close(); }
    bool end_array() { return close(); }
    bool key(std::string &key)
    {
        Frame &frame = m_frames.back();
        frame.key = key;
        if (!frame.keys.insert(key).second) {
            m_problem = "duplicate key '" + key + "' (a key may appear once in an object)";
            m_problemKey = path();
            return false;
        }
        return true;
    }
    bool parse_error(std::size_t position, const std::string &token,
                     const nlohmann::detail::exception &e)
    {
        m_position = position;
        m_exceptionId = e.id;
        m_problemKey = path();
        m_problem = e.what();
        if (e.id == 406) // number overflow
            m_problem = "number out of range: " + token;
        return false;
    }

    const std::string &problem() const { return m_problem; }
    const std::string &problemKey() const { return m_problemKey; }
    std::size_t position() const { return m_position; }
    int exceptionId() const { return m_exceptionId; }

private:
    struct Frame {
        bool array = false;
        std::size_t count = 0; // array: elements started
        std::string key;       // object: the current key
        std::set<std::string> keys;
    };

    bool value()
    {
        if (!m_frames.empty() && m_frames.back().array)
            ++m_frames.back().count;
        return true;
    }
    bool open(bool array)
    {
        value();
        if (m_frames.size() >= kMaxDepth) {
            m_problem = "nested deeper than " + std::to_string(kMaxDepth) + " levels";
            m_problemKey = path();
            return false;
        }
        m_frames.push_back({array, 0, {}, {}});
        return true;
    }
    bool close()
    {
        m_frames.pop_back();
        return true;
    }
    std::string path() const
    {
        std::string p;
        for (const Frame &frame : m_frames) {
            if (frame.array) {
                if (frame.count > 0)
                    p += "[" + std::to_string(frame.count - 1) + "]";
            } else if (!frame.key.empty()) {
                p += (p.empty() ? "" : ".") + frame.key;
            }
        }
        return p;
    }

    std::vector<Frame> m_frames;
    std::string m_problem, m_problemKey;
    std::size_t m_position = 0;
    int m_exceptionId = 0;
};

ErrorLocation positionIn(const std::string &text, std::size_t position, const std::string &source)
{
    // Turn the byte position into line and column.
    position = std::min(position, text.size());
    std::int64_t line = 1, column = 1;
    for (std::size_t i = 0; i + 1 < position; ++i) {
        if (text[i] == '\n') {
            ++line;
            column = 1;
        } else {
            ++column;
        }
    }
    ErrorLocation where;
    where.file = source;
    where.line = line;
    where.column = column;
    return where;
}

} // namespace

json parseJson(const std::string &text, const std::string &source)
{
    CheckingSax sax;
    if (!json::sax_parse(text, &sax)) {
        if (sax.exceptionId() == 0 || sax.exceptionId() == 406) {
            // Duplicates, depth and numbers out of range have a key to name.
            ErrorLocation where;
            where.file = source;
            where.key = sax.problemKey();
            if (sax.exceptionId() == 406) {
                const ErrorLocation at = positionIn(text, sax.position(), source);
                where.line = at.line;
                where.column = at.column;
            }
            throw Error(ErrorCode::Config, sax.problem(), where);
        }
        std::string message = sax.problem();
        const auto cut = message.find("parse error");
        if (cut != std::string::npos) {
            const auto colon = message.find(": ", cut);
            if (colon != std::string::npos)
                message = message.substr(colon + 2);
        }
        throw Error(ErrorCode::Config, "invalid JSON: " + message,
                    positionIn(text, sax.position(), source));
    }
    try {
        return json::parse(text);
    } catch (const json::exception &e) {
        throw Error(ErrorCode::Config, std::string("invalid JSON: ") + e.what(),
                    positionIn(text, 0, source));
    }
}
} // namespace mtl::experiment
