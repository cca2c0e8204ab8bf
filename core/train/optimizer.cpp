#include "train/optimizer.h"

#include "common/error.h"
#include "experiment/catalog.h"

#include <torch/optim/adam.h>
#include <torch/optim/adamw.h>
#include <torch/optim/rmsprop.h>
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

// The options Adam and AdamW share.
std::vector<OptionSpec> adamOptions()
{
    return {
        {"beta1", Type::Number, 0.9, "decay of the running mean of the gradient", 0, 0.999999},
        {"beta2", Type::Number, 0.999, "decay of the running mean of its square", 0, 0.999999},
        {"eps", Type::Number, 1e-8, "added to the denominator", 0, 1},
        {"amsgrad", Type::Boolean, false, "AMSGrad: divide by the largest second moment so far"},
    };
}

template <typename Options> Options withAdam(Options options, const nlohmann::json &o)
{
    return options.betas(std::make_tuple(o.at("beta1").get<double>(), o.at("beta2").get<double>()))
        .eps(o.at("eps").get<double>())
        .amsgrad(o.at("amsgrad").get<bool>());
}

// An optimiser of type Optimizer over `groups`, each group's options made by `options` from
// the group's learning rate and weight decay.
template <typename Optimizer, typename Options>
std::unique_ptr<torch::optim::Optimizer>
make(const std::vector<GroupSettings> &groups, const experiment::OptimizerConfig &c,
     const std::function<Options(double lr, double weightDecay)> &options)
{
    const auto groupOptions = [&](const GroupSettings &g) { return options(g.lr, g.weightDecay); };
    return std::make_unique<Optimizer>(paramGroups<Options>(groups, groupOptions),
                                       options(c.lr, c.weightDecay));
}
} // namespace

const Registry<OptimizerMaker> &optimizers()
{
    using namespace torch::optim;
    static const Registry<OptimizerMaker> table{
        {{"adam", "Adam (Kingma & Ba); optimizer.weight_decay is added to the gradient (L2)",
          adamOptions()},
         [](const std::vector<GroupSettings> &groups, const experiment::OptimizerConfig &c) {
             return make<Adam, AdamOptions>(groups, c, [&c](double lr, double decay) {
                 return withAdam(AdamOptions(lr).weight_decay(decay), c.options);
             });
         }},
        {{"adamw",
          "AdamW (Loshchilov & Hutter): Adam with decoupled weight decay, each step "
          "θ ← θ − lr·weight_decay·θ",
          adamOptions()},
         [](const std::vector<GroupSettings> &groups, const experiment::OptimizerConfig &c) {
             return make<AdamW, AdamWOptions>(groups, c, [&c](double lr, double decay) {
                 return withAdam(AdamWOptions(lr).weight_decay(decay), c.options);
             });
         }},
        {{"sgd",
          "stochastic gradient descent with momentum, optionally Nesterov's",
          {
              {"momentum", Type::Number, 0.9, "momentum factor", 0, 1},
              {"nesterov", Type::Boolean, false,
               "Nesterov momentum (needs a momentum > 0 and dampening 0)"},
              {"dampening", Type::Number, 0.0, "dampening of the momentum", 0, 1},
          }},
         [](const std::vector<GroupSettings> &groups, const experiment::OptimizerConfig &c) {
             const auto &o = c.options;
             const double momentum = o.at("momentum").get<double>();
             const double dampening = o.at("dampening").get<double>();
             const bool nesterov = o.at("nesterov").get<bool>();
             if (nesterov && (momentum <= 0 || dampening != 0)) {
                 ErrorLocation where;
                 where.key = "optimizer.nesterov";
                 throw Error(ErrorCode::Config,
                             "Nesterov momentum needs optimizer.momentum > 0 and "
                             "optimizer.dampening 0",
                             where);
             }
             return make<SGD, SGDOptions>(groups, c, [=](double lr, double decay) {
                 return SGDOptions(lr)
                     .momentum(momentum)
                     .dampening(dampening)
                     .nesterov(nesterov)
                     .weight_decay(decay);
             });
         }},
        {{"rmsprop",
          "RMSprop (Hinton): the gradient divided by a running root mean square",
          {
              {"alpha", Type::Number, 0.99, "decay of the running mean of the squared gradient", 0,
               1},
              {"eps", Type::Number, 1e-8, "added to the denominator", 0, 1},
              {"momentum", Type::Number, 0.0, "momentum factor", 0, 1},
              {"centered", Type::Boolean, false,
               "divide by the estimated variance instead of the second moment"},
          }},
         [](const std::vector<GroupSettings> &groups, const experiment::OptimizerConfig &c) {
             const auto &o = c.options;
             return make<RMSprop, RMSpropOptions>(groups, c, [&o](double lr, double decay) {
                 return RMSpropOptions(lr)
                     .alpha(o.at("alpha").get<double>())
                     .eps(o.at("eps").get<double>())
                     .momentum(o.at("momentum").get<double>())
                     .centered(o.at("centered").get<bool>())
                     .weight_decay(decay);
             });
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
    // The optimiser's own options with their defaults, also for configs built in code.
    experiment::OptimizerConfig filled = config;
    filled.options =
        experiment::validateOptions(config.options, entry->spec.options, "optimizer", "<config>");
    return entry->make(groups, filled);
}

std::vector<WeightingContext::StepRule> stepRules(torch::optim::Optimizer &optimizer)
{
    using namespace torch::optim;
    std::vector<WeightingContext::StepRule> rules;
    auto &state = optimizer.state();
    for (const OptimizerParamGroup &group : optimizer.param_groups()) {
        const OptimizerOptions &options = group.options();
        double weightDecay = 0, momentum = 0;
        if (const auto *sgd = dynamic_cast<const SGDOptions *>(&options)) {
            weightDecay = sgd->weight_decay();
            momentum = sgd->momentum();
        } else if (const auto *adam = dynamic_cast<const AdamOptions *>(&options)) {
            weightDecay = adam->weight_decay();
        } else if (const auto *adamw = dynamic_cast<const AdamWOptions *>(&options)) {
            weightDecay = adamw->weight_decay();
        } else if (const auto *rmsprop = dynamic_cast<const RMSpropOptions *>(&options)) {
            weightDecay = rmsprop->weight_decay();
        }
        for (const at::Tensor &parameter : group.params()) {
            WeightingContext::StepRule rule{parameter, options.get_lr(), weightDecay, {}};
            if (momentum != 0) {
                const auto found =
                    state.find(c10::guts::to_string(parameter.unsafeGetTensorImpl()));
                if (found != state.end())
                    if (const auto *sgd = dynamic_cast<const SGDParamState *>(found->second.get()))
                        if (sgd->momentum_buffer().defined())
                            rule.momentum = sgd->momentum_buffer() * momentum;
            }
            rules.push_back(std::move(rule));
        }
    }
    return rules;
}

} // namespace mtl::train
