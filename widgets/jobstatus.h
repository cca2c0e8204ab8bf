#pragma once
// The status bar's job indicator: a line of text and a progress bar for the import or the
// training in progress, shown from begin() to end(). It follows an import by itself
// (followImport); training progress is fed through setProgress()/setText(). GUI thread only;
// the two widgets are permanent widgets of the status bar given.

#include <QObject>
#include <QString>

class QLabel;
class QProgressBar;
class QStatusBar;

namespace mtl::widgets {

class BackgroundTask;

class JobStatus final : public QObject {
    Q_OBJECT
public:
    explicit JobStatus(QStatusBar *bar);

    // Shows the bar at 0 with `text`.
    void begin(const QString &text);
    void setFraction(double fraction); // in [0, 1]
    void setProgress(qint64 done, qint64 total);
    void setText(const QString &text);
    // Hides the bar and clears the text.
    void end();
    // Shows `import`'s progress ("Importing: stage") and ends when it finishes.
    void followImport(BackgroundTask *import);

    QProgressBar *progressBar() const { return m_progress; }
    QLabel *label() const { return m_text; }

private:
    QLabel *m_text;
    QProgressBar *m_progress;
};

} // namespace mtl::widgets
