#pragma once
// Reads a whole file into memory, inflating it when it is gzip-compressed (plain files are
// read as they are). Errors name the file.

#include <cstdint>
#include <string>
#include <vector>

namespace mtl::data {

std::vector<std::uint8_t> readMaybeGzipped(const std::string &path);
// Reads a small text file (class names, attribute tables) as it is.
std::string readTextFile(const std::string &path);

} // namespace mtl::data
