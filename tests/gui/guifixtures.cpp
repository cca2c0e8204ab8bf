#include "guifixtures.h"

#include "data/importer.h"
#include "fixtures.h"
#include "store/project.h"

namespace mtl::test {

QString makeTinyProject(const QString &dir, const QString &trainJson, int nTrain, int nTest)
{
    const TinyDataset tiny = writeTinyDataset(dir, nTrain, nTest);
    const QString path = dir + QStringLiteral("/tiny.mtlproj");
    store::Project project(str(path), store::Project::OpenMode::CreateIfMissing);
    const auto importer = data::makeImporter("idx");
    for (const auto &[split, files] : {std::pair{"train", tiny.train}, {"test", tiny.test}}) {
        data::ImportRequest request;
        request.dataset = "tiny";
        request.split = split;
        request.files = {{"images", str(files.images)},
                         {"labels", str(files.labels)},
                         {"class-names", str(tiny.classNames)},
                         {"class-attributes", str(tiny.attributes)}};
        importer->run(project, request, {});
    }
    writeFile(dir + QStringLiteral("/tiny.json"), tinyConfig(QStringLiteral("tiny"), trainJson));
    return path;
}

} // namespace mtl::test
