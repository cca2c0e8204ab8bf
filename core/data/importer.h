#pragma once
// Importers bring a dataset from files into a project. Each format is one Importer class,
// created by name through makeImporter(). An import is one transaction: all or nothing.

#include "common/progress.h"
#include "common/registry.h"
#include "store/records.h"

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace mtl::store {
class Project;
}

namespace mtl::data {

struct ImportRequest {
    std::string dataset; // name of the dataset to create or append to
    std::string split;   // split to import into, for formats that import one split at a time
    // Input files by role, e.g. {"images": …, "labels": …, "class-names": …,
    // "class-attributes": …} for IDX, {"dir": …} for fashion-mnist.
    std::map<std::string, std::string> files;
    // For formats that synthesise a dataset (multi-fashion): the seed of every random choice,
    // and at most this many samples per split (0: as many as the source split has).
    std::uint64_t seed = 0;
    std::int64_t count = 0;
    // Settings by name for formats that take them, e.g. {"path-column": "file",
    // "split-column": "split", "on-error": "skip", "resize": "64x64"}; empty values are unset.
    std::map<std::string, std::string> options;
    std::string option(const std::string &name) const { return valueOf(options, name); }
    std::string file(const std::string &role) const { return valueOf(files, role); }

private:
    static std::string valueOf(const std::map<std::string, std::string> &map,
                               const std::string &key)
    {
        const auto found = map.find(key);
        return found == map.end() ? std::string() : found->second;
    }
};

struct ImportSummary {
    std::int64_t datasetId = 0;
    std::string dataset;
    bool created = false;                 // false when appended to an existing dataset
    std::vector<store::SplitCount> added; // samples added per split
    std::vector<std::string> columns;     // label columns of the dataset
    std::int64_t skipped = 0;             // rows left out (--on-error skip), listed in `log`
    std::vector<std::string> log;         // "file:line: problem" per skipped row, then notes
    double seconds = 0.0;
};

class Importer {
public:
    virtual ~Importer() = default;
    virtual std::string format() const = 0;
    // One line for --help and the GUI.
    virtual std::string description() const = 0;
    // Throws mtl::Error naming the file and position; the project is then unchanged.
    virtual ImportSummary run(store::Project &project, const ImportRequest &request,
                              const ProgressFn &progress) = 0;
};

using ImporterMaker = std::function<std::unique_ptr<Importer>()>;
// The import formats of this build, one entry each.
const Registry<ImporterMaker> &importers();

// Throws Error(InvalidInput) listing the known formats when `format` is unknown.
std::unique_ptr<Importer> makeImporter(const std::string &format);
std::vector<std::string> importFormats();

} // namespace mtl::data
