#pragma once
// A dataset's labels as a CSV table, for corrections made in other tools:
//   sample,split,path,<one column per label column>
// Binary columns hold 0 or 1, categorical ones the category's name, an empty cell no label.
// Reading it back turns every cell that differs from the project into a label change;
// an empty cell leaves the label as it is and "-" removes it. Samples are found by `sample`
// (the id the export wrote) or, without that column, by `path`.

#include "store/labeledits.h"
#include "store/records.h"

#include <string>
#include <vector>

namespace mtl::store {
class Project;
}

namespace mtl::data {

// Writes the table of `split` (empty: every split) to `path`; returns the rows written.
// Throws Error(Io) naming the file.
std::int64_t exportLabels(store::Project &project, const store::DatasetInfo &dataset,
                          const std::string &path, const std::string &split = {});

// The changes the table at `path` asks for. Throws Error(InvalidInput) naming file:line (and
// the column) for an unknown column or sample, a value the column does not take, a sample
// listed twice or a ragged row; nothing is changed then.
std::vector<store::LabelChange> readLabelChanges(store::Project &project,
                                                 const store::DatasetInfo &dataset,
                                                 const std::string &path);

} // namespace mtl::data
