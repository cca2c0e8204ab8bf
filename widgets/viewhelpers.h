#pragma once
// Small builders the workbench's panels share, so their tables and headings look alike, and
// how a fraction reads as a percentage. GUI thread only.

#include <QString>

class QAbstractItemModel;
class QLabel;
class QTableView;
class QWidget;

namespace mtl::widgets {

// A read-only table of whole rows, single selection, no grid, columns sized to their contents.
QTableView *makeTable(QAbstractItemModel *model, QWidget *parent);
// Makes `view` such a table of `model`.
void styleTable(QTableView *view, QAbstractItemModel *model);
// A bold label.
QLabel *makeHeading(const QString &text, QWidget *parent);
// 0.7934 → "79.3%".
QString percent(double fraction);

} // namespace mtl::widgets
