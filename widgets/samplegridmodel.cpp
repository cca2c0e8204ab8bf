#include "samplegridmodel.h"

#include "textconv.h"
#include "thumbnailloader.h"

#include <QColor>
#include <QFont>

#include <algorithm>
#include <numeric>

namespace mtl::widgets {

SampleGridModel::SampleGridModel(QObject *parent)
    : QAbstractListModel(parent)
{}

void SampleGridModel::setTable(mtl::store::DatasetInfo dataset, mtl::store::SampleTable table,
                               QSet<qint64> edited, ThumbnailLoader *loader)
{
    beginResetModel();
    if (m_loader)
        disconnect(m_loader, nullptr, this, nullptr);
    m_dataset = std::move(dataset);
    m_table = std::move(table);
    m_edited = std::move(edited);
    m_loader = loader;
    m_tableRowOfSample.clear();
    for (std::size_t r = 0; r < m_table.rows.size(); ++r)
        m_tableRowOfSample.insert(m_table.rows[r].sampleId, static_cast<int>(r));
    m_filter = {};
    m_sortColumn = -1;
    rebuild();
    endResetModel();
    if (m_loader)
        connect(m_loader, &ThumbnailLoader::thumbnailReady, this, &SampleGridModel::thumbnailReady);
}

void SampleGridModel::setFilter(const Filter &filter)
{
    if (filter == m_filter)
        return;
    beginResetModel();
    m_filter = filter;
    rebuild();
    endResetModel();
}

void SampleGridModel::setSortColumn(int column, Qt::SortOrder order)
{
    beginResetModel();
    m_sortColumn = column;
    m_sortOrder = order;
    rebuild();
    endResetModel();
}

void SampleGridModel::rebuild()
{
    const int n = totalSamples();
    m_visible.clear();
    m_rowOfTableRow.assign(static_cast<std::size_t>(n), -1);
    const std::string split = toStd(m_filter.split);
    const bool hasColumn =
        m_filter.column >= 0 && m_filter.column < static_cast<int>(m_table.labels.size());
    for (int r = 0; r < n; ++r) {
        const auto &row = m_table.rows[static_cast<std::size_t>(r)];
        if (!split.empty() && row.split != split)
            continue;
        if (hasColumn && m_filter.value != -2 && label(r, m_filter.column) != m_filter.value)
            continue;
        if (m_filter.editedOnly && !m_edited.contains(row.sampleId))
            continue;
        if (m_filter.disagreesOnly && disagreements(r).empty())
            continue;
        if (!m_filter.pathText.isEmpty() &&
            !toQt(row.path).contains(m_filter.pathText, Qt::CaseInsensitive) &&
            QString::number(row.sampleId) != m_filter.pathText)
            continue;
        m_visible.push_back(r);
    }
    if (m_sortColumn == kSortByDisagreement && m_predictions) {
        std::vector<float> confidence(static_cast<std::size_t>(n), 0.0f);
        for (const int r : m_visible)
            confidence[static_cast<std::size_t>(r)] = disagreementConfidence(r);
        std::stable_sort(m_visible.begin(), m_visible.end(), [&](int a, int b) {
            return confidence[static_cast<std::size_t>(a)] >
                   confidence[static_cast<std::size_t>(b)];
        });
    } else if (m_sortColumn >= 0 && m_sortColumn < static_cast<int>(m_table.labels.size())) {
        const auto &values = m_table.labels[static_cast<std::size_t>(m_sortColumn)];
        std::stable_sort(m_visible.begin(), m_visible.end(), [&](int a, int b) {
            return m_sortOrder == Qt::AscendingOrder ? values[a] < values[b]
                                                     : values[a] > values[b];
        });
    }
    for (std::size_t i = 0; i < m_visible.size(); ++i)
        m_rowOfTableRow[static_cast<std::size_t>(m_visible[i])] = static_cast<int>(i);
}

void SampleGridModel::setPredictions(std::optional<mtl::report::PredictedLabels> predictions)
{
    beginResetModel();
    m_predictions = std::move(predictions);
    rebuild();
    endResetModel();
}

const mtl::report::PredictedLabels::Sample *SampleGridModel::prediction(qint64 sampleId) const
{
    if (!m_predictions)
        return nullptr;
    const auto found = m_predictions->samples.find(sampleId);
    return found == m_predictions->samples.end() ? nullptr : &found->second;
}

std::vector<int> SampleGridModel::disagreements(int tableRow) const
{
    std::vector<int> columns;
    const auto *predicted = prediction(m_table.rows[static_cast<std::size_t>(tableRow)].sampleId);
    if (!predicted)
        return columns;
    for (std::size_t k = 0; k < m_predictions->columns.size(); ++k) {
        const int column = m_predictions->columns[k];
        const std::int32_t value = label(tableRow, column);
        if (value >= 0 && predicted->values[k] >= 0 && predicted->values[k] != value)
            columns.push_back(column);
    }
    return columns;
}

float SampleGridModel::disagreementConfidence(int tableRow) const
{
    const auto *predicted = prediction(m_table.rows[static_cast<std::size_t>(tableRow)].sampleId);
    float most = 0.0f;
    if (!predicted)
        return most;
    for (const int column : disagreements(tableRow)) {
        const auto k =
            std::find(m_predictions->columns.begin(), m_predictions->columns.end(), column) -
            m_predictions->columns.begin();
        most = std::max(most, predicted->confidence[static_cast<std::size_t>(k)]);
    }
    return most;
}

int SampleGridModel::disagreeingSamples() const
{
    int count = 0;
    if (m_predictions)
        for (int r = 0; r < totalSamples(); ++r)
            count += !disagreements(r).empty();
    return count;
}

int SampleGridModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_visible.size());
}

QString SampleGridModel::labelText(int column, std::int32_t value) const
{
    if (value < 0 || column < 0 || column >= static_cast<int>(m_dataset.columns.size()))
        return QStringLiteral("—");
    const auto &c = m_dataset.columns[static_cast<std::size_t>(column)];
    if (c.kind == mtl::store::ColumnKind::Binary)
        return value ? tr("yes") : tr("no");
    if (value < static_cast<std::int32_t>(c.categories.size()))
        return toQt(c.categories[static_cast<std::size_t>(value)]);
    return QString::number(value);
}

QVariant SampleGridModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const int r = tableRow(index.row());
    const auto &row = m_table.rows[static_cast<std::size_t>(r)];
    switch (role) {
    case SampleIdRole:
        return QVariant::fromValue<qint64>(row.sampleId);
    case TableRowRole:
        return r;
    case EditedRole:
        return m_edited.contains(row.sampleId);
    case Qt::DisplayRole: {
        // The first categorical column says what a sample is; else its id.
        for (std::size_t c = 0; c < m_dataset.columns.size(); ++c)
            if (m_dataset.columns[c].kind == mtl::store::ColumnKind::Categorical)
                return labelText(static_cast<int>(c), label(r, static_cast<int>(c)));
        return QString::number(row.sampleId);
    }
    case Qt::DecorationRole: {
        if (!m_loader)
            return {};
        const QImage image = m_loader->thumbnail(row.sampleId);
        if (!image.isNull())
            return image;
        // While it decodes: a tile of the same size, so every cell lays out alike.
        if (m_placeholder.isNull()) {
            m_placeholder = QImage(m_loader->side(), m_loader->side(), QImage::Format_RGB32);
            m_placeholder.fill(QColor(0xe8, 0xe8, 0xe8));
        }
        return m_placeholder;
    }
    case Qt::FontRole:
        if (m_edited.contains(row.sampleId)) {
            QFont font;
            font.setBold(true);
            return font;
        }
        return {};
    case Qt::ToolTipRole: {
        QStringList lines;
        lines << tr("Sample %1 · %2 #%3").arg(row.sampleId).arg(toQt(row.split)).arg(row.index);
        if (!row.path.empty())
            lines << toQt(row.path);
        for (std::size_t c = 0; c < m_dataset.columns.size() && c < 12; ++c)
            lines << QStringLiteral("%1: %2").arg(
                toQt(m_dataset.columns[c].name),
                labelText(static_cast<int>(c), label(r, static_cast<int>(c))));
        if (m_dataset.columns.size() > 12)
            lines << tr("… and %n more column(s)", nullptr,
                        static_cast<int>(m_dataset.columns.size() - 12));
        if (m_edited.contains(row.sampleId))
            lines << tr("Edited: a correction of its labels is in effect");
        return lines.join(QLatin1Char('\n'));
    }
    default:
        return {};
    }
}

int SampleGridModel::tableRowOfSample(qint64 sampleId) const
{
    return m_tableRowOfSample.value(sampleId, -1);
}

int SampleGridModel::rowOfSample(qint64 sampleId) const
{
    const int r = tableRowOfSample(sampleId);
    return r < 0 ? -1 : m_rowOfTableRow[static_cast<std::size_t>(r)];
}

std::int32_t SampleGridModel::label(int tableRow, int column) const
{
    if (column < 0 || column >= static_cast<int>(m_table.labels.size()) || tableRow < 0 ||
        tableRow >= totalSamples())
        return -1;
    return m_table.labels[static_cast<std::size_t>(column)][static_cast<std::size_t>(tableRow)];
}

void SampleGridModel::setLabel(qint64 sampleId, int column, std::int32_t value)
{
    const int r = tableRowOfSample(sampleId);
    if (r < 0 || column < 0 || column >= static_cast<int>(m_table.labels.size()))
        return;
    m_table.labels[static_cast<std::size_t>(column)][static_cast<std::size_t>(r)] = value;
    if (const int row = rowOfSample(sampleId); row >= 0)
        Q_EMIT dataChanged(index(row), index(row));
}

void SampleGridModel::setEdited(QSet<qint64> edited)
{
    m_edited = std::move(edited);
    if (!m_visible.empty())
        Q_EMIT dataChanged(index(0), index(rowCount() - 1),
                           {Qt::FontRole, EditedRole, Qt::ToolTipRole});
}

void SampleGridModel::thumbnailReady(qint64 sampleId)
{
    if (const int row = rowOfSample(sampleId); row >= 0)
        Q_EMIT dataChanged(index(row), index(row), {Qt::DecorationRole});
}

} // namespace mtl::widgets
