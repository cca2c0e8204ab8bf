// Class tables: the class-names file (line i names class i-1) and the per-class attribute CSV
// (class by name or by index; 0/1 columns become binary, others categorical), and their
// errors with source:line[:column].

#include "data/classtable.h"

#include "fixtures.h"

#include <QTest>

using namespace mtl;
using namespace mtl::test;

namespace {
const std::vector<std::string> kAnimals{"ant", "bee", "cat", "dog"};

QStringList toList(const std::vector<std::string> &items)
{
    QStringList list;
    for (const auto &item : items)
        list << qstr(item);
    return list;
}
} // namespace

class TestClassTable : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void classNames_data();
    void classNames();
    void classNameErrors_data();
    void classNameErrors();
    void attributes();
    void attributeKinds_data();
    void attributeKinds();
    void attributeErrors_data();
    void attributeErrors();
    void attributeGroups_data();
    void attributeGroups();
    void attributeGroupErrors_data();
    void attributeGroupErrors();
};

void TestClassTable::classNames_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QStringList>("names");

    const QStringList four{QStringLiteral("ant"), QStringLiteral("bee"), QStringLiteral("cat"),
                           QStringLiteral("dog")};
    QTest::newRow("LF") << QByteArray("ant\nbee\ncat\ndog\n") << four;
    QTest::newRow("CRLF, no final newline") << QByteArray("ant\r\nbee\r\ncat\r\ndog") << four;
    QTest::newRow("trailing blank lines") << QByteArray("ant\nbee\ncat\ndog\n\n\n  \n") << four;
    QTest::newRow("surrounding spaces") << QByteArray("  ant\nbee  \n\tcat\ndog\n") << four;
    QTest::newRow("byte order mark") << QByteArray("\xEF\xBB\xBF"
                                                   "ant\nbee\ncat\ndog\n")
                                     << four;
    QTest::newRow("names with spaces and slashes")
        << QByteArray("T-shirt/top\nAnkle boot\n")
        << QStringList{QStringLiteral("T-shirt/top"), QStringLiteral("Ankle boot")};
}

void TestClassTable::classNames()
{
    QFETCH(QByteArray, text);
    QFETCH(QStringList, names);
    QCOMPARE(toList(data::parseClassNames(text.toStdString(), "classes.txt")), names);
}

void TestClassTable::classNameErrors_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<qint64>("line");
    QTest::addColumn<QString>("fragment");

    QTest::newRow("empty file") << QByteArray() << 1LL << QStringLiteral("no class names");
    QTest::newRow("only blank lines")
        << QByteArray("\n \n") << 1LL << QStringLiteral("no class names");
    QTest::newRow("blank line in the middle")
        << QByteArray("ant\n\ncat\n") << 2LL << QStringLiteral("empty class name");
    QTest::newRow("duplicate") << QByteArray("ant\nbee\nant\n") << 3LL
                               << QStringLiteral("duplicate class name 'ant'");
}

void TestClassTable::classNameErrors()
{
    QFETCH(QByteArray, text);
    QFETCH(qint64, line);
    QFETCH(QString, fragment);

    const auto error = catchError([&] { data::parseClassNames(text.toStdString(), "names.txt"); });
    QVERIFY(error);
    QCOMPARE(codeName(error->code()), codeName(ErrorCode::InvalidInput));
    QCOMPARE(error->where().line, line);
    const QString what = QString::fromUtf8(error->what());
    QVERIFY2(what.startsWith(QStringLiteral("names.txt:%1: ").arg(line)), qPrintable(what));
    QVERIFY2(what.contains(fragment), qPrintable(what));
}

void TestClassTable::attributes()
{
    // Rows in any order, classes by name or index; columns keep file order.
    const std::string csv = "class,flies,legs,mammal\n"
                            "dog,0,four,1\n"
                            "ant,0,six,0\n"
                            "2,0,four,1\n"
                            "\"bee\",1,six,0\n";
    const data::ClassAttributeTable table = data::parseClassAttributes(csv, "a.csv", kAnimals);

    QCOMPARE(table.columns.size(), std::size_t(3));
    QCOMPARE(qstr(table.columns[0].name), QStringLiteral("flies"));
    QCOMPARE(qstr(table.columns[1].name), QStringLiteral("legs"));
    QCOMPARE(qstr(table.columns[2].name), QStringLiteral("mammal"));
    QVERIFY(table.columns[0].kind == store::ColumnKind::Binary);
    QVERIFY(table.columns[1].kind == store::ColumnKind::Categorical);
    QVERIFY(table.columns[2].kind == store::ColumnKind::Binary);
    QVERIFY(table.columns[0].categories.empty());
    // Categories in order of first appearance by class index (ant's "six" first), whatever
    // the order of the rows in the file, so re-sorting a table does not renumber them.
    QCOMPARE(toList(table.columns[1].categories),
             (QStringList{QStringLiteral("six"), QStringLiteral("four")}));
    for (const auto &column : table.columns)
        QCOMPARE(column.id, 0);

    // values[class][column], by class index whatever the row order.
    const std::vector<std::vector<std::int32_t>> expected{
        {0, 0, 0}, // ant
        {1, 0, 0}, // bee
        {0, 1, 1}, // cat
        {0, 1, 1}, // dog
    };
    QCOMPARE(table.values, expected);
}

void TestClassTable::attributeKinds_data()
{
    QTest::addColumn<QByteArray>("column"); // values for ant, bee, cat, dog
    QTest::addColumn<bool>("binary");
    QTest::addColumn<QStringList>("categories");
    QTest::addColumn<QList<int>>("values");

    QTest::newRow("0/1 is binary")
        << QByteArray("1,0,0,1") << true << QStringList() << QList<int>{1, 0, 0, 1};
    QTest::newRow("all zero is binary")
        << QByteArray("0,0,0,0") << true << QStringList() << QList<int>{0, 0, 0, 0};
    QTest::newRow("names are categorical")
        << QByteArray("small,small,big,big") << false
        << QStringList{QStringLiteral("small"), QStringLiteral("big")} << QList<int>{0, 0, 1, 1};
    // Numbers are categories too, as long as the column is not 0/1 with exceptions.
    QTest::newRow("numbers other than 0/1 are categorical")
        << QByteArray("6,6,4,2") << false
        << QStringList{QStringLiteral("6"), QStringLiteral("4"), QStringLiteral("2")}
        << QList<int>{0, 0, 1, 2};
    QTest::newRow("yes/no is categorical, not binary")
        << QByteArray("yes,no,no,yes") << false
        << QStringList{QStringLiteral("yes"), QStringLiteral("no")} << QList<int>{0, 1, 1, 0};
}

void TestClassTable::attributeKinds()
{
    QFETCH(QByteArray, column);
    QFETCH(bool, binary);
    QFETCH(QStringList, categories);
    QFETCH(QList<int>, values);

    const QList<QByteArray> cells = column.split(',');
    QCOMPARE(cells.size(), 4);
    std::string csv = "class,a\n";
    for (int k = 0; k < 4; ++k)
        csv += kAnimals[std::size_t(k)] + "," + cells[k].toStdString() + "\n";
    const auto table = data::parseClassAttributes(csv, "k.csv", kAnimals);
    QCOMPARE(table.columns.size(), std::size_t(1));
    QCOMPARE(table.columns[0].kind == store::ColumnKind::Binary, binary);
    QCOMPARE(toList(table.columns[0].categories), categories);
    for (int k = 0; k < 4; ++k)
        QCOMPARE(table.values[std::size_t(k)][0], values[k]);
}

void TestClassTable::attributeErrors_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<qint64>("line");
    QTest::addColumn<qint64>("column");
    QTest::addColumn<QString>("fragment");

    const QByteArray header("class,flies,mammal\n");
    const QByteArray ant("ant,0,0\n"), bee("bee,1,0\n"), cat("cat,0,1\n"), dog("dog,0,1\n");

    QTest::newRow("empty") << QByteArray() << 1LL << -1LL
                           << QStringLiteral("empty attribute table");
    QTest::newRow("header without attributes")
        << QByteArray("class\nant\n") << 1LL << -1LL << QStringLiteral("at least one attribute");
    QTest::newRow("empty attribute name") << QByteArray("class,flies,,x\n") << 1LL << 3LL
                                          << QStringLiteral("attribute 2 has an empty name");
    QTest::newRow("duplicate attribute") << QByteArray("class,flies,flies\n") << 1LL << -1LL
                                         << QStringLiteral("duplicate attribute 'flies'");
    QTest::newRow("unknown class name") << header + ant + bee + "cow,0,1\n" + dog << 4LL << 1LL
                                        << QStringLiteral("unknown class 'cow'");
    QTest::newRow("class index out of range") << header + ant + bee + "4,0,1\n" + dog << 4LL << 1LL
                                              << QStringLiteral("unknown class '4'");
    QTest::newRow("negative class index")
        << header + ant + bee + "-1,0,1\n" + dog << 4LL << 1LL << QStringLiteral("an index 0-3");
    QTest::newRow("too few fields") << header + ant + "bee,1\n" + cat + dog << 3LL << -1LL
                                    << QStringLiteral("expected 3 fields like the header, got 2");
    QTest::newRow("too many fields")
        << header + ant + bee + cat + "dog,0,1,1\n"
        << 5LL << -1LL << QStringLiteral("expected 3 fields like the header, got 4");
    // 0/1 with an exception is a typo in a binary attribute: refused at its line and column,
    // not silently made categorical.
    QTest::newRow("0/1 with a 2") << header + ant + bee + "cat,2,1\n" + dog << 4LL << 2LL
                                  << QStringLiteral("attribute 'flies' is 0/1 for other classes "
                                                    "but '2' here; a binary attribute takes only "
                                                    "0 and 1");
    QTest::newRow("0/1 with a yes") << header + ant + bee + cat + "dog,0,yes\n"
                                    << 5LL << 3LL
                                    << QStringLiteral("attribute 'mammal' is 0/1 for other "
                                                      "classes but 'yes' here");
    QTest::newRow("not UTF-8") << header + ant + "bee,1,0\xff\n" + cat + dog << 3LL << 8LL
                               << QStringLiteral("not valid UTF-8 (byte 0xFF)");
    QTest::newRow("class twice (name and index)")
        << header + ant + bee + cat + "0,1,1\n"
        << 5LL << -1LL << QStringLiteral("already has a row at line 2");
    QTest::newRow("class without a row")
        << header + ant + bee + dog << 4LL << -1LL << QStringLiteral("class 'cat' (2) has no row");
    QTest::newRow("empty value") << header + ant + "bee,,0\n" + cat + dog << 3LL << 2LL
                                 << QStringLiteral("empty value for attribute 'flies'");
}

void TestClassTable::attributeErrors()
{
    QFETCH(QByteArray, text);
    QFETCH(qint64, line);
    QFETCH(qint64, column);
    QFETCH(QString, fragment);

    const auto error =
        catchError([&] { data::parseClassAttributes(text.toStdString(), "attrs.csv", kAnimals); });
    QVERIFY2(error, "a malformed attribute table was accepted");
    QCOMPARE(codeName(error->code()), codeName(ErrorCode::InvalidInput));
    QCOMPARE(error->where().file, std::string("attrs.csv"));
    QCOMPARE(error->where().line, line);
    QCOMPARE(error->where().column, column);
    const QString what = QString::fromUtf8(error->what());
    QVERIFY2(what.contains(fragment), qPrintable(what));
}

namespace {
const char *kThreeAttributes = "class,flies,mammal,legs\n"
                               "ant,0,0,six\nbee,1,0,six\ncat,0,1,four\ndog,0,1,four\n";
}

void TestClassTable::attributeGroups_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QStringList>("groups"); // flies, mammal, legs

    QTest::newRow("two in one group, one alone")
        << QByteArray("attribute,group\nflies,motion\nlegs,motion\n")
        << QStringList{QStringLiteral("motion"), QString(), QStringLiteral("motion")};
    QTest::newRow("every one its own, quoted, CRLF, spaces trimmed")
        << QByteArray("a,g\r\nmammal,\"body\"\r\nflies, air \r\nlegs,ground\r\n")
        << QStringList{QStringLiteral("air"), QStringLiteral("body"), QStringLiteral("ground")};
    QTest::newRow("header only: no groups")
        << QByteArray("attribute,group\n") << QStringList{QString(), QString(), QString()};
}

void TestClassTable::attributeGroups()
{
    QFETCH(QByteArray, text);
    QFETCH(QStringList, groups);
    data::ClassAttributeTable table =
        data::parseClassAttributes(kThreeAttributes, "attrs.csv", kAnimals);
    data::applyAttributeGroups(table, text.toStdString(), "groups.csv");
    QStringList got;
    for (const auto &column : table.columns)
        got << qstr(column.group);
    QCOMPARE(got, groups);
}

void TestClassTable::attributeGroupErrors_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<qint64>("line");
    QTest::addColumn<qint64>("column");
    QTest::addColumn<QString>("fragment");

    QTest::newRow("empty") << QByteArray() << 1LL << -1LL
                           << QStringLiteral("empty attribute-group table");
    QTest::newRow("header of three")
        << QByteArray("attribute,group,x\n") << 1LL << -1LL
        << QStringLiteral("expected 2 fields (attribute, group), got 3");
    QTest::newRow("row of one") << QByteArray("attribute,group\nflies\n") << 2LL << -1LL
                                << QStringLiteral("got 1");
    QTest::newRow("unknown attribute")
        << QByteArray("attribute,group\nflies,air\nswims,water\n") << 3LL << 1LL
        << QStringLiteral("unknown attribute 'swims' (the attribute table has 3: flies, mammal, "
                          "legs)");
    QTest::newRow("grouped twice") << QByteArray("attribute,group\nflies,air\nflies,sky\n") << 3LL
                                   << 1LL << QStringLiteral("attribute 'flies' is grouped twice");
    QTest::newRow("empty group") << QByteArray("attribute,group\nlegs,  \n") << 2LL << 2LL
                                 << QStringLiteral("empty group for attribute 'legs'");
}

void TestClassTable::attributeGroupErrors()
{
    QFETCH(QByteArray, text);
    QFETCH(qint64, line);
    QFETCH(qint64, column);
    QFETCH(QString, fragment);

    data::ClassAttributeTable table =
        data::parseClassAttributes(kThreeAttributes, "attrs.csv", kAnimals);
    const auto error =
        catchError([&] { data::applyAttributeGroups(table, text.toStdString(), "groups.csv"); });
    QVERIFY2(error, "a malformed attribute-group table was accepted");
    QCOMPARE(codeName(error->code()), codeName(ErrorCode::InvalidInput));
    QCOMPARE(error->where().file, std::string("groups.csv"));
    QCOMPARE(error->where().line, line);
    QCOMPARE(error->where().column, column);
    const QString what = QString::fromUtf8(error->what());
    QVERIFY2(what.contains(fragment), qPrintable(what));
}

QTEST_APPLESS_MAIN(TestClassTable)
#include "tst_classtable.moc"
