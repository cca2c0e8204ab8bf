#pragma once
// The project's datasets: a heading, a short table (up to four rows without scrolling) and a
// hint saying what to do when there is no project or no dataset yet. Owns its model.
// GUI thread only.

#include <QWidget>

class QLabel;
class QTableView;

namespace mtl::widgets {

class DatasetTableModel;

class DatasetPanel final : public QWidget {
    Q_OBJECT
public:
    explicit DatasetPanel(QWidget *parent = nullptr);

    DatasetTableModel *model() const { return m_model; }
    QTableView *view() const { return m_view; }
    // The hint for the state given and the datasets listed now; hidden when there are any,
    // unless the project is read-only here (then it says what that means).
    void updateHint(bool projectOpen, bool readOnly = false);

private:
    DatasetTableModel *m_model;
    QTableView *m_view;
    QLabel *m_hint;
};

} // namespace mtl::widgets
