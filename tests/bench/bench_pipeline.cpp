// Reads a dataset's train split through the decoding pipeline as the trainer would (the
// "input" section of a config, training transforms on) without training, and prints
//   {"images": N, "seconds": S, "images_per_s": R, "workers": W, "cached": C}
// Usage: mtl_bench_pipeline PROJECT DATASET INPUT_JSON [--epochs N] [--workers N]
//                           [--batch-size B] [--cache-mb M]
// INPUT_JSON is the object the config's "input" key holds, e.g. '{"crop": "random", …}'.

#include "common/clock.h"
#include "common/error.h"
#include "data/pipelinesource.h"
#include "data/splitimages.h"
#include "store/project.h"
#include "train/catalog.h"

#include <torch/types.h>
#include <torch/utils.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>

using namespace mtl;

int main(int argc, char **argv)
{
    if (argc < 4) {
        std::fprintf(stderr,
                     "usage: %s PROJECT DATASET INPUT_JSON [--epochs N] [--workers N] "
                     "[--batch-size B] [--cache-mb M]\n",
                     argv[0]);
        return 2;
    }
    int epochs = 1, workers = 2, batchSize = 128, cacheMb = -1;
    for (int i = 4; i + 1 < argc; i += 2) {
        const std::string flag = argv[i];
        const int value = std::atoi(argv[i + 1]);
        if (flag == "--epochs")
            epochs = value;
        else if (flag == "--workers")
            workers = value;
        else if (flag == "--batch-size")
            batchSize = value;
        else if (flag == "--cache-mb")
            cacheMb = value;
        else {
            std::fprintf(stderr, "unknown option %s\n", flag.c_str());
            return 2;
        }
    }
    try {
        torch::set_num_threads(1);
        store::Project project(argv[1], store::Project::OpenMode::ReadOnly);
        const auto dataset = project.datasets().find(argv[2]);
        if (!dataset)
            throw Error(ErrorCode::NotFound, std::string("no dataset ") + argv[2]);
        // A minimal config around the input object: the parser checks it as for a run.
        const nlohmann::json config = {
            {"name", "bench"},
            {"dataset", dataset->name},
            {"tasks", {{{"name", "t"}, {"type", "classification"}, {"label", "class"}}}},
            {"input", nlohmann::json::parse(argv[3])}};
        data::InputOptions input = train::parseExperiment(config.dump(), "<input>").input;
        if (cacheMb >= 0)
            input.cacheMb = cacheMb;
        auto split = std::make_shared<data::PipelineSplit>();
        auto images = std::make_shared<data::SplitImages>(
            data::SplitImages::load(project, *dataset, "train"));
        auto labels = std::make_shared<data::MemorySplit>();
        labels->sampleIds = images->sampleIds();
        if (images->decodes() && input.cacheMb > 0)
            split->cache =
                std::make_shared<data::DecodedCache>(images->size(), images->sampleBytes(),
                                                     static_cast<std::size_t>(input.cacheMb) << 20);
        split->images = images;
        split->labels = labels;
        // Timed from here: the worker threads start, decode and transform; the project was read.
        const auto started = std::chrono::steady_clock::now();
        data::PipelineBatchSource source(
            split, data::Selection::all(), batchSize, false,
            data::InputTransform(input, {dataset->channels, dataset->height, dataset->width}, true,
                                 dataset->pixelMean, dataset->pixelStd),
            {workers, input.prefetch});
        std::int64_t seen = 0;
        double checksum = 0;
        for (int e = 1; e <= epochs; ++e) {
            source.startEpoch(0, e);
            while (auto batch = source.next()) {
                seen += batch->size();
                checksum += batch->images[0][0][0][0].item<double>();
            }
        }
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        const nlohmann::json result = {{"images", seen},
                                       {"seconds", seconds},
                                       {"images_per_s", seen / seconds},
                                       {"workers", workers},
                                       {"epochs", epochs},
                                       {"cached", split->cache ? split->cache->capacity() : 0},
                                       {"checksum", checksum}};
        std::printf("%s\n", result.dump().c_str());
    } catch (const std::exception &e) {
        std::fprintf(stderr, "mtl_bench_pipeline: %s\n", e.what());
        return 1;
    }
    return 0;
}
