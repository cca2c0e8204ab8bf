#pragma once
// One sample of the annotation browser: its image large (zoom 1–16×, nearest neighbour so
// pixels stay sharp) and every label as an editor — a check box per binary column, a list of
// categories per categorical one. Keyboard: 1–9 focus the first nine labels, Space toggles
// the focused check box, Enter asks for the next sample, Backspace for the previous one.
// Edits are requests (labelChangeRequested); the browser applies them and calls setLabels().
// GUI thread only.

#include "store/records.h"

#include <QImage>
#include <QWidget>

#include <vector>

class QCheckBox;
class QComboBox;
class QLabel;
class QScrollArea;
class QSlider;

namespace mtl::widgets {

class SamplePanel final : public QWidget {
    Q_OBJECT
public:
    explicit SamplePanel(QWidget *parent = nullptr);

    void setDataset(const mtl::store::DatasetInfo &dataset);
    // Shows a sample: its heading and its labels (one per column, -1: none); the image
    // arrives later with setImage(). sampleId 0: nothing selected.
    void showSample(qint64 sampleId, const QString &heading,
                    const std::vector<std::int32_t> &labels, bool edited);
    void setLabels(const std::vector<std::int32_t> &labels, bool edited);
    void setImage(qint64 sampleId, const QImage &image, const QString &error);
    void setEditable(bool editable, const QString &why = {});
    qint64 sampleId() const { return m_sampleId; }
    int zoom() const;
    void setZoom(int factor);
    // The editor of a column, for tests and shortcuts (a QCheckBox or a QComboBox).
    QWidget *editor(int column) const;
    // Gives the editor of `column` the keyboard focus (what the keys 1–9 do); false: none.
    bool focusEditor(int column);

Q_SIGNALS:
    // value -1: remove the label.
    void labelChangeRequested(qint64 sampleId, int column, std::int32_t value);
    void nextRequested();
    void previousRequested();

protected:
    void keyPressEvent(QKeyEvent *event) override;
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void updateImage();

    mtl::store::DatasetInfo m_dataset;
    qint64 m_sampleId = 0;
    QImage m_image;
    QLabel *m_heading;
    QLabel *m_picture;
    QScrollArea *m_pictureArea;
    QSlider *m_zoom;
    QLabel *m_zoomText;
    QLabel *m_readOnly;
    QWidget *m_editors;
    std::vector<QWidget *> m_editorOf; // per column
    bool m_updating = false;
    bool m_zoomChosen = false; // the user set the zoom: no more fitting
};

} // namespace mtl::widgets
