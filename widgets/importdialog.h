#pragma once
// File ▸ Import Dataset Files…: the form for the importers of datasets as they ship (csv,
// celeba, awa, folders, nyuv2, cityscapes). It shows the fields the chosen format reads, each
// with a tooltip, says what is still missing, and yields the ImportRequest the CLI's flags would
// make. It reads no file beyond checking that the folders and files named exist; the import
// itself runs elsewhere (ProjectSession::fileImport in a BackgroundTask).

#include "data/importer.h"

#include <QDialog>
#include <QStringList>

class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QDoubleSpinBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace mtl::widgets {

class ImportDialog final : public QDialog {
    Q_OBJECT
public:
    // `existing`: the project's dataset names (a new dataset needs another; csv, celeba, awa and
    // folders may add a split to one of their own format).
    explicit ImportDialog(const QStringList &existing, QWidget *parent = nullptr);

    // The formats the dialog offers, in its order.
    static QStringList formats();

    void setFormat(const QString &format);
    QString format() const;
    void setRoot(const QString &folder);
    void setDatasetName(const QString &name);

    // What the Import button would start: the request (on-error "fail" when the dialog is to
    // ask, see asksOnError()).
    mtl::data::ImportRequest request() const;
    // "Ask": import with fail, and on a bad row offer to import the rest with skip.
    bool asksOnError() const;
    // Why Import is disabled; empty when the form is complete.
    QString problem() const;

private:
    enum class Field {
        Root,
        Table,
        Partition,
        ClassAttributes,
        ClassNames,
        PathColumn,
        SplitColumn,
        Split,
        Resize,
        Classes,
        DepthScale
    };
    QLineEdit *addPath(Field field, const QString &label, const QString &tip, bool folder);
    void updateForm();
    bool shows(Field field) const;

    QFormLayout *m_form;
    QComboBox *m_format;
    QLabel *m_description;
    QLineEdit *m_name;
    QLineEdit *m_root, *m_table, *m_partition, *m_classAttributes, *m_classNames;
    QLineEdit *m_pathColumn, *m_splitColumn, *m_split;
    QCheckBox *m_resize;
    QSpinBox *m_width, *m_height;
    QComboBox *m_classes, *m_onError;
    QDoubleSpinBox *m_depthScale;
    QLabel *m_problem;
    QDialogButtonBox *m_buttons;
    QStringList m_existing;
    bool m_nameEdited = false;
};

} // namespace mtl::widgets
