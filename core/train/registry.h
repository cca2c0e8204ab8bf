#pragma once
// Names of the training parts this build knows (task types, loss weighting methods,
// optimisers), for config validation and --help. No LibTorch here.

#include <string>
#include <vector>

namespace mtl::train {

std::vector<std::string> taskTypes();
std::vector<std::string> weightingMethods();
std::vector<std::string> optimizerNames();

} // namespace mtl::train
