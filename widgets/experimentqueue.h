#pragma once
// The experiments waiting to be trained, in order ("Add to Queue"), as a list model: one row
// per experiment, its name shown, its config spec (a file or "example:NAME") and overrides in
// the tooltip. It only holds them; the main window takes the first whenever nothing trains.
// GUI thread only.

#include <QAbstractListModel>
#include <QStringList>
#include <QVector>

namespace mtl::widgets {

class ExperimentQueue final : public QAbstractListModel {
    Q_OBJECT
public:
    struct Entry {
        QString spec;          // a config file, or "example:NAME"
        QStringList overrides; // KEY=VALUE, as --set
        QString name;          // what the list shows: the experiment's name
    };

    explicit ExperimentQueue(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;

    void append(const Entry &entry);
    // Removes and returns the first entry; the queue must not be empty.
    Entry takeFirst();
    // Removes rows (any order, duplicates ignored).
    void remove(QList<int> rows);
    void clear();
    bool isEmpty() const { return m_entries.isEmpty(); }
    const Entry &at(int row) const { return m_entries.at(row); }

    // Halted: a run of the queue was stopped by the user, so the next does not start by itself
    // (Run Queue continues). Adding to an empty, halted queue does not clear it.
    bool isHalted() const { return m_halted; }
    void setHalted(bool halted);

Q_SIGNALS:
    void changed(); // entries added or removed, or halted changed

private:
    QVector<Entry> m_entries;
    bool m_halted = false;
};

} // namespace mtl::widgets
