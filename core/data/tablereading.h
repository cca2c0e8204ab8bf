#pragma once
// Helpers the image-file parsers share (data/tableimporters.cpp, data/folderimporters.cpp):
// reading the request, the text files the formats ship, and recording a row's problem.
// Internal to core/data.

#include "data/imagetable.h"
#include "data/importer.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace mtl::data {

// The request's file for `role`; throws Error(InvalidInput) "format F needs FLAG" when unset.
std::string required(const ImportRequest &request, const char *role, const char *flag,
                     const char *format);
// A split name as the rest of the program takes it: letters, digits, '_' and '-'.
bool isSplitName(const std::string &name);
// --split, or "train"; throws Error(InvalidInput) when it is not a split name.
std::string defaultSplit(const ImportRequest &request);
// The fields of a line separated by spaces or tabs.
std::vector<std::string> words(const std::string &line);
// The lines of a text file with their 1-based numbers; blank lines are left out.
std::vector<std::pair<std::int64_t, std::string>> lines(const std::string &text,
                                                        const std::string &source);
// A problem with one row (skip leaves the row out); problems with a whole file are thrown.
void addIssue(ImageTable &table, const std::string &file, std::int64_t line,
              const std::string &message);
// Throws Error(NotFound) "WHAT is not a folder" naming `path`.
void requireFolder(const std::string &path, const char *what);

} // namespace mtl::data
