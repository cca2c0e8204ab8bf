#pragma once
// Names of the model parts this build knows, for config validation and --help.
// Adding a backbone or sharing strategy: one class plus one line in model/factory.cpp.

#include <string>
#include <vector>

namespace mtl::model {

std::vector<std::string> backboneNames();
std::vector<std::string> sharingNames();

} // namespace mtl::model
