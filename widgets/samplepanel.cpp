#include "samplepanel.h"

#include "textconv.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QPainter>
#include <QScrollArea>
#include <QSlider>
#include <QVBoxLayout>

#include <algorithm>

namespace mtl::widgets {

SamplePanel::SamplePanel(QWidget *parent)
    : QWidget(parent)
    , m_heading(new QLabel(this))
    , m_picture(new QLabel)
    , m_pictureArea(new QScrollArea(this))
    , m_zoom(new QSlider(Qt::Horizontal, this))
    , m_zoomText(new QLabel(this))
    , m_readOnly(new QLabel(this))
    , m_overlay(new QComboBox(this))
    , m_opacity(new QSlider(Qt::Horizontal, this))
    , m_legend(new QLabel(this))
    , m_overlayRow(new QWidget(this))
    , m_editors(new QWidget)
{
    auto *layout = new QVBoxLayout(this);
    QFont bold = m_heading->font();
    bold.setBold(true);
    bold.setPointSizeF(bold.pointSizeF() * 1.15);
    m_heading->setFont(bold);
    m_heading->setWordWrap(true);
    m_heading->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_heading);
    m_picture->setAlignment(Qt::AlignCenter);
    m_picture->setBackgroundRole(QPalette::Dark);
    m_picture->setAutoFillBackground(true);
    m_pictureArea->setWidget(m_picture);
    m_pictureArea->setWidgetResizable(true);
    m_pictureArea->setMinimumHeight(260);
    m_pictureArea->setAlignment(Qt::AlignCenter);
    layout->addWidget(m_pictureArea, 3);
    auto *zoomRow = new QHBoxLayout;
    auto *zoomLabel = new QLabel(tr("&Zoom"), this);
    zoomLabel->setBuddy(m_zoom);
    m_zoom->setRange(1, 16);
    m_zoom->setValue(4);
    m_zoom->setToolTip(tr("Magnification of the image, 1× to 16× (Ctrl+wheel over the image); "
                          "until you change it, each image is shown as large as it fits"));
    zoomRow->addWidget(zoomLabel);
    zoomRow->addWidget(m_zoom, 1);
    zoomRow->addWidget(m_zoomText);
    layout->addLayout(zoomRow);
    auto *overlayRow = new QHBoxLayout(m_overlayRow);
    overlayRow->setContentsMargins(0, 0, 0, 0);
    auto *overlayLabel = new QLabel(tr("&Overlay"), this);
    overlayLabel->setBuddy(m_overlay);
    m_overlay->setToolTip(tr("A dense label drawn over the image: a segmentation map in one "
                             "colour per class, depth in a colour map, normals as RGB"));
    m_opacity->setRange(0, 100);
    m_opacity->setValue(60);
    m_opacity->setToolTip(tr("Opacity of the overlay"));
    auto *opacityLabel = new QLabel(tr("O&pacity"), this);
    opacityLabel->setBuddy(m_opacity);
    overlayRow->addWidget(overlayLabel);
    overlayRow->addWidget(m_overlay, 1);
    overlayRow->addWidget(opacityLabel);
    overlayRow->addWidget(m_opacity, 1);
    layout->addWidget(m_overlayRow);
    layout->addWidget(m_legend);
    m_overlayRow->hide();
    m_legend->hide();
    connect(m_overlay, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] {
        m_preferredOverlay = m_overlay->currentData().toString(); // kept for the next samples
        updateImage();
    });
    connect(m_opacity, &QSlider::valueChanged, this, &SamplePanel::updateImage);
    connect(m_zoom, &QSlider::valueChanged, this, &SamplePanel::updateImage);
    connect(m_zoom, &QSlider::sliderMoved, this, [this] { m_zoomChosen = true; });
    m_readOnly->setWordWrap(true);
    m_readOnly->hide();
    layout->addWidget(m_readOnly);
    auto *labelsArea = new QScrollArea(this);
    labelsArea->setWidget(m_editors);
    labelsArea->setWidgetResizable(true);
    layout->addWidget(labelsArea, 2);
    auto *keys = new QLabel(
        tr("1–9 choose a label · Space toggles it · Enter: next sample · Backspace: previous · "
           "Ctrl+Z / Ctrl+Shift+Z undo and redo"),
        this);
    keys->setWordWrap(true);
    keys->setForegroundRole(QPalette::PlaceholderText);
    layout->addWidget(keys);
    m_pictureArea->viewport()->installEventFilter(this);
    setFocusPolicy(Qt::StrongFocus);
    showSample(0, {}, {}, false);
}

void SamplePanel::setDataset(const mtl::store::DatasetInfo &dataset)
{
    m_dataset = dataset;
    delete m_editors->layout();
    for (QWidget *editor : m_editorOf)
        delete editor;
    qDeleteAll(m_editors->findChildren<QLabel *>(QString(), Qt::FindDirectChildrenOnly));
    m_editorOf.clear();
    auto *form = new QFormLayout(m_editors);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    for (std::size_t c = 0; c < dataset.columns.size(); ++c) {
        const auto &column = dataset.columns[c];
        const QString name = toQt(column.name);
        const QString number = c < 9 ? QStringLiteral("%1 ").arg(c + 1) : QStringLiteral("  ");
        const int index = static_cast<int>(c);
        if (column.kind == mtl::store::ColumnKind::Binary) {
            auto *box = new QCheckBox(name, m_editors);
            box->setTristate(false);
            box->setToolTip(
                column.group.empty()
                    ? tr("Binary label '%1'").arg(name)
                    : tr("Binary label '%1' (attribute group %2)").arg(name, toQt(column.group)));
            connect(box, &QCheckBox::clicked, this, [this, index](bool checked) {
                if (!m_updating && m_sampleId)
                    Q_EMIT labelChangeRequested(m_sampleId, index, checked ? 1 : 0);
            });
            form->addRow(new QLabel(number, m_editors), box);
            m_editorOf.push_back(box);
        } else {
            auto *combo = new QComboBox(m_editors);
            combo->addItem(tr("(no label)"), -1);
            for (std::size_t k = 0; k < column.categories.size(); ++k)
                combo->addItem(toQt(column.categories[k]), static_cast<int>(k));
            combo->setToolTip(tr("Categorical label '%1': %n classes", nullptr,
                                 static_cast<int>(column.categories.size()))
                                  .arg(name));
            connect(combo, qOverload<int>(&QComboBox::activated), this, [this, index, combo](int) {
                if (!m_updating && m_sampleId)
                    Q_EMIT labelChangeRequested(m_sampleId, index, combo->currentData().toInt());
            });
            auto *label = new QLabel(number + name, m_editors);
            label->setBuddy(combo);
            form->addRow(label, combo);
            m_editorOf.push_back(combo);
        }
    }
    if (dataset.columns.empty())
        form->addRow(new QLabel(tr("This dataset has no label columns."), m_editors));
}

QWidget *SamplePanel::editor(int column) const
{
    return column >= 0 && column < static_cast<int>(m_editorOf.size())
               ? m_editorOf[static_cast<std::size_t>(column)]
               : nullptr;
}

bool SamplePanel::focusEditor(int column)
{
    QWidget *target = editor(column);
    if (!target || !target->isEnabled())
        return false;
    target->setFocus(Qt::ShortcutFocusReason);
    return true;
}

void SamplePanel::showSample(qint64 sampleId, const QString &heading,
                             const std::vector<std::int32_t> &labels, bool edited)
{
    m_sampleId = sampleId;
    m_image = QImage();
    m_maps.clear();
    m_heading->setText(sampleId ? heading : tr("Select a sample in the grid"));
    m_picture->setText(sampleId ? tr("Loading…") : QString());
    m_picture->setPixmap({});
    m_editors->setEnabled(sampleId != 0 && !m_readOnly->isVisible());
    setLabels(labels, edited);
}

void SamplePanel::setLabels(const std::vector<std::int32_t> &labels, bool edited)
{
    m_updating = true;
    for (std::size_t c = 0; c < m_editorOf.size(); ++c) {
        const std::int32_t value = c < labels.size() ? labels[c] : -1;
        if (auto *box = qobject_cast<QCheckBox *>(m_editorOf[c]))
            box->setChecked(value == 1);
        else if (auto *combo = qobject_cast<QComboBox *>(m_editorOf[c]))
            combo->setCurrentIndex(std::max(0, combo->findData(value)));
    }
    m_updating = false;
    QString heading = m_heading->text();
    const QString mark = tr(" · edited");
    if (heading.endsWith(mark))
        heading.chop(mark.size());
    if (m_sampleId && edited)
        heading += mark;
    m_heading->setText(heading);
}

void SamplePanel::setMaps(qint64 sampleId, const std::vector<mtl::widgets::SampleMap> &maps)
{
    if (sampleId != m_sampleId)
        return;
    const QString chosen = m_preferredOverlay;
    m_maps = maps;
    const QSignalBlocker block(m_overlay);
    m_overlay->clear();
    m_overlay->addItem(tr("None"), QString());
    for (const auto &map : m_maps)
        m_overlay->addItem(map.name, map.name);
    // The same overlay from one sample to the next.
    m_overlay->setCurrentIndex(std::max(0, m_overlay->findData(chosen)));
    m_overlayRow->setVisible(!m_maps.empty());
    updateImage();
}

void SamplePanel::preferOverlay(const QString &name)
{
    m_preferredOverlay = name;
    if (const int index = m_overlay->findData(name); index >= 0)
        m_overlay->setCurrentIndex(index);
}

void SamplePanel::setOverlay(int map, int opacity)
{
    if (opacity >= 0)
        m_opacity->setValue(opacity);
    m_overlay->setCurrentIndex(map + 1);
}

QImage SamplePanel::composed() const
{
    if (m_image.isNull())
        return {};
    const int chosen = m_overlay->currentIndex() - 1;
    if (chosen < 0 || chosen >= static_cast<int>(m_maps.size()))
        return m_image;
    QImage base = m_image.convertToFormat(QImage::Format_ARGB32);
    QPainter painter(&base);
    painter.setOpacity(m_opacity->value() / 100.0);
    painter.drawImage(base.rect(), m_maps[static_cast<std::size_t>(chosen)].image);
    return base;
}

void SamplePanel::setImage(qint64 sampleId, const QImage &image, const QString &error)
{
    if (sampleId != m_sampleId)
        return;
    m_image = image;
    if (image.isNull()) {
        m_picture->setText(error.isEmpty() ? tr("No image") : error);
        return;
    }
    if (!m_zoomChosen) {
        // As large as the area allows, in whole steps so pixels stay square.
        const QSize room = m_pictureArea->viewport()->size() - QSize(8, 8);
        const int fit = std::min(room.width() / std::max(1, image.width()),
                                 room.height() / std::max(1, image.height()));
        const QSignalBlocker block(m_zoom);
        m_zoom->setValue(std::clamp(fit, 1, 16));
    }
    updateImage();
}

void SamplePanel::setEditable(bool editable, const QString &why)
{
    m_readOnly->setVisible(!editable);
    m_readOnly->setText(why);
    m_editors->setEnabled(editable && m_sampleId != 0);
}

int SamplePanel::zoom() const
{
    return m_zoom->value();
}

void SamplePanel::setZoom(int factor)
{
    m_zoomChosen = true;
    m_zoom->setValue(factor);
}

void SamplePanel::updateImage()
{
    m_zoomText->setText(QStringLiteral("%1×").arg(m_zoom->value()));
    const int chosen = m_overlay->currentIndex() - 1;
    QImage legend;
    if (chosen >= 0 && chosen < static_cast<int>(m_maps.size()))
        legend = mapLegend(m_maps[static_cast<std::size_t>(chosen)],
                           std::max(240, m_legend->width()), font());
    m_legend->setVisible(!legend.isNull());
    if (!legend.isNull())
        m_legend->setPixmap(QPixmap::fromImage(legend));
    m_opacity->setEnabled(chosen >= 0);
    if (m_image.isNull())
        return;
    const QImage shown = composed();
    const QSize size = shown.size() * m_zoom->value();
    m_picture->setPixmap(
        QPixmap::fromImage(shown.scaled(size, Qt::KeepAspectRatio, Qt::FastTransformation)));
}

bool SamplePanel::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_pictureArea->viewport() && event->type() == QEvent::Wheel) {
        auto *wheel = static_cast<QWheelEvent *>(event);
        if (wheel->modifiers() & Qt::ControlModifier) {
            m_zoomChosen = true;
            m_zoom->setValue(m_zoom->value() + (wheel->angleDelta().y() > 0 ? 1 : -1));
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

void SamplePanel::keyPressEvent(QKeyEvent *event)
{
    const int key = event->key();
    if (key >= Qt::Key_1 && key <= Qt::Key_9 && event->modifiers() == Qt::NoModifier) {
        if (focusEditor(key - Qt::Key_1))
            return;
    }
    if (key == Qt::Key_Return || key == Qt::Key_Enter) {
        Q_EMIT nextRequested();
        return;
    }
    if (key == Qt::Key_Backspace) {
        Q_EMIT previousRequested();
        return;
    }
    QWidget::keyPressEvent(event);
}

} // namespace mtl::widgets
