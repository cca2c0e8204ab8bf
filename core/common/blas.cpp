#include "common/blas.h"

#if defined(__linux__)
#include <link.h>

#include <climits>
#include <cstdlib>
#endif

namespace mtl {

namespace {

std::string vendorOf(const std::string &path)
{
    for (const char *variant : {"openblas-openmp", "openblas-pthread", "openblas-serial"})
        if (path.find(std::string("/") + variant + "/") != std::string::npos)
            return variant;
    if (path.find("/blas/libblas.so") != std::string::npos)
        return "reference"; // Debian's libblas3
    if (path.find("openblas") != std::string::npos)
        return "openblas-pthread"; // a plain OpenBLAS build is threaded with pthreads
    return "unknown";
}

BlasLibrary find()
{
    BlasLibrary found;
    found.vendor = "unknown";
#if defined(__linux__)
    dl_iterate_phdr(
        [](dl_phdr_info *info, std::size_t, void *data) -> int {
            const std::string name = info->dlpi_name ? info->dlpi_name : "";
            if (name.find("libblas.so") == std::string::npos &&
                name.find("libopenblas") == std::string::npos)
                return 0;
            char resolved[PATH_MAX];
            auto *result = static_cast<BlasLibrary *>(data);
            result->path = realpath(name.c_str(), resolved) ? resolved : name;
            result->vendor = vendorOf(result->path);
            return 1; // the first one is the one symbols resolve to
        },
        &found);
#endif
    return found;
}

} // namespace

const BlasLibrary &loadedBlas()
{
    static const BlasLibrary blas = find();
    return blas;
}

} // namespace mtl
