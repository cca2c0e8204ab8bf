// Importing datasets of image files (csv, celeba, awa, folders): the layouts as they ship,
// the checks every row gets, --on-error skip and its log, and a table of malformed inputs, each
// of which must name the file and line and leave the project exactly as it was.

#include "fixtures.h"

#include "data/imagefile.h"
#include "data/importer.h"
#include "store/project.h"

#include <QDir>
#include <QFile>
#include <QImage>
#include <QTemporaryDir>
#include <QTest>

#include <filesystem>
#include <functional>

using namespace mtl;
using namespace mtl::test;

namespace {

// An image of w × h whose pixels depend on `seed`, written as PNG or JPEG by Qt.
bool writeImage(const QString &path, int w, int h, int seed, const char *format = "PNG",
                bool gray = false)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QImage image(w, h, gray ? QImage::Format_Grayscale8 : QImage::Format_RGB888);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
            image.setPixel(x, y,
                           qRgb((x * 37 + seed * 11) % 256, (y * 53 + seed) % 256, seed % 256));
    return image.save(path, format);
}

bool writeText(const QString &path, const QByteArray &text)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    return writeFile(path, text);
}

// The fixture every case starts from: img/a/{0,1}.png and img/b/{2,3}.png (8×8 RGB), a CSV
// table of them, CelebA's two text files over the same images, and an AwA2 folder.
struct Layout {
    QString dir;
    QString img() const { return dir + u"/img"_qs; }
    QString csv() const { return dir + u"/t.csv"_qs; }
    QString attr() const { return dir + u"/celeba/list_attr_celeba.txt"_qs; }
    QString partition() const { return dir + u"/celeba/list_eval_partition.txt"_qs; }
    QString awa() const { return dir + u"/awa"_qs; }

    void write() const
    {
        for (int i = 0; i < 4; ++i)
            QVERIFY(writeImage(img() + (i < 2 ? u"/a/"_qs : u"/b/"_qs) + QString::number(i) +
                                   u".png"_qs,
                               8, 8, i));
        QVERIFY(writeText(csv(), "path,smile,young,hair,split\n"
                                 "a/0.png,1,-1,black,train\n"
                                 "a/1.png,0,1,brown,train\n"
                                 "b/2.png,1,1,black,test\n"
                                 "b/3.png,,-1,blond,test\n"));
        QVERIFY(writeText(attr(), "4\nSmiling Young\n"
                                  "a/0.png  1 -1\n"
                                  "a/1.png -1  1\n"
                                  "b/2.png  1  1\n"
                                  "b/3.png -1 -1\n"));
        QVERIFY(writeText(partition(), "a/0.png 0\na/1.png 0\nb/2.png 1\nb/3.png 2\n"));
        QVERIFY(writeText(awa() + u"/classes.txt"_qs, "1\tant\n2\tbee\n"));
        QVERIFY(writeText(awa() + u"/predicates.txt"_qs, "1\tblack\n2\tfurry\n3\tbig\n"));
        QVERIFY(writeText(awa() + u"/predicate-matrix-binary.txt"_qs, "0 1 1\n1 0 0\n"));
        QVERIFY(writeImage(awa() + u"/JPEGImages/ant/ant_1.jpg"_qs, 12, 10, 1, "JPEG"));
        QVERIFY(writeImage(awa() + u"/JPEGImages/ant/ant_2.jpg"_qs, 12, 10, 2, "JPEG"));
        QVERIFY(writeImage(awa() + u"/JPEGImages/bee/bee_1.jpg"_qs, 12, 10, 3, "JPEG"));
    }

    data::ImportRequest request(const std::string &format) const
    {
        data::ImportRequest r;
        r.dataset = format + "-set";
        if (format == "csv") {
            r.files = {{"root", str(img())}, {"table", str(csv())}};
            r.options = {{"split-column", "split"}};
        } else if (format == "celeba") {
            r.files = {
                {"root", str(img())}, {"table", str(attr())}, {"partition", str(partition())}};
        } else if (format == "awa") {
            r.files = {{"root", str(awa())}};
        } else {
            r.files = {{"root", str(img())}};
        }
        return r;
    }
};

data::ImportSummary runImport(const QString &project, const data::ImportRequest &request,
                              const std::string &format)
{
    store::Project p(str(project), store::Project::OpenMode::CreateIfMissing);
    return data::makeImporter(format)->run(p, request, {});
}

std::vector<std::int32_t> labels(const QString &project, const std::string &dataset,
                                 const std::string &split, const std::string &column)
{
    store::Project p(str(project));
    const auto info = p.datasets().find(dataset);
    return p.datasets().labelsOf(info->id, split, info->column(column)->id);
}

struct BadCase {
    const char *name;
    std::string format;
    std::function<void(const Layout &, data::ImportRequest &)> change;
    QString file; // the file the error names, relative to the layout's folder
    int line;     // -1: none
    QString message;
};

void setOption(data::ImportRequest &r, const std::string &key, const std::string &value)
{
    r.options[key] = value;
}

const std::vector<BadCase> &badCases()
{
    const auto appendCsv = [](const Layout &l, const QByteArray &row) {
        QFile f(l.csv());
        QVERIFY(f.open(QIODevice::Append));
        f.write(row);
    };
    static const std::vector<BadCase> cases{
        {"csv ragged row", "csv", [=](auto &l, auto &) { appendCsv(l, "b/3.png,1,1\n"); },
         u"t.csv"_qs, 6, u"a row of 3 fields; the header has 5"_qs},
        {"csv missing image", "csv",
         [=](auto &l, auto &) { appendCsv(l, "c/9.png,1,1,black,train\n"); }, u"t.csv"_qs, 6,
         u"image 'c/9.png' not found"_qs},
        {"csv absolute path", "csv",
         [=](auto &l, auto &) { appendCsv(l, "/etc/hostname,1,1,black,train\n"); }, u"t.csv"_qs, 6,
         u"is an absolute path"_qs},
        {"csv path leaving the root", "csv",
         [=](auto &l, auto &) { appendCsv(l, "a/../../t.csv,1,1,black,train\n"); }, u"t.csv"_qs, 6,
         u"leaves the dataset root"_qs},
        {"csv symlink outside the root", "csv",
         [=](auto &l, auto &) {
             writeImage(l.dir + u"/outside.png"_qs, 8, 8, 9);
             QFile::link(l.dir + u"/outside.png"_qs, l.img() + u"/a/link.png"_qs);
             appendCsv(l, "a/link.png,1,1,black,train\n");
         },
         u"t.csv"_qs, 6, u"outside the dataset root"_qs},
        {"csv broken symlink", "csv",
         [=](auto &l, auto &) {
             QFile::link(l.dir + u"/gone.png"_qs, l.img() + u"/a/gone.png"_qs);
             appendCsv(l, "a/gone.png,1,1,black,train\n");
         },
         u"t.csv"_qs, 6, u"is a broken symlink"_qs},
        {"csv zero-byte file", "csv",
         [=](auto &l, auto &) {
             writeText(l.img() + u"/a/empty.png"_qs, {});
             appendCsv(l, "a/empty.png,1,1,black,train\n");
         },
         u"t.csv"_qs, 6, u"zero-byte file"_qs},
        {"csv text file named .png", "csv",
         [=](auto &l, auto &) {
             writeText(l.img() + u"/a/notes.png"_qs, "not an image\n");
             appendCsv(l, "a/notes.png,1,1,black,train\n");
         },
         u"t.csv"_qs, 6, u"not a PNG or JPEG image"_qs},
        {"csv truncated PNG", "csv",
         [=](auto &l, auto &) {
             writeText(l.img() + u"/a/cut.png"_qs, QByteArray("\x89PNG\r\n\x1a\n\0\0\0\x0d", 12));
             appendCsv(l, "a/cut.png,1,1,black,train\n");
         },
         u"t.csv"_qs, 6, u"without its IHDR header"_qs},
        {"csv duplicate path", "csv",
         [=](auto &l, auto &) { appendCsv(l, "a/./0.png,1,1,black,train\n"); }, u"t.csv"_qs, 6,
         u"is listed twice (first on line 2)"_qs},
        {"csv image of another size", "csv",
         [=](auto &l, auto &) {
             writeImage(l.img() + u"/a/big.png"_qs, 9, 8, 1);
             appendCsv(l, "a/big.png,1,1,black,train\n");
         },
         u"t.csv"_qs, 6, u"is 9×8; the other images are 8×8"_qs},
        {"csv mixed 0/1 and -1/1", "csv",
         [](auto &l, auto &r) {
             writeText(l.csv(), "path,smile\na/0.png,1\na/1.png,-1\nb/2.png,0\nb/3.png,0\n");
             r.options.erase("split-column");
         },
         u"t.csv"_qs, 3, u"mixes the 0/1 and −1/1 codings"_qs},
        {"csv bad split name", "csv",
         [=](auto &l, auto &) { appendCsv(l, "a/0.png,1,1,black,tr ain\n"); }, u"t.csv"_qs, 6,
         u"is not a split name"_qs},
        {"csv empty path", "csv", [=](auto &l, auto &) { appendCsv(l, ",1,1,black,train\n"); },
         u"t.csv"_qs, 6, u"empty image path"_qs},
        {"csv directory as image", "csv",
         [=](auto &l, auto &) { appendCsv(l, "a,1,1,black,train\n"); }, u"t.csv"_qs, 6,
         u"is not a file"_qs},
        {"csv unknown path column", "csv",
         [](auto &, auto &r) { setOption(r, "path-column", "file"); }, u"t.csv"_qs, 1,
         u"--path-column 'file' is not a column"_qs},
        {"csv header naming a column twice", "csv",
         [](auto &l, auto &) { writeText(l.csv(), "path,smile,smile\na/0.png,1,0\n"); },
         u"t.csv"_qs, 1, u"names column 'smile' twice"_qs},
        {"csv unterminated quote", "csv",
         [=](auto &l, auto &) { appendCsv(l, "\"a/0.png,1,1,black,train\n"); }, u"t.csv"_qs, 6,
         u"never closed"_qs},
        {"csv empty table", "csv", [](auto &l, auto &) { writeText(l.csv(), ""); }, u"t.csv"_qs, 1,
         u"an empty table"_qs},
        {"celeba value 0", "celeba",
         [](auto &l, auto &) {
             writeText(l.attr(), "2\nSmiling Young\na/0.png 1 -1\na/1.png 0 1\n");
         },
         u"celeba/list_attr_celeba.txt"_qs, 4,
         u"value '0' of attribute 'Smiling' is not -1 or 1"_qs},
        {"celeba ragged row", "celeba",
         [](auto &l, auto &) { writeText(l.attr(), "2\nSmiling Young\na/0.png 1\na/1.png 1 1\n"); },
         u"celeba/list_attr_celeba.txt"_qs, 3, u"a row of 2 fields"_qs},
        {"celeba count line", "celeba",
         [](auto &l, auto &) { writeText(l.attr(), "four\nSmiling Young\na/0.png 1 1\n"); },
         u"celeba/list_attr_celeba.txt"_qs, 1, u"expected the number of images"_qs},
        {"celeba count mismatch", "celeba",
         [](auto &l, auto &) { writeText(l.attr(), "3\nSmiling Young\na/0.png 1 1\n"); },
         u"celeba/list_attr_celeba.txt"_qs, 1, u"declares 3 images but lists 1"_qs},
        {"celeba partition 3", "celeba",
         [](auto &l, auto &) {
             writeText(l.partition(), "a/0.png 0\na/1.png 3\nb/2.png 1\nb/3.png 2\n");
         },
         u"celeba/list_eval_partition.txt"_qs, 2, u"is not 0 (train), 1 (val) or 2 (test)"_qs},
        {"celeba image without partition", "celeba",
         [](auto &l, auto &) { writeText(l.partition(), "a/0.png 0\na/1.png 0\nb/2.png 1\n"); },
         u"celeba/list_attr_celeba.txt"_qs, 6, u"b/3.png has no line in"_qs},
        {"celeba attribute named twice", "celeba",
         [](auto &l, auto &) { writeText(l.attr(), "1\nSmiling Smiling\na/0.png 1 1\n"); },
         u"celeba/list_attr_celeba.txt"_qs, 2, u"names attribute 'Smiling' twice"_qs},
        {"awa matrix value 2", "awa",
         [](auto &l, auto &) {
             writeText(l.awa() + u"/predicate-matrix-binary.txt"_qs, "0 1 1\n1 2 0\n");
         },
         u"awa/predicate-matrix-binary.txt"_qs, 2,
         u"value '2' of predicate 'furry' is not 0 or 1"_qs},
        {"awa matrix missing a class", "awa",
         [](auto &l, auto &) {
             writeText(l.awa() + u"/predicate-matrix-binary.txt"_qs, "0 1 1\n");
         },
         u"awa/predicate-matrix-binary.txt"_qs, 1, u"has 1 rows; classes.txt lists 2 classes"_qs},
        {"awa classes.txt out of order", "awa",
         [](auto &l, auto &) { writeText(l.awa() + u"/classes.txt"_qs, "1\tant\n3\tbee\n"); },
         u"awa/classes.txt"_qs, 2, u"expected '2 name'"_qs},
        {"awa folder of no class", "awa",
         [](auto &l, auto &) {
             writeImage(l.awa() + u"/JPEGImages/cow/cow_1.jpg"_qs, 12, 10, 4, "JPEG");
         },
         u"awa/JPEGImages/cow"_qs, -1, u"folder 'cow' is not a class"_qs},
        {"folders non-image file", "folders",
         [](auto &l, auto &) { writeText(l.img() + u"/b/readme.txt"_qs, "hello\n"); }, u"img"_qs,
         -1, u"'b/readme.txt': not a PNG or JPEG image"_qs},
        {"folders class attributes missing a class", "folders",
         [](auto &l, auto &r) {
             writeText(l.dir + u"/attr.csv"_qs, "class,furry\na,1\n");
             r.files["class-attributes"] = str(l.dir + u"/attr.csv"_qs);
         },
         u"attr.csv"_qs, 2, u"has no row; every class needs one"_qs},
        {"bad --resize", "folders", [](auto &, auto &r) { setOption(r, "resize", "64"); }, u""_qs,
         -1, u"--resize is '64'"_qs},
    };
    return cases;
}

} // namespace

class TestImageImport : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        QVERIFY(m_dir.isValid());
        m_layout.dir = m_dir.path() + u"/"_qs + QString::fromLatin1(QTest::currentTestFunction()) +
                       u"-"_qs + QString::number(++m_case);
        m_layout.write();
        m_project = m_layout.dir + u"/p.mtlproj"_qs;
    }

    void probesHeaders()
    {
        const std::string png = str(m_layout.img() + u"/a/0.png"_qs);
        const data::ImageHeader h = data::probeImage(png);
        QCOMPARE(h.width, 8);
        QCOMPARE(h.height, 8);
        QCOMPARE(h.channels, 3);
        QVERIFY(h.encoding == store::ImageEncoding::Png);
        const data::ImageHeader j =
            data::probeImage(str(m_layout.awa() + u"/JPEGImages/ant/ant_1.jpg"_qs));
        QCOMPARE(j.width, 12);
        QCOMPARE(j.height, 10);
        QVERIFY(j.encoding == store::ImageEncoding::Jpeg);
        const QString gray = m_layout.dir + u"/g.png"_qs;
        QVERIFY(writeImage(gray, 5, 3, 1, "PNG", true));
        QCOMPARE(data::probeImage(str(gray)).channels, 1);
        // Decoding: RGB order, resize, and grayscale conversion.
        const std::string bytes = data::readImageFile(png);
        const auto rgb = data::decodeImage(bytes.data(), bytes.size(), png);
        QImage reference(m_layout.img() + u"/a/0.png"_qs);
        QCOMPARE(int(rgb.pixels[3 * 5 + 0]), qRed(reference.pixel(5, 0)));
        QCOMPARE(int(rgb.pixels[3 * 5 + 1]), qGreen(reference.pixel(5, 0)));
        const auto small = data::decodeImage(bytes.data(), bytes.size(), png, 1, 4, 2);
        QCOMPARE(small.width, 4);
        QCOMPARE(small.height, 2);
        QCOMPARE(small.channels, 1);
        QCOMPARE(small.pixels.size(), std::size_t(8));
    }

    void importsCsv()
    {
        const auto summary = runImport(m_project, m_layout.request("csv"), "csv");
        QCOMPARE(summary.skipped, 0);
        QCOMPARE(summary.added.size(), std::size_t(2));
        store::Project p(str(m_project));
        const auto info = p.datasets().find("csv-set");
        QVERIFY(info);
        QCOMPARE(qstr(info->format), QStringLiteral("csv"));
        QCOMPARE(qstr(info->root), QFileInfo(m_layout.img()).canonicalFilePath());
        QCOMPARE(info->splitSize("train"), 2);
        QCOMPARE(info->splitSize("test"), 2);
        QCOMPARE(info->width, 8);
        QCOMPARE(info->channels, 3);
        QVERIFY(info->column("smile")->kind == store::ColumnKind::Binary);
        QVERIFY(info->column("young")->kind == store::ColumnKind::Binary);
        QVERIFY(info->column("hair")->kind == store::ColumnKind::Categorical);
        QCOMPARE(info->column("hair")->categories,
                 (std::vector<std::string>{"black", "brown", "blond"}));
        QVERIFY(!info->column("split"));
        QVERIFY(!info->column("path"));
        QCOMPARE(labels(m_project, "csv-set", "test", "smile"), (std::vector<std::int32_t>{1, -1}));
        QCOMPARE(labels(m_project, "csv-set", "train", "young"), (std::vector<std::int32_t>{0, 1}));
        QCOMPARE(labels(m_project, "csv-set", "test", "hair"), (std::vector<std::int32_t>{0, 2}));
        // Paths relative to the root; tiny images are stored in the project too.
        std::vector<std::string> paths;
        p.datasets().forEachImage(info->id, "train", [&](const store::StoredImage &image) {
            paths.push_back(image.path);
            QVERIFY(image.data != nullptr);
            QVERIFY(image.encoding == store::ImageEncoding::Png);
        });
        QCOMPARE(paths, (std::vector<std::string>{"a/0.png", "a/1.png"}));
        const auto log = p.datasets().imports(info->id);
        QCOMPARE(log.size(), std::size_t(1));
        QCOMPARE(log[0].added, 4);
        QCOMPARE(log[0].skipped, 0);
    }

    void importsTsvAndKeepsLargeImagesAsFiles()
    {
        QVERIFY(writeImage(m_layout.img() + u"/big/0.jpg"_qs, 80, 70, 1, "JPEG"));
        QVERIFY(writeImage(m_layout.img() + u"/big/1.jpg"_qs, 80, 70, 2, "JPEG"));
        const QString tsv = m_layout.dir + u"/t.tsv"_qs;
        QVERIFY(writeText(tsv, "image\tkind\nbig/0.jpg\tx\nbig/1.jpg\ty\n"));
        data::ImportRequest r;
        r.dataset = "big";
        r.files = {{"root", str(m_layout.img())}, {"table", str(tsv)}};
        runImport(m_project, r, "csv");
        store::Project p(str(m_project));
        const auto info = p.datasets().find("big");
        QCOMPARE(info->splitSize("train"), 2);
        QCOMPARE(info->column("kind")->categories, (std::vector<std::string>{"x", "y"}));
        p.datasets().forEachImage(info->id, "train", [&](const store::StoredImage &image) {
            QVERIFY(image.data == nullptr); // 80×70 is over the inline limit
            QVERIFY(image.encoding == store::ImageEncoding::Jpeg);
        });
    }

    void importsCelebA()
    {
        QVERIFY(writeText(m_layout.dir + u"/celeba/identity_CelebA.txt"_qs, "a/0.png 1\n"));
        const auto summary = runImport(m_project, m_layout.request("celeba"), "celeba");
        store::Project p(str(m_project));
        const auto info = p.datasets().find("celeba-set");
        QCOMPARE(info->splitSize("train"), 2);
        QCOMPARE(info->splitSize("val"), 1);
        QCOMPARE(info->splitSize("test"), 1);
        QCOMPARE(labels(m_project, "celeba-set", "train", "Smiling"),
                 (std::vector<std::int32_t>{1, 0}));
        QCOMPARE(labels(m_project, "celeba-set", "train", "Young"),
                 (std::vector<std::int32_t>{0, 1}));
        QCOMPARE(summary.log.size(), std::size_t(1));
        QVERIFY(qstr(summary.log[0]).contains(u"identity_CelebA.txt ignored"_qs));
    }

    void importsAwa()
    {
        QVERIFY(
            writeText(m_layout.awa() + u"/predicate-matrix-continuous.txt"_qs, "0.1 2 3\n4 5 6\n"));
        const auto summary = runImport(m_project, m_layout.request("awa"), "awa");
        store::Project p(str(m_project));
        const auto info = p.datasets().find("awa-set");
        QCOMPARE(info->splitSize("train"), 3);
        QCOMPARE(info->column("class")->categories, (std::vector<std::string>{"ant", "bee"}));
        QCOMPARE(labels(m_project, "awa-set", "train", "class"),
                 (std::vector<std::int32_t>{0, 0, 1}));
        QCOMPARE(labels(m_project, "awa-set", "train", "black"),
                 (std::vector<std::int32_t>{0, 0, 1}));
        QCOMPARE(labels(m_project, "awa-set", "train", "big"),
                 (std::vector<std::int32_t>{1, 1, 0}));
        QVERIFY(qstr(summary.log.back()).contains(u"continuous"_qs));
    }

    void importsFoldersWithClassAttributes()
    {
        QVERIFY(writeText(m_layout.dir + u"/attr.csv"_qs, "class,furry\nb,1\na,0\n"));
        QVERIFY(writeText(m_layout.img() + u"/.DS_Store"_qs, "junk"));
        auto r = m_layout.request("folders");
        r.files["class-attributes"] = str(m_layout.dir + u"/attr.csv"_qs);
        r.split = "test";
        runImport(m_project, r, "folders");
        QCOMPARE(labels(m_project, "folders-set", "test", "class"),
                 (std::vector<std::int32_t>{0, 0, 1, 1}));
        QCOMPARE(labels(m_project, "folders-set", "test", "furry"),
                 (std::vector<std::int32_t>{0, 0, 1, 1}));
    }

    void resizeTakesMixedSizes()
    {
        QVERIFY(writeImage(m_layout.img() + u"/a/big.png"_qs, 9, 8, 1));
        auto r = m_layout.request("folders");
        r.options["resize"] = "6x5";
        runImport(m_project, r, "folders");
        store::Project p(str(m_project));
        const auto info = p.datasets().find("folders-set");
        QCOMPARE(info->splitSize("train"), 5);
        QCOMPARE(info->width, 6);
        QCOMPARE(info->height, 5);
    }

    void skipLeavesBadRowsOutAndLogsThem()
    {
        QFile f(m_layout.csv());
        QVERIFY(f.open(QIODevice::Append));
        f.write("c/9.png,1,1,black,train\nb/3.png,1\n../x.png,1,1,black,train\n");
        f.close();
        auto r = m_layout.request("csv");
        r.options["on-error"] = "skip";
        const auto summary = runImport(m_project, r, "csv");
        QCOMPARE(summary.skipped, 3);
        store::Project p(str(m_project));
        const auto info = p.datasets().find("csv-set");
        QCOMPARE(info->totalSamples(), 4);
        const auto log = p.datasets().imports(info->id);
        QCOMPARE(log.size(), std::size_t(1));
        QCOMPARE(log[0].skipped, 3);
        const QStringList lines = qstr(log[0].log).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 3);
        QVERIFY2(lines[0].endsWith(u"t.csv:6: image 'c/9.png' not found in "_qs +
                                   QFileInfo(m_layout.img()).canonicalFilePath()),
                 qPrintable(lines[0]));
        QVERIFY(lines[1].contains(u"t.csv:7: a row of 2 fields"_qs));
        QVERIFY(lines[2].contains(u"t.csv:8: '../x.png' leaves the dataset root"_qs));
    }

    void appendRefusesAnotherRootOrAnExistingSplit()
    {
        auto r = m_layout.request("folders");
        runImport(m_project, r, "folders");
        const QString before = projectDump(m_project);
        auto again = catchError([&] { runImport(m_project, r, "folders"); });
        QVERIFY(again);
        QVERIFY(qstr(again->message()).contains(u"already has a split 'train'"_qs));
        QVERIFY(writeImage(m_layout.dir + u"/other/a/0.png"_qs, 8, 8, 1));
        r.files["root"] = str(m_layout.dir + u"/other"_qs);
        r.split = "test";
        auto other = catchError([&] { runImport(m_project, r, "folders"); });
        QVERIFY(other);
        QVERIFY(qstr(other->message()).contains(u"has its images in"_qs));
        QCOMPARE(projectDump(m_project), before);
        r.files["root"] = str(m_layout.img());
        runImport(m_project, r, "folders"); // a new split from the same root appends
        store::Project p(str(m_project));
        QCOMPARE(p.datasets().find("folders-set")->splitSize("test"), 4);
    }

    void badInput_data()
    {
        QTest::addColumn<int>("index");
        for (std::size_t i = 0; i < badCases().size(); ++i)
            QTest::newRow(badCases()[i].name) << int(i);
    }

    // Each malformed input is refused with the file and line, and the project (holding an
    // earlier import) is byte-for-byte the same content afterwards.
    void badInput()
    {
        QFETCH(int, index);
        const BadCase &c = badCases()[static_cast<std::size_t>(index)];
        QVERIFY(badCases().size() >= 25);
        auto base = m_layout.request("folders");
        base.dataset = "base";
        runImport(m_project, base, "folders");
        const QString before = projectDump(m_project);
        data::ImportRequest request = m_layout.request(c.format);
        c.change(m_layout, request);
        const auto error = catchError([&] { runImport(m_project, request, c.format); });
        QVERIFY2(error, "the import was not refused");
        const QString text = qstr(error->what());
        QVERIFY2(text.contains(c.message), qPrintable(text));
        if (!c.file.isEmpty()) {
            QVERIFY2(QDir::cleanPath(qstr(error->where().file)).endsWith(QDir::cleanPath(c.file)),
                     qPrintable(text));
            QCOMPARE(error->where().line, std::int64_t(c.line));
        }
        QCOMPARE(projectDump(m_project), before);
    }

private:
    QTemporaryDir m_dir;
    Layout m_layout;
    QString m_project;
    int m_case = 0;
};

QTEST_GUILESS_MAIN(TestImageImport)
#include "tst_imageimport.moc"
