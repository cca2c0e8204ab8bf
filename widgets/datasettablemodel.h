#pragma once
// The datasets of a project as a table: name, samples per split, image size, label columns.

#include "store/records.h"

#include <QAbstractTableModel>

#include <vector>

namespace mtl::widgets {

class DatasetTableModel final : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Name, Samples, Splits, ImageSize, Labels, Format, ColumnCount };
    enum Role { DatasetIdRole = Qt::UserRole, DatasetNameRole };

    explicit DatasetTableModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    void setDatasets(std::vector<mtl::store::DatasetInfo> datasets);
    const mtl::store::DatasetInfo *dataset(int row) const;
    bool contains(const QString &name) const;

private:
    std::vector<mtl::store::DatasetInfo> m_datasets;
};

} // namespace mtl::widgets
