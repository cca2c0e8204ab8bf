#include "importdialog.h"

#include "textconv.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QVBoxLayout>

#include <map>

namespace mtl::widgets {

namespace {

bool isDense(const QString &format)
{
    return format == QLatin1String("nyuv2") || format == QLatin1String("cityscapes");
}

} // namespace

QStringList ImportDialog::formats()
{
    return {QStringLiteral("csv"),     QStringLiteral("celeba"), QStringLiteral("awa"),
            QStringLiteral("folders"), QStringLiteral("nyuv2"),  QStringLiteral("cityscapes")};
}

ImportDialog::ImportDialog(const QStringList &existing, QWidget *parent)
    : QDialog(parent)
    , m_existing(existing)
{
    setWindowTitle(tr("Import Dataset Files"));
    setObjectName(QStringLiteral("importDialog"));
    m_form = new QFormLayout;
    m_form->setFieldGrowthPolicy(QFormLayout::ExpandingFieldsGrow);

    m_format = new QComboBox(this);
    m_format->setObjectName(QStringLiteral("importFormat"));
    const QStringList titles{
        tr("Image folder and a table (csv)"),  tr("CelebA (celeba)"),
        tr("Animals with Attributes 2 (awa)"), tr("One folder per class (folders)"),
        tr("NYUv2, preprocessed (nyuv2)"),     tr("Cityscapes, preprocessed (cityscapes)")};
    for (int i = 0; i < formats().size(); ++i)
        m_format->addItem(titles[i], formats()[i]);
    m_format->setToolTip(tr("The layout the dataset ships in; the same formats as "
                            "mtlstudio-cli import --format"));
    m_form->addRow(tr("&Format:"), m_format);
    m_description = new QLabel(this);
    m_description->setWordWrap(true);
    m_description->setObjectName(QStringLiteral("importDescription"));
    m_description->setMinimumWidth(560);
    m_form->addRow(m_description);

    m_name = new QLineEdit(this);
    m_name->setObjectName(QStringLiteral("importName"));
    m_name->setToolTip(tr("The dataset's name in the project; experiment configs refer to it "
                          "(\"dataset\")"));
    m_form->addRow(tr("Dataset &name:"), m_name);
    // The default name follows the folder until the name is typed (the default is set with
    // signals blocked, so every textChanged here is an edit).
    connect(m_name, &QLineEdit::textChanged, this, [this] {
        m_nameEdited = true;
        updateForm();
    });

    m_root = addPath(Field::Root, tr("&Folder:"),
                     tr("The folder the images are in. Paths are stored relative to it, so a "
                        "moved folder is found again"),
                     true);
    m_table = addPath(Field::Table, tr("&Table:"),
                      tr("csv: a CSV or TSV file with a header row, a path column and label "
                         "columns. celeba: list_attr_celeba.txt"),
                      false);
    m_partition = addPath(Field::Partition, tr("&Partition:"),
                          tr("Optional: list_eval_partition.txt (0/1/2 → train/val/test); "
                             "without it every image goes to the split below"),
                          false);
    m_classAttributes =
        addPath(Field::ClassAttributes, tr("Class &attributes:"),
                tr("Optional: a CSV with one row per class (its folder's name), then one column "
                   "per attribute (0/1 or category names)"),
                false);
    m_classNames = addPath(Field::ClassNames, tr("Class &names:"),
                           tr("Optional: one segmentation class name per line, class 0 first "
                              "(default: NYUv2's 13, Cityscapes' 7 or 19)"),
                           false);

    m_pathColumn = new QLineEdit(this);
    m_pathColumn->setObjectName(QStringLiteral("importPathColumn"));
    m_pathColumn->setPlaceholderText(tr("path, file, filename, image or the first column"));
    m_pathColumn->setToolTip(tr("The table's column of image paths"));
    m_form->addRow(tr("Pa&th column:"), m_pathColumn);
    m_splitColumn = new QLineEdit(this);
    m_splitColumn->setObjectName(QStringLiteral("importSplitColumn"));
    m_splitColumn->setPlaceholderText(tr("none: every row goes to the split below"));
    m_splitColumn->setToolTip(tr("The column naming each row's split (train, val, test, …)"));
    m_form->addRow(tr("Sp&lit column:"), m_splitColumn);
    m_split = new QLineEdit(QStringLiteral("train"), this);
    m_split->setObjectName(QStringLiteral("importSplit"));
    m_split->setToolTip(tr("The split the images go to when the files do not say: training uses "
                           "train (holding out a validation share), the final evaluation test"));
    m_form->addRow(tr("&Split:"), m_split);

    auto *resizeRow = new QWidget(this);
    auto *resizeLayout = new QHBoxLayout(resizeRow);
    resizeLayout->setContentsMargins(0, 0, 0, 0);
    m_resize = new QCheckBox(tr("Resize every image to"), resizeRow);
    m_resize->setObjectName(QStringLiteral("importResize"));
    m_resize->setToolTip(tr("Needed when the images differ in size; without it an image of "
                            "another size than most is a problem"));
    m_width = new QSpinBox(resizeRow);
    m_height = new QSpinBox(resizeRow);
    for (QSpinBox *side : {m_width, m_height}) {
        side->setRange(1, 4096);
        side->setValue(64);
        side->setEnabled(false);
        connect(m_resize, &QCheckBox::toggled, side, &QWidget::setEnabled);
    }
    resizeLayout->addWidget(m_resize);
    resizeLayout->addWidget(m_width);
    resizeLayout->addWidget(new QLabel(QStringLiteral("×"), resizeRow));
    resizeLayout->addWidget(m_height);
    resizeLayout->addStretch(1);
    m_form->addRow(tr("Size:"), resizeRow);

    m_classes = new QComboBox(this);
    m_classes->setObjectName(QStringLiteral("importClasses"));
    m_classes->addItem(tr("As the folders say (label/ or label_7/: 7, label_19/: 19)"), QString());
    m_classes->addItem(tr("7 categories (label_7/ or label/)"), QStringLiteral("7"));
    m_classes->addItem(tr("19 classes (label_19/)"), QStringLiteral("19"));
    m_classes->setToolTip(tr("Which of Cityscapes' label folders to read"));
    m_form->addRow(tr("&Classes:"), m_classes);
    m_depthScale = new QDoubleSpinBox(this);
    m_depthScale->setObjectName(QStringLiteral("importDepthScale"));
    m_depthScale->setDecimals(6);
    m_depthScale->setRange(0.000001, 1000.0);
    m_depthScale->setValue(0.001);
    m_depthScale->setSuffix(tr(" m per unit"));
    m_depthScale->setToolTip(tr("Metres per unit of a 16-bit depth PNG (0.001: millimetres). "
                                ".npy depth maps are taken as they are"));
    m_form->addRow(tr("&Depth PNG scale:"), m_depthScale);

    m_onError = new QComboBox(this);
    m_onError->setObjectName(QStringLiteral("importOnError"));
    m_onError->addItem(tr("Ask me when the first one is found"), QStringLiteral("ask"));
    m_onError->addItem(tr("Stop and import nothing"), QStringLiteral("fail"));
    m_onError->addItem(tr("Leave them out and log them"), QStringLiteral("skip"));
    m_onError->setToolTip(tr("Rows or files with a problem (a missing or damaged image, a ragged "
                             "row, an unknown label value). Skipped ones are listed in the "
                             "project's import log"));
    m_form->addRow(tr("&Bad rows:"), m_onError);

    m_problem = new QLabel(this);
    m_problem->setObjectName(QStringLiteral("importProblem"));
    m_problem->setWordWrap(true);
    m_problem->setStyleSheet(QStringLiteral("color: #a33;"));
    m_buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    QPushButton *import = m_buttons->addButton(tr("&Import"), QDialogButtonBox::AcceptRole);
    import->setObjectName(QStringLiteral("importButton"));
    import->setDefault(true);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(m_form);
    layout->addStretch(1);
    layout->addWidget(m_problem);
    layout->addWidget(m_buttons);

    connect(m_format, &QComboBox::currentIndexChanged, this, [this] {
        updateForm();
        resize(width(), sizeHint().height()); // as tall as the format's fields
    });
    for (QLineEdit *edit : {m_root, m_table, m_partition, m_classAttributes, m_classNames,
                            m_pathColumn, m_splitColumn, m_split})
        connect(edit, &QLineEdit::textChanged, this, &ImportDialog::updateForm);
    updateForm();
    resize(640, sizeHint().height());
}

QLineEdit *ImportDialog::addPath(Field field, const QString &label, const QString &tip, bool folder)
{
    auto *row = new QWidget(this);
    auto *layout = new QHBoxLayout(row);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *edit = new QLineEdit(row);
    static const std::map<Field, const char *> names{
        {Field::Root, "importRoot"},
        {Field::Table, "importTable"},
        {Field::Partition, "importPartition"},
        {Field::ClassAttributes, "importClassAttributes"},
        {Field::ClassNames, "importClassNames"}};
    edit->setObjectName(QLatin1String(names.at(field)));
    edit->setToolTip(tip);
    auto *browse = new QPushButton(tr("Browse…"), row);
    browse->setToolTip(tip);
    connect(browse, &QPushButton::clicked, this, [this, edit, folder, label] {
        const QString start = edit->text().isEmpty() ? m_root->text() : edit->text();
        QString chosen =
            folder ? QFileDialog::getExistingDirectory(
                         this, QString(label).remove(QLatin1Char('&')), start)
                   : QFileDialog::getOpenFileName(this, QString(label).remove(QLatin1Char('&')),
                                                  QFileInfo(start).absolutePath());
        if (!chosen.isEmpty())
            edit->setText(QDir::toNativeSeparators(chosen));
    });
    layout->addWidget(edit, 1);
    layout->addWidget(browse);
    m_form->addRow(label, row);
    return edit;
}

void ImportDialog::setFormat(const QString &format)
{
    const int index = m_format->findData(format);
    if (index >= 0)
        m_format->setCurrentIndex(index);
}

QString ImportDialog::format() const
{
    return m_format->currentData().toString();
}

void ImportDialog::setRoot(const QString &folder)
{
    m_root->setText(folder);
}

void ImportDialog::setDatasetName(const QString &name)
{
    m_name->setText(name);
}

bool ImportDialog::shows(Field field) const
{
    const QString f = format();
    const bool files = !isDense(f);
    switch (field) {
    case Field::Root:
        return true;
    case Field::Table:
        return f == QLatin1String("csv") || f == QLatin1String("celeba");
    case Field::Partition:
        return f == QLatin1String("celeba");
    case Field::ClassAttributes:
        return f == QLatin1String("folders");
    case Field::ClassNames:
    case Field::DepthScale:
        return !files;
    case Field::PathColumn:
    case Field::SplitColumn:
        return f == QLatin1String("csv");
    case Field::Split:
    case Field::Resize:
        return files;
    case Field::Classes:
        return f == QLatin1String("cityscapes");
    }
    return false;
}

void ImportDialog::updateForm()
{
    const QString f = format();
    const std::map<QString, QString> descriptions{
        {QStringLiteral("csv"),
         tr("An image folder and a CSV or TSV table: a header row, a column of image paths "
            "relative to the folder, label columns (0/1, −1/1 or category names) and optionally "
            "a split column.")},
        {QStringLiteral("celeba"),
         tr("CelebA: the image folder (img_align_celeba) and list_attr_celeba.txt with its "
            "attributes as −1/1; list_eval_partition.txt splits it into train, val and test.")},
        {QStringLiteral("awa"),
         tr("Animals with Attributes 2: the folder with classes.txt, predicates.txt, "
            "predicate-matrix-binary.txt and JPEGImages/<class>/. Each image gets its class "
            "and the class's attributes.")},
        {QStringLiteral("folders"),
         tr("One sub-folder of images per class, as torchvision's ImageFolder reads it, "
            "optionally with a table of attributes per class.")},
        {QStringLiteral("nyuv2"),
         tr("NYUv2 as the MTAN and LibMTL code read it: train/ and val/, each with image/, "
            "label/ (13 classes), depth/ and normal/ holding one <index>.npy or <index>.png "
            "per sample. val/ becomes the test split.")},
        {QStringLiteral("cityscapes"),
         tr("Cityscapes as the MTAN and LibMTL code read it: train/ and val/, each with image/, "
            "label/ (7 categories) or label_19/, and depth/ holding one <index>.npy or "
            "<index>.png per sample. val/ becomes the test split.")}};
    m_description->setText(descriptions.at(f));
    const std::map<Field, QWidget *> rows{
        {Field::Root, m_root->parentWidget()},
        {Field::Table, m_table->parentWidget()},
        {Field::Partition, m_partition->parentWidget()},
        {Field::ClassAttributes, m_classAttributes->parentWidget()},
        {Field::ClassNames, m_classNames->parentWidget()},
        {Field::PathColumn, m_pathColumn},
        {Field::SplitColumn, m_splitColumn},
        {Field::Split, m_split},
        {Field::Resize, m_resize->parentWidget()},
        {Field::Classes, m_classes},
        {Field::DepthScale, m_depthScale}};
    for (const auto &[field, widget] : rows)
        m_form->setRowVisible(widget, shows(field));
    auto *rootLabel = qobject_cast<QLabel *>(m_form->labelForField(m_root->parentWidget()));
    if (rootLabel)
        rootLabel->setText(f == QLatin1String("awa") ? tr("AwA2 &folder:")
                           : isDense(f)              ? tr("Dataset &folder:")
                                                     : tr("Image &folder:"));
    if (!m_nameEdited) {
        const QString base = QFileInfo(QDir::cleanPath(m_root->text())).fileName();
        const QSignalBlocker quiet(m_name);
        m_name->setText(f == QLatin1String("celeba") || isDense(f) || base.isEmpty() ? f : base);
    }
    const QString why = problem();
    m_problem->setText(why);
    for (QAbstractButton *button : m_buttons->buttons())
        if (m_buttons->buttonRole(button) == QDialogButtonBox::AcceptRole)
            button->setEnabled(why.isEmpty());
}

QString ImportDialog::problem() const
{
    const QString f = format();
    const QString name = m_name->text().trimmed();
    if (name.isEmpty())
        return tr("Name the dataset.");
    if (isDense(f) && m_existing.contains(name))
        return tr("The project has a dataset '%1' already; %2 makes a new one: choose another "
                  "name.")
            .arg(name, f);
    const QString root = m_root->text().trimmed();
    if (root.isEmpty())
        return f == QLatin1String("awa") ? tr("Choose the AwA2 folder.")
                                         : tr("Choose the folder the images are in.");
    if (!QFileInfo(root).isDir())
        return tr("The folder %1 does not exist.").arg(root);
    if (isDense(f) && !QFileInfo(QDir(root).filePath(QStringLiteral("train/image"))).isDir())
        return tr("%1 has no train/image folder: %2 reads train/ and val/, each with image/, "
                  "label/ and depth/ folders of .npy or PNG files.")
            .arg(root, f);
    if (shows(Field::Table) && m_table->text().trimmed().isEmpty())
        return f == QLatin1String("celeba") ? tr("Choose list_attr_celeba.txt.")
                                            : tr("Choose the table of images and labels.");
    for (QLineEdit *file : {m_table, m_partition, m_classAttributes, m_classNames}) {
        const QString path = file->text().trimmed();
        if (file->parentWidget()->isVisibleTo(this) && !path.isEmpty() && !QFileInfo(path).isFile())
            return tr("The file %1 does not exist.").arg(path);
    }
    if (shows(Field::Split) && m_split->text().trimmed().isEmpty())
        return tr("Name the split the images go to (train, test, …).");
    return {};
}

mtl::data::ImportRequest ImportDialog::request() const
{
    mtl::data::ImportRequest r;
    r.dataset = toStd(m_name->text().trimmed());
    const auto set = [&](const char *role, QLineEdit *edit, Field field) {
        if (shows(field) && !edit->text().trimmed().isEmpty())
            r.files[role] = toStd(QDir::fromNativeSeparators(edit->text().trimmed()));
    };
    set("root", m_root, Field::Root);
    set("table", m_table, Field::Table);
    set("partition", m_partition, Field::Partition);
    set("class-attributes", m_classAttributes, Field::ClassAttributes);
    set("class-names", m_classNames, Field::ClassNames);
    if (shows(Field::Split))
        r.split = toStd(m_split->text().trimmed());
    if (shows(Field::PathColumn))
        r.options["path-column"] = toStd(m_pathColumn->text().trimmed());
    if (shows(Field::SplitColumn))
        r.options["split-column"] = toStd(m_splitColumn->text().trimmed());
    if (shows(Field::Resize) && m_resize->isChecked())
        r.options["resize"] =
            std::to_string(m_width->value()) + "x" + std::to_string(m_height->value());
    if (shows(Field::Classes))
        r.options["classes"] = toStd(m_classes->currentData().toString());
    if (shows(Field::DepthScale))
        r.options["depth-scale"] = toStd(QString::number(m_depthScale->value(), 'g', 10));
    const QString onError = m_onError->currentData().toString();
    r.options["on-error"] = onError == QLatin1String("skip") ? "skip" : "fail";
    return r;
}

bool ImportDialog::asksOnError() const
{
    return m_onError->currentData().toString() == QLatin1String("ask");
}

} // namespace mtl::widgets
