#pragma once
// Per-channel statistics as stored in the project: a JSON array of numbers. Internal to
// core/store (datasetstore.cpp, datasetstats.cpp).

#include <nlohmann/json.hpp>

#include <algorithm>
#include <string>
#include <vector>

namespace mtl::store {

inline std::string numbersJson(const std::vector<double> &values)
{
    return nlohmann::json(values).dump();
}

// An empty list for text that is not an array of numbers.
inline std::vector<double> numbersFromJson(const std::string &text)
{
    const nlohmann::json values = nlohmann::json::parse(text, nullptr, false);
    if (!values.is_array() || !std::all_of(values.begin(), values.end(),
                                           [](const nlohmann::json &v) { return v.is_number(); }))
        return {};
    return values.get<std::vector<double>>();
}

} // namespace mtl::store
