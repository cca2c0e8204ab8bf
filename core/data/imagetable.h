#pragma once
// The part every importer of image files shares (csv, celeba, awa, folders): the format's
// parser makes an ImageTable — one row per image, with where the row is written — and
// importImageTable() checks every row against the files, then writes the dataset in one
// transaction. Paths stay relative to the dataset's root, stored once, so a moved dataset
// folder is found again by changing the root; images of at most 64×64 pixels are also stored
// in the project (their file's bytes), so small datasets do not depend on the folder.
//
// Checks, each naming the file and line: an empty, absolute or `..` path, or a symlink, that
// leaves the root; a missing, zero-byte or non-image (not PNG or JPEG) file; a path listed
// twice (or already in the dataset); images of another size than the rest, unless the import
// resizes. The parser's own problems (ragged rows, unknown label values) come in `issues`.
// With OnError::Fail the first problem is the error and nothing is written; with Skip the
// rows with problems are left out and listed in the import log (store: `imports`).

#include "common/progress.h"
#include "data/importer.h"
#include "store/records.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mtl::data {

enum class OnError { Fail, Skip };
const char *toString(OnError onError);
std::optional<OnError> onErrorFromString(const std::string &text);

// A problem with one row of an import's input; line 0 when the row is a file of its own.
struct RowIssue {
    std::string file;
    std::int64_t line = 0;
    std::string message;
    std::string describe() const; // "file:line: message"
};

struct ImageRow {
    std::string file;      // where the row is written (the table), for messages
    std::int64_t line = 0; // 1-based; 0 for formats without a table row (folders)
    std::string path;      // the image, relative to the root, as written
    std::string split;
    std::vector<std::int32_t> labels; // one per column of the table; -1: no label
};

struct ImageTable {
    std::string format; // the importer's name, stored with the dataset
    std::string source; // what was read, for the user (the table file, the root)
    std::string root;   // the folder paths are relative to
    std::vector<store::LabelColumn> columns;
    std::vector<ImageRow> rows;
    std::vector<RowIssue> issues;   // rows the parser could not use
    std::vector<std::string> notes; // what the import read past, e.g. "identity_CelebA.txt ignored"
};

struct ImageImportOptions {
    std::string dataset;
    OnError onError = OnError::Fail;
    // Every image is resized to this for training (0 × 0: all images must be one size).
    int width = 0, height = 0;
    // Images whose sides are both at most this are stored in the project too.
    int inlineSide = 64;
};

// Throws mtl::Error naming the file and line of the first problem (OnError::Fail) or when no
// row is left; Interrupted when `progress` returns false. The project is then unchanged.
ImportSummary importImageTable(store::Project &project, const ImageTable &table,
                               const ImageImportOptions &options, const ProgressFn &progress);

// Points dataset `name` at `folder`, the place its image files moved to, after checking that
// the folder holds them (up to 64 of their paths, spread over the dataset). Returns how many
// paths were checked. Throws Error(NotFound) for no such dataset or folder, Error(InvalidInput)
// for a dataset without a folder or a folder that lacks an image (naming it); the project is
// then unchanged.
std::size_t relocateDataset(store::Project &project, const std::string &name,
                            const std::string &folder);

// The request's "on-error" and "resize" settings ("fail"/"skip"; "WxH"), checked.
ImageImportOptions imageImportOptions(const ImportRequest &request);

} // namespace mtl::data
