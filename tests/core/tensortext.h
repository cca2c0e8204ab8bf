#pragma once
// Test helper for the suites that link LibTorch: a tensor's shape as text ("5x3x28x28"), so
// that a failed comparison prints the shapes.

#include <ATen/core/Tensor.h>

#include <QString>
#include <QStringList>

namespace mtl::test {

inline QString shapeText(const at::Tensor &t)
{
    QStringList dims;
    for (const auto d : t.sizes())
        dims << QString::number(d);
    return dims.join(QLatin1Char('x'));
}

} // namespace mtl::test
