// Importing dense multi-task datasets (nyuv2, cityscapes) in the layouts the MTAN and LibMTL
// code read: the .npy reader, both file kinds (.npy and PNG), what the maps hold after the
// import, --on-error skip, and a table of malformed inputs, each of which must name the file
// and leave the project exactly as it was.

#include "fixtures.h"

#include "data/denseimporters.h"
#include "data/imagefile.h"
#include "data/importer.h"
#include "data/npy.h"
#include "data/statistics.h"
#include "store/project.h"

#include <QDir>
#include <QFile>
#include <QImage>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <cstring>
#include <functional>

using namespace mtl;
using namespace mtl::test;

namespace {

constexpr int kW = 8, kH = 6;

template <class T>
data::NpyArray array(data::NpyType type, std::vector<std::int64_t> shape,
                     const std::function<T(std::int64_t)> &value)
{
    data::NpyArray a;
    a.type = type;
    a.shape = std::move(shape);
    a.bytes.resize(static_cast<std::size_t>(a.count()) * sizeof(T));
    for (std::int64_t i = 0; i < a.count(); ++i) {
        const T v = value(i);
        std::memcpy(a.bytes.data() + i * sizeof(T), &v, sizeof v);
    }
    return a;
}

bool save(const QString &path, const std::string &bytes)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    return writeFile(path, QByteArray(bytes.data(), static_cast<int>(bytes.size())));
}

bool saveNpy(const QString &path, const data::NpyArray &a)
{
    return save(path, data::encodeNpy(a));
}

// The values the fixture's sample `i` holds, so that tests can check what was stored.
float imageValue(int i, std::int64_t k)
{
    return static_cast<float>((k * 7 + i * 13) % 256) / 255.0f;
}
int labelValue(int i, std::int64_t pixel)
{
    return (pixel + i) % 5 == 0 ? -1 : static_cast<int>((pixel + i) % 13);
}
float depthValue(int i, std::int64_t pixel)
{
    return 0.5f + 0.01f * static_cast<float>(pixel) + static_cast<float>(i);
}
float normalValue(std::int64_t k)
{
    return k % 3 == 2 ? 1.0f : 0.0f;
}

// A layout: ROOT/{train,val}/{image,label,depth,normal}/<i>.npy (or .png), 3 train and 2 val
// samples of 8×6.
struct Layout {
    QString dir;
    QString root() const { return dir + u"/nyu"_qs; }
    QString file(const QString &relative) const { return root() + u"/"_qs + relative; }

    void writeNpySample(const QString &split, int i, const QString &labelFolder = u"label"_qs,
                        bool normals = true) const
    {
        const QString n = QString::number(i) + u".npy"_qs;
        QVERIFY(saveNpy(file(split + u"/image/"_qs + n),
                        array<float>(data::NpyType::Float32, {kH, kW, 3},
                                     [i](std::int64_t k) { return imageValue(i, k); })));
        QVERIFY(saveNpy(file(split + u"/"_qs + labelFolder + u"/"_qs + n),
                        array<float>(data::NpyType::Float32, {kH, kW}, [i](std::int64_t k) {
                            return static_cast<float>(labelValue(i, k));
                        })));
        QVERIFY(saveNpy(file(split + u"/depth/"_qs + n),
                        array<float>(data::NpyType::Float32, {kH, kW, 1},
                                     [i](std::int64_t k) { return depthValue(i, k); })));
        if (normals)
            QVERIFY(saveNpy(file(split + u"/normal/"_qs + n),
                            array<float>(data::NpyType::Float32, {kH, kW, 3}, normalValue)));
    }

    void writeNpy() const
    {
        for (int i = 0; i < 3; ++i)
            writeNpySample(u"train"_qs, i);
        for (int i = 0; i < 2; ++i)
            writeNpySample(u"val"_qs, i);
    }

    void writePngSample(const QString &split, int i) const
    {
        const QString n = QString::number(i) + u".png"_qs;
        const auto saveImage = [&](const QString &folder, const QImage &image) {
            QDir().mkpath(file(split + u"/"_qs + folder));
            QVERIFY(image.save(file(split + u"/"_qs + folder + u"/"_qs + n), "PNG"));
        };
        QImage image(kW, kH, QImage::Format_RGB888), label(kW, kH, QImage::Format_Grayscale8),
            depth(kW, kH, QImage::Format_Grayscale16), normal(kW, kH, QImage::Format_RGB888);
        for (int y = 0; y < kH; ++y)
            for (int x = 0; x < kW; ++x) {
                const int pixel = y * kW + x;
                image.setPixel(x, y, qRgb(pixel * 5, i * 40, 200));
                label.scanLine(y)[x] =
                    static_cast<uchar>(labelValue(i, pixel) < 0 ? 255 : labelValue(i, pixel));
                reinterpret_cast<quint16 *>(depth.scanLine(y))[x] =
                    static_cast<quint16>(1000 + pixel);
                normal.setPixel(x, y, qRgb(128, 128, 255));
            }
        saveImage(u"image"_qs, image);
        saveImage(u"label"_qs, label);
        saveImage(u"depth"_qs, depth);
        saveImage(u"normal"_qs, normal);
    }

    data::ImportRequest request(const std::string &format = "nyuv2") const
    {
        data::ImportRequest r;
        r.dataset = format + "-set";
        r.files = {{"root", str(root())}};
        return r;
    }
};

data::ImportSummary runImport(const QString &project, const data::ImportRequest &request,
                              const std::string &format = "nyuv2")
{
    store::Project p(str(project), store::Project::OpenMode::CreateIfMissing);
    return data::makeImporter(format)->run(p, request, {});
}

// The stored bytes of one sample's map, by split and position.
std::vector<unsigned char> storedMap(const QString &project, const std::string &dataset,
                                     const std::string &split, std::int64_t index,
                                     const std::string &column)
{
    store::Project p(str(project));
    const auto info = p.datasets().find(dataset);
    std::vector<unsigned char> bytes;
    p.datasets().forEachMap(info->id, split, *info->map(column), [&](const store::StoredMap &m) {
        if (m.index == index) {
            const auto *data = static_cast<const unsigned char *>(m.data);
            bytes.assign(data, data + m.size);
        }
    });
    return bytes;
}

template <class T> std::vector<T> as(const std::vector<unsigned char> &bytes)
{
    std::vector<T> values(bytes.size() / sizeof(T));
    std::memcpy(values.data(), bytes.data(), values.size() * sizeof(T));
    return values;
}

// An .npy file's header with `dict` as written, then `data`.
std::string rawNpy(const std::string &dict, const std::string &data, int major = 1)
{
    std::string header = dict;
    const std::size_t fixed = major == 1 ? 10 : 12;
    header.append((64 - (fixed + header.size() + 1) % 64) % 64, ' ');
    header += '\n';
    std::string file = "\x93NUMPY";
    file += static_cast<char>(major);
    file += '\0';
    const std::size_t n = header.size();
    file += static_cast<char>(n & 0xFF);
    file += static_cast<char>((n >> 8) & 0xFF);
    if (major > 1)
        file += std::string(2, '\0');
    return file + header + data;
}

struct BadCase {
    const char *name;
    std::string format;
    std::function<void(const Layout &, data::ImportRequest &)> change;
    QString file; // the file the error names, relative to the layout's root; empty: none
    QString message;
};

const std::vector<BadCase> &badCases()
{
    const auto f32 = [](std::vector<std::int64_t> shape, float v) {
        return array<float>(data::NpyType::Float32, std::move(shape),
                            [v](std::int64_t) { return v; });
    };
    static const std::vector<BadCase> cases{
        {"no train/image folder", "nyuv2",
         [](auto &l, auto &) { QDir(l.file(u"train/image"_qs)).removeRecursively(); }, u""_qs,
         u"has no train/image folder"_qs},
        {"val without the depth folder", "nyuv2",
         [](auto &l, auto &) { QDir(l.file(u"val/depth"_qs)).removeRecursively(); },
         u"val/depth"_qs, u"is missing; train/ has depth maps"_qs},
        {"sample without its depth map", "nyuv2",
         [](auto &l, auto &) { QFile::remove(l.file(u"train/depth/1.npy"_qs)); },
         u"train/image/1.npy"_qs, u"has no train/depth/1.npy next to it"_qs},
        {"depth map without an image", "nyuv2",
         [=](auto &l, auto &) {
             QVERIFY(saveNpy(l.file(u"train/depth/9.npy"_qs), f32({kH, kW}, 1.0f)));
         },
         u"train/depth/9.npy"_qs, u"has no image"_qs},
        {"file not named by an index", "nyuv2",
         [=](auto &l, auto &) {
             QVERIFY(saveNpy(l.file(u"train/image/first.npy"_qs), f32({kH, kW, 3}, 0.5f)));
         },
         u"train/image/first.npy"_qs, u"is not a sample file"_qs},
        {"one index twice", "nyuv2",
         [](auto &l, auto &) {
             QVERIFY(
                 QFile::copy(l.file(u"train/label/1.npy"_qs), l.file(u"train/label/01.npy"_qs)));
         },
         u"train/label/1.npy"_qs, u"has the index of train/label/01.npy"_qs},
        {"a PNG among .npy depth maps", "nyuv2",
         [](auto &l, auto &) {
             QFile::remove(l.file(u"train/depth/2.npy"_qs));
             QImage image(kW, kH, QImage::Format_Grayscale16);
             image.fill(0);
             QVERIFY(image.save(l.file(u"train/depth/2.png"_qs)));
         },
         u"train/depth/2.png"_qs, u"is a .png file; the other depth maps are .npy files"_qs},
        {"text file named .npy", "nyuv2",
         [](auto &l, auto &) { QVERIFY(save(l.file(u"train/depth/0.npy"_qs), "0.5 0.5\n")); },
         u"train/depth/0.npy"_qs, u"is not a .npy file (no \\x93NUMPY signature)"_qs},
        {"zero-byte .npy", "nyuv2",
         [](auto &l, auto &) { QVERIFY(save(l.file(u"train/image/0.npy"_qs), "")); },
         u"train/image/0.npy"_qs, u"is a zero-byte file"_qs},
        {".npy cut short", "nyuv2",
         [](auto &l, auto &) {
             QFile file(l.file(u"val/normal/1.npy"_qs));
             QVERIFY(file.open(QIODevice::ReadWrite));
             QVERIFY(file.resize(file.size() - 4));
         },
         u"val/normal/1.npy"_qs, u"holds 572 bytes of data; its header says (6, 8, 3) float32"_qs},
        {".npy in Fortran order", "nyuv2",
         [](auto &l, auto &) {
             QVERIFY(save(l.file(u"train/label/0.npy"_qs),
                          rawNpy("{'descr': '<f4', 'fortran_order': True, 'shape': (6, 8), }",
                                 std::string(6 * 8 * 4, '\0'))));
         },
         u"train/label/0.npy"_qs, u"is stored in Fortran order"_qs},
        {".npy of complex numbers", "nyuv2",
         [](auto &l, auto &) {
             QVERIFY(save(l.file(u"train/label/0.npy"_qs),
                          rawNpy("{'descr': '<c8', 'fortran_order': False, 'shape': (6, 8), }",
                                 std::string(6 * 8 * 8, '\0'))));
         },
         u"train/label/0.npy"_qs, u"has elements of type '<c8'"_qs},
        {".npy header that does not parse", "nyuv2",
         [](auto &l, auto &) {
             QVERIFY(save(l.file(u"train/label/0.npy"_qs),
                          rawNpy("{'descr' '<f4', 'fortran_order': False, 'shape': (6, 8), }",
                                 std::string(6 * 8 * 4, '\0'))));
         },
         u"train/label/0.npy"_qs, u"has a header that does not parse"_qs},
        {"image with channels first", "nyuv2",
         [=](auto &l, auto &) {
             QVERIFY(saveNpy(l.file(u"train/image/1.npy"_qs), f32({3, kH, kW}, 0.5f)));
         },
         u"train/image/1.npy"_qs, u"has shape (3, 6, 8); an image is (height, width, 3)"_qs},
        {"float image of 0-255", "nyuv2",
         [=](auto &l, auto &) {
             QVERIFY(saveNpy(l.file(u"train/image/1.npy"_qs), f32({kH, kW, 3}, 128.0f)));
         },
         u"train/image/1.npy"_qs,
         u"holds the value 128 at (x 0, y 0); float images lie in [0, 1]"_qs},
        {"label beyond the classes", "nyuv2",
         [=](auto &l, auto &) {
             QVERIFY(saveNpy(l.file(u"val/label/0.npy"_qs), f32({kH, kW}, 13.0f)));
         },
         u"val/label/0.npy"_qs, u"holds the label 13 at (x 0, y 0); the classes are 0–12"_qs},
        {"label of a fraction", "nyuv2",
         [=](auto &l, auto &) {
             QVERIFY(saveNpy(l.file(u"val/label/0.npy"_qs), f32({kH, kW}, 2.5f)));
         },
         u"val/label/0.npy"_qs, u"holds the label 2.5"_qs},
        {"normal longer than 1", "nyuv2",
         [=](auto &l, auto &) {
             QVERIFY(saveNpy(l.file(u"train/normal/2.npy"_qs), f32({kH, kW, 3}, 1.5f)));
         },
         u"train/normal/2.npy"_qs, u"holds the normal component 1.5"_qs},
        {"infinite depth", "nyuv2",
         [=](auto &l, auto &) {
             QVERIFY(saveNpy(l.file(u"train/depth/2.npy"_qs), f32({kH, kW}, INFINITY)));
         },
         u"train/depth/2.npy"_qs, u"holds an infinite depth at (x 0, y 0)"_qs},
        {"map of another size than its image", "nyuv2",
         [=](auto &l, auto &) {
             QVERIFY(saveNpy(l.file(u"train/depth/1.npy"_qs), f32({kH, kW - 1, 1}, 1.0f)));
         },
         u"train/depth/1.npy"_qs, u"is 7×6; its image is 8×6"_qs},
        {"sample of another size", "nyuv2",
         [=](auto &l, auto &) {
             for (const char *folder : {"image", "label", "depth", "normal"})
                 QFile::remove(l.file(u"val/"_qs + QString::fromLatin1(folder) + u"/1.npy"_qs));
             QVERIFY(saveNpy(l.file(u"val/image/1.npy"_qs), f32({kH + 1, kW, 3}, 0.5f)));
             QVERIFY(saveNpy(l.file(u"val/label/1.npy"_qs), f32({kH + 1, kW}, 0.0f)));
             QVERIFY(saveNpy(l.file(u"val/depth/1.npy"_qs), f32({kH + 1, kW}, 1.0f)));
             QVERIFY(saveNpy(l.file(u"val/normal/1.npy"_qs), f32({kH + 1, kW, 3}, 0.0f)));
         },
         u"val/image/1.npy"_qs, u"is 8×7 with 3 channels; the first sample is 8×6 with 3"_qs},
        {"symlink outside the root", "nyuv2",
         [=](auto &l, auto &) {
             QVERIFY(saveNpy(l.dir + u"/outside.npy"_qs, f32({kH, kW}, 1.0f)));
             QFile::remove(l.file(u"train/depth/0.npy"_qs));
             QVERIFY(QFile::link(l.dir + u"/outside.npy"_qs, l.file(u"train/depth/0.npy"_qs)));
         },
         u"train/depth/0.npy"_qs, u"outside the dataset root"_qs},
        {"8-bit depth PNG", "cityscapes",
         [](auto &l, auto &) {
             QDir(l.file(u"train/depth"_qs)).removeRecursively();
             QDir().mkpath(l.file(u"train/depth"_qs));
             QImage image(kW, kH, QImage::Format_Grayscale8);
             image.fill(3);
             for (int i = 0; i < 3; ++i)
                 QVERIFY(image.save(l.file(u"train/depth/"_qs + QString::number(i) + u".png"_qs)));
         },
         u"train/depth/0.png"_qs, u"is an 8-bit PNG; depth PNGs are 16-bit"_qs},
        {"cityscapes --classes 5", "cityscapes",
         [](auto &, auto &r) { r.options["classes"] = "5"; }, u""_qs, u"--classes is '5'"_qs},
        {"cityscapes --classes 19 without label_19", "cityscapes",
         [](auto &, auto &r) { r.options["classes"] = "19"; }, u"train/label_19"_qs,
         u"is missing; --classes 19 reads the labels in it"_qs},
        {"cityscapes label beyond 7 classes", "cityscapes",
         [=](auto &l, auto &) {
             QVERIFY(saveNpy(l.file(u"train/label/2.npy"_qs), f32({kH, kW}, 7.0f)));
         },
         u"train/label/2.npy"_qs, u"the classes are 0–6"_qs},
        {"bad --depth-scale", "nyuv2", [](auto &, auto &r) { r.options["depth-scale"] = "-1"; },
         u""_qs, u"--depth-scale is '-1'"_qs},
        {"--resize", "nyuv2", [](auto &, auto &r) { r.options["resize"] = "4x4"; }, u""_qs,
         u"--resize does not apply to nyuv2"_qs},
        {"existing dataset", "nyuv2", [](auto &, auto &r) { r.dataset = "base"; }, u""_qs,
         u"dataset 'base' already exists"_qs},
        {"fewer class names than labels", "nyuv2",
         [](auto &l, auto &r) {
             QVERIFY(save(l.dir + u"/classes.txt"_qs, "floor\nwall\n"));
             r.files["class-names"] = str(l.dir + u"/classes.txt"_qs);
         },
         u"train/label/0.npy"_qs, u"the classes are 0–1"_qs},
    };
    return cases;
}

} // namespace

class TestDenseImport : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        QVERIFY(m_dir.isValid());
        m_layout.dir = m_dir.path() + u"/"_qs + QString::fromLatin1(QTest::currentTestFunction()) +
                       QString::number(m_case++);
        m_project = m_layout.dir + u"/p.mtlproj"_qs;
    }

    void npyRoundTrip_data()
    {
        QTest::addColumn<int>("type");
        QTest::addColumn<QString>("shape");
        for (const auto type : {data::NpyType::Bool, data::NpyType::UInt8, data::NpyType::Int16,
                                data::NpyType::UInt32, data::NpyType::Int64, data::NpyType::Float32,
                                data::NpyType::Float64})
            for (const char *shape : {"5", "2 3", "6 8 3", "0 4"})
                QTest::addRow("%s (%s)", data::toString(type), shape)
                    << int(type) << QString::fromLatin1(shape);
    }

    // What encodeNpy() writes (NumPy's own layout) parses back to the same array.
    void npyRoundTrip()
    {
        QFETCH(int, type);
        QFETCH(QString, shape);
        data::NpyArray a;
        a.type = static_cast<data::NpyType>(type);
        for (const QString &side : shape.split(u' '))
            a.shape.push_back(side.toLongLong());
        a.bytes.resize(static_cast<std::size_t>(a.count()) * data::byteSize(a.type));
        for (std::size_t i = 0; i < a.bytes.size(); ++i)
            a.bytes[i] = static_cast<unsigned char>(a.type == data::NpyType::Bool ? i % 2 : i * 7);
        const std::string file = data::encodeNpy(a);
        QCOMPARE(file.size() % 64, a.bytes.size() % 64); // the header is padded to 64 bytes
        const data::NpyArray back = data::parseNpy(file.data(), file.size(), "x.npy");
        QCOMPARE(int(back.type), type);
        QCOMPARE(back.shape, a.shape);
        QVERIFY(back.bytes == a.bytes);
    }

    // Headers as other writers produce them: version 2.0, keys in another order, double quotes,
    // big-endian data, a 1-tuple without a space.
    void npyReadsOtherWriters()
    {
        float le[2] = {1.5f, -2.0f};
        std::string data(reinterpret_cast<const char *>(le), sizeof le);
        auto a = data::parseNpy(
            rawNpy("{\"shape\": (2,), \"fortran_order\": False, \"descr\": \"<f4\"}", data, 2)
                .data(),
            rawNpy("{\"shape\": (2,), \"fortran_order\": False, \"descr\": \"<f4\"}", data, 2)
                .size(),
            "v2.npy");
        QCOMPARE(a.shape, std::vector<std::int64_t>{2});
        QCOMPARE(a.value(0), 1.5);
        QCOMPARE(a.value(1), -2.0);
        std::string be = data;
        for (std::size_t i = 0; i < be.size(); i += 4)
            std::reverse(be.begin() + static_cast<std::ptrdiff_t>(i),
                         be.begin() + static_cast<std::ptrdiff_t>(i + 4));
        const std::string big = rawNpy("{'descr':'>f4','fortran_order':False,'shape':(2,)}", be);
        a = data::parseNpy(big.data(), big.size(), "be.npy");
        QCOMPARE(a.value(0), 1.5);
        QCOMPARE(a.value(1), -2.0);
        QCOMPARE(QString::fromStdString(a.shapeText()), u"(2,)"_qs);
    }

    void importsNyuNpy()
    {
        m_layout.writeNpy();
        const auto summary = runImport(m_project, m_layout.request());
        QCOMPARE(summary.skipped, 0);
        QCOMPARE(summary.added.size(), std::size_t(2));
        QCOMPARE(summary.added[0].name, std::string("train"));
        QCOMPARE(summary.added[0].samples, 3);
        QCOMPARE(summary.added[1].name, std::string("test")); // val/ is the test split
        QCOMPARE(summary.added[1].samples, 2);
        QCOMPARE(summary.columns, (std::vector<std::string>{"semantic", "depth", "normals"}));
        {
            store::Project p(str(m_project));
            const auto info = p.datasets().find("nyuv2-set");
            QVERIFY(info);
            QCOMPARE(info->width, kW);
            QCOMPARE(info->height, kH);
            QCOMPARE(info->channels, 3);
            QCOMPARE(info->map("semantic")->categories.size(), std::size_t(13));
            QCOMPARE(info->map("semantic")->categories[11], std::string("wall"));
            QCOMPARE(int(info->map("depth")->type), int(store::MapType::Float32));
            // The image: the floats as bytes, stored in the project as PNG.
            std::vector<std::uint8_t> pixels;
            p.datasets().forEachImage(info->id, "train", [&](const store::StoredImage &image) {
                if (image.index != 1)
                    return;
                QCOMPARE(int(image.encoding), int(store::ImageEncoding::Png));
                QVERIFY(image.path.empty());
                const auto decoded = data::decodeImage(image.data, image.size, "stored", 3);
                pixels = decoded.pixels;
            });
            QCOMPARE(pixels.size(), std::size_t(kW * kH * 3));
            for (std::size_t k = 0; k < pixels.size(); ++k)
                QCOMPARE(int(pixels[k]), int(std::lround(imageValue(1, std::int64_t(k)) * 255)));
        }
        const auto semantic = storedMap(m_project, "nyuv2-set", "test", 1, "semantic");
        QCOMPARE(semantic.size(), std::size_t(kW * kH));
        for (std::size_t k = 0; k < semantic.size(); ++k)
            QCOMPARE(int(semantic[k]),
                     labelValue(1, std::int64_t(k)) < 0 ? 255 : labelValue(1, std::int64_t(k)));
        const auto depth = as<float>(storedMap(m_project, "nyuv2-set", "train", 2, "depth"));
        QCOMPARE(depth.size(), std::size_t(kW * kH));
        for (std::size_t k = 0; k < depth.size(); ++k)
            QCOMPARE(depth[k], depthValue(2, std::int64_t(k)));
        // Pixels per class over the train split, as the browser's statistics draw them.
        {
            store::Project p(str(m_project));
            const auto info = p.datasets().find("nyuv2-set");
            const data::ClassPixels pixels =
                data::classPixels(p, *info, "train", *info->map("semantic"));
            std::vector<std::int64_t> expected(13, 0);
            std::int64_t unlabelled = 0;
            for (int i = 0; i < 3; ++i)
                for (std::int64_t k = 0; k < kW * kH; ++k) {
                    const int value = labelValue(i, k);
                    value < 0 ? ++unlabelled : ++expected[std::size_t(value)];
                }
            QCOMPARE(pixels.counts, expected);
            QCOMPARE(pixels.unlabelled, unlabelled);
        }
        const auto normals = as<float>(storedMap(m_project, "nyuv2-set", "train", 0, "normals"));
        QCOMPARE(normals.size(), std::size_t(kW * kH * 3));
        QCOMPARE(normals[2], 1.0f);
        QCOMPARE(normals[3], 0.0f);
    }

    void importsNyuPng()
    {
        for (int i = 0; i < 2; ++i)
            m_layout.writePngSample(u"train"_qs, i);
        m_layout.writePngSample(u"val"_qs, 0);
        auto request = m_layout.request();
        request.options["depth-scale"] = "0.0001";
        runImport(m_project, request);
        store::Project p(str(m_project));
        const auto info = p.datasets().find("nyuv2-set");
        QCOMPARE(info->splitSize("train"), 2);
        QCOMPARE(info->splitSize("test"), 1);
        const store::MapColumn depth = *info->map("depth");
        QCOMPARE(int(depth.type), int(store::MapType::UInt16));
        QCOMPARE(depth.scale, 0.0001);
        QCOMPARE(int(info->map("normals")->type), int(store::MapType::UInt8));
        std::string path;
        p.datasets().forEachImage(info->id, "train", [&](const store::StoredImage &image) {
            if (image.index == 1)
                path = image.path;
        });
        QCOMPARE(path, std::string("train/image/1.png")); // the file, relative to the root
        const auto stored =
            as<std::uint16_t>(storedMap(m_project, "nyuv2-set", "train", 1, "depth"));
        QCOMPARE(stored.size(), std::size_t(kW * kH));
        QCOMPARE(int(stored[5]), 1005);
        const auto labels = storedMap(m_project, "nyuv2-set", "test", 0, "semantic");
        QCOMPARE(int(labels[0]), 255); // labelValue(0, 0) = -1
        QCOMPARE(int(labels[1]), 1);
    }

    // Cityscapes: label/ holds the 7 categories; with label_7/ and label_19/ --classes picks.
    void importsCityscapes()
    {
        for (int i = 0; i < 2; ++i) {
            m_layout.writeNpySample(u"train"_qs, i, u"label_7"_qs, false);
            m_layout.writeNpySample(u"val"_qs, i, u"label_7"_qs, false);
            QDir().mkpath(m_layout.file(u"train/label_19"_qs));
            QDir().mkpath(m_layout.file(u"val/label_19"_qs));
            for (const char *split : {"train", "val"})
                QVERIFY(QFile::copy(m_layout.file(QString::fromLatin1(split) + u"/label_7/"_qs +
                                                  QString::number(i) + u".npy"_qs),
                                    m_layout.file(QString::fromLatin1(split) + u"/label_19/"_qs +
                                                  QString::number(i) + u".npy"_qs)));
        }
        // labelValue reaches 12: too many for 7 categories, fine for 19 classes.
        auto request = m_layout.request("cityscapes");
        const auto error = catchError([&] { runImport(m_project, request, "cityscapes"); });
        QVERIFY(error);
        QVERIFY2(qstr(error->what()).contains(u"the classes are 0–6"_qs), error->what());
        request.options["classes"] = "19";
        const auto summary = runImport(m_project, request, "cityscapes");
        QCOMPARE(summary.columns, (std::vector<std::string>{"semantic", "depth"}));
        store::Project p(str(m_project));
        const auto categories = p.datasets().find("cityscapes-set")->map("semantic")->categories;
        QCOMPARE(categories.size(), std::size_t(19));
        QCOMPARE(categories[13], std::string("car"));
    }

    void skipLeavesBadSamplesOutAndLogsThem()
    {
        m_layout.writeNpy();
        QVERIFY(saveNpy(
            m_layout.file(u"train/label/1.npy"_qs),
            array<float>(data::NpyType::Float32, {kH, kW}, [](std::int64_t) { return 40.0f; })));
        QFile::remove(m_layout.file(u"val/normal/0.npy"_qs));
        QVERIFY(save(m_layout.file(u"train/image/.DS_Store"_qs), "x"));
        auto request = m_layout.request();
        request.options["on-error"] = "skip";
        const auto summary = runImport(m_project, request);
        QCOMPARE(summary.skipped, 2);
        QCOMPARE(summary.added[0].samples, 2);
        QCOMPARE(summary.added[1].samples, 1);
        store::Project p(str(m_project));
        const auto info = p.datasets().find("nyuv2-set");
        const auto imports = p.datasets().imports(info->id);
        QCOMPARE(imports.size(), std::size_t(1));
        const QString log = qstr(imports[0].log);
        QVERIFY2(log.contains(u"val/image/0.npy: has no val/normal/0.npy next to it"_qs),
                 qPrintable(log));
        QVERIFY2(log.contains(u"train/label/1.npy: holds the label 40"_qs), qPrintable(log));
        QVERIFY2(log.contains(u"note: train/image/.DS_Store ignored (a hidden file)"_qs),
                 qPrintable(log));
        // The positions stay dense: train holds samples 0 and 2 at positions 0 and 1.
        QCOMPARE(as<float>(storedMap(m_project, "nyuv2-set", "train", 1, "depth"))[0],
                 depthValue(2, 0));
    }

    void badInput_data()
    {
        QTest::addColumn<int>("index");
        for (std::size_t i = 0; i < badCases().size(); ++i)
            QTest::newRow(badCases()[i].name) << int(i);
    }

    // Each malformed input is refused naming the file, and the project (holding an earlier
    // import) is byte-for-byte the same content afterwards.
    void badInput()
    {
        QFETCH(int, index);
        const BadCase &c = badCases()[static_cast<std::size_t>(index)];
        m_layout.writeNpy();
        if (c.format == "cityscapes") {
            QDir(m_layout.root()).removeRecursively();
            for (int i = 0; i < 3; ++i)
                m_layout.writeNpySample(u"train"_qs, i, u"label"_qs, false);
            for (int i = 0; i < 3; ++i) // Cityscapes' 7 categories
                QVERIFY(saveNpy(m_layout.file(u"train/label/"_qs + QString::number(i) + u".npy"_qs),
                                array<float>(data::NpyType::Float32, {kH, kW},
                                             [](std::int64_t k) { return float(k % 7); })));
        }
        auto base = m_layout.request(c.format);
        base.dataset = "base";
        runImport(m_project, base, c.format);
        const QString before = projectDump(m_project);
        data::ImportRequest request = m_layout.request(c.format);
        c.change(m_layout, request);
        const auto error = catchError([&] { runImport(m_project, request, c.format); });
        QVERIFY2(error, "the import was not refused");
        const QString text = qstr(error->what());
        QVERIFY2(text.contains(c.message), qPrintable(text));
        if (!c.file.isEmpty())
            QVERIFY2(QDir::cleanPath(qstr(error->where().file)).endsWith(c.file), qPrintable(text));
        QCOMPARE(projectDump(m_project), before);
    }

private:
    QTemporaryDir m_dir;
    Layout m_layout;
    QString m_project;
    int m_case = 0;
};

QTEST_GUILESS_MAIN(TestDenseImport)
#include "tst_denseimport.moc"
