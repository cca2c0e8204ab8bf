// The CSV reader: RFC 4180 quoting (embedded commas, newlines and doubled quotes), CRLF,
// a byte order mark, blank lines, trimming, line numbers of records, and errors that give
// source:line:column.

#include "data/csv.h"

#include "fixtures.h"

#include <QTest>

using namespace mtl;
using namespace mtl::test;

using Records = QList<QStringList>;

namespace {
Records toRecords(const std::vector<data::CsvRecord> &records, QList<qint64> *lines)
{
    Records result;
    for (const auto &record : records) {
        QStringList fields;
        for (const auto &field : record.fields)
            fields << qstr(field);
        result << fields;
        lines->append(record.line);
    }
    return result;
}
} // namespace

class TestCsv : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void parse_data();
    void parse();
    void errors_data();
    void errors();
    void trimmed_data();
    void trimmed();
};

void TestCsv::parse_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<Records>("records");
    QTest::addColumn<QList<qint64>>("lines");

    const auto s = [](const char *text) { return QString::fromUtf8(text); };

    QTest::newRow("simple") << QByteArray("a,b,c\n1,2,3\n")
                            << Records{{s("a"), s("b"), s("c")}, {s("1"), s("2"), s("3")}}
                            << QList<qint64>{1, 2};
    QTest::newRow("no final newline")
        << QByteArray("a,b\n1,2") << Records{{s("a"), s("b")}, {s("1"), s("2")}}
        << QList<qint64>{1, 2};
    QTest::newRow("CRLF") << QByteArray("a,b\r\n1,2\r\n")
                          << Records{{s("a"), s("b")}, {s("1"), s("2")}} << QList<qint64>{1, 2};
    QTest::newRow("quoted comma") << QByteArray("name,value\n\"Smith, J\",4\n")
                                  << Records{{s("name"), s("value")}, {s("Smith, J"), s("4")}}
                                  << QList<qint64>{1, 2};
    QTest::newRow("doubled quote") << QByteArray("\"say \"\"hi\"\"\",x\n")
                                   << Records{{s("say \"hi\""), s("x")}} << QList<qint64>{1};
    QTest::newRow("embedded newline keeps line numbers")
        << QByteArray("h1,h2\n\"two\nlines\",b\nc,d\n")
        << Records{{s("h1"), s("h2")}, {s("two\nlines"), s("b")}, {s("c"), s("d")}}
        << QList<qint64>{1, 2, 4};
    QTest::newRow("embedded CRLF is kept inside quotes")
        << QByteArray("\"x\r\ny\",z\r\n") << Records{{s("x\r\ny"), s("z")}} << QList<qint64>{1};
    QTest::newRow("blank lines skipped")
        << QByteArray("a\n\n  \nb\n") << Records{{s("a")}, {s("b")}} << QList<qint64>{1, 4};
    QTest::newRow("byte order mark")
        << QByteArray("\xEF\xBB\xBFid,v\n1,2\n") << Records{{s("id"), s("v")}, {s("1"), s("2")}}
        << QList<qint64>{1, 2};
    QTest::newRow("unquoted fields trimmed, quoted kept")
        << QByteArray("  a  , \" b \" ,\tc\t\n") << Records{{s("a"), s(" b "), s("c")}}
        << QList<qint64>{1};
    QTest::newRow("empty fields") << QByteArray(",x,\n") << Records{{s(""), s("x"), s("")}}
                                  << QList<qint64>{1};
    QTest::newRow("trailing comma at end of text")
        << QByteArray("a,") << Records{{s("a"), s("")}} << QList<qint64>{1};
    QTest::newRow("quoted empty next to field")
        << QByteArray("\"\",1\n") << Records{{s(""), s("1")}} << QList<qint64>{1};
    QTest::newRow("utf-8 text") << QByteArray("clé,\"naïve, façade\"\n")
                                << Records{{s("clé"), s("naïve, façade")}} << QList<qint64>{1};
    QTest::newRow("empty text") << QByteArray() << Records{} << QList<qint64>{};
}

void TestCsv::parse()
{
    QFETCH(QByteArray, text);
    QFETCH(Records, records);
    QFETCH(QList<qint64>, lines);

    QList<qint64> actualLines;
    const Records actual = toRecords(
        data::parseCsv(std::string_view(text.constData(), std::size_t(text.size())), "t.csv"),
        &actualLines);
    QCOMPARE(actual, records);
    QCOMPARE(actualLines, lines);
}

void TestCsv::errors_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<qint64>("line");
    QTest::addColumn<qint64>("column");
    QTest::addColumn<QString>("fragment");

    QTest::newRow("unterminated quote")
        << QByteArray("a,\"bc\nd,e\n") << 1LL << 3LL << QStringLiteral("never closed");
    QTest::newRow("unterminated quote on line 3")
        << QByteArray("h\nx\n  \"open\n") << 3LL << 3LL << QStringLiteral("never closed");
    QTest::newRow("text after closing quote")
        << QByteArray("\"ab\"x,1\n") << 1LL << 5LL << QStringLiteral("after the closing quote");
    QTest::newRow("text after closing quote, line 2 (CRLF)")
        << QByteArray("a,b\r\n1,\"2\"3\r\n") << 2LL << 6LL
        << QStringLiteral("after the closing quote");
    QTest::newRow("quote inside unquoted field")
        << QByteArray("ab\"c\",d\n") << 1LL << 3LL << QStringLiteral("quote inside an unquoted");
    QTest::newRow("second quoted section")
        << QByteArray("\"a\" \"b\"\n") << 1LL << 5LL << QStringLiteral("second quoted section");
    QTest::newRow("second quoted section after an empty one")
        << QByteArray("x,\"\" \"b\"\n") << 1LL << 6LL << QStringLiteral("second quoted section");
}

void TestCsv::errors()
{
    QFETCH(QByteArray, text);
    QFETCH(qint64, line);
    QFETCH(qint64, column);
    QFETCH(QString, fragment);

    const auto error = catchError([&] {
        data::parseCsv(std::string_view(text.constData(), std::size_t(text.size())), "attrs.csv");
    });
    QVERIFY2(error, "malformed CSV accepted");
    QCOMPARE(codeName(error->code()), codeName(ErrorCode::InvalidInput));
    QCOMPARE(error->where().file, std::string("attrs.csv"));
    QCOMPARE(error->where().line, line);
    QCOMPARE(error->where().column, column);
    const QString what = QString::fromUtf8(error->what());
    QVERIFY2(what.startsWith(QStringLiteral("attrs.csv:%1:%2: ").arg(line).arg(column)),
             qPrintable(what));
    QVERIFY2(what.contains(fragment), qPrintable(what));
}

void TestCsv::trimmed_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("expected");
    QTest::newRow("none") << QStringLiteral("abc") << QStringLiteral("abc");
    QTest::newRow("both ends") << QStringLiteral(" \t a b \r\n") << QStringLiteral("a b");
    QTest::newRow("only space") << QStringLiteral(" \t ") << QString();
    QTest::newRow("empty") << QString() << QString();
}

void TestCsv::trimmed()
{
    QFETCH(QString, input);
    QFETCH(QString, expected);
    QCOMPARE(qstr(data::trimmed(str(input))), expected);
}

QTEST_APPLESS_MAIN(TestCsv)
#include "tst_csv.moc"
