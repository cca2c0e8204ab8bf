#pragma once
// Process-wide memory allocator tuning for training (see docs/BENCHMARKS.md): keeps glibc
// from returning large tensor buffers to the OS after every step and mapping them again.

namespace mtl {

// Call once at program start, before threads are created. Respects MALLOC_* environment
// variables the user set explicitly. Returns true when settings were applied.
bool tuneAllocator();

} // namespace mtl
