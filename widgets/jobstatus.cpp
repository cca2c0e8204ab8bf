#include "jobstatus.h"

#include "backgroundtask.h"

#include <QLabel>
#include <QProgressBar>
#include <QStatusBar>

#include <algorithm>

namespace mtl::widgets {

JobStatus::JobStatus(QStatusBar *bar)
    : QObject(bar)
    , m_text(new QLabel(bar))
    , m_progress(new QProgressBar(bar))
{
    m_progress->setRange(0, 1000);
    m_progress->setFixedWidth(260);
    m_progress->setTextVisible(true);
    m_progress->setFormat(QStringLiteral("%p%"));
    m_progress->setVisible(false);
    bar->addPermanentWidget(m_text);
    bar->addPermanentWidget(m_progress);
}

void JobStatus::begin(const QString &text)
{
    m_progress->setValue(0);
    m_progress->setVisible(true);
    m_text->setText(text);
}

void JobStatus::setFraction(double fraction)
{
    m_progress->setValue(static_cast<int>(fraction * 1000));
}

void JobStatus::setProgress(qint64 done, qint64 total)
{
    m_progress->setValue(static_cast<int>(1000 * done / std::max<qint64>(1, total)));
}

void JobStatus::setText(const QString &text)
{
    m_text->setText(text);
}

void JobStatus::end()
{
    m_progress->setVisible(false);
    m_text->clear();
}

void JobStatus::followImport(BackgroundTask *import)
{
    connect(import, &BackgroundTask::progress, this, [this](double fraction, const QString &stage) {
        setFraction(fraction);
        setText(tr("Importing: %1").arg(stage));
    });
    connect(import, &BackgroundTask::finished, this, &JobStatus::end);
}

} // namespace mtl::widgets
