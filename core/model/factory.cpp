#include "model/factory.h"

#include "common/error.h"
#include "model/hardsharing.h"
#include "model/registry.h"
#include "model/smallcnn.h"

#include <functional>
#include <map>

namespace mtl::model {

namespace {
using BackboneMaker = std::function<BackbonePtr(const InputShape &)>;
using SharingMaker =
    std::function<MultiTaskModelPtr(const BackboneFactory &, const std::vector<HeadSpec> &)>;

// One line per backbone and per sharing strategy.
const std::map<std::string, BackboneMaker> &backbones()
{
    static const std::map<std::string, BackboneMaker> table{
        {"small_cnn",
         [](const InputShape &in) {
             return std::make_shared<SmallCnnImpl>(SmallCnnOptions(in.channels));
         }},
    };
    return table;
}

const std::map<std::string, SharingMaker> &sharings()
{
    static const std::map<std::string, SharingMaker> table{
        {"hard",
         [](const BackboneFactory &backbone, const std::vector<HeadSpec> &heads) {
             return std::make_shared<HardSharingImpl>(backbone, heads);
         }},
    };
    return table;
}

template <typename Map> std::vector<std::string> keysOf(const Map &map)
{
    std::vector<std::string> names;
    for (const auto &entry : map)
        names.push_back(entry.first);
    return names;
}
} // namespace

std::vector<std::string> backboneNames() { return keysOf(backbones()); }
std::vector<std::string> sharingNames() { return keysOf(sharings()); }

MultiTaskModelPtr buildModel(const train::ModelConfig &config, const InputShape &input,
                             const std::vector<HeadSpec> &heads)
{
    auto backbone = backbones().find(config.backbone);
    if (backbone == backbones().end())
        throw Error(ErrorCode::Config, "unknown backbone '" + config.backbone + "'");
    auto sharing = sharings().find(config.sharing);
    if (sharing == sharings().end())
        throw Error(ErrorCode::Config, "unknown sharing strategy '" + config.sharing + "'");
    const BackboneMaker make = backbone->second;
    return sharing->second([make, input] { return make(input); }, heads);
}

} // namespace mtl::model
