#include "train/weighting.h"

#include "common/error.h"
#include "train/gradientweighting.h"
#include "train/task.h"
#include "train/weightingmethods.h"

namespace mtl::train {

std::vector<double> EqualWeighting::backward(const std::vector<at::Tensor> &losses,
                                             const WeightingContext &context)
{
    at::Tensor total = losses.front();
    for (std::size_t i = 1; i < losses.size(); ++i)
        total = total + losses[i];
    if (context.extraLoss.defined())
        total = total + context.extraLoss;
    total.backward();
    return std::vector<double>(losses.size(), 1.0);
}

const Registry<WeightingMaker> &weightingMethods()
{
    using Type = OptionSpec::Type;
    using namespace detail;
    static const Registry<WeightingMaker> table{
        {{"equal", "every task's loss counts once: the plain sum", {}},
         [](const WeightingArgs &) -> std::unique_ptr<WeightingMethod> {
             return std::make_unique<EqualWeighting>();
         }},
        {{"static",
          "fixed weights by task (or task.term) name; tasks not named count 1",
          {{"weights", Type::Object, nlohmann::json::object(),
            "task or loss-term name → weight ≥ 0, e.g. {\"category\": 1, \"group\": 0.5}; a "
            "task's name covers all of its terms"}}},
         makeStatic},
        {{"uncertainty",
          "learned homoscedastic uncertainty (Kendall et al. 2018): e^(−s)·L + s/2 per task, "
          "½e^(−s)·L + s/2 for regression",
          {{"variant", Type::Choice, "by_task",
            "by_task: the regression form for depth, normals and reconstruction, the "
            "classification form for the rest; or one form for all",
            0, 0, {"by_task", "classification", "regression"}},
           {"init", Type::Number, 0.0, "initial log-variance s of every task", -10, 10}}},
         makeUncertainty},
        {{"dwa",
          "dynamic weight average (Liu et al. 2019): K·softmax of each task's epoch-mean loss "
          "ratio over T; 1 for the first two epochs",
          {{"T", Type::Number, 2.0, "temperature: larger is closer to equal weights", 1e-3,
            1e3}}},
         makeDwa},
        {{"rlw", "random loss weighting (Lin et al. 2022): softmax of standard normal draws, fresh "
                 "every step",
          {}},
         makeRlw},
        {{"gls", "geometric loss strategy (Chennupati et al. 2019): the geometric mean of the "
                 "task losses",
          {}},
         makeGls},
        {{"famo",
          "FAMO (Liu et al. 2023): softmax task logits that follow each log-loss's rate of "
          "decrease; O(1) in the number of tasks",
          {{"lr", Type::Number, 0.025, "learning rate of the logits' own Adam", 1e-6, 10},
           {"gamma", Type::Number, 1e-3, "weight decay of the logits", 0, 1},
           {"update", Type::Choice, "next_batch",
            "the losses the logits learn from after a step: next_batch (the next step's; no "
            "extra pass) or same_batch (the paper's: one more forward pass per step)",
            0, 0, {"next_batch", "same_batch"}}}},
         makeFamo},
        {{"gradnorm",
          "GradNorm (Chen et al. 2018): learned weights that balance the tasks' gradient norms "
          "at the last shared stage by their training rates",
          {{"alpha", Type::Number, 1.5, "asymmetry α: how strongly slow tasks are pulled up", 0,
            10},
           {"lr", Type::Number, 0.025, "learning rate of the weights' own Adam", 1e-6, 10},
           gradientsOption()}},
         makeGradNorm},
        {{"pcgrad",
          "PCGrad (Yu et al. 2020): projects each task gradient off the gradients it conflicts "
          "with, in random order",
          {gradientsOption()}},
         makePcGrad},
        {{"mgda",
          "MGDA (Sener & Koltun 2018): the min-norm convex combination of the task gradients",
          {{"normalization", Type::Choice, "none",
            "how each gradient is scaled before the min-norm point: none, l2 (its norm), loss, "
            "loss+ (loss × norm)",
            0, 0, {"none", "l2", "loss", "loss+"}},
           gradientsOption()}},
         makeMgda},
        {{"cagrad",
          "CAGrad (Liu et al. 2021): the direction within c·‖g₀‖ of the mean gradient g₀ that "
          "best improves the worst task",
          {{"c", Type::Number, 0.5, "radius of the ball around the mean gradient; 0: the mean "
                                    "gradient",
            0, 10},
           {"rescale", Type::Integer, 1, "0: none, 1: divide by 1 + c², 2: divide by 1 + c", 0,
            2},
           gradientsOption()}},
         makeCaGrad},
    };
    return table;
}

std::vector<Objective> objectivesOf(const std::vector<std::unique_ptr<Task>> &tasks)
{
    std::vector<Objective> objectives;
    for (const auto &task : tasks) {
        const std::vector<std::string> terms = task->lossTerms();
        if (terms.empty())
            objectives.push_back({task->name(), task->regression()});
        for (const std::string &term : terms)
            objectives.push_back({task->name() + "." + term, task->regression()});
    }
    return objectives;
}

std::unique_ptr<WeightingMethod> makeWeighting(const experiment::WeightingConfig &config,
                                               const std::vector<Objective> &objectives,
                                               const c10::Device &device, std::uint64_t seed)
{
    const auto *entry = weightingMethods().find(config.method);
    if (!entry)
        throw Error(ErrorCode::Config, "unknown weighting method '" + config.method + "'");
    // Defaults for what the config left out (a config parsed against the catalog has them).
    nlohmann::json options = config.options.is_object() ? config.options : nlohmann::json::object();
    for (const OptionSpec &option : entry->spec.options)
        if (!options.contains(option.name))
            options[option.name] = option.defaultValue;
    return entry->make({objectives.size(), objectives, options, device, seed});
}

} // namespace mtl::train
