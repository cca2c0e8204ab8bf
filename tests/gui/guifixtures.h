#pragma once
// A project with the tiny generated dataset imported (train and test splits), for GUI suites.

#include <QString>

namespace mtl::test {

// Creates <dir>/tiny.mtlproj holding dataset "tiny" (nTrain train / nTest test 8×8 images,
// classes ant/bee/cat/dog, attributes flies/legs/mammal) and writes the experiment config
// <dir>/tiny.json whose "train" object is `trainJson`. Returns the project path.
QString makeTinyProject(const QString &dir, const QString &trainJson, int nTrain = 96,
                        int nTest = 32);

} // namespace mtl::test
