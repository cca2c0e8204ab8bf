#pragma once
// One pattern for every kind of part a run is built from (backbones, sharing strategies, task
// types, weighting methods, optimisers, probes, importers): a table of entries, each with its
// name, one line of help, the options it takes, and the function that makes it. The config
// validator, `--help`, docs/CONFIG.md and the designer's forms read the same table, so names
// and code cannot drift apart. No LibTorch and no Qt here.
//
//   static const Registry<BackboneMaker> table{
//       {{"small_cnn", "3 conv blocks of 32/64/128 channels", {}}, makeSmallCnn},
//   };
//   table.find("small_cnn")->make(...);

#include <nlohmann/json.hpp>

#include <initializer_list>
#include <string>
#include <vector>

namespace mtl {

// One option of a part, e.g. {"T", OptionSpec::Type::Number, 2.0, "temperature", 0, 100}.
struct OptionSpec {
    enum class Type {
        Integer,
        Number,
        Boolean,
        String,
        Choice,
        Object,
        IntegerList,
        NumberList,     // [0.5, 2]: numbers, each in [min, max]
        NameLists,      // [["a", "b"], ["c"]]: non-empty lists of names, each name in one list
                        // only; or one of the choices, when there are any (e.g. "dataset")
        NamePairs,      // [["a", "b"], ["b", "a"]]: pairs of different names, each pair once
        NumberOrChoice, // a number in [min, max], a list of such numbers (one per element of what
                        // the part applies it to; the part checks the count), or one of the
                        // choices (e.g. "balanced")
    };
    std::string name;
    Type type = Type::Number;
    nlohmann::json defaultValue; // null: required
    std::string help;
    // Integer, Number, NumberOrChoice, IntegerList's and NumberList's elements (inclusive)
    double min = -1e300, max = 1e300;
    std::vector<std::string> choices; // Choice, NumberOrChoice, NameLists
};
const char *toString(OptionSpec::Type type);

// What a registered part is, without the code that makes it.
struct PartSpec {
    std::string name;
    std::string help;
    std::vector<OptionSpec> options;
};

template <typename Maker> struct RegistryEntry {
    PartSpec spec;
    Maker make;
};

// An immutable table of parts of one kind, in the order they were listed.
template <typename Maker> class Registry {
public:
    using Entry = RegistryEntry<Maker>;
    Registry(std::initializer_list<Entry> entries)
        : m_entries(entries)
    {}

    // nullptr when no entry has that name.
    const Entry *find(const std::string &name) const
    {
        for (const Entry &entry : m_entries)
            if (entry.spec.name == name)
                return &entry;
        return nullptr;
    }
    std::vector<std::string> names() const
    {
        std::vector<std::string> result;
        for (const Entry &entry : m_entries)
            result.push_back(entry.spec.name);
        return result;
    }
    std::vector<PartSpec> specs() const
    {
        std::vector<PartSpec> result;
        for (const Entry &entry : m_entries)
            result.push_back(entry.spec);
        return result;
    }
    const std::vector<Entry> &entries() const { return m_entries; }

private:
    std::vector<Entry> m_entries;
};

// "a, b, c": names for messages and --help.
std::string joinNames(const std::vector<std::string> &names, const std::string &separator = ", ");

} // namespace mtl
