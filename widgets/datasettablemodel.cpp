#include "datasettablemodel.h"

#include "textconv.h"

#include <QLocale>

#include <algorithm>

namespace mtl::widgets {

using mtl::store::DatasetInfo;

DatasetTableModel::DatasetTableModel(QObject *parent) : QAbstractTableModel(parent) {}

int DatasetTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_datasets.size());
}

int DatasetTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant DatasetTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const DatasetInfo &d = m_datasets[static_cast<std::size_t>(index.row())];
    const QLocale locale;
    switch (role) {
    case DatasetIdRole: return QVariant::fromValue<qint64>(d.id);
    case DatasetNameRole: return toQt(d.name);
    case Qt::TextAlignmentRole:
        if (index.column() == Samples)
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case Qt::ToolTipRole:
        if (index.column() == Labels) {
            QStringList lines;
            for (const auto &column : d.columns) {
                if (column.kind == mtl::store::ColumnKind::Categorical)
                    lines.append(tr("%1: %2 classes (%3)")
                                     .arg(toQt(column.name))
                                     .arg(column.categories.size())
                                     .arg(toQt(column.categories).join(QStringLiteral(", "))));
                else if (column.group.empty())
                    lines.append(tr("%1: binary").arg(toQt(column.name)));
                else
                    lines.append(tr("%1: binary, attribute group %2")
                                     .arg(toQt(column.name), toQt(column.group)));
            }
            return lines.join(QLatin1Char('\n'));
        }
        if (index.column() == Format || index.column() == Name)
            return tr("Imported from %1").arg(toQt(d.source));
        return {};
    case Qt::DisplayRole: break;
    default: return {};
    }
    switch (static_cast<Column>(index.column())) {
    case Name: return toQt(d.name);
    case Samples: return locale.toString(static_cast<qlonglong>(d.totalSamples()));
    case Splits: {
        QStringList parts;
        for (const auto &split : d.splits)
            parts.append(QStringLiteral("%1 %2").arg(
                toQt(split.name), locale.toString(static_cast<qlonglong>(split.samples))));
        return parts.join(QStringLiteral(" · "));
    }
    case ImageSize:
        if (d.width <= 0)
            return tr("mixed");
        return QStringLiteral("%1×%2×%3").arg(d.width).arg(d.height).arg(d.channels);
    case Labels: {
        const QString columns = tr("%n column(s)", nullptr, static_cast<int>(d.columns.size()));
        return d.maps.empty() ? columns
                              : columns + tr(" · %n map(s)", nullptr, static_cast<int>(d.maps.size()));
    }
    case Format: return toQt(d.format);
    case ColumnCount: break;
    }
    return {};
}

QVariant DatasetTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (static_cast<Column>(section)) {
    case Name: return tr("Dataset");
    case Samples: return tr("Samples");
    case Splits: return tr("Splits");
    case ImageSize: return tr("Image");
    case Labels: return tr("Labels");
    case Format: return tr("Format");
    case ColumnCount: break;
    }
    return {};
}

void DatasetTableModel::setDatasets(std::vector<DatasetInfo> datasets)
{
    beginResetModel();
    m_datasets = std::move(datasets);
    endResetModel();
}

const DatasetInfo *DatasetTableModel::dataset(int row) const
{
    return row >= 0 && row < rowCount() ? &m_datasets[static_cast<std::size_t>(row)] : nullptr;
}

bool DatasetTableModel::contains(const QString &name) const
{
    const std::string key = toStd(name);
    return std::any_of(m_datasets.begin(), m_datasets.end(),
                       [&](const DatasetInfo &d) { return d.name == key; });
}

} // namespace mtl::widgets
