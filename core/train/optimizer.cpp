#include "train/optimizer.h"

#include "common/error.h"

#include <torch/optim/adam.h>
#include <torch/optim/sgd.h>

namespace mtl::train {

namespace {
using Type = OptionSpec::Type;

template <typename Options>
std::vector<torch::optim::OptimizerParamGroup>
paramGroups(const std::vector<GroupSettings> &groups,
            const std::function<Options(const GroupSettings &)> &options)
{
    std::vector<torch::optim::OptimizerParamGroup> result;
    for (const GroupSettings &group : groups)
        result.emplace_back(group.parameters, std::make_unique<Options>(options(group)));
    return result;
}
} // namespace

const Registry<OptimizerMaker> &optimizers()
{
    static const Registry<OptimizerMaker> table{
        {{"adam",
          "Adam (Kingma & Ba): betas 0.9/0.999, eps 1e-8; weight decay added to the "
          "gradient (L2)",
          {}},
         [](const std::vector<GroupSettings> &groups,
            const experiment::OptimizerConfig &c) -> std::unique_ptr<torch::optim::Optimizer> {
             using torch::optim::AdamOptions;
             const auto options = [](const GroupSettings &g) {
                 return AdamOptions(g.lr).weight_decay(g.weightDecay);
             };
             return std::make_unique<torch::optim::Adam>(
                 paramGroups<AdamOptions>(groups, options),
                 AdamOptions(c.lr).weight_decay(c.weightDecay));
         }},
        {{"sgd", "stochastic gradient descent with momentum (optimizer.momentum)", {}},
         [](const std::vector<GroupSettings> &groups,
            const experiment::OptimizerConfig &c) -> std::unique_ptr<torch::optim::Optimizer> {
             using torch::optim::SGDOptions;
             const auto options = [&c](const GroupSettings &g) {
                 return SGDOptions(g.lr).momentum(c.momentum).weight_decay(g.weightDecay);
             };
             return std::make_unique<torch::optim::SGD>(
                 paramGroups<SGDOptions>(groups, options),
                 SGDOptions(c.lr).momentum(c.momentum).weight_decay(c.weightDecay));
         }},
    };
    return table;
}

std::unique_ptr<torch::optim::Optimizer> makeOptimizer(const experiment::OptimizerConfig &config,
                                                       const std::vector<ParameterSet> &sets)
{
    const auto *entry = optimizers().find(config.name);
    if (!entry)
        throw Error(ErrorCode::Config, "unknown optimizer '" + config.name + "'");
    std::vector<std::string> names{"heads"};
    for (const ParameterSet &set : sets)
        names.push_back(set.name);
    for (const auto &[key, settings] : config.groups)
        if (std::find(names.begin(), names.end(), key) == names.end()) {
            ErrorLocation where;
            where.key = "optimizer.groups." + key;
            throw Error(ErrorCode::Config,
                        "this model has no parameter group '" + key +
                            "' (groups: " + joinNames(names) + ")",
                        where);
        }
    std::vector<GroupSettings> groups;
    for (const ParameterSet &set : sets) {
        if (set.parameters.empty())
            continue;
        auto settings = config.groups.find(set.name);
        if (settings == config.groups.end() && set.head)
            settings = config.groups.find("heads");
        GroupSettings group;
        group.lr = config.lr * set.lrScale;
        group.weightDecay = config.weightDecay;
        if (settings != config.groups.end()) {
            group.lr = config.lr * settings->second.lrScale;
            group.weightDecay = settings->second.weightDecay.value_or(config.weightDecay);
        }
        if (!groups.empty() && groups.back().lr == group.lr &&
            groups.back().weightDecay == group.weightDecay) {
            auto &into = groups.back().parameters;
            into.insert(into.end(), set.parameters.begin(), set.parameters.end());
        } else {
            group.parameters = set.parameters;
            groups.push_back(std::move(group));
        }
    }
    return entry->make(groups, config);
}

std::vector<WeightingContext::StepRule> stepRules(torch::optim::Optimizer &optimizer)
{
    std::vector<WeightingContext::StepRule> rules;
    auto &state = optimizer.state();
    for (const torch::optim::OptimizerParamGroup &group : optimizer.param_groups()) {
        const torch::optim::OptimizerOptions &options = group.options();
        double weightDecay = 0, momentum = 0;
        if (const auto *sgd = dynamic_cast<const torch::optim::SGDOptions *>(&options)) {
            weightDecay = sgd->weight_decay();
            momentum = sgd->momentum();
        } else if (const auto *adam = dynamic_cast<const torch::optim::AdamOptions *>(&options)) {
            weightDecay = adam->weight_decay();
        }
        for (const at::Tensor &parameter : group.params()) {
            WeightingContext::StepRule rule{parameter, options.get_lr(), weightDecay, {}};
            if (momentum != 0) {
                const auto found =
                    state.find(c10::guts::to_string(parameter.unsafeGetTensorImpl()));
                if (found != state.end())
                    if (const auto *sgd =
                            dynamic_cast<const torch::optim::SGDParamState *>(found->second.get()))
                        if (sgd->momentum_buffer().defined())
                            rule.momentum = sgd->momentum_buffer() * momentum;
            }
            rules.push_back(std::move(rule));
        }
    }
    return rules;
}

} // namespace mtl::train
