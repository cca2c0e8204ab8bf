#include "train/checkpointer.h"

#include "model/multitask.h"
#include "train/monitor.h"
#include "train/probe.h"
#include "train/schedule.h"
#include "train/weighting.h"

#include <ATen/Context.h>
#include <torch/optim/optimizer.h>
#include <torch/serialize/archive.h>

#include <functional>
#include <sstream>

namespace mtl::train {

namespace {
std::string serialize(const std::function<void(torch::serialize::OutputArchive &)> &save)
{
    torch::serialize::OutputArchive archive;
    save(archive);
    std::ostringstream out;
    archive.save_to(out);
    return out.str();
}

void deserialize(const std::string &bytes, const c10::Device &device,
                 const std::function<void(torch::serialize::InputArchive &)> &load)
{
    std::istringstream in(bytes);
    torch::serialize::InputArchive archive;
    archive.load_from(in, device);
    load(archive);
}

at::Generator generatorOf(const c10::Device &device)
{
    return at::globalContext().defaultGenerator(device.is_cuda() ? device : c10::Device(c10::kCPU));
}
} // namespace

Checkpointer::Checkpointer(model::MultiTaskModelImpl &model, torch::optim::Optimizer &optimizer,
                           WeightingMethod &weighting, std::vector<Probe *> probes,
                           const c10::Device &device)
    : m_model(model)
    , m_optimizer(optimizer)
    , m_weighting(weighting)
    , m_probes(std::move(probes))
    , m_device(device)
{}

void Checkpointer::setControl(Schedule *schedule, EpochMonitor *monitor)
{
    m_schedule = schedule;
    m_monitor = monitor;
}

store::Checkpoint Checkpointer::capture(int epoch, std::int64_t step) const
{
    store::Checkpoint checkpoint;
    checkpoint.epoch = epoch;
    checkpoint.step = step;
    checkpoint.model = serialize([&](auto &a) { m_model.save(a); });
    checkpoint.optimizer = serialize([&](auto &a) { m_optimizer.save(a); });
    checkpoint.state = serialize([&](torch::serialize::OutputArchive &a) {
        torch::serialize::OutputArchive weighting;
        m_weighting.save(weighting);
        a.write("weighting", weighting);
        a.write("rng", generatorOf(m_device).get_state());
        nlohmann::json probes = nlohmann::json::object();
        for (const Probe *probe : m_probes)
            probes[probe->name()] = probe->saveState();
        a.write("probes", c10::IValue(probes.dump()));
        nlohmann::json control = nlohmann::json::object();
        if (m_schedule)
            control["schedule"] = m_schedule->saveState();
        if (m_monitor)
            control["monitor"] = m_monitor->saveState();
        a.write("control", c10::IValue(control.dump()));
    });
    return checkpoint;
}

void Checkpointer::restore(const store::Checkpoint &checkpoint)
{
    deserialize(checkpoint.model, m_device, [&](auto &a) { m_model.load(a); });
    deserialize(checkpoint.optimizer, m_device, [&](auto &a) { m_optimizer.load(a); });
    if (checkpoint.state.empty())
        return;
    deserialize(checkpoint.state, m_device, [&](torch::serialize::InputArchive &a) {
        torch::serialize::InputArchive weighting;
        a.read("weighting", weighting);
        m_weighting.load(weighting);
        at::Tensor rng;
        a.read("rng", rng);
        generatorOf(m_device).set_state(rng.cpu());
        c10::IValue probes;
        a.read("probes", probes);
        const nlohmann::json states = nlohmann::json::parse(probes.toStringRef());
        for (Probe *probe : m_probes)
            if (states.contains(probe->name()))
                probe->loadState(states.at(probe->name()));
        // Checkpoints before schema version 5 carry no schedule or early-stopping state.
        c10::IValue control;
        if (a.try_read("control", control)) {
            const nlohmann::json state = nlohmann::json::parse(control.toStringRef());
            if (m_schedule && state.contains("schedule"))
                m_schedule->loadState(state.at("schedule"));
            if (m_monitor && state.contains("monitor"))
                m_monitor->loadState(state.at("monitor"));
        }
    });
}

void Checkpointer::restoreModel(const store::Checkpoint &checkpoint)
{
    deserialize(checkpoint.model, m_device, [&](auto &a) { m_model.load(a); });
}

} // namespace mtl::train
