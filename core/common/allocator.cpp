#include "common/allocator.h"

#include <cstdlib>
#include <malloc.h>

namespace mtl {

bool tuneAllocator()
{
    if (std::getenv("MTL_DEFAULT_MALLOC"))
        return false; // benchmark switch: keep glibc's defaults
    bool applied = true;
    // Buffers up to 32 MiB come from the heap instead of fresh mmap()s …
    if (!std::getenv("MALLOC_MMAP_THRESHOLD_"))
        applied &= mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024) == 1;
    // … and freed memory stays with the process instead of being trimmed each step.
    if (!std::getenv("MALLOC_TRIM_THRESHOLD_"))
        applied &= mallopt(M_TRIM_THRESHOLD, 1024 * 1024 * 1024) == 1;
    if (!std::getenv("MALLOC_TOP_PAD_"))
        applied &= mallopt(M_TOP_PAD, 256 * 1024 * 1024) == 1;
    return applied;
}

} // namespace mtl
