#include "common/registry.h"

namespace mtl {

const char *toString(OptionSpec::Type type)
{
    switch (type) {
    case OptionSpec::Type::Integer:
        return "integer";
    case OptionSpec::Type::Number:
        return "number";
    case OptionSpec::Type::Boolean:
        return "boolean";
    case OptionSpec::Type::String:
        return "string";
    case OptionSpec::Type::Choice:
        return "choice";
    case OptionSpec::Type::Object:
        return "object";
    case OptionSpec::Type::IntegerList:
        return "integer list";
    case OptionSpec::Type::NumberList:
        return "number list";
    case OptionSpec::Type::NameLists:
        return "name lists";
    case OptionSpec::Type::NamePairs:
        return "name pairs";
    case OptionSpec::Type::NumberOrChoice:
        return "number, number list or choice";
    }
    return "";
}

std::string joinNames(const std::vector<std::string> &names, const std::string &separator)
{
    std::string text;
    for (const std::string &name : names)
        text += (text.empty() ? "" : separator) + name;
    return text;
}

} // namespace mtl
