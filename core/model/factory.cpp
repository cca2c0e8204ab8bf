#include "model/factory.h"

#include "common/error.h"
#include "model/hardsharing.h"
#include "model/smallcnn.h"

namespace mtl::model {

using Type = OptionSpec::Type;

const Registry<BackboneMaker> &backbones()
{
    static const Registry<BackboneMaker> table{
        {{"small_cnn",
          "3 stages of 3×3 conv, BatchNorm, ReLU (32, 64, 128 channels; 2×2 max pooling after "
          "the first two), global average pooling",
          {{"width", Type::Integer, 32, "channels of the first stage, doubled per stage", 1,
            1024}}},
         [](const InputShape &in, const nlohmann::json &options) -> BackbonePtr {
             return std::make_shared<SmallCnnImpl>(
                 SmallCnnOptions(in).width(options.value("width", std::int64_t(32))));
         }},
    };
    return table;
}

const Registry<SharingMaker> &sharings()
{
    static const Registry<SharingMaker> table{
        {{"hard", "one backbone shared by all tasks, one head per task", {}},
         [](const BackboneFactory &backbone, const std::vector<HeadSpec> &heads,
            const InputShape &input, const nlohmann::json &) -> MultiTaskModelPtr {
             return std::make_shared<HardSharingImpl>(backbone, heads, input);
         }},
    };
    return table;
}

MultiTaskModelPtr buildModel(const experiment::ModelConfig &config, const InputShape &input,
                             const std::vector<HeadSpec> &heads)
{
    const auto *backbone = backbones().find(config.backbone);
    if (!backbone)
        throw Error(ErrorCode::Config, "unknown backbone '" + config.backbone + "'");
    const auto *sharing = sharings().find(config.sharing);
    if (!sharing)
        throw Error(ErrorCode::Config, "unknown sharing strategy '" + config.sharing + "'");
    const BackboneMaker make = backbone->make;
    const nlohmann::json options = config.backboneOptions;
    return sharing->make([make, input, options] { return make(input, options); }, heads, input,
                         config.sharingOptions);
}

} // namespace mtl::model
