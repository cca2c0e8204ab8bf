#!/usr/bin/env python3
"""Fills translations/mtlstudio_zh_CN.ts from the table below after `cmake --build build
--target update_translations` has added new source strings. Strings missing here stay
unfinished (shown in English) and are listed on stdout."""
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ZH = {
    'MTL Studio, a workbench for multi-task learning in computer vision.': 'MTL Studio：计算机视觉多任务学习工作台。',
    'Project file to open (*.mtlproj).': '要打开的项目文件 (*.mtlproj)。',
    'Start training CONFIG (a JSON file or example:NAME) once the project is open.': '项目打开后开始训练 CONFIG（JSON 文件或 example:NAME）。',
    'Override a config key for --train, e.g. train.max_steps_per_epoch=50 (repeatable).': '覆盖 --train 的配置项，例如 train.max_steps_per_epoch=50（可重复）。',
    'Save a PNG of the window once the project is shown (after the run with --train).': '项目显示后（使用 --train 时在训练结束后）保存窗口截图 PNG。',
    'Quit after --train and --screenshot are done (exit code 0 when the run completed).': '--train 和 --screenshot 完成后退出（训练完成时退出码为 0）。',
    'MTL Studio projects (*.mtlproj)': 'MTL Studio 项目 (*.mtlproj)',
    'MTL Studio': 'MTL Studio',
    'Importing: %1': '正在导入：%1',
    'Import cancelled; the project is unchanged.': '导入已取消，项目未改动。',
    'Import failed': '导入失败',
    '%1\n\nThe project is unchanged.': '%1\n\n项目未改动。',
    '&New Project…': '新建项目(&N)…',
    'Create an empty project file (*.mtlproj)': '创建空项目文件 (*.mtlproj)',
    '&Open Project…': '打开项目(&O)…',
    'Open a project file (*.mtlproj)': '打开项目文件 (*.mtlproj)',
    '&Import Fashion-MNIST': '导入 Fashion-MNIST(&I)',
    "Import the 70,000 Fashion-MNIST images of Debian's dataset-fashion-mnist package with their class, group and visual attribute labels": '从 Debian 的 dataset-fashion-mnist 软件包导入 70,000 张 Fashion-MNIST 图像及其类别、分组和视觉属性标签',
    '&Train': '训练(&T)',
    'Train the example experiment fmnist-hps: 10 classes and 3 groups of Fashion-MNIST with one shared small CNN and a head per task': '训练示例实验 fmnist-hps：用一个共享的小型 CNN 和每个任务一个输出头，学习 Fashion-MNIST 的 10 个类别和 3 个分组',
    'Train from Config &File…': '从配置文件训练(&F)…',
    'Train an experiment described by a JSON config (keys in docs/CONFIG.md)': '训练 JSON 配置描述的实验（配置项见 docs/CONFIG.md）',
    '&Pause': '暂停(&P)',
    'Pause training after the current batch; press again to resume': '在当前批次后暂停训练；再按一次继续',
    '&Resume': '继续(&R)',
    'Pausing after the current batch…': '将在当前批次后暂停…',
    'Resumed': '已继续',
    '&Resume Selected Run': '继续所选运行(&R)',
    'Continue the selected stopped, interrupted or failed run from its latest checkpoint, as the same run': '从最近的检查点继续所选的已停止、已中断或失败的运行，仍作为同一运行',
    'Cannot resume': '无法继续',
    ' · resumed from its checkpoint at step %1': ' · 从第 %1 步的检查点继续',
    'Select a stopped, interrupted or failed run first.': '请先选择一个已停止、已中断或失败的运行。',
    'paused at step %1 of %2 · F6 resumes': '已在第 %1/%2 步暂停 · 按 F6 继续',
    '&Stop': '停止(&S)',
    "Stop after the current batch, keeping the model trained so far as the run's checkpoint": '在当前批次后停止，并把已训练的模型保存为该运行的检查点',
    'Stopping after the current batch…': '将在当前批次后停止…',
    '&Refresh': '刷新(&R)',
    'Re-read the project file (runs started from the command line appear here)': '重新读取项目文件（从命令行启动的运行会显示在这里）',
    '&Quit': '退出(&Q)',
    '&File': '文件(&F)',
    'Open &Recent': '最近打开(&R)',
    '&Run': '运行(&R)',
    'Train &Example': '训练示例(&E)',
    '&View': '视图(&V)',
    '&Help': '帮助(&H)',
    '&About MTL Studio': '关于 MTL Studio(&A)',
    'About &Qt': '关于 &Qt',
    'Main': '主工具栏',
    'Datasets': '数据集',
    'Runs': '运行',
    'Training loss per task': '各任务训练损失',
    'step': '步',
    'loss': '损失',
    'Validation accuracy per task': '各任务验证准确率',
    'epoch': '轮次',
    'accuracy': '准确率',
    'Open a project (Ctrl+O) or create one (Ctrl+N).': '打开项目 (Ctrl+O) 或新建项目 (Ctrl+N)。',
    'No datasets yet. Import Fashion-MNIST (Ctrl+I), or import your own with mtlstudio-cli import.': '还没有数据集。导入 Fashion-MNIST (Ctrl+I)，或用 mtlstudio-cli import 导入自己的数据。',
    'Cannot open a project': '无法打开项目',
    'Wait for the current job to finish.': '请等待当前任务结束。',
    '%n run(s) of a process that no longer exists marked interrupted.': '已将 %n 个所属进程已不存在的运行标记为中断。',
    'Cannot open project': '无法打开项目',
    '%1 — MTL Studio': '%1 — MTL Studio',
    'Cannot read project': '无法读取项目',
    'Clear List': '清除列表',
    'New Project': '新建项目',
    '%1 already exists. Open it with File ▸ Open Project.': '%1 已存在。请用 文件 ▸ 打开项目 打开它。',
    'Open Project': '打开项目',
    'Importing Fashion-MNIST…': '正在导入 Fashion-MNIST…',
    'Import Fashion-MNIST': '导入 Fashion-MNIST',
    "Imported %1 images into '%2' in %3 s.": '已在 %3 秒内将 %1 张图像导入“%2”。',
    'Cannot train': '无法训练',
    'Open or create a project first.': '请先打开或新建项目。',
    'Bad experiment config': '实验配置有误',
    'Dataset missing': '缺少数据集',
    "This project has no dataset 'fashion-mnist'. Import it from Debian's Fashion-MNIST package now? Press Train again when the import is done.": '此项目没有数据集“fashion-mnist”。现在从 Debian 的 Fashion-MNIST 软件包导入吗？导入完成后请再次点击训练。',
    "The project has no dataset '%1'. Import it first.": '项目中没有数据集“%1”。请先导入。',
    'Loading %1 and building the model…': '正在加载 %1 并构建模型…',
    'Starting…': '正在启动…',
    'Train from Config File': '从配置文件训练',
    'Experiment configs (*.json)': '实验配置 (*.json)',
    '%1 · %2 · %3 training / %4 validation images, %n epoch(s) of %5 steps; final evaluation on %6': '%1 · %2 · %3 张训练 / %4 张验证图像，%n 轮，每轮 %5 步；最终在 %6 上评估',
    'Waiting for the first step…': '等待第一步…',
    'Validation runs at the end of each epoch': '每轮结束时进行验证',
    'step %1/%2 · epoch %3/%4 · %5 img/s · ETA %6': '第 %1/%2 步 · 第 %3/%4 轮 · %5 张/秒 · 剩余 %6',
    'evaluating on the test split… %1 %': '正在测试集上评估… %1 %',
    'validating… %1 %': '正在验证… %1 %',
    'Run %1 %2 in %3 (%4 images/s)': '运行 %1 %2，用时 %3（%4 张/秒）',
    ': %1 accuracy %2': '：%1 准确率 %2',
    'Training failed': '训练失败',
    'Cannot start training': '无法开始训练',
    'Open a project (Ctrl+O) or create one (Ctrl+N)': '打开项目 (Ctrl+O) 或新建项目 (Ctrl+N)',
    'No run selected. Press Train (F5) to train the example experiment.': '未选择运行。按“训练”(F5) 训练示例实验。',
    'This run recorded no training steps': '此运行没有记录训练步',
    'No validation yet': '尚无验证结果',
    'No project open': '未打开项目',
    'No run selected': '未选择运行',
    'No runs yet': '尚无运行',
    'Train (F5) runs the example experiment fmnist-hps: one small CNN shared by two tasks, the 10 Fashion-MNIST classes and their 3 groups (shoes, for women, other), for one epoch. Run ▸ Train Example has more.': '“训练”(F5) 运行示例实验 fmnist-hps：两个任务共享一个小型 CNN，分别学习 Fashion-MNIST 的 10 个类别及其 3 个分组（鞋类、女装、其他），训练一轮。更多示例见 运行 ▸ 训练示例。',
    'New run — %1': '新运行 — %1',
    'Run %1 — %2 on %3': '运行 %1 — %2，数据集 %3',
    '%1 of %2 steps': '%1/%2 步',
    '%1 images/s': '%1 张/秒',
    "<span style='color:#c62828'>Error: %1</span>%2": "<span style='color:#c62828'>错误：%1</span>%2",
    ' — Run ▸ Resume Selected Run (%1) continues it from its checkpoint.': ' — 运行 ▸ 继续所选运行 (%1) 可从检查点继续。',
    'Accuracy on %1: %2': '%1 上的准确率：%2',
    'About MTL Studio': '关于 MTL Studio',
    '<h3>MTL Studio %1</h3><p>A workbench for multi-task learning in computer vision: import image datasets, compose shared and task-specific networks, train in the background and compare what every run recorded.</p><p>Built with Qt %2, LibTorch and QCustomPlot.</p>': '<h3>MTL Studio %1</h3><p>计算机视觉多任务学习工作台：导入图像数据集，组合共享与任务专属网络，在后台训练，并比较每次运行记录的结果。</p><p>基于 Qt %2、LibTorch 和 QCustomPlot 构建。</p>',
    'Quit MTL Studio': '退出 MTL Studio',
    'A job is running. Stop it and quit? A training run keeps the model trained so far.': '有任务正在运行。停止并退出吗？训练运行会保留已训练的模型。',
    'Stopping, then quitting…': '正在停止，随后退出…',
    '%1: %2 classes (%3)': '%1：%2 个类别（%3）',
    '%1: binary': '%1：二值',
    'Imported from %1': '导入自 %1',
    'mixed': '不一',
    '%n column(s)': '%n 列',
    'Dataset': '数据集',
    'Samples': '样本数',
    'Splits': '划分',
    'Image': '图像',
    'Labels': '标签',
    'Format': '格式',
    'queued': '排队中',
    'running': '运行中',
    'paused': '已暂停',
    'completed': '已完成',
    'stopped': '已停止',
    'failed': '失败',
    'interrupted': '已中断',
    'Started %1': '开始于 %1',
    'Started %1, finished %2': '开始于 %1，结束于 %2',
    'Training images per second (start-up and evaluation excluded)': '每秒训练图像数（不含启动和评估）',
    'Run': '运行',
    'Experiment': '实验',
    'Status': '状态',
    'Task': '任务',
    'Attribute': '属性',
    'Accuracy': '准确率',
    'Accuracy of each binary attribute, worst first': '各二值属性的准确率，最差的在前',
    'Attributes — accuracy on test, worst first': '属性 — 测试集准确率，最差的在前',
    'Attributes — latest validation accuracy, worst first': '属性 — 最近一次验证准确率，最差的在前',
    'Progress': '进度',
    'Images/s': '张/秒',
    'Device': '设备',
    'Started': '开始时间',
}

path = Path(__file__).with_name('mtlstudio_zh_CN.ts')
tree = ET.parse(path)
missing = []
for message in tree.getroot().iter('message'):
    source = message.find('source').text
    translation = message.find('translation')
    text = ZH.get(source)
    if text is None:
        missing.append(source)
        continue
    translation.attrib.pop('type', None)
    for child in list(translation):
        translation.remove(child)
    if message.get('numerus') == 'yes':
        translation.text = None
        form = ET.SubElement(translation, 'numerusform')
        form.text = text
    else:
        translation.text = text
with open(path, 'wb') as out:
    out.write(b'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n')
    tree.write(out, encoding='utf-8', xml_declaration=False)
for source in missing:
    print('untranslated:', source)
sys.exit(0)
