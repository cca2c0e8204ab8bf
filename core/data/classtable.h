#pragma once
// Per-class label tables: the class-names file (line i names class i) and the class
// attribute CSV (the Animals-with-Attributes idea: one row per class, one column per
// attribute). Importers expand a class table into per-sample label columns.

#include "store/records.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mtl::data {

// One name per line; surrounding whitespace is trimmed and trailing empty lines ignored.
// Throws InvalidInput naming source:line for an empty or duplicate name.
std::vector<std::string> parseClassNames(const std::string &text, const std::string &source);

struct ClassAttributeTable {
    // Columns in file order (ids unset). A column whose values are all 0/1 is Binary; any
    // other column is Categorical, its categories in order of first appearance.
    std::vector<store::LabelColumn> columns;
    // values[classIndex][columnIndex]: 0/1 for binary columns, the category index otherwise.
    std::vector<std::vector<std::int32_t>> values;
};

// Parses the CSV: a header row (first cell names the class column, e.g. "class"; then the
// attribute names), then one row per class, the first field a class name from `classNames`
// or a class index. Every class needs exactly one row. Errors name source:line[:column].
ClassAttributeTable parseClassAttributes(const std::string &text, const std::string &source,
                                         const std::vector<std::string> &classNames);

// Parses an attribute-group CSV: a header row (e.g. "attribute,group"), then one row per
// grouped attribute: an attribute of `table` and the name of its group (MTL-CNN's attribute
// groups). Attributes without a row keep no group. Sets the columns' `group`. Errors name
// source:line[:column]: an unknown or repeated attribute, an empty group, a row not of two fields.
void applyAttributeGroups(ClassAttributeTable &table, const std::string &text,
                          const std::string &source);

} // namespace mtl::data
