#pragma once
// One sample of the annotation browser: its image large (zoom 1–16×, nearest neighbour so
// pixels stay sharp) and every label as an editor — a check box per binary column, a list of
// categories per categorical one. Keyboard: 1–9 focus the first nine labels, Space toggles
// the focused check box, Enter asks for the next sample, Backspace for the previous one.
// Edits are requests (labelChangeRequested); the browser applies them and calls setLabels().
// GUI thread only.

#include "samplemaps.h"
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
    // The sample's dense labels: each can be laid over the image (label maps with an
    // opacity, depth in a colour map with its legend, normals as RGB).
    void setMaps(qint64 sampleId, const std::vector<mtl::widgets::SampleMap> &maps);
    // The overlay chosen: -1 none, else an index into the maps; opacity 0–100.
    void setOverlay(int map, int opacity = -1);
    // The map to lay over each sample that has one of this name (as if chosen in the list).
    void preferOverlay(const QString &name);
    // What is drawn now (the image with its overlay, before zooming), for tests.
    QImage composed() const;
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
    std::vector<mtl::widgets::SampleMap> m_maps;
    QComboBox *m_overlay;
    QSlider *m_opacity;
    QLabel *m_legend;
    QWidget *m_overlayRow;
    QString m_preferredOverlay;
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
