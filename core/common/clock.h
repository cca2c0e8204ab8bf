#pragma once
// Wall-clock helpers shared by the store and the trainer.

#include <cstdint>
#include <string>

namespace mtl {

// Current UTC time as ISO 8601 with milliseconds, e.g. "2026-11-24T10:15:03.120Z".
std::string nowIso8601();
// Milliseconds since the Unix epoch.
std::int64_t nowMillis();

} // namespace mtl
