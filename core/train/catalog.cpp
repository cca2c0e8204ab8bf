#include "train/catalog.h"

#include "model/factory.h"
#include "train/optimizer.h"
#include "train/probe.h"
#include "train/task.h"
#include "train/weighting.h"

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

} // namespace mtl::train
