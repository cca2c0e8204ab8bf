#include "data/csv.h"

#include "common/error.h"
#include "common/utf8.h"

namespace mtl::data {

std::string trimmed(std::string_view text)
{
    const auto isSpace = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    std::size_t begin = 0, end = text.size();
    while (begin < end && isSpace(text[begin]))
        ++begin;
    while (end > begin && isSpace(text[end - 1]))
        --end;
    return std::string(text.substr(begin, end - begin));
}

std::vector<CsvRecord> parseCsv(std::string_view text, const std::string &source, char delimiter)
{
    requireUtf8File(text, source);
    if (text.substr(0, 3) == "\xEF\xBB\xBF")
        text.remove_prefix(3);
    std::vector<CsvRecord> records;
    CsvRecord record;
    std::string field;
    std::int64_t line = 1, column = 1;
    bool inQuotes = false, wasQuoted = false, fieldStarted = false;
    std::int64_t quoteLine = 0, quoteColumn = 0;
    record.line = 1;

    const auto endField = [&] {
        record.fields.push_back(wasQuoted ? field : trimmed(field));
        field.clear();
        wasQuoted = false;
        fieldStarted = false;
    };
    const auto endRecord = [&] {
        endField();
        const bool blank = record.fields.size() == 1 && record.fields[0].empty();
        if (!blank)
            records.push_back(std::move(record));
        record = CsvRecord();
        record.line = line;
    };

    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (inQuotes) {
            if (c == '"') {
                if (i + 1 < text.size() && text[i + 1] == '"') {
                    field += '"';
                    ++i;
                    ++column;
                } else {
                    inQuotes = false;
                }
            } else {
                field += c;
                if (c == '\n') {
                    ++line;
                    column = 0;
                }
            }
        } else if (c == '"') {
            // Checked first: after a closed quote, `field` holds the quoted text.
            if (wasQuoted)
                throw inputError(source, line, "a second quoted section in one field", column);
            if (fieldStarted && !trimmed(field).empty())
                throw inputError(source, line, "a quote inside an unquoted field", column);
            field.clear();
            inQuotes = true;
            wasQuoted = true;
            fieldStarted = true;
            quoteLine = line;
            quoteColumn = column;
        } else if (c == delimiter) {
            endField();
        } else if (c == '\n') {
            ++line;
            column = 0;
            endRecord();
        } else if (c == '\r') {
            // part of CRLF; a lone CR is ignored as well
        } else {
            if (wasQuoted && c != ' ' && c != '\t')
                throw inputError(source, line, "text after the closing quote of a field", column);
            if (!wasQuoted)
                field += c;
            fieldStarted = true;
        }
        ++column;
    }
    if (inQuotes)
        throw inputError(source, quoteLine, "the quote opened here is never closed", quoteColumn);
    if (fieldStarted || !record.fields.empty())
        endRecord();
    return records;
}

} // namespace mtl::data
