#include "samplemaps.h"

#include "textconv.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <set>

namespace mtl::widgets {

namespace {

using mtl::store::MapKind;
using mtl::store::MapType;

// The stored value at element i as the number it stands for (stored × scale + offset) and
// whether it was stored non-zero.
double valueAt(const mtl::store::MapColumn &column, const void *data, std::size_t i, bool *stored)
{
    double raw = 0;
    switch (column.type) {
    case MapType::UInt8:
        raw = static_cast<const std::uint8_t *>(data)[i];
        break;
    case MapType::UInt16: {
        std::uint16_t v;
        std::memcpy(&v, static_cast<const char *>(data) + 2 * i, 2);
        raw = v;
        break;
    }
    case MapType::Float32: {
        float v;
        std::memcpy(&v, static_cast<const char *>(data) + 4 * i, 4);
        raw = v;
        break;
    }
    }
    *stored = raw != 0;
    return raw * column.scale + column.offset;
}

} // namespace

QColor classColor(int index)
{
    static const QRgb palette[] = {0x4e79a7, 0xf28e2b, 0xe15759, 0x76b7b2, 0x59a14f, 0xedc948,
                                   0xb07aa1, 0xff9da7, 0x9c755f, 0xbab0ac, 0x1f77b4, 0xd62728,
                                   0x2ca02c, 0x9467bd, 0x8c564b, 0x17becf, 0xbcbd22, 0x7f7f7f};
    return QColor(palette[static_cast<std::size_t>(index) % (sizeof palette / sizeof *palette)]);
}

QColor depthColor(double t)
{
    static const QRgb stops[] = {0x440154, 0x3b528b, 0x21918c, 0x5ec962, 0xfde725};
    t = std::clamp(t, 0.0, 1.0) * 4.0;
    const int i = std::min(3, static_cast<int>(t));
    const double f = t - i;
    const QColor a(stops[i]), b(stops[i + 1]);
    return QColor::fromRgbF(static_cast<float>(a.redF() + (b.redF() - a.redF()) * f),
                            static_cast<float>(a.greenF() + (b.greenF() - a.greenF()) * f),
                            static_cast<float>(a.blueF() + (b.blueF() - a.blueF()) * f));
}

SampleMap renderMap(const mtl::store::MapColumn &column, const mtl::store::StoredMap &map)
{
    SampleMap result;
    result.name = toQt(column.name);
    result.kind = column.kind;
    result.classes = toQt(column.categories);
    const int w = map.width, h = map.height, c = column.channels;
    result.image = QImage(w, h, QImage::Format_ARGB32);
    result.image.fill(Qt::transparent);
    const std::size_t pixels = static_cast<std::size_t>(w) * h;
    if (column.kind == MapKind::Depth) {
        double low = std::numeric_limits<double>::max(),
               high = std::numeric_limits<double>::lowest();
        for (std::size_t i = 0; i < pixels; ++i) {
            bool stored = false;
            const double d = valueAt(column, map.data, i, &stored);
            if (stored) {
                low = std::min(low, d);
                high = std::max(high, d);
            }
        }
        if (low > high)
            return result; // nothing labelled
        result.low = low;
        result.high = high;
        const double span = high > low ? high - low : 1.0;
        for (std::size_t i = 0; i < pixels; ++i) {
            bool stored = false;
            const double d = valueAt(column, map.data, i, &stored);
            if (stored)
                result.image.setPixel(static_cast<int>(i % w), static_cast<int>(i / w),
                                      depthColor((d - low) / span).rgba());
        }
    } else if (column.kind == MapKind::Normals && c == 3) {
        for (std::size_t i = 0; i < pixels; ++i) {
            bool sx = false, sy = false, sz = false;
            const double x = valueAt(column, map.data, 3 * i, &sx);
            const double y = valueAt(column, map.data, 3 * i + 1, &sy);
            const double z = valueAt(column, map.data, 3 * i + 2, &sz);
            if (!sx && !sy && !sz)
                continue;
            const auto channel = [](double v) {
                return static_cast<int>(std::lround(std::clamp((v + 1.0) * 127.5, 0.0, 255.0)));
            };
            result.image.setPixel(static_cast<int>(i % w), static_cast<int>(i / w),
                                  qRgb(channel(x), channel(y), channel(z)));
        }
    } else {
        std::set<int> present;
        for (std::size_t i = 0; i < pixels; ++i) {
            bool stored = false;
            const int k = static_cast<int>(std::lround(valueAt(column, map.data, i, &stored)));
            if (k == mtl::store::kSegmentationIgnore || k < 0)
                continue;
            present.insert(k);
            result.image.setPixel(static_cast<int>(i % w), static_cast<int>(i / w),
                                  classColor(k).rgba());
        }
        result.present.assign(present.begin(), present.end());
    }
    return result;
}

} // namespace mtl::widgets

#include <QCoreApplication>
#include <QFontMetrics>
#include <QPainter>

namespace mtl::widgets {

QImage mapLegend(const SampleMap &map, int width, const QFont &font)
{
    const QFontMetrics metrics(font);
    const int line = metrics.height() + 4;
    if (map.kind == mtl::store::MapKind::Depth) {
        QImage legend(width, line * 2, QImage::Format_ARGB32);
        legend.fill(Qt::transparent);
        QPainter p(&legend);
        p.setFont(font);
        const int bar = width - 8;
        for (int x = 0; x < bar; ++x) {
            p.setPen(depthColor(static_cast<double>(x) / std::max(1, bar - 1)));
            p.drawLine(4 + x, 2, 4 + x, line - 2);
        }
        p.setPen(QColor(0x40, 0x40, 0x40));
        p.drawText(QRect(4, line, bar, line), Qt::AlignLeft | Qt::AlignVCenter,
                   QCoreApplication::translate("mtl::widgets::SampleMap", "near %1")
                       .arg(map.low, 0, 'g', 3));
        p.drawText(QRect(4, line, bar, line), Qt::AlignRight | Qt::AlignVCenter,
                   QCoreApplication::translate("mtl::widgets::SampleMap", "far %1")
                       .arg(map.high, 0, 'g', 3));
        return legend;
    }
    if (map.kind != mtl::store::MapKind::Segmentation || map.present.empty())
        return {};
    // Chips flow left to right, wrapping.
    std::vector<std::pair<QRect, int>> chips;
    int x = 4, y = 2;
    for (const int k : map.present) {
        const QString name = k < map.classes.size() ? map.classes[k] : QString::number(k);
        const int w = line + metrics.horizontalAdvance(name) + 12;
        if (x + w > width && x > 4) {
            x = 4;
            y += line;
        }
        chips.push_back({QRect(x, y, w, line), k});
        x += w;
    }
    QImage legend(width, y + line + 2, QImage::Format_ARGB32);
    legend.fill(Qt::transparent);
    QPainter p(&legend);
    p.setFont(font);
    for (const auto &[rect, k] : chips) {
        p.fillRect(QRect(rect.x(), rect.y() + 3, line - 6, line - 6), classColor(k));
        p.setPen(QColor(0x40, 0x40, 0x40));
        p.drawText(rect.adjusted(line - 2, 0, 0, 0), Qt::AlignLeft | Qt::AlignVCenter,
                   k < map.classes.size() ? map.classes[k] : QString::number(k));
    }
    return legend;
}

} // namespace mtl::widgets
