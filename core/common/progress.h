#pragma once
// Progress reporting from long engine operations (imports, evaluation) to any front end.

#include <functional>
#include <string>

namespace mtl {

// Called from the thread doing the work with a fraction in [0, 1] and a short stage name.
// Returning false asks the operation to cancel; it then throws Error(ErrorCode::Interrupted)
// and leaves the project unchanged.
using ProgressFn = std::function<bool(double fraction, const std::string &stage)>;

} // namespace mtl
