#pragma once
// Which BLAS library this process loaded. Debian lets the administrator choose libblas.so.3
// (update-alternatives): the reference implementation of libblas3 is single-threaded and
// unoptimised, several times slower on fully connected layers than OpenBLAS
// (docs/BENCHMARKS.md), and each library rounds sums in its own order, so bit-exact numbers
// (tests/core/golden) belong to one of them.

#include <string>

namespace mtl {

struct BlasLibrary {
    std::string path;   // the loaded file, symbolic links resolved; empty when none is found
    std::string vendor; // "openblas-openmp", "openblas-pthread", "openblas-serial",
                        // "reference", or "unknown"
    bool isReference() const { return vendor == "reference"; }
};

// Looked up once among the shared objects of the process (Linux); "unknown" elsewhere.
const BlasLibrary &loadedBlas();

} // namespace mtl
