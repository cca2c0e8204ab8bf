#pragma once
// UTF-8 validation for text that enters a project (names, splits, paths, labels): the project
// file, its JSON outputs and the GUI all need valid UTF-8, so invalid text is refused at the
// door, naming where it came from.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mtl {

// The byte offset of the first byte that is not part of a well-formed UTF-8 sequence
// (overlong forms, surrogates and code points above U+10FFFF included); nullopt when valid.
std::optional<std::size_t> firstInvalidUtf8(std::string_view text);

// Throws Error(InvalidInput) saying which `what` (e.g. "--name", "the dataset name") holds
// invalid UTF-8 and at which byte, with the byte's value.
void requireUtf8(std::string_view text, const std::string &what);

// The same for the text of a file: the error is at source:line:column of the bad byte.
void requireUtf8File(std::string_view text, const std::string &source);

} // namespace mtl
