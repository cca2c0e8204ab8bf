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
          {{"variant",
            Type::Choice,
            "by_task",
            "by_task: the regression form for depth, normals and reconstruction, the "
            "classification form for the rest; or one form for all",
            0,
            0,
            {"by_task", "classification", "regression"}},
           {"init", Type::Number, 0.0, "initial log-variance s of every task", -10, 10}}},
         makeUncertainty},
        {{"dwa",
          "dynamic weight average (Liu et al. 2019): K·softmax of each task's epoch-mean loss "
          "ratio over T; 1 for the first two epochs",
          {{"T", Type::Number, 2.0, "temperature: larger is closer to equal weights", 1e-3, 1e3}}},
         makeDwa},
        {{"rlw",
          "random loss weighting (Lin et al. 2022): softmax of standard normal draws, fresh "
          "every step",
          {}},
         makeRlw},
        {{"gls",
          "geometric loss strategy (Chennupati et al. 2019): the geometric mean of the "
          "task losses",
          {}},
         makeGls},
        {{"famo",
          "FAMO (Liu et al. 2023): softmax task logits that follow each log-loss's rate of "
          "decrease; O(1) in the number of tasks",
          {{"lr", Type::Number, 0.025, "learning rate of the logits' own Adam", 1e-6, 10},
           {"gamma", Type::Number, 1e-3, "weight decay of the logits", 0, 1},
           {"update",
            Type::Choice,
            "next_batch",
            "the losses the logits learn from after a step: next_batch (the next step's; no "
            "extra pass) or same_batch (the paper's: one more forward pass per step)",
            0,
            0,
            {"next_batch", "same_batch"}}}},
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
          {{"normalization",
            Type::Choice,
            "none",
            "how each gradient is scaled before the min-norm point: none, l2 (its norm), loss, "
            "loss+ (loss × norm)",
            0,
            0,
            {"none", "l2", "loss", "loss+"}},
           gradientsOption()}},
         makeMgda},
        {{"cagrad",
          "CAGrad (Liu et al. 2021): the direction within c·‖g₀‖ of the mean gradient g₀ that "
          "best improves the worst task",
          {{"c", Type::Number, 0.5,
            "radius of the ball around the mean gradient; 0: the mean "
            "gradient",
            0, 10},
           {"rescale", Type::Integer, 1, "0: none, 1: divide by 1 + c², 2: divide by 1 + c", 0, 2},
           gradientsOption()}},
         makeCaGrad},
        {{"imtl",
          "IMTL (Liu et al. 2021): the combination whose projection onto every task's unit "
          "gradient is equal (IMTL-G), on losses scaled by learned e^s·L − s (IMTL-L)",
          {{"variant",
            Type::Choice,
            "hybrid",
            "hybrid: IMTL-L scaling then IMTL-G (the paper's and LibMTL's); gradient: IMTL-G "
            "only; loss: IMTL-L only (one backward pass)",
            0,
            0,
            {"hybrid", "gradient", "loss"}},
           gradientsOption()}},
         makeImtl},
        {{"graddrop",
          "GradDrop (Chen et al. 2020): each unit of the shared representation keeps the task "
          "gradients of one randomly chosen sign, by how consistent the signs are",
          {{"leak", Type::Number, 0.0, "how much of a dropped gradient still passes (0: none)", 0,
            1}}},
         makeGradDrop},
        {{"gradvac",
          "GradVac (Wang et al. 2021): raises each pair's gradient similarity to its moving "
          "average, like PCGrad with a learned target instead of 0",
          {{"beta", Type::Number, 0.5, "rate of the similarity targets' moving average", 0, 1},
           gradientsOption()}},
         makeGradVac},
        {{"aligned_mtl",
          "Aligned-MTL (Senushkin et al. 2023): the task gradients' principal components scaled "
          "to the smallest one, a well-conditioned common direction",
          {gradientsOption()}},
         makeAlignedMtl},
        {{"nash_mtl",
          "Nash-MTL (Navon et al. 2022): the Nash bargaining solution, weights α with "
          "G·Gᵀ·α = 1/α; the whole model trains on Σ α·L",
          {{"update_every", Type::Integer, 1,
            "recompute the gradients and α every n-th step only (the paper's speed-up)", 1, 1000},
           {"iterations", Type::Integer, 20, "most Newton steps of the solver per update", 1, 1000},
           {"max_norm", Type::Number, 1.0,
            "clip the shared parameters' gradient to this norm; 0: no clipping", 0, 1e6},
           gradientsOption()}},
         makeNashMtl},
        {{"upgrad",
          "UPGrad (Quinton & Rey 2024): each task gradient projected onto the cone of directions "
          "that conflict with no task, averaged",
          {{"norm_eps", Type::Number, 1e-4,
            "below this squared Frobenius norm the gradients count as zero", 0, 1},
           {"reg_eps", Type::Number, 1e-4, "added to the normalised Gram matrix's diagonal", 0, 1},
           gradientsOption()}},
         makeUpGrad},
        {{"dualproj",
          "DualProj (Lopez-Paz & Ranzato 2017, via TorchJD): the mean gradient projected onto "
          "the cone of directions that conflict with no task",
          {{"norm_eps", Type::Number, 1e-4,
            "below this squared Frobenius norm the gradients count as zero", 0, 1},
           {"reg_eps", Type::Number, 1e-4, "added to the normalised Gram matrix's diagonal", 0, 1},
           gradientsOption()}},
         makeDualProj},
        {{"config",
          "ConFIG (Liu et al. 2024, via TorchJD): the direction with an equal positive "
          "projection onto every task's unit gradient",
          {gradientsOption()}},
         makeConfig},
        {{"fairgrad",
          "FairGrad (Ban & Ji 2024): α-fair weights w with G·Gᵀ·w = w^(−1/α); the whole model "
          "trains on Σ w·L",
          {{"alpha", Type::Number, 1.0,
            "fairness α: 1 proportional fairness, larger is closer "
            "to max-min fairness",
            1e-3, 1e3},
           gradientsOption()}},
         makeFairGrad},
        {{"db_mtl",
          "DB-MTL (Lin et al. 2023): log-losses, their gradients averaged over steps and scaled "
          "to the largest norm (shared parameters only)",
          {{"beta", Type::Number, 0.9, "weight of the running average of each gradient", 0, 1},
           {"beta_sigma", Type::Number, 0.0, "decay of beta with the step: beta / step^sigma", 0,
            10}}},
         makeDbMtl},
        {{"moco",
          "MoCo (Fernando et al. 2023): moving averages of the task gradients correct the bias "
          "of stochastic MGDA (shared parameters only)",
          {{"beta", Type::Number, 0.5, "rate of the gradients' moving average", 0, 1},
           {"beta_sigma", Type::Number, 0.5, "decay of beta: beta / step^sigma", 0, 10},
           {"gamma", Type::Number, 0.1, "learning rate of the weights", 0, 100},
           {"gamma_sigma", Type::Number, 0.5, "decay of gamma: gamma / step^sigma", 0, 10},
           {"rho", Type::Number, 0.0, "ℓ2 regularisation of the weights' update", 0, 100}}},
         makeMoCo},
        {{"excess_mtl",
          "ExcessMTL (He et al. 2024): loss weights that grow with each task's estimated excess "
          "risk; the whole model trains on Σ w·L",
          {{"step_size", Type::Number, 1e-2, "robust step size η of the weights' update", 0, 10},
           gradientsOption()}},
         makeExcessMtl},
        {{"sdmgrad",
          "SDMGrad (Xiao et al. 2023): direction-oriented MGDA with weights estimated without "
          "bias from two independent batches and the direction from a third (shared parameters "
          "only; 3 batches per step)",
          {{"lambda", Type::Number, 0.3, "pull λ towards the mean gradient (0: stochastic MGDA)", 0,
            100},
           {"iterations", Type::Integer, 20, "projected SGD steps on the weights per step", 1,
            1000}}},
         makeSdmGrad},
        {{"modo",
          "MoDo (Chen et al. 2023): multi-objective gradient with double sampling: the weights "
          "from two independent batches, the direction from a third (shared parameters only; 3 "
          "batches per step)",
          {{"gamma", Type::Number, 1e-3, "learning rate of the weights", 0, 100},
           {"rho", Type::Number, 0.1, "ℓ2 regularisation of the weights' update", 0, 100}}},
         makeModo},
        {{"auto_lambda",
          "Auto-λ (Liu et al. 2022): task weights meta-learnt so that a virtual step on the "
          "batch lowers the primary tasks' loss on a second batch (2 batches per step)",
          {{"init", Type::Number, 0.1, "every weight's starting value", 1e-6, 1e3},
           {"lr", Type::Number, 1e-4, "learning rate of the weights' own Adam", 0, 10},
           {"primary", Type::String, "",
            "comma-separated tasks (or task.term) whose meta-batch loss the weights lower; "
            "empty: every task (the multi-task setting)"}}},
         makeAutoLambda},
        {{"moml",
          "MOML (Ye et al. 2021): softmax task weights meta-learnt so that a virtual step on "
          "the batch lowers every task's loss on a second batch, the tasks' hypergradients "
          "combined by MGDA (2 batches per step)",
          {{"inner_lr", Type::Number, 0.1, "learning rate η of the virtual SGD step", 0, 100},
           {"lr", Type::Number, 1e-3, "learning rate of the weights' own Adam", 0, 10}}},
         makeMoml},
        {{"forum",
          "FORUM (Ye et al. 2024): first-order multi-objective bilevel optimisation: softmax "
          "task weights and the model along a multi-gradient of the tasks' losses on a second "
          "batch, constrained by the lower level's optimality (2 batches per step)",
          {{"phi", Type::Number, 0.1, "how much each step must lower the lower level's gap", 0,
            100},
           {"inner_steps", Type::Integer, 5, "virtual SGD steps of the lower level per step", 1,
            100},
           {"inner_lr", Type::Number, 0.1, "learning rate of those steps", 0, 100},
           {"lr", Type::Number, 1e-3, "learning rate of the weights' own Adam", 0, 10}}},
         makeForum},
        {{"stch",
          "STCH (Lin et al. 2024): smooth Tchebycheff scalarisation of the log-losses against "
          "the warm-up's mean losses",
          {{"mu", Type::Number, 1.0, "smoothing μ: smaller is closer to the max of the losses",
            1e-3, 1e3},
           {"warmup_epochs", Type::Integer, 5,
            "epochs trained on Σ log L first; the last one's mean losses are the nadir point", 1,
            1000}}},
         makeStch},
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
