#pragma once
// A sample's dense labels drawn for the annotation browser: a segmentation map in one colour
// per class, depth through a colour map (near = dark, far = bright, with its range for the
// legend), normals as RGB = (n + 1) / 2. Unlabelled pixels are transparent.

#include "store/datasetstore.h"

#include <QColor>
#include <QImage>
#include <QString>
#include <QStringList>

#include <vector>

namespace mtl::widgets {

struct SampleMap {
    QString name;
    mtl::store::MapKind kind = mtl::store::MapKind::Segmentation;
    QImage image;             // ARGB32, the map's size
    double low = 0, high = 0; // depth: the range of labelled values (the column's unit)
    QStringList classes;      // segmentation: the class names, colour i = classColor(i)
    std::vector<int> present; // segmentation: the classes this map holds
};

QColor classColor(int index);
// The depth colour map at t in [0, 1] (viridis-like).
QColor depthColor(double t);
SampleMap renderMap(const mtl::store::MapColumn &column, const mtl::store::StoredMap &map);

} // namespace mtl::widgets

namespace mtl::widgets {
// The legend of a drawn map, `width` pixels wide: class chips (the classes present), or the
// depth colour bar with its range; a null image for normals (their colours are the vector).
QImage mapLegend(const SampleMap &map, int width, const QFont &font);
} // namespace mtl::widgets
