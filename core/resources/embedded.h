#pragma once
// Files from the top-level resources/ folder compiled into the engine (class tables of the
// demo dataset, experiment templates), so the CLI needs nothing installed beside it.

#include <string>
#include <string_view>
#include <vector>

namespace mtl::resources {

// Content of resources/<name>, e.g. get("datasets/fashion-mnist/classes.txt").
// Throws Error(NotFound) for an unknown name.
std::string_view get(const std::string &name);
bool contains(const std::string &name);
std::vector<std::string> names();

} // namespace mtl::resources
