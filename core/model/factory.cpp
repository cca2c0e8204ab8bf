#include "model/factory.h"

#include "common/error.h"
#include "experiment/catalog.h"
#include "experiment/jsonreader.h"
#include "model/alexnet.h"
#include "model/consistency.h"
#include "model/crossstitch.h"
#include "model/experts.h"
#include "model/hardsharing.h"
#include "model/mtan.h"
#include "model/mtlcnn.h"
#include "model/resnet.h"
#include "model/segnet.h"
#include "model/smallcnn.h"
#include "model/stitchcnn.h"

namespace mtl::model {

using Type = OptionSpec::Type;

namespace {

// Options every backbone has, with its own defaults.
OptionSpec normOption(const char *defaultValue)
{
    return {"norm",
            Type::Choice,
            defaultValue,
            "normalisation after each convolution: batch (BatchNorm), group (GroupNorm, up to 32 "
            "groups) or none",
            0,
            0,
            {"batch", "group", "none"}};
}
OptionSpec dropoutOption(double defaultValue, const char *where)
{
    return {"dropout",    Type::Number,
            defaultValue, std::string("dropout probability ") + where + " while training",
            0.0,          0.95};
}
const OptionSpec kStemOption{
    "stem",
    Type::Choice,
    "auto",
    "imagenet: the paper's strided first layers; small: 3×3 stride 1, for 28–64 px images; "
    "auto: small up to 64 px",
    0,
    0,
    {"auto", "small", "imagenet"}};

NormKind normOf(const nlohmann::json &options, const char *defaultValue = "batch")
{
    return normKind(options.value("norm", std::string(defaultValue)));
}
Stem stemOf(const nlohmann::json &options)
{
    return stemKind(options.value("stem", std::string("auto")));
}

RegistryEntry<BackboneMaker> resnetEntry(int depth)
{
    const std::string blocks = depth == 18 ? "2-2-2-2" : "3-4-6-3";
    return {{"resnet" + std::to_string(depth),
             "residual network of " + blocks +
                 " BasicBlocks after a stem (He et al., 2016); width × 1, 2, 4, 8 channels",
             {{"width", Type::Integer, 64, "channels of the stem and layer1, doubled per layer", 1,
               1024},
              kStemOption,
              normOption("batch"),
              dropoutOption(0.0, "on layer4's output")}},
            [depth](const InputShape &in, const nlohmann::json &options,
                    StageRange stages) -> BackbonePtr {
                return std::make_shared<ResNetImpl>(ResNetOptions(in)
                                                        .depth(depth)
                                                        .width(options.value("width", 64))
                                                        .stem(stemOf(options))
                                                        .norm(normOf(options))
                                                        .dropout(options.value("dropout", 0.0))
                                                        .stages(stages));
            }};
}

const OptionSpec kSharedStagesOption{
    "shared_stages",
    Type::Integer,
    0,
    "stages before the experts, shared by all tasks (0: each expert is a whole backbone)",
    0,
    1000};

const OptionSpec kExpertBackboneOption{
    "expert_backbone", Type::Object, nlohmann::json::object(),
    "the experts' own network: {\"name\": a backbone, \"options\": its options}, reading the "
    "image or the shared stages' output (which may then be the whole backbone); {}: the "
    "backbone's stages after shared_stages"};

// model.sharing_options.expert_backbone as a maker; empty for {}. Its errors, the backbone's
// own included, name keys under model.sharing_options.expert_backbone.
std::function<BackbonePtr(const InputShape &, StageRange)>
expertBackbone(const nlohmann::json &spec)
{
    if (!spec.is_object() || spec.empty())
        return {};
    const std::string key = "model.sharing_options.expert_backbone";
    const experiment::JsonReader r("");
    r.checkKeys(spec, key, {"name", "options"});
    const std::string name = r.string(spec, key, "name", nullptr);
    const auto *entry = backbones().find(name);
    if (!entry)
        r.fail(key + ".name",
               "unknown backbone '" + name + "' (known: " + joinNames(backbones().names()) + ")");
    const nlohmann::json options = experiment::validateOptions(
        spec.value("options", nlohmann::json::object()), entry->spec.options, key + ".options", "");
    return [make = entry->make, options, key](const InputShape &in, StageRange stages) {
        try {
            return make(in, options, stages);
        } catch (const Error &e) {
            ErrorLocation where = e.where();
            for (const std::string from : {"model.backbone_options", "model.backbone"})
                if (where.key.rfind(from, 0) == 0) {
                    where.key = (from == "model.backbone" ? key : key + ".options") +
                                where.key.substr(from.size());
                    break;
                }
            throw Error(e.code(), e.message(), where);
        }
    };
}

SharingMaker expertsMaker(ExpertsOptions base)
{
    return [base](const BackboneFactory &backbone, const std::vector<HeadSpec> &heads,
                  const InputShape &input, const nlohmann::json &options) -> MultiTaskModelPtr {
        ExpertsOptions o = base;
        o.expertBackbone = expertBackbone(options.value("expert_backbone", nlohmann::json()));
        o.sharedExperts =
            options.value("experts", options.value("shared_experts", o.sharedExperts));
        o.taskExperts = options.value("task_experts", o.taskExperts);
        o.sharedStages = options.value("shared_stages", 0);
        o.selected = options.value("selected", o.selected);
        o.gamma = options.value("gamma", o.gamma);
        o.entropy = options.value("entropy", o.entropy);
        return std::make_shared<ExpertsImpl>(backbone, heads, input, o);
    };
}

ExpertsOptions expertsOptions(const char *name, int shared, int perTask, bool perStage, bool sparse)
{
    ExpertsOptions o;
    o.name = name;
    o.sharedExperts = shared;
    o.taskExperts = perTask;
    o.perStage = perStage;
    o.sparseGate = sparse;
    return o;
}

} // namespace

const Registry<BackboneMaker> &backbones()
{
    static const Registry<BackboneMaker> table{
        {{"small_cnn",
          "3 stages of 3×3 conv, BatchNorm, ReLU (32, 64, 128 channels; 2×2 max pooling after "
          "the first two), global average pooling",
          {{"width", Type::Integer, 32, "channels of the first stage, doubled per stage", 1, 1024},
           normOption("batch"),
           dropoutOption(0.0, "on the last stage's output")}},
         [](const InputShape &in, const nlohmann::json &options, StageRange stages) -> BackbonePtr {
             return std::make_shared<SmallCnnImpl>(SmallCnnOptions(in)
                                                       .width(options.value("width", 32))
                                                       .norm(normOf(options))
                                                       .dropout(options.value("dropout", 0.0))
                                                       .stages(stages));
         }},
        {{"stitch_cnn",
          "the cross-stitch paper's Fashion-MNIST column: conv 3×3 32, pool, conv 3×3 64, pool "
          "(BatchNorm, ReLU), fully connected 1024, dropout; He initialisation",
          {{"width", Type::Integer, 32, "channels of the first convolution, doubled for the second",
            1, 1024},
           {"fc_units", Type::Integer, 1024, "units of the fully connected stage", 1, 65536},
           normOption("batch"),
           dropoutOption(0.2, "after the fully connected stage")}},
         [](const InputShape &in, const nlohmann::json &options, StageRange stages) -> BackbonePtr {
             return std::make_shared<StitchCnnImpl>(StitchCnnOptions(in)
                                                        .width(options.value("width", 32))
                                                        .fcUnits(options.value("fc_units", 1024))
                                                        .norm(normOf(options))
                                                        .dropout(options.value("dropout", 0.2))
                                                        .stages(stages));
         }},
        {{"alexnet",
          "5 convolutions (64-192-384-256-256 at width 64) and 2 fully connected stages of the "
          "MTL-CNN paper's network (Krizhevsky et al., 2012); fc6's input size from the images",
          {{"width", Type::Integer, 64,
            "channels of conv1; conv2..conv5 have 3, 6, 4, 4 times as many", 1, 1024},
           {"fc_units", Type::Integer, 4096, "units of fc6 and fc7", 1, 65536},
           kStemOption,
           normOption("none"),
           dropoutOption(0.5, "after fc6 and fc7")}},
         [](const InputShape &in, const nlohmann::json &options, StageRange stages) -> BackbonePtr {
             return std::make_shared<AlexNetImpl>(AlexNetOptions(in)
                                                      .width(options.value("width", 64))
                                                      .fcUnits(options.value("fc_units", 4096))
                                                      .stem(stemOf(options))
                                                      .norm(normOf(options, "none"))
                                                      .dropout(options.value("dropout", 0.5))
                                                      .stages(stages));
         }},
        resnetEntry(18),
        resnetEntry(34),
        {{"segnet",
          "encoder–decoder with max-pooling indices (Badrinarayanan et al., 2017; the MTAN "
          "paper's dense network): blocks encoder and decoder stages of two 3×3 convolutions, "
          "the last a map at the input resolution",
          {{"width", Type::Integer, 16,
            "channels of the first stage; × 2, 4, 8 for the next (at most 8×)", 1, 1024},
           {"blocks", Type::Integer, 4, "encoder stages (each pools by 2); as many decoder stages",
            1, 8},
           normOption("batch"),
           dropoutOption(0.0, "on the bottleneck")}},
         [](const InputShape &in, const nlohmann::json &options, StageRange stages) -> BackbonePtr {
             return std::make_shared<SegNetImpl>(SegNetOptions(in)
                                                     .width(options.value("width", 16))
                                                     .blocks(options.value("blocks", 4))
                                                     .norm(normOf(options))
                                                     .dropout(options.value("dropout", 0.0))
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
        {{"mtl_cnn",
          "one shared backbone; every attribute's classifier is L·s_a, a latent task matrix L "
          "shared by all attributes and a combination vector per attribute, with group sparsity "
          "on S (Abdulnabi et al., 2015)",
          {{"latent_tasks", Type::Integer, 8, "K: columns of the latent task matrix L", 1, 4096},
           {"groups",
            Type::NameLists,
            nlohmann::json::array(),
            "attribute groups: lists of attribute names, or \"dataset\" for the groups the "
            "dataset gives its attribute columns (import --attribute-groups); attributes in no "
            "group are groups of their own",
            0,
            0,
            {"dataset"}},
           {"group_lambda", Type::Number, 1e-3,
            "weight of the group sparsity Σ_k Σ_g ‖S[k, g]‖₂ on the combination vectors", 0, 100},
           {"latent_lambda", Type::Number, 1e-5, "weight of ‖L‖₁ on the latent task matrix", 0,
            100},
           {"alternate_every", Type::Integer, 0,
            "> 0: update S for this many steps with L held, then L with S held, alternating "
            "(the paper's alternating optimisation); 0: both every step",
            0, 1000000}}},
         [](const BackboneFactory &backbone, const std::vector<HeadSpec> &heads,
            const InputShape &input, const nlohmann::json &options) -> MultiTaskModelPtr {
             MtlCnnOptions o;
             o.latentTasks = options.value("latent_tasks", 8);
             const nlohmann::json &groups = options.value("groups", nlohmann::json::array());
             o.groupsFromDataset = groups.is_string();
             if (groups.is_array())
                 o.groups = groups.get<std::vector<std::vector<std::string>>>();
             o.groupLambda = options.value("group_lambda", 1e-3);
             o.latentLambda = options.value("latent_lambda", 1e-5);
             o.alternateEvery = options.value("alternate_every", 0);
             return std::make_shared<MtlCnnImpl>(backbone, heads, input, o);
         }},
        {{"mmoe",
          "K experts (copies of the backbone) and a softmax gate per task mixing their outputs "
          "(Ma et al., KDD 2018)",
          {{"experts", Type::Integer, 4, "experts every task's gate mixes", 1, 64},
           kSharedStagesOption,
           kExpertBackboneOption}},
         expertsMaker(expertsOptions("mmoe", 4, 0, false, false))},
        {{"cgc",
          "customized gate control: shared experts plus experts of each task's own, one gate "
          "per task over both (Tang et al., RecSys 2020)",
          {{"shared_experts", Type::Integer, 2, "experts all tasks' gates mix", 0, 64},
           {"task_experts", Type::Integer, 1, "experts of each task's own", 0, 64},
           kSharedStagesOption,
           kExpertBackboneOption}},
         expertsMaker(expertsOptions("cgc", 2, 1, false, false))},
        {{"ple",
          "progressive layered extraction: CGC in levels, one per stage, a shared gate feeding "
          "the next level's shared experts (Tang et al., RecSys 2020)",
          {{"shared_experts", Type::Integer, 2, "shared experts per level", 0, 64},
           {"task_experts", Type::Integer, 1, "experts of each task's own per level", 0, 64},
           kSharedStagesOption,
           kExpertBackboneOption}},
         expertsMaker(expertsOptions("ple", 2, 1, true, false))},
        {{"dselect_k",
          "mmoe with DSelect-k gates that learn to pick k of the experts through binary codes "
          "(Hazimeh et al., NeurIPS 2021)",
          {{"experts", Type::Integer, 4, "experts to choose from", 2, 64},
           {"selected", Type::Integer, 2, "k: selectors per gate, each picking one expert", 1, 64},
           {"gamma", Type::Number, 1.0, "width of the smooth step that makes a code's bits", 0.01,
            100},
           {"entropy", Type::Number, 1e-6,
            "weight of the selectors' entropy, pushing each to a single expert", 0, 1},
           kSharedStagesOption,
           kExpertBackboneOption}},
         expertsMaker(expertsOptions("dselect_k", 4, 0, false, true))},
        {{"consistency",
          "cross-task consistency: a shared encoder, a decoder per task and a task-transfer "
          "network per pair of dense tasks whose transferred prediction is held to the direct "
          "one (Nakano et al., 2021)",
          {{"split_at", Type::Integer, -1,
            "stages of the shared encoder; the later ones are each task's decoder (-1: segnet's "
            "encoder, every stage for other backbones)",
            -1, 1000},
           {"alpha", Type::Number, 0.01,
            "w of transfers into depth, normals and reconstruction: their loss is (1 − w)·direct "
            "+ w·transferred",
            0, 1},
           {"gamma", Type::Number, 0.01, "w of transfers into segmentation", 0, 1},
           {"target",
            Type::Choice,
            "direct",
            "what a transferred prediction is held to: direct (the target task's own "
            "prediction, detached, as in the paper), ground_truth (its labels) or both",
            0,
            0,
            {"direct", "ground_truth", "both"}},
           {"segmentation_agreement",
            Type::Choice,
            "cross",
            "into segmentation: cross (cross-entropy with the direct prediction's classes) or kl "
            "(KL divergence from its softmax)",
            0,
            0,
            {"cross", "kl"}},
           {"depth_agreement",
            Type::Choice,
            "l1",
            "into depth and reconstruction: l1 or ssim (1 − SSIM over 3×3 windows, halved); "
            "normals always use 1 − cosine",
            0,
            0,
            {"l1", "ssim"}},
           {"transfer_width", Type::Integer, 16,
            "channels of a transfer network's first level (× 2, 4 for the next two)", 1, 1024},
           {"transfer_norm",
            Type::Choice,
            "none",
            "normalisation in the transfer networks: none (the paper's default), batch or group",
            0,
            0,
            {"none", "batch", "group"}},
           {"pairs", Type::NamePairs, nlohmann::json::array(),
            "[from, to] task pairs that get a transfer network ([]: every ordered pair of dense "
            "tasks)",
            0, 0}}},
         [](const BackboneFactory &backbone, const std::vector<HeadSpec> &heads,
            const InputShape &input, const nlohmann::json &options) -> MultiTaskModelPtr {
             ConsistencyOptions o;
             o.splitAt = options.value("split_at", -1);
             o.alpha = options.value("alpha", 0.01);
             o.gamma = options.value("gamma", 0.01);
             const std::string target = options.value("target", std::string("direct"));
             o.againstDirect = target != "ground_truth";
             o.againstTruth = target != "direct";
             o.segmentationAgreement =
                 options.value("segmentation_agreement", std::string("cross"));
             o.depthAgreement = options.value("depth_agreement", std::string("l1"));
             o.transferWidth = options.value("transfer_width", 16);
             o.transferNorm = normKind(options.value("transfer_norm", std::string("none")));
             o.pairs = options.value("pairs", std::vector<std::vector<std::string>>{});
             return std::make_shared<ConsistencyImpl>(backbone, heads, input, o);
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
                            "(small_cnn, resnet18, resnet34)",
                        where);
        }
    return sharing->make(
        [make, input, options](StageRange stages) { return make(input, options, stages); }, heads,
        input, config.sharingOptions);
}

} // namespace mtl::model
