#include "model/factory.h"

#include "common/error.h"
#include "model/crossstitch.h"
#include "model/hardsharing.h"
#include "model/mtan.h"
#include "model/smallcnn.h"
#include "model/stitchcnn.h"

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
         [](const InputShape &in, const nlohmann::json &options, StageRange stages) -> BackbonePtr {
             return std::make_shared<SmallCnnImpl>(
                 SmallCnnOptions(in).width(options.value("width", 32)).stages(stages));
         }},
        {{"stitch_cnn",
          "the cross-stitch paper's Fashion-MNIST column: conv 3×3 32, pool, conv 3×3 64, pool "
          "(BatchNorm, ReLU), fully connected 1024, dropout; He initialisation",
          {{"width", Type::Integer, 32,
            "channels of the first convolution, doubled for the "
            "second",
            1, 1024},
           {"fc_units", Type::Integer, 1024, "units of the fully connected stage", 1, 65536},
           {"dropout", Type::Number, 0.2, "dropout probability after the fully connected stage",
            0.0, 0.95}}},
         [](const InputShape &in, const nlohmann::json &options, StageRange stages) -> BackbonePtr {
             return std::make_shared<StitchCnnImpl>(StitchCnnOptions(in)
                                                        .width(options.value("width", 32))
                                                        .fcUnits(options.value("fc_units", 1024))
                                                        .dropout(options.value("dropout", 0.2))
                                                        .stages(stages));
         }},
    };
    return table;
}

const Registry<SharingMaker> &sharings()
{
    static const Registry<SharingMaker> table{
        {{"hard",
          "the first split_at stages of one backbone shared by all tasks, the rest and a head "
          "per task",
          {{"split_at", Type::Integer, -1,
            "stages shared by all tasks; the later ones are built once per task (-1: all, 0: "
            "none, as independent)",
            -1, 1000}}},
         [](const BackboneFactory &backbone, const std::vector<HeadSpec> &heads,
            const InputShape &input, const nlohmann::json &options) -> MultiTaskModelPtr {
             return std::make_shared<HardSharingImpl>(backbone, heads, input,
                                                      options.value("split_at", -1));
         }},
        {{"independent",
          "one whole backbone and head per task, nothing shared: the single-task "
          "baseline",
          {}},
         [](const BackboneFactory &backbone, const std::vector<HeadSpec> &heads,
            const InputShape &input, const nlohmann::json &) -> MultiTaskModelPtr {
             return std::make_shared<HardSharingImpl>(backbone, heads, input, 0);
         }},
        {{"cross_stitch",
          "one backbone column per task, mixed by learnt cross-stitch units after chosen stages "
          "(Misra et al., CVPR 2016)",
          {{"after", Type::IntegerList, nlohmann::json::array(),
            "stages followed by a cross-stitch unit ([]: every stage, as after the paper's "
            "pooling and fully connected layers)",
            0, 1000},
           {"granularity",
            Type::Choice,
            "layer",
            "layer: one T×T mixing matrix per unit; channel: one per channel",
            0,
            0,
            {"layer", "channel"}},
           {"alpha_self", Type::Number, 0.9, "initial weight of a task's own activation", -10, 10},
           {"alpha_other", Type::Number, 0.1, "initial weight of each other task's activation", -10,
            10},
           {"learn_alpha", Type::Boolean, true,
            "train α (in the parameter group cross_stitch, 100× the learning rate unless "
            "optimizer.groups says otherwise); false keeps it as initialised"}}},
         [](const BackboneFactory &backbone, const std::vector<HeadSpec> &heads,
            const InputShape &input, const nlohmann::json &options) -> MultiTaskModelPtr {
             CrossStitchOptions o;
             o.after = options.value("after", std::vector<int>{});
             o.perChannel = options.value("granularity", std::string("layer")) == "channel";
             o.alphaSelf = options.value("alpha_self", 0.9);
             o.alphaOther = options.value("alpha_other", 0.1);
             o.learnAlpha = options.value("learn_alpha", true);
             return std::make_shared<CrossStitchImpl>(backbone, heads, input, o);
         }},
        {{"mtan",
          "one shared backbone and, per task and stage, a soft-attention mask over the shared "
          "features (Liu et al., CVPR 2019)",
          {{"masks",
            Type::Choice,
            "learnt",
            "learnt: attention modules compute each task's masks; ones: every mask is 1 (hard "
            "sharing, the ablation)",
            0,
            0,
            {"learnt", "ones"}}}},
         [](const BackboneFactory &backbone, const std::vector<HeadSpec> &heads,
            const InputShape &input, const nlohmann::json &options) -> MultiTaskModelPtr {
             return std::make_shared<MtanImpl>(
                 backbone, heads, input, options.value("masks", std::string("learnt")) == "learnt");
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
    const BackbonePtr probe = make(input, options, {0, 0}); // shapes only
    for (std::size_t i = 0; i < heads.size(); ++i)
        if (heads[i].kind == HeadSpec::Kind::Dense && !probe->hasSpatialOutput()) {
            ErrorLocation where;
            where.key = "tasks[" + std::to_string(i) + "].type";
            throw Error(ErrorCode::Config,
                        "task '" + heads[i].task + "' needs a per-pixel output, but " +
                            probe->describe() +
                            " ends in a vector; choose a backbone whose last stage is a map "
                            "(small_cnn)",
                        where);
        }
    return sharing->make(
        [make, input, options](StageRange stages) { return make(input, options, stages); }, heads,
        input, config.sharingOptions);
}

} // namespace mtl::model
