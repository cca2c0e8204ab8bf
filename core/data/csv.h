#pragma once
// A small RFC 4180 CSV reader: comma (or tab) separated, double-quoted fields with "" escapes, LF
// or CRLF line ends, an optional UTF-8 byte order mark. Records remember their line number.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mtl::data {

struct CsvRecord {
    std::int64_t line = 0; // 1-based line where the record starts
    std::vector<std::string> fields;
};

// Parses all records; blank lines are skipped. Throws InvalidInput naming source:line:column
// for an unterminated quote or text after a closing quote. `delimiter` ',' reads CSV, '\t' TSV.
std::vector<CsvRecord> parseCsv(std::string_view text, const std::string &source,
                                char delimiter = ',');

// Trims ASCII whitespace at both ends.
std::string trimmed(std::string_view text);

} // namespace mtl::data
