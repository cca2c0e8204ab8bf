// mtlstudio-cli: the headless front end. Its subcommands, flags, exit codes and --json output
// are a contract other tools script against (README.md, docs/CLI.md).

#include "commands.h"

#include "common/allocator.h"
#include "common/registry.h"
#include "common/utf8.h"
#include "data/importer.h"
#include "train/catalog.h"
#include "train/trainer.h"

#include <CLI/CLI.hpp>

#include <csignal>
#include <cstdio>

#include <unistd.h>

namespace {

using namespace mtl;
using namespace cli;

extern "C" void onSignal(int signal)
{
    g_interrupted.store(true);
    if (train::Trainer *trainer = g_trainer.load())
        trainer->requestStop();
    // A second Ctrl-C ends the process at once.
    std::signal(signal, SIG_DFL);
}

// SIGUSR1: finish the epoch being trained, validate and checkpoint it, then stop (resumable).
extern "C" void onStopAfterEpoch(int)
{
    if (train::Trainer *trainer = g_trainer.load()) {
        trainer->requestStopAfterEpoch();
        static const char text[] = "\nSIGUSR1: stopping after this epoch\n";
        [[maybe_unused]] const auto written = write(2, text, sizeof text - 1);
    }
}

} // namespace

int main(int argc, char **argv)
{
    tuneAllocator();
    CLI::App app{"MTL Studio command line: import datasets, train multi-task models and list "
                 "results in a project file (*.mtlproj), without a display.\n"
                 "Exit codes: 0 ok, 2 bad usage or input, 3 the run failed, 130 interrupted."};
    app.name("mtlstudio-cli");
    app.set_version_flag("--version", std::string("mtlstudio-cli ") + MTL_VERSION);
    app.require_subcommand(1);
    app.fallthrough(false);

    ImportArgs importArgs;
    auto *import =
        app.add_subcommand("import", "Import a dataset into PROJECT (created when missing). "
                                     "An import is all or nothing.");
    import->add_option("PROJECT", importArgs.project, "Project file (*.mtlproj)")->required();
    import
        ->add_option("--name", importArgs.name,
                     "Dataset name; importing another split under "
                     "the same name appends to it")
        ->required();
    import
        ->add_option("--format", importArgs.format,
                     "idx: MNIST-style IDX files (--images, --labels, --split); "
                     "fashion-mnist: both splits of Debian's dataset-fashion-mnist with class "
                     "names, groups and attributes; multi-fashion: MultiFashion made from "
                     "them (two garments per 36×36 image, tasks left and right); "
                     "fashion-scenes: 64×64 scenes of 2–4 garments with semantic, depth and "
                     "normals maps; csv: an image folder (--root) and a CSV/TSV table "
                     "(--table); celeba: CelebA's list_attr_celeba.txt (--table, --root, "
                     "--partition); awa: Animals with Attributes 2 (--root); folders: one "
                     "sub-folder per class (--root); nyuv2, cityscapes: the layouts the MTAN "
                     "and LibMTL code read, train/ and val/ with image/, label/, depth/ (and "
                     "normal/) of .npy or PNG files (--root)")
        ->check(CLI::IsMember(data::importFormats()))
        ->capture_default_str();
    import->add_option("--images", importArgs.images, "IDX images file (.gz or plain)");
    import->add_option("--labels", importArgs.labels, "IDX labels file (.gz or plain)");
    import->add_option("--split", importArgs.split, "Split to import into (train, test, ...)")
        ->capture_default_str();
    import->add_option("--class-names", importArgs.classNames,
                       "Text file, one class name per line; line 1 names class 0 (nyuv2, "
                       "cityscapes: the segmentation classes; default NYUv2's 13, Cityscapes' 7 "
                       "or 19)");
    import->add_option("--class-attributes", importArgs.classAttributes,
                       "CSV, one row per class: class name or index, then one column per "
                       "attribute (0/1 or a category name)");
    import->add_option("--attribute-groups", importArgs.attributeGroups,
                       "CSV with a header row, then one row per grouped attribute: attribute "
                       "name, group name (model.sharing_options.groups \"dataset\" of mtl_cnn)");
    import->add_option("--dir", importArgs.dir,
                       "Directory with the Fashion-MNIST *-idx?-ubyte.gz files "
                       "(default /usr/share/datasets/fashion-mnist)");
    import->add_option("--root", importArgs.root,
                       "csv, celeba, folders: the folder image paths are relative to (paths may "
                       "not leave it); awa: the AwA2 folder; nyuv2, cityscapes: the folder "
                       "holding train/ and val/");
    import->add_option("--table", importArgs.table,
                       "csv: the CSV or TSV table (a header row, a path column, label columns); "
                       "celeba: list_attr_celeba.txt");
    import->add_option("--partition", importArgs.partition,
                       "celeba: list_eval_partition.txt (0/1/2 → train/val/test; without it "
                       "every image goes to --split)");
    import->add_option("--path-column", importArgs.pathColumn,
                       "csv: the column of image paths (default: a column named path, file, "
                       "filename, image or image_path, else the first)");
    import->add_option("--split-column", importArgs.splitColumn,
                       "csv: the column naming each row's split (without it every row goes to "
                       "--split)");
    import->add_option("--resize", importArgs.resize,
                       "csv, celeba, awa, folders: WIDTHxHEIGHT every image is resized to for "
                       "training; without it the images must all be one size");
    import
        ->add_option("--on-error", importArgs.onError,
                     "csv, celeba, awa, folders, nyuv2, cityscapes: fail (default) stops at "
                     "the first bad row or sample and imports nothing; skip leaves them out and "
                     "lists them in the import log (datasets PROJECT --log NAME)")
        ->check(CLI::IsMember({"fail", "skip"}));
    import
        ->add_option("--classes", importArgs.classes,
                     "cityscapes: 7 (label_7/ or label/, the default) or 19 (label_19/) "
                     "segmentation classes")
        ->check(CLI::IsMember({"7", "19"}));
    import->add_option("--depth-scale", importArgs.depthScale,
                       "nyuv2, cityscapes: metres per unit of a 16-bit depth PNG (default "
                       "0.001: millimetres; .npy depth is taken as it is)");
    import
        ->add_option("--seed", importArgs.seed,
                     "multi-fashion, fashion-scenes: seed of the pairing or placing of garments "
                     "(the same seed makes the same dataset)")
        ->capture_default_str();
    import
        ->add_option("--count", importArgs.count,
                     "multi-fashion: at most this many samples per split (0: as many as "
                     "Fashion-MNIST has, 60000 and 10000); fashion-scenes: training scenes, "
                     "the test split gets a fifth as many (0: 10000 and 2000)")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    import->add_flag("--json", importArgs.json, "Print a JSON summary as the last line of stdout");

    std::string datasetsProject;
    bool datasetsJson = false;
    auto *datasets = app.add_subcommand("datasets", "List the datasets in PROJECT");
    datasets->add_option("PROJECT", datasetsProject, "Project file (*.mtlproj)")->required();
    datasets->add_flag("--json", datasetsJson, "Print one JSON object on stdout");
    std::string relocateProject, relocateDataset, relocateRoot;
    auto *relocate = app.add_subcommand(
        "relocate", "Point a dataset of image files (csv, celeba, awa, folders) at the folder "
                    "its images moved to");
    relocate->add_option("PROJECT", relocateProject, "Project file (*.mtlproj)")->required();
    relocate->add_option("--dataset", relocateDataset, "Dataset name")->required();
    relocate
        ->add_option("--root", relocateRoot,
                     "The folder the images are in now (checked: it must hold them)")
        ->required();
    LabelsArgs labelsArgs;
    auto *labels = app.add_subcommand(
        "labels", "Export a dataset's labels to a CSV table, apply corrections from one, or "
                  "undo, redo and list the corrections (each --apply is one step)");
    labels->add_option("PROJECT", labelsArgs.project, "Project file (*.mtlproj)")->required();
    labels->add_option("--dataset", labelsArgs.dataset, "Dataset name")->required();
    auto *exportOption =
        labels
            ->add_option("--export", labelsArgs.exportTo,
                         "Write sample,split,path and one column per label column to FILE "
                         "(category names, 0/1, empty: no label)")
            ->type_name("FILE");
    labels->add_option("--split", labelsArgs.split, "With --export: only this split")
        ->needs(exportOption);
    auto *applyOption =
        labels
            ->add_option("--apply", labelsArgs.applyFrom,
                         "Change every label FILE gives differently (samples by 'sample' id or "
                         "'path'; an empty cell keeps the label, - removes it), in one "
                         "transaction")
            ->type_name("FILE");
    auto *undoFlag = labels->add_flag("--undo", labelsArgs.undo, "Undo the newest step");
    auto *redoFlag = labels->add_flag("--redo", labelsArgs.redo, "Redo the step undone last");
    auto *historyFlag = labels->add_flag("--history", labelsArgs.history,
                                         "List every edit: step, time, sample, old → new");
    for (CLI::Option *a : {exportOption, applyOption, undoFlag, redoFlag, historyFlag})
        for (CLI::Option *b : {exportOption, applyOption, undoFlag, redoFlag, historyFlag})
            if (a != b)
                a->excludes(b);
    labels->add_flag("--json", labelsArgs.json, "Print a JSON summary as the last line of stdout");
    std::string datasetsLog;
    datasets->add_option("--log", datasetsLog,
                         "Print the import log of this dataset: each import, and the rows "
                         "--on-error skip left out");

    TrainArgs trainArgs;
    auto *trainCmd = app.add_subcommand(
        "train", "Train the experiment described by a config file (docs/CONFIG.md), or continue "
                 "a stopped run with --resume. Ctrl-C stops at the next batch, saves the model "
                 "and exits with 130; SIGUSR1 stops after the current epoch (validated and "
                 "checkpointed).");
    trainCmd->add_option("PROJECT", trainArgs.project, "Project file (*.mtlproj)")->required();
    auto *configOption =
        trainCmd
            ->add_option("--config", trainArgs.configs,
                         "Experiment config (JSON), or example:NAME for a built-in example (" +
                             joinNames(experiment::exampleExperiments()) +
                             "). Repeat it to queue experiments: they run one after another, "
                             "each with the --set overrides; all are checked before the first "
                             "starts, a failed run does not stop the queue, a stop request does")
            ->type_name("FILE")
            ->allow_extra_args(false);
    auto *resumeOption = trainCmd->add_option(
        "--resume", trainArgs.resume,
        "Continue run RUN (stopped, interrupted or failed) from its latest checkpoint, with its "
        "own config, instead of starting a new run");
    resumeOption->type_name("RUN")->excludes(configOption);
    auto *setOption = trainCmd
                          ->add_option("--set", trainArgs.overrides,
                                       "Override a config key, e.g. --set train.epochs=3 or --set "
                                       "tasks[0].label=class (repeatable, one KEY=VALUE each)")
                          ->allow_extra_args(false);
    setOption->excludes(resumeOption);
    trainCmd->add_flag("--json", trainArgs.json,
                       "Print {\"run_id\", \"status\", \"metrics\", \"images_per_s\", ...} as the "
                       "last line of stdout; a queue prints one such line per experiment, with "
                       "its \"config\"");
    trainCmd->add_flag("--preloaded", trainArgs.preloaded,
                       "Benchmark aid: prepare each epoch's batches before timing it");

    std::string runsProject;
    bool runsJson = false;
    auto *runs = app.add_subcommand("runs", "List the runs in PROJECT with their status");
    runs->add_option("PROJECT", runsProject, "Project file (*.mtlproj)")->required();
    runs->add_flag("--json", runsJson, "Print one JSON object on stdout");

    CompareArgs compareArgs;
    auto *compare = app.add_subcommand(
        "compare", "Print the final metrics of runs side by side with Δp (LibMTL's convention, "
                   "positive is better) and Δm (Nash-MTL/FAMO's, positive is worse) against a "
                   "baseline run on the same data (docs/METRICS.md)");
    compare->add_option("PROJECT", compareArgs.project, "Project file (*.mtlproj)")->required();
    compare->add_option("--runs", compareArgs.runs, "Runs to compare, e.g. --runs 4,5,7")
        ->type_name("RUN,...")
        ->required()
        ->delimiter(',')
        ->check(CLI::PositiveNumber);
    compare
        ->add_option("--baseline", compareArgs.baseline,
                     "The run the others are measured against (default: the newest completed "
                     "run with model.sharing independent and the same tasks)")
        ->type_name("RUN")
        ->check(CLI::PositiveNumber);
    compare->add_flag("--json", compareArgs.json, "Print one JSON object on stdout");

    bool partsJson = false;
    auto *parts = app.add_subcommand(
        "parts", "List what an experiment config can name: backbones, sharing strategies, task "
                 "types, weighting methods, optimizers, schedulers, probes (with their options), "
                 "and the "
                 "import formats");
    parts->add_flag("--json", partsJson, "Print one JSON object on stdout");

    const experiment::Catalog &catalog = train::catalog();
    using experiment::partNames;
    app.footer("Examples:\n"
               "  mtlstudio-cli import demo.mtlproj --name fashion-mnist --format fashion-mnist\n"
               "  mtlstudio-cli train demo.mtlproj --config example:fmnist-hps --json\n"
               "  mtlstudio-cli compare demo.mtlproj --runs 2,3 --baseline 1\n"
               "Known: backbones " +
               joinNames(partNames(catalog.backbones)) + "; sharing " +
               joinNames(partNames(catalog.sharings)) + "; task types " +
               joinNames(partNames(catalog.taskTypes)) + "; weighting " +
               joinNames(partNames(catalog.weightings)) + "; optimizers " +
               joinNames(partNames(catalog.optimizers)) + "; schedulers " +
               joinNames(partNames(catalog.schedulers)) + "; probes " +
               joinNames(partNames(catalog.probes)) + ".");

    if (argc > 1 && argv[1][0] != '-') {
        bool known = false;
        std::string names;
        for (const CLI::App *sub : app.get_subcommands([](CLI::App *) { return true; })) {
            known |= sub->get_name() == argv[1];
            names += (names.empty() ? "" : ", ") + sub->get_name();
        }
        if (!known) {
            std::fprintf(stderr, "mtlstudio-cli: unknown subcommand '%s' (known: %s; see --help)\n",
                         argv[1], names.c_str());
            return BadInput;
        }
    }
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp &e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp &e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion &e) {
        return app.exit(e);
    } catch (const CLI::ParseError &e) {
        std::string message = e.what();
        std::fprintf(stderr, "mtlstudio-cli: %s (see --help)\n", message.c_str());
        return BadInput;
    }

    std::signal(SIGINT, onSignal);
    std::signal(SIGTERM, onSignal);
    std::signal(SIGUSR1, onStopAfterEpoch);
    try {
        // Text that would be stored in the project or printed as JSON must be UTF-8: refused
        // here, naming the argument, before anything is opened.
        const std::vector<std::pair<const char *, const std::string *>> texts{
            {"PROJECT", &importArgs.project},
            {"--name", &importArgs.name},
            {"--split", &importArgs.split},
            {"--images", &importArgs.images},
            {"--labels", &importArgs.labels},
            {"--class-names", &importArgs.classNames},
            {"--class-attributes", &importArgs.classAttributes},
            {"--attribute-groups", &importArgs.attributeGroups},
            {"--dir", &importArgs.dir},
            {"--root", &importArgs.root},
            {"--table", &importArgs.table},
            {"--partition", &importArgs.partition},
            {"--path-column", &importArgs.pathColumn},
            {"--split-column", &importArgs.splitColumn},
            {"--classes", &importArgs.classes},
            {"--depth-scale", &importArgs.depthScale},
            {"PROJECT", &datasetsProject},
            {"--log", &datasetsLog},
            {"PROJECT", &relocateProject},
            {"--dataset", &relocateDataset},
            {"--root", &relocateRoot},
            {"PROJECT", &labelsArgs.project},
            {"--dataset", &labelsArgs.dataset},
            {"--export", &labelsArgs.exportTo},
            {"--apply", &labelsArgs.applyFrom},
            {"--split", &labelsArgs.split},
            {"PROJECT", &runsProject},
            {"PROJECT", &compareArgs.project},
            {"PROJECT", &trainArgs.project},
        };
        for (const auto &[name, text] : texts)
            requireUtf8(*text, name);
        for (const std::string &config : trainArgs.configs)
            requireUtf8(config, "--config");
        for (const std::string &item : trainArgs.overrides)
            requireUtf8(item, "--set");
        if (*import)
            return runImport(importArgs);
        if (*relocate)
            return runRelocate(relocateProject, relocateDataset, relocateRoot);
        if (*labels) {
            if (labelsArgs.exportTo.empty() && labelsArgs.applyFrom.empty() && !labelsArgs.undo &&
                !labelsArgs.redo && !labelsArgs.history) {
                std::fprintf(stderr, "mtlstudio-cli labels: say what to do: --export FILE, "
                                     "--apply FILE, --undo, --redo or --history\n");
                return BadInput;
            }
            return runLabels(labelsArgs);
        }
        if (*datasets)
            return runDatasets(datasetsProject, datasetsJson, datasetsLog);
        if (*trainCmd)
            return runTrain(trainArgs);
        if (*runs)
            return runRuns(runsProject, runsJson);
        if (*parts)
            return runParts(partsJson);
        if (*compare)
            return runCompare(compareArgs);
    } catch (const Error &e) {
        std::fprintf(stderr, "mtlstudio-cli: %s\n", e.what());
        return exitCodeFor(e);
    } catch (const std::exception &e) {
        std::fprintf(stderr, "mtlstudio-cli: %s\n", e.what());
        return RunFailed;
    }
    return BadInput;
}
