#include "train/catalog.h"

#include "model/factory.h"
#include "train/optimizer.h"
#include "train/probe.h"
#include "train/schedule.h"
#include "train/task.h"
#include "train/weighting.h"

#include <sstream>

namespace mtl::train {

const experiment::Catalog &catalog()
{
    static const experiment::Catalog built = [] {
        experiment::Catalog c;
        c.backbones = model::backbones().specs();
        c.sharings = model::sharings().specs();
        c.taskTypes = taskTypes().specs();
        c.weightings = weightingMethods().specs();
        c.optimizers = optimizers().specs();
        c.schedulers = schedules().specs();
        c.probes = probeTypes().specs();
        return c;
    }();
    return built;
}

experiment::ExperimentConfig parseExperiment(const std::string &text, const std::string &source)
{
    return experiment::ExperimentConfig::parse(text, source, catalog());
}

experiment::ExperimentConfig loadExperiment(const std::string &spec,
                                            const std::vector<std::string> &overrides)
{
    std::string source;
    const std::string text = experiment::readExperimentText(spec, source);
    return parseExperiment(experiment::applyOverrides(text, overrides, source), source);
}

std::string architectureText(const experiment::ModelConfig &model)
{
    const experiment::Catalog &c = catalog();
    return experiment::describePart(model.backbone, model.backboneOptions, c.backbones) + " · " +
           experiment::describePart(model.sharing, model.sharingOptions, c.sharings);
}

std::string weightingText(const experiment::WeightingConfig &weighting)
{
    return experiment::describePart(weighting.method, weighting.options, catalog().weightings);
}

std::string trainingText(const experiment::ExperimentConfig &config)
{
    const auto number = [](double value) {
        std::ostringstream text;
        text << value;
        return text.str();
    };
    const experiment::OptimizerConfig &o = config.optimizer;
    const std::string described = experiment::describePart(o.name, o.options, catalog().optimizers);
    std::string text = o.name + " lr " + number(o.lr) + described.substr(o.name.size());
    if (o.weightDecay > 0)
        text += ", weight_decay " + number(o.weightDecay);
    if (config.scheduler.name != "none")
        text += " · " + experiment::describePart(config.scheduler.name, config.scheduler.options,
                                                 catalog().schedulers);
    if (o.clipNorm > 0)
        text += " · clip_norm " + number(o.clipNorm);
    const experiment::TrainConfig &tc = config.train;
    if (tc.patience > 0) {
        text +=
            " · early stopping on val " + tc.monitor + " (patience " + std::to_string(tc.patience);
        if (tc.minDelta > 0)
            text += ", min_delta " + number(tc.minDelta);
        text += ")";
    }
    if (tc.keepBest)
        text += " · keep best by val " + tc.monitor;
    return text;
}

} // namespace mtl::train
