<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>QObject</name>
    <message>
        <location filename="../widgets/thumbnailloader.cpp" line="124"/>
        <source>sample %1 is not in the project</source>
        <translation>项目中没有样本 %1</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <location filename="../app/gui/main.cpp" line="49"/>
        <source>MTL Studio, a workbench for multi-task learning in computer vision.</source>
        <translation>MTL Studio：计算机视觉多任务学习工作台。</translation>
    </message>
    <message>
        <location filename="../app/gui/main.cpp" line="55"/>
        <source>Project file to open (*.mtlproj).</source>
        <translation>要打开的项目文件 (*.mtlproj)。</translation>
    </message>
    <message>
        <location filename="../app/gui/main.cpp" line="59"/>
        <source>Start training CONFIG (a JSON file or example:NAME) once the project is open.</source>
        <translation>项目打开后开始训练 CONFIG（JSON 文件或 example:NAME）。</translation>
    </message>
    <message>
        <location filename="../app/gui/main.cpp" line="64"/>
        <source>Override a config key for --train and --queue, e.g. train.max_steps_per_epoch=50 (repeatable).</source>
        <translation>为 --train 和 --queue 覆盖配置项，例如 train.max_steps_per_epoch=50（可重复）。</translation>
    </message>
    <message>
        <location filename="../app/gui/main.cpp" line="69"/>
        <source>Add CONFIG to the queue once the project is open (repeatable): it trains after --train and the ones before it.</source>
        <translation>项目打开后把 CONFIG 加入队列（可重复）：它在 --train 及排在它前面的实验之后训练。</translation>
    </message>
    <message>
        <location filename="../app/gui/main.cpp" line="80"/>
        <source>Quit after --train, --queue and --screenshot are done (exit code 0 when the run completed, 2 for bad input, 3 when the run failed).</source>
        <translation>--train、--queue 和 --screenshot 完成后退出（运行完成时退出码为 0，输入有误为 2，运行失败为 3）。</translation>
    </message>
    <message>
        <location filename="../app/gui/main.cpp" line="86"/>
        <source>Open the annotation browser of DATASET once the project is open (--screenshot then saves the browser).</source>
        <translation>项目打开后打开数据集 DATASET 的标注浏览器（--screenshot 随后保存该浏览器窗口）。</translation>
    </message>
    <message>
        <location filename="../app/gui/main.cpp" line="91"/>
        <source>With --review: select sample ID.</source>
        <translation>与 --review 一起使用：选中样本 ID。</translation>
    </message>
    <message>
        <location filename="../app/gui/main.cpp" line="94"/>
        <source>With --review: show the samples or the statistics tab.</source>
        <translation>与 --review 一起使用：显示样本或统计标签页。</translation>
    </message>
    <message>
        <location filename="../app/gui/main.cpp" line="98"/>
        <source>With --review: lay the dense label MAP over the image.</source>
        <translation>与 --review 一起使用：把稠密标签 MAP 叠加在图像上。</translation>
    </message>
    <message>
        <location filename="../app/gui/main.cpp" line="102"/>
        <source>With --review: compare run RUN&apos;s predictions with the labels and show the samples it disagrees with.</source>
        <translation>与 --review 一起使用：将运行 RUN 的预测与标签比较，并显示它不认同的样本。</translation>
    </message>
    <message>
        <location filename="../app/gui/main.cpp" line="107"/>
        <source>Open File ▸ Import Dataset Files… for FORMAT once the project is open (--screenshot then saves the dialog).</source>
        <translation>项目打开后，为 FORMAT 打开“文件 ▸ 导入数据集文件…”（随后 --screenshot 保存该对话框）。</translation>
    </message>
    <message>
        <location filename="../app/gui/main.cpp" line="112"/>
        <source>With --import-dialog: the dataset folder to fill in.</source>
        <translation>与 --import-dialog 一起使用：预先填入的数据集文件夹。</translation>
    </message>
    <message>
        <location filename="../app/gui/main.cpp" line="75"/>
        <source>Save a PNG of the window once the project is shown (after the run with --train).</source>
        <translation>项目显示后（使用 --train 时在训练结束后）保存窗口截图 PNG。</translation>
    </message>
</context>
<context>
    <name>mtl::app::MainWindow</name>
    <message>
        <location filename="../app/gui/mainwindow.cpp" line="47"/>
        <source>MTL Studio projects (*.mtlproj)</source>
        <translation>MTL Studio 项目 (*.mtlproj)</translation>
    </message>
    <message>
        <location filename="../app/gui/mainwindow.cpp" line="60"/>
        <source>MTL Studio</source>
        <translation>MTL Studio</translation>
    </message>
    <message>
        <location filename="../app/gui/mainwindow.cpp" line="211"/>
        <source>Import cancelled; the project is unchanged.</source>
        <translation>导入已取消，项目未改动。</translation>
    </message>
    <message>
        <location filename="../app/gui/mainwindow.cpp" line="214"/>
        <source>Import failed</source>
        <translation>导入失败</translation>
    </message>
    <message>
        <location filename="../app/gui/mainwindow.cpp" line="215"/>
        <source>%1

The project is unchanged.</source>
        <translation>%1

项目未改动。</translation>
    </message>
    <message>
        <location filename="../app/gui/mainwindow.cpp" line="102"/>
        <source>Pausing after the current batch…</source>
        <translation>将在当前批次后暂停…</translation>
    </message>
    <message>
        <location filename="../app/gui/mainwindow.cpp" line="186"/>
        <source>Resumed</source>
        <translation>已继续</translation>
    </message>
    <message>
        <location filename="../app/gui/mainwindow.cpp" line="107"/>
        <source>Stopping after the current batch…</source>
        <translation>将在当前批次后停止…</translation>
    </message>
    <message>
        <location filename="../app/gui/mainwindow.cpp" line="134"/>
        <source>Main</source>
        <translation>主工具栏</translation>
    </message>
    <message>
        <location filename="../app/gui/mainwindow.cpp" line="156"/>
        <source>Runs</source>
        <translation>运行</translation>
    </message>
    <message>
        <location filename="../app/gui/mainwindow.cpp" line="267"/>
        <source>Cannot open a project</source>
        <translation>无法打开项目</translation>
    </message>
    <message>
        <location filename="../app/gui/mainwindow.cpp" line="267"/>
        <location filename="../app/gui/mainwindow.cpp" line="398"/>
        <location filename="../app/gui/mainwindow.cpp" line="432"/>
        <source>Wait for the current job to finish.</source>
        <translation>请等待当前任务结束。</translation>
    </message>
    <message numerus="yes">
        <location filename="../app/gui/mainwindow.cpp" line="291"/>
        <source>%n run(s) of a process that no longer exists marked interrupted.</source>
        <translation>
            <numerusform>已将 %n 个所属进程已不存在的运行标记为中断。</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../app/gui/mainwindow.cpp" line="272"/>
        <location filename="../app/gui/mainwindow.cpp" line="283"/>
        <source>Cannot open project</source>
        <translation>无法打开项目</translation>
    </message>
    <message>
        <location filename="../app/gui/mainwindow.cpp" line="116"/>
        <source>Stopping after this epoch (its validation and checkpoint)…</source>
        <translation>将在本轮结束（验证并保存检查点）后停止…</translation>
    </message>
    <message>
        <location filename="../app/gui/mainwindow.cpp" line="275"/>
        <source>Opening %1…</source>
        <translation>正在打开 %1…</translation>
    </message>
    <message>
        <location filename="../app/gui/mainwindow.cpp" line="295"/>
        <source>%1 is read-only here: browse its runs; training and imports are off.</source>
        <translation>%1 在此处为只读：可浏览其运行，训练和导入不可用。</translation>
    </message>
    <message>
        <location filename="../app/gui/mainwindow.cpp" line="302"/>
        <source>%1 (read-only) — MTL Studio</source>
        <translation>%1（只读）— MTL Studio</translation>
    </message>
    <message>
        <location filename="../app/gui/mainwindow.cpp" line="303"/>
        <source>%1 — MTL Studio</source>
        <translation>%1 — MTL Studio</translation>
    </message>
    <message>
        <location filename="../app/gui/mainwindow.cpp" line="323"/>
        <source>Cannot read project</source>
        <translation>无法读取项目</translation>
    </message>
    <message>
        <location filename="../app/gui/mainwindow.cpp" line="348"/>
        <location filename="../app/gui/mainwindow.cpp" line="354"/>
        <source>New Project</source>
        <translation>新建项目</translation>
    </message>
    <message>
        <location filename="../app/gui/mainwindow.cpp" line="355"/>
        <source>%1 already exists. Open it with File ▸ Open Project.</source>
        <translation>%1 已存在。请用 文件 ▸ 打开项目 打开它。</translation>
    </message>
    <message>
        <location filename="../app/gui/mainwindow.cpp" line="364"/>
        <source>Open Project</source>
        <translation>打开项目</translation>
    </message>
    <message>
        <location filename="../app/gui/mainwindowimport.cpp" line="28"/>
        <source>Importing Fashion-MNIST…</source>
        <translation>正在导入 Fashion-MNIST…</translation>
    </message>
    <message>
        <location filename="../app/gui/mainwindowimport.cpp" line="29"/>
        <source>Import Fashion-MNIST</source>
        <translation>导入 Fashion-MNIST</translation>
    </message>
    <message>
        <location filename="../app/gui/mainwindowimport.cpp" line="48"/>
        <source>Making MultiFashion from Fashion-MNIST…</source>
        <translation>正在由 Fashion-MNIST 生成 MultiFashion…</translation>
    </message>
    <message>
        <location filename="../app/gui/mainwindowimport.cpp" line="48"/>
        <source>Import MultiFashion</source>
        <translation>导入 MultiFashion</translation>
    </message>
    <message>
        <location filename="../app/gui/mainwindowimport.cpp" line="55"/>
        <source>Composing fashion scenes from Fashion-MNIST…</source>
        <translation>正在用 Fashion-MNIST 合成服装场景…</translation>
    </message>
    <message>
        <location filename="../app/gui/mainwindowimport.cpp" line="56"/>
        <source>Import Fashion Scenes</source>
        <translation>导入服装场景</translation>
    </message>
    <message>
        <location filename="../app/gui/mainwindowimport.cpp" line="69"/>
        <source>Importing &apos;%1&apos; (%2)…</source>
        <translation>正在导入“%1”（%2）…</translation>
    </message>
    <message>
        <location filename="../app/gui/mainwindowimport.cpp" line="70"/>
        <source>Import %1</source>
        <translation>导入 %1</translation>
    </message>
    <message>
        <location filename="../app/gui/mainwindowimport.cpp" line="97"/>
        <source>Import found a problem</source>
        <translation>导入时发现问题</translation>
    </message>
    <message>
        <location filename="../app/gui/mainwindowimport.cpp" line="98"/>
        <source>Importing &apos;%1&apos; stopped at a problem; nothing was imported.</source>
        <translation>导入“%1”时在一个问题处停止；未导入任何内容。</translation>
    </message>
    <message>
        <location filename="../app/gui/mainwindowimport.cpp" line="102"/>
        <source>Import the rest, leaving out every row or file with a problem? They are listed in the project&apos;s import log.</source>
        <translation>导入其余部分，并略过每个有问题的行或文件？它们会列在项目的导入日志中。</translation>
    </message>
    <message>
        <location filename="../app/gui/mainwindowimport.cpp" line="104"/>
        <source>Leave Them Out</source>
        <translation>略过它们</translation>
    </message>
    <message>
        <location filename="../app/gui/mainwindowimport.cpp" line="128"/>
        <source>Dataset folder moved</source>
        <translation>数据集文件夹已移动</translation>
    </message>
    <message>
        <location filename="../app/gui/mainwindowimport.cpp" line="129"/>
        <source>The images of dataset &apos;%1&apos; were in %2, which is not there any more. Training and review need them (images of at most 64×64 pixels are in the project).

Show where the folder is now?</source>
        <translation>数据集“%1”的图像原在 %2，该位置已不存在。训练和审阅需要这些图像（不超过 64×64 像素的图像已存于项目中）。

现在指出该文件夹的新位置吗？</translation>
    </message>
    <message>
        <location filename="../app/gui/mainwindowimport.cpp" line="136"/>
        <source>Where are the images of &apos;%1&apos; now?</source>
        <translation>“%1”的图像现在在哪里？</translation>
    </message>
    <message>
        <location filename="../app/gui/mainwindowimport.cpp" line="140"/>
        <source>Checking %1…</source>
        <translation>正在检查 %1…</translation>
    </message>
    <message>
        <location filename="../app/gui/mainwindowimport.cpp" line="141"/>
        <source>Relocate %1</source>
        <translation>重新定位 %1</translation>
    </message>
    <message>
        <location filename="../app/gui/mainwindowimport.cpp" line="171"/>
        <source>Press Train again when the import is done.</source>
        <translation>导入完成后请再次点击“训练”。</translation>
    </message>
    <message>
        <location filename="../app/gui/mainwindowimport.cpp" line="156"/>
        <source>This project has no dataset &apos;fashion-mnist&apos;. Import it from Debian&apos;s Fashion-MNIST package now?</source>
        <translation>此项目没有数据集“fashion-mnist”。现在从 Debian 的 Fashion-MNIST 软件包导入吗？</translation>
    </message>
    <message>
        <location filename="../app/gui/mainwindowimport.cpp" line="160"/>
        <source>This project has no dataset &apos;multi-fashion&apos;. Make it from Debian&apos;s Fashion-MNIST package now?</source>
        <translation>此项目没有数据集“multi-fashion”。现在由 Debian 的 Fashion-MNIST 软件包生成吗？</translation>
    </message>
    <message>
        <location filename="../app/gui/mainwindowimport.cpp" line="164"/>
        <source>This project has no dataset &apos;fashion-scenes&apos;. Compose it from Debian&apos;s Fashion-MNIST package now?</source>
        <translation>此项目没有数据集“fashion-scenes”。现在用 Debian 的 Fashion-MNIST 软件包合成吗？</translation>
    </message>
    <message>
        <location filename="../app/gui/mainwindow.cpp" line="387"/>
        <location filename="../app/gui/mainwindow.cpp" line="391"/>
        <location filename="../app/gui/mainwindow.cpp" line="398"/>
        <location filename="../app/gui/mainwindow.cpp" line="408"/>
        <source>Cannot train</source>
        <translation>无法训练</translation>
    </message>
    <message>
        <location filename="../app/gui/mainwindow.cpp" line="387"/>
        <location filename="../app/gui/mainwindowqueue.cpp" line="22"/>
        <source>Open or create a project first.</source>
        <translation>请先打开或新建项目。</translation>
    </message>
    <message>
        <location filename="../app/gui/mainwindow.cpp" line="392"/>
        <source>%1 is read-only here (the file or its folder may not be written): its runs can be browsed, but a run cannot be recorded in it.</source>
        <translation>%1 在此处为只读（文件或其所在文件夹不可写）：可以浏览其中的运行，但无法在其中记录新的运行。</translation>
    </message>
    <message>
        <location filename="../app/gui/mainwindow.cpp" line="379"/>
        <source>Bad experiment config</source>
        <translation>实验配置有误</translation>
    </message>
    <message>
        <location filename="../app/gui/mainwindowimport.cpp" line="172"/>
        <source>Dataset missing</source>
        <translation>缺少数据集</translation>
    </message>
    <message>
        <location filename="../app/gui/mainwindow.cpp" line="409"/>
        <location filename="../app/gui/mainwindowqueue.cpp" line="38"/>
        <source>The project has no dataset &apos;%1&apos;. Import it first.</source>
        <translation>项目中没有数据集“%1”。请先导入。</translation>
    </message>
    <message>
        <location filename="../app/gui/mainwindow.cpp" line="422"/>
        <source>Starting…</source>
        <translation>正在启动…</translation>
    </message>
    <message>
        <location filename="../app/gui/mainwindow.cpp" line="428"/>
        <location filename="../app/gui/mainwindow.cpp" line="432"/>
        <location filename="../app/gui/mainwindow.cpp" line="439"/>
        <source>Cannot resume</source>
        <translation>无法继续</translation>
    </message>
    <message>
        <location filename="../app/gui/mainwindow.cpp" line="428"/>
        <source>Select a stopped, interrupted or failed run first.</source>
        <translation>请先选择一个已停止、已中断或失败的运行。</translation>
    </message>
    <message>
        <location filename="../app/gui/mainwindow.cpp" line="450"/>
        <source>Train from Config File</source>
        <translation>从配置文件训练</translation>
    </message>
    <message>
        <location filename="../app/gui/mainwindow.cpp" line="451"/>
        <location filename="../app/gui/mainwindowqueue.cpp" line="71"/>
        <source>Experiment configs (*.json)</source>
        <translation>实验配置 (*.json)</translation>
    </message>
    <message>
        <location filename="../app/gui/mainwindow.cpp" line="469"/>
        <source>Warning: %1</source>
        <translation>警告：%1</translation>
    </message>
    <message>
        <location filename="../app/gui/mainwindow.cpp" line="481"/>
        <source>Training failed</source>
        <translation>训练失败</translation>
    </message>
    <message>
        <location filename="../app/gui/mainwindow.cpp" line="490"/>
        <source>Cannot start training</source>
        <translation>无法开始训练</translation>
    </message>
    <message>
        <location filename="../app/gui/mainwindow.cpp" line="527"/>
        <source>About MTL Studio</source>
        <translation>关于 MTL Studio</translation>
    </message>
    <message>
        <location filename="../app/gui/mainwindow.cpp" line="528"/>
        <source>&lt;h3&gt;MTL Studio %1&lt;/h3&gt;&lt;p&gt;A workbench for multi-task learning in computer vision: import image datasets, compose shared and task-specific networks, train in the background and compare what every run recorded.&lt;/p&gt;&lt;p&gt;Built with Qt %2, LibTorch and QCustomPlot.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;MTL Studio %1&lt;/h3&gt;&lt;p&gt;计算机视觉多任务学习工作台：导入图像数据集，组合共享与任务专属网络，在后台训练，并比较每次运行记录的结果。&lt;/p&gt;&lt;p&gt;基于 Qt %2、LibTorch 和 QCustomPlot 构建。&lt;/p&gt;</translation>
    </message>
    <message>
        <location filename="../app/gui/mainwindow.cpp" line="539"/>
        <source>Quit MTL Studio</source>
        <translation>退出 MTL Studio</translation>
    </message>
    <message>
        <location filename="../app/gui/mainwindow.cpp" line="540"/>
        <source>A job is running. Stop it and quit? A training run keeps the model trained so far.</source>
        <translation>有任务正在运行。停止并退出吗？训练运行会保留已训练的模型。</translation>
    </message>
    <message>
        <location filename="../app/gui/mainwindow.cpp" line="548"/>
        <source>Stopping, then quitting…</source>
        <translation>正在停止，随后退出…</translation>
    </message>
    <message>
        <location filename="../app/gui/mainwindowqueue.cpp" line="22"/>
        <location filename="../app/gui/mainwindowqueue.cpp" line="27"/>
        <location filename="../app/gui/mainwindowqueue.cpp" line="37"/>
        <source>Cannot queue</source>
        <translation>无法加入队列</translation>
    </message>
    <message>
        <location filename="../app/gui/mainwindowqueue.cpp" line="28"/>
        <source>%1 is read-only here: a run cannot be recorded in it.</source>
        <translation>%1 在此处为只读：无法在其中记录运行。</translation>
    </message>
    <message>
        <location filename="../app/gui/mainwindowqueue.cpp" line="43"/>
        <source>Queued %1 (%2 waiting)</source>
        <translation>已将 %1 加入队列（%2 个等待中）</translation>
    </message>
    <message>
        <location filename="../app/gui/mainwindowqueue.cpp" line="62"/>
        <source>Queue: %1 could not start: %2</source>
        <translation>队列：%1 无法开始：%2</translation>
    </message>
    <message>
        <location filename="../app/gui/mainwindowqueue.cpp" line="70"/>
        <source>Add to Queue</source>
        <translation>加入队列</translation>
    </message>
    <message>
        <location filename="../app/gui/mainwindowreview.cpp" line="24"/>
        <source>No such dataset</source>
        <translation>没有该数据集</translation>
    </message>
    <message>
        <location filename="../app/gui/mainwindowreview.cpp" line="25"/>
        <source>There is no dataset &apos;%1&apos; in this project to review.</source>
        <translation>此项目中没有可审阅的数据集“%1”。</translation>
    </message>
    <message numerus="yes">
        <location filename="../app/gui/mainwindowreview.cpp" line="36"/>
        <source>Labels corrected: %n edit(s) in effect in this dataset; new runs train on them</source>
        <translation>
            <numerusform>标签已修正：此数据集中有 %n 处修改生效；新的运行将使用它们训练</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>mtl::widgets::Actions</name>
    <message>
        <location filename="../widgets/actions.cpp" line="38"/>
        <source>&amp;New Project…</source>
        <translation>新建项目(&amp;N)…</translation>
    </message>
    <message>
        <location filename="../widgets/actions.cpp" line="39"/>
        <source>Create an empty project file (*.mtlproj)</source>
        <translation>创建空项目文件 (*.mtlproj)</translation>
    </message>
    <message>
        <location filename="../widgets/actions.cpp" line="42"/>
        <source>&amp;Open Project…</source>
        <translation>打开项目(&amp;O)…</translation>
    </message>
    <message>
        <location filename="../widgets/actions.cpp" line="42"/>
        <source>Open a project file (*.mtlproj)</source>
        <translation>打开项目文件 (*.mtlproj)</translation>
    </message>
    <message>
        <location filename="../widgets/actions.cpp" line="44"/>
        <source>&amp;Import Fashion-MNIST</source>
        <translation>导入 Fashion-MNIST(&amp;I)</translation>
    </message>
    <message>
        <location filename="../widgets/actions.cpp" line="46"/>
        <source>Import the 70,000 Fashion-MNIST images of Debian&apos;s dataset-fashion-mnist package with their class, group and visual attribute labels</source>
        <translation>从 Debian 的 dataset-fashion-mnist 软件包导入 70,000 张 Fashion-MNIST 图像及其类别、分组和视觉属性标签</translation>
    </message>
    <message>
        <location filename="../widgets/actions.cpp" line="49"/>
        <source>Import &amp;MultiFashion</source>
        <translation>导入 MultiFashion(&amp;M)</translation>
    </message>
    <message>
        <location filename="../widgets/actions.cpp" line="51"/>
        <source>Make MultiFashion from Debian&apos;s Fashion-MNIST: two garments on each 36×36 image, one top left and one bottom right, tasks left and right (the benchmark of the Pareto MTL papers)</source>
        <translation>由 Debian 的 Fashion-MNIST 生成 MultiFashion：每张 36×36 图像上有两件服饰，一件在左上、一件在右下，任务为 left 和 right（Pareto MTL 论文使用的基准）</translation>
    </message>
    <message>
        <location filename="../widgets/actions.cpp" line="55"/>
        <source>Import Fashion &amp;Scenes</source>
        <translation>导入服装场景(&amp;S)</translation>
    </message>
    <message>
        <location filename="../widgets/actions.cpp" line="56"/>
        <source>Compose 12,000 64×64 scenes of 2–4 garments from Debian&apos;s Fashion-MNIST, with a semantic, depth and normals map per scene: the dense tasks of segnet and MTAN</source>
        <translation>用 Debian 的 Fashion-MNIST 合成 12,000 个 64×64 场景，每个含 2–4 件服装，并附带语义、深度和法线图：segnet 与 MTAN 的稠密任务</translation>
    </message>
    <message>
        <location filename="../widgets/actions.cpp" line="60"/>
        <source>Import Dataset &amp;Files…</source>
        <translation>导入数据集文件(&amp;F)…</translation>
    </message>
    <message>
        <location filename="../widgets/actions.cpp" line="61"/>
        <source>Import a dataset as it ships: an image folder with a table, CelebA, Animals with Attributes 2, class folders, or NYUv2 and Cityscapes as the MTAN code reads them</source>
        <translation>按数据集发布时的布局导入：图像文件夹加表格、CelebA、Animals with Attributes 2、按类别分的文件夹，或按 MTAN 代码读取方式预处理的 NYUv2 和 Cityscapes</translation>
    </message>
    <message>
        <location filename="../widgets/actions.cpp" line="64"/>
        <source>&amp;Train</source>
        <translation>训练(&amp;T)</translation>
    </message>
    <message>
        <location filename="../widgets/actions.cpp" line="66"/>
        <source>Train the example experiment fmnist-hps: 10 classes and 3 groups of Fashion-MNIST with one shared small CNN and a head per task</source>
        <translation>训练示例实验 fmnist-hps：用一个共享的小型 CNN 和每个任务一个输出头，学习 Fashion-MNIST 的 10 个类别和 3 个分组</translation>
    </message>
    <message>
        <location filename="../widgets/actions.cpp" line="69"/>
        <source>Train from Config &amp;File…</source>
        <translation>从配置文件训练(&amp;F)…</translation>
    </message>
    <message>
        <location filename="../widgets/actions.cpp" line="71"/>
        <source>Train an experiment described by a JSON config (keys in docs/CONFIG.md)</source>
        <translation>训练 JSON 配置描述的实验（配置项见 docs/CONFIG.md）</translation>
    </message>
    <message>
        <location filename="../widgets/actions.cpp" line="73"/>
        <source>&amp;Resume Selected Run</source>
        <translation>继续所选运行(&amp;R)</translation>
    </message>
    <message>
        <location filename="../widgets/actions.cpp" line="75"/>
        <source>Continue the selected stopped, interrupted or failed run from its latest checkpoint, as the same run</source>
        <translation>从最近的检查点继续所选的已停止、已中断或失败的运行，仍作为同一运行</translation>
    </message>
    <message>
        <location filename="../widgets/actions.cpp" line="78"/>
        <source>Config &amp;File…</source>
        <translation>配置文件(&amp;F)…</translation>
    </message>
    <message>
        <location filename="../widgets/actions.cpp" line="79"/>
        <source>Add the experiment of a JSON config to the queue: it trains after the run in progress and the experiments before it</source>
        <translation>把 JSON 配置描述的实验加入队列：它在当前运行及排在它前面的实验之后训练</translation>
    </message>
    <message>
        <location filename="../widgets/actions.cpp" line="81"/>
        <source>Run &amp;Queue</source>
        <translation>运行队列(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../widgets/actions.cpp" line="83"/>
        <source>Train the waiting experiments one after another (a failed one does not stop the queue; Stop pauses it)</source>
        <translation>依次训练等待中的实验（某个失败不会中止队列；“停止”会暂停队列）</translation>
    </message>
    <message>
        <location filename="../widgets/actions.cpp" line="86"/>
        <location filename="../widgets/actions.cpp" line="180"/>
        <source>&amp;Pause</source>
        <translation>暂停(&amp;P)</translation>
    </message>
    <message>
        <location filename="../widgets/actions.cpp" line="87"/>
        <source>Pause training after the current batch; press again to resume</source>
        <translation>在当前批次后暂停训练；再按一次继续</translation>
    </message>
    <message>
        <location filename="../widgets/actions.cpp" line="90"/>
        <source>&amp;Stop</source>
        <translation>停止(&amp;S)</translation>
    </message>
    <message>
        <location filename="../widgets/actions.cpp" line="92"/>
        <source>Stop after the current batch, keeping the model trained so far as the run&apos;s checkpoint</source>
        <translation>在当前批次后停止，并把已训练的模型保存为该运行的检查点</translation>
    </message>
    <message>
        <location filename="../widgets/actions.cpp" line="95"/>
        <source>Stop &amp;After This Epoch</source>
        <translation>本轮结束后停止(&amp;A)</translation>
    </message>
    <message>
        <location filename="../widgets/actions.cpp" line="97"/>
        <source>Finish the epoch being trained, validate and checkpoint it, then stop; Resume Selected Run continues from there</source>
        <translation>完成正在训练的这一轮，验证并保存检查点后停止；“继续所选运行”会从那里接着训练</translation>
    </message>
    <message>
        <location filename="../widgets/actions.cpp" line="102"/>
        <source>&amp;Refresh</source>
        <translation>刷新(&amp;R)</translation>
    </message>
    <message>
        <location filename="../widgets/actions.cpp" line="103"/>
        <source>Re-read the project file (runs started from the command line appear here)</source>
        <translation>重新读取项目文件（从命令行启动的运行会显示在这里）</translation>
    </message>
    <message>
        <location filename="../widgets/actions.cpp" line="104"/>
        <source>Review &amp;Dataset…</source>
        <translation>审阅数据集(&amp;D)…</translation>
    </message>
    <message>
        <location filename="../widgets/actions.cpp" line="106"/>
        <source>Browse the selected dataset&apos;s images and labels, correct labels (undoable, used by training) and see its statistics</source>
        <translation>浏览所选数据集的图像和标签，修正标签（可撤销，训练会使用），并查看其统计信息</translation>
    </message>
    <message>
        <location filename="../widgets/actions.cpp" line="108"/>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../widgets/actions.cpp" line="109"/>
        <source>&amp;About MTL Studio</source>
        <translation>关于 MTL Studio(&amp;A)</translation>
    </message>
    <message>
        <location filename="../widgets/actions.cpp" line="110"/>
        <source>About &amp;Qt</source>
        <translation>关于 &amp;Qt</translation>
    </message>
    <message>
        <location filename="../widgets/actions.cpp" line="116"/>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <location filename="../widgets/actions.cpp" line="128"/>
        <source>&amp;Run</source>
        <translation>运行(&amp;R)</translation>
    </message>
    <message>
        <location filename="../widgets/actions.cpp" line="130"/>
        <source>Train &amp;Example</source>
        <translation>训练示例(&amp;E)</translation>
    </message>
    <message>
        <location filename="../widgets/actions.cpp" line="135"/>
        <source>Add to &amp;Queue</source>
        <translation>加入队列(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../widgets/actions.cpp" line="147"/>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <location filename="../widgets/actions.cpp" line="151"/>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <location filename="../widgets/actions.cpp" line="180"/>
        <source>&amp;Resume</source>
        <translation>继续(&amp;R)</translation>
    </message>
</context>
<context>
    <name>mtl::widgets::DatasetBrowser</name>
    <message>
        <location filename="../widgets/datasetbrowser.cpp" line="56"/>
        <source>&amp;Edited only</source>
        <translation>仅已修改(&amp;E)</translation>
    </message>
    <message>
        <location filename="../widgets/datasetbrowser.cpp" line="57"/>
        <source>Model &amp;disagrees</source>
        <translation>模型不认同(&amp;D)</translation>
    </message>
    <message>
        <location filename="../widgets/datasetbrowser.cpp" line="63"/>
        <source>Dataset %1 — annotation review</source>
        <translation>数据集 %1 — 标注审阅</translation>
    </message>
    <message>
        <location filename="../widgets/datasetbrowser.cpp" line="72"/>
        <source>Labels cannot be changed: %1</source>
        <translation>无法修改标签：%1</translation>
    </message>
    <message>
        <location filename="../widgets/datasetbrowser.cpp" line="75"/>
        <source>This project is read-only here: labels can be reviewed, not changed.</source>
        <translation>此项目在此处为只读：可以审阅标签，但不能修改。</translation>
    </message>
    <message>
        <location filename="../widgets/datasetbrowser.cpp" line="87"/>
        <source>All splits</source>
        <translation>全部划分</translation>
    </message>
    <message>
        <location filename="../widgets/datasetbrowser.cpp" line="93"/>
        <source>Show the samples of one split</source>
        <translation>显示某一划分的样本</translation>
    </message>
    <message>
        <location filename="../widgets/datasetbrowser.cpp" line="94"/>
        <source>S&amp;plit</source>
        <translation>划分(&amp;P)</translation>
    </message>
    <message>
        <location filename="../widgets/datasetbrowser.cpp" line="95"/>
        <source>Any label</source>
        <translation>任意标签</translation>
    </message>
    <message>
        <location filename="../widgets/datasetbrowser.cpp" line="98"/>
        <source>Show the samples with one value of this label column</source>
        <translation>显示该标签列取某个值的样本</translation>
    </message>
    <message>
        <location filename="../widgets/datasetbrowser.cpp" line="99"/>
        <source>&amp;Label</source>
        <translation>标签(&amp;L)</translation>
    </message>
    <message>
        <location filename="../widgets/datasetbrowser.cpp" line="100"/>
        <source>The value the samples must have in the chosen column</source>
        <translation>样本在所选列中必须具有的值</translation>
    </message>
    <message>
        <location filename="../widgets/datasetbrowser.cpp" line="102"/>
        <source>Show only samples whose labels were corrected</source>
        <translation>只显示标签被修正过的样本</translation>
    </message>
    <message>
        <location filename="../widgets/datasetbrowser.cpp" line="104"/>
        <source>No predictions</source>
        <translation>无预测</translation>
    </message>
    <message>
        <location filename="../widgets/datasetbrowser.cpp" line="106"/>
        <source>A run trained on this dataset whose recorded predictions (the predictions probe) the grid compares with the labels</source>
        <translation>在此数据集上训练过的一个运行，网格会将其记录的预测（predictions 探针）与标签进行比较</translation>
    </message>
    <message>
        <location filename="../widgets/datasetbrowser.cpp" line="111"/>
        <source>Show only samples where the chosen run predicted another label than the sample has: the likeliest annotation errors</source>
        <translation>只显示所选运行预测的标签与样本标签不同的样本：最可能的标注错误</translation>
    </message>
    <message>
        <location filename="../widgets/datasetbrowser.cpp" line="114"/>
        <source>Path or sample id</source>
        <translation>路径或样本 ID</translation>
    </message>
    <message>
        <location filename="../widgets/datasetbrowser.cpp" line="116"/>
        <source>Show the samples whose path contains this text (or with this id)</source>
        <translation>显示路径包含此文本（或 ID 为此值）的样本</translation>
    </message>
    <message>
        <location filename="../widgets/datasetbrowser.cpp" line="117"/>
        <source>&amp;Find</source>
        <translation>查找(&amp;F)</translation>
    </message>
    <message>
        <location filename="../widgets/datasetbrowser.cpp" line="118"/>
        <source>Dataset order</source>
        <translation>数据集顺序</translation>
    </message>
    <message>
        <location filename="../widgets/datasetbrowser.cpp" line="120"/>
        <source>By %1</source>
        <translation>按 %1</translation>
    </message>
    <message>
        <location filename="../widgets/datasetbrowser.cpp" line="121"/>
        <source>Most confident disagreement first</source>
        <translation>最有把握的分歧优先</translation>
    </message>
    <message>
        <location filename="../widgets/datasetbrowser.cpp" line="122"/>
        <source>Order of the grid; with a run&apos;s predictions shown, the samples it contradicts most confidently can come first (the likeliest label errors)</source>
        <translation>网格的顺序；显示某个运行的预测时，可以让它最有把握反驳的样本排在前面（最可能的标签错误）</translation>
    </message>
    <message>
        <location filename="../widgets/datasetbrowser.cpp" line="125"/>
        <source>S&amp;ort</source>
        <translation>排序(&amp;O)</translation>
    </message>
    <message>
        <location filename="../widgets/datasetbrowser.cpp" line="129"/>
        <source>&amp;Undo</source>
        <translation>撤销(&amp;U)</translation>
    </message>
    <message>
        <location filename="../widgets/datasetbrowser.cpp" line="131"/>
        <source>&amp;Redo</source>
        <translation>重做(&amp;R)</translation>
    </message>
    <message>
        <location filename="../widgets/datasetbrowser.cpp" line="168"/>
        <source>&amp;Samples</source>
        <translation>样本(&amp;S)</translation>
    </message>
    <message>
        <location filename="../widgets/datasetbrowser.cpp" line="169"/>
        <source>S&amp;tatistics</source>
        <translation>统计(&amp;T)</translation>
    </message>
    <message>
        <location filename="../widgets/datasetbrowser.cpp" line="175"/>
        <source>Reading the samples…</source>
        <translation>正在读取样本…</translation>
    </message>
    <message>
        <location filename="../widgets/datasetbrowser.cpp" line="191"/>
        <source>(no label)</source>
        <translation>（无标签）</translation>
    </message>
    <message>
        <location filename="../widgets/datasetbrowser.cpp" line="259"/>
        <source>Could not read the samples: %1</source>
        <translation>无法读取样本：%1</translation>
    </message>
    <message>
        <location filename="../widgets/datasetbrowser.cpp" line="269"/>
        <source>Run %1 · %2 (%3)</source>
        <translation>运行 %1 · %2（%3）</translation>
    </message>
    <message>
        <location filename="../widgets/datasetbrowseredits.cpp" line="70"/>
        <source>Set %1 of sample %2 to %3</source>
        <translation>将样本 %2 的 %1 设为 %3</translation>
    </message>
    <message>
        <location filename="../widgets/datasetbrowseredits.cpp" line="73"/>
        <source>no label</source>
        <translation>无标签</translation>
    </message>
    <message numerus="yes">
        <location filename="../widgets/datasetbrowseredits.cpp" line="74"/>
        <source>%n label change(s) (%1)</source>
        <translation>
            <numerusform>%n 处标签修改（%1）</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../widgets/datasetbrowser.cpp" line="291"/>
        <source>column %1</source>
        <translation>第 %1 列</translation>
    </message>
    <message numerus="yes">
        <location filename="../widgets/datasetbrowserpredictions.cpp" line="27"/>
        <source>%1 of %2 samples · %n label edit(s) in effect</source>
        <translation>
            <numerusform>%1 / %2 个样本 · %n 处标签修改生效中</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../widgets/datasetbrowserpredictions.cpp" line="32"/>
        <source>run %1 predicted %2 %3 samples and disagrees on %4</source>
        <translation>运行 %1 预测了 %2 个 %3 样本，其中 %4 个与标签不一致</translation>
    </message>
    <message>
        <location filename="../widgets/datasetbrowserpredictions.cpp" line="86"/>
        <source>No predictions to compare: %1</source>
        <translation>没有可比较的预测：%1</translation>
    </message>
    <message>
        <location filename="../widgets/datasetbrowserpredictions.cpp" line="122"/>
        <source>Run %1 predicts: %2</source>
        <translation>运行 %1 预测：%2</translation>
    </message>
    <message>
        <location filename="../widgets/datasetbrowser.cpp" line="334"/>
        <source>Sample %1 · %2 #%3</source>
        <translation>样本 %1 · %2 #%3</translation>
    </message>
    <message>
        <location filename="../widgets/datasetbrowseredits.cpp" line="93"/>
        <source>Set &apos;%1&apos; of sample %2 to %3</source>
        <translation>将样本 %2 的“%1”设为 %3</translation>
    </message>
    <message>
        <location filename="../widgets/datasetbrowseredits.cpp" line="109"/>
        <source>The label was not changed: %1</source>
        <translation>标签未修改：%1</translation>
    </message>
</context>
<context>
    <name>mtl::widgets::DatasetPanel</name>
    <message>
        <location filename="../widgets/datasetpanel.cpp" line="19"/>
        <source>Datasets</source>
        <translation>数据集</translation>
    </message>
    <message>
        <location filename="../widgets/datasetpanel.cpp" line="35"/>
        <source>This project is read-only here: its runs can be browsed, but not trained in or imported into.</source>
        <translation>此项目在此处为只读：可以浏览其运行，但不能在其中训练或导入数据。</translation>
    </message>
    <message>
        <location filename="../widgets/datasetpanel.cpp" line="38"/>
        <source>Open a project (Ctrl+O) or create one (Ctrl+N).</source>
        <translation>打开项目 (Ctrl+O) 或新建项目 (Ctrl+N)。</translation>
    </message>
    <message>
        <location filename="../widgets/datasetpanel.cpp" line="40"/>
        <source>No datasets yet. Import Fashion-MNIST (Ctrl+I), or import your own with mtlstudio-cli import.</source>
        <translation>还没有数据集。导入 Fashion-MNIST (Ctrl+I)，或用 mtlstudio-cli import 导入自己的数据。</translation>
    </message>
</context>
<context>
    <name>mtl::widgets::DatasetStatistics</name>
    <message>
        <location filename="../widgets/datasetstatistics.cpp" line="79"/>
        <source>Positive rate per attribute</source>
        <translation>各属性的正例比例</translation>
    </message>
    <message>
        <location filename="../widgets/datasetstatistics.cpp" line="80"/>
        <source>Class counts per split</source>
        <translation>各划分的类别计数</translation>
    </message>
    <message>
        <location filename="../widgets/datasetstatistics.cpp" line="81"/>
        <source>Attribute co-occurrence: P(column | row)</source>
        <translation>属性共现：P(列 | 行)</translation>
    </message>
    <message>
        <location filename="../widgets/datasetstatistics.cpp" line="82"/>
        <source>Image sizes (as stored)</source>
        <translation>图像尺寸（按存储）</translation>
    </message>
    <message>
        <location filename="../widgets/datasetstatistics.cpp" line="84"/>
        <source>&amp;Classes of</source>
        <translation>类别列(&amp;C)</translation>
    </message>
    <message>
        <location filename="../widgets/datasetstatistics.cpp" line="86"/>
        <source>The categorical column whose class counts are drawn</source>
        <translation>绘制其类别计数的类别列</translation>
    </message>
    <message>
        <location filename="../widgets/datasetstatistics.cpp" line="117"/>
        <source>%1 (pixels)</source>
        <translation>%1（像素）</translation>
    </message>
    <message>
        <location filename="../widgets/datasetstatistics.cpp" line="154"/>
        <source>This dataset has no binary attribute columns.</source>
        <translation>此数据集没有二值属性列。</translation>
    </message>
    <message>
        <location filename="../widgets/datasetstatistics.cpp" line="179"/>
        <source>% of labelled samples</source>
        <translation>占已标注样本的 %</translation>
    </message>
    <message>
        <location filename="../widgets/datasetstatistics.cpp" line="188"/>
        <source>This dataset has no categorical columns or segmentation maps.</source>
        <translation>此数据集没有类别列或分割图。</translation>
    </message>
    <message>
        <location filename="../widgets/datasetstatistics.cpp" line="235"/>
        <location filename="../widgets/datasetstatistics.cpp" line="329"/>
        <source>samples</source>
        <translation>样本数</translation>
    </message>
    <message>
        <location filename="../widgets/datasetstatistics.cpp" line="235"/>
        <source>% of labelled pixels</source>
        <translation>已标注像素的百分比</translation>
    </message>
    <message>
        <location filename="../widgets/datasetstatistics.cpp" line="251"/>
        <source>No binary attribute columns to pair.</source>
        <translation>没有可配对的二值属性列。</translation>
    </message>
    <message>
        <location filename="../widgets/datasetstatistics.cpp" line="294"/>
        <source>P(column | row)</source>
        <translation>P(列 | 行)</translation>
    </message>
    <message>
        <location filename="../widgets/datasetstatistics.cpp" line="322"/>
        <source>No samples.</source>
        <translation>没有样本。</translation>
    </message>
</context>
<context>
    <name>mtl::widgets::DatasetTableModel</name>
    <message>
        <location filename="../widgets/datasettablemodel.cpp" line="43"/>
        <source>%1: %2 classes (%3)</source>
        <translation>%1：%2 个类别（%3）</translation>
    </message>
    <message>
        <location filename="../widgets/datasettablemodel.cpp" line="48"/>
        <source>%1: binary</source>
        <translation>%1：二值</translation>
    </message>
    <message>
        <location filename="../widgets/datasettablemodel.cpp" line="50"/>
        <source>%1: binary, attribute group %2</source>
        <translation>%1：二值，属性组 %2</translation>
    </message>
    <message>
        <location filename="../widgets/datasettablemodel.cpp" line="56"/>
        <source>Imported from %1</source>
        <translation>导入自 %1</translation>
    </message>
    <message>
        <location filename="../widgets/datasettablemodel.cpp" line="73"/>
        <source>mixed</source>
        <translation>不一</translation>
    </message>
    <message numerus="yes">
        <location filename="../widgets/datasettablemodel.cpp" line="76"/>
        <source>%n column(s)</source>
        <translation>
            <numerusform>%n 列</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../widgets/datasettablemodel.cpp" line="78"/>
        <source> · %n map(s)</source>
        <translation>
            <numerusform> · %n 个图</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../widgets/datasettablemodel.cpp" line="91"/>
        <source>Dataset</source>
        <translation>数据集</translation>
    </message>
    <message>
        <location filename="../widgets/datasettablemodel.cpp" line="92"/>
        <source>Samples</source>
        <translation>样本数</translation>
    </message>
    <message>
        <location filename="../widgets/datasettablemodel.cpp" line="93"/>
        <source>Splits</source>
        <translation>划分</translation>
    </message>
    <message>
        <location filename="../widgets/datasettablemodel.cpp" line="94"/>
        <source>Image</source>
        <translation>图像</translation>
    </message>
    <message>
        <location filename="../widgets/datasettablemodel.cpp" line="95"/>
        <source>Labels</source>
        <translation>标签</translation>
    </message>
    <message>
        <location filename="../widgets/datasettablemodel.cpp" line="96"/>
        <source>Format</source>
        <translation>格式</translation>
    </message>
</context>
<context>
    <name>mtl::widgets::ExperimentQueue</name>
    <message>
        <location filename="../widgets/experimentqueue.cpp" line="28"/>
        <source>with %1</source>
        <translation>覆盖 %1</translation>
    </message>
</context>
<context>
    <name>mtl::widgets::ImportDialog</name>
    <message>
        <location filename="../widgets/importdialog.cpp" line="44"/>
        <source>Import Dataset Files</source>
        <translation>导入数据集文件</translation>
    </message>
    <message>
        <location filename="../widgets/importdialog.cpp" line="52"/>
        <source>Image folder and a table (csv)</source>
        <translation>图像文件夹和表格（csv）</translation>
    </message>
    <message>
        <location filename="../widgets/importdialog.cpp" line="52"/>
        <source>CelebA (celeba)</source>
        <translation>CelebA（celeba）</translation>
    </message>
    <message>
        <location filename="../widgets/importdialog.cpp" line="53"/>
        <source>Animals with Attributes 2 (awa)</source>
        <translation>Animals with Attributes 2（awa）</translation>
    </message>
    <message>
        <location filename="../widgets/importdialog.cpp" line="53"/>
        <source>One folder per class (folders)</source>
        <translation>每个类别一个文件夹（folders）</translation>
    </message>
    <message>
        <location filename="../widgets/importdialog.cpp" line="54"/>
        <source>NYUv2, preprocessed (nyuv2)</source>
        <translation>NYUv2，预处理版（nyuv2）</translation>
    </message>
    <message>
        <location filename="../widgets/importdialog.cpp" line="54"/>
        <source>Cityscapes, preprocessed (cityscapes)</source>
        <translation>Cityscapes，预处理版（cityscapes）</translation>
    </message>
    <message>
        <location filename="../widgets/importdialog.cpp" line="57"/>
        <source>The layout the dataset ships in; the same formats as mtlstudio-cli import --format</source>
        <translation>数据集发布时的布局；与 mtlstudio-cli import --format 的格式相同</translation>
    </message>
    <message>
        <location filename="../widgets/importdialog.cpp" line="59"/>
        <source>&amp;Format:</source>
        <translation>格式(&amp;F)：</translation>
    </message>
    <message>
        <location filename="../widgets/importdialog.cpp" line="68"/>
        <source>The dataset&apos;s name in the project; experiment configs refer to it (&quot;dataset&quot;)</source>
        <translation>数据集在项目中的名称；实验配置通过它引用数据集（&quot;dataset&quot;）</translation>
    </message>
    <message>
        <location filename="../widgets/importdialog.cpp" line="70"/>
        <source>Dataset &amp;name:</source>
        <translation>数据集名称(&amp;N)：</translation>
    </message>
    <message>
        <location filename="../widgets/importdialog.cpp" line="78"/>
        <source>&amp;Folder:</source>
        <translation>文件夹(&amp;F)：</translation>
    </message>
    <message>
        <location filename="../widgets/importdialog.cpp" line="79"/>
        <source>The folder the images are in. Paths are stored relative to it, so a moved folder is found again</source>
        <translation>图像所在的文件夹。路径相对于它保存，因此移动后的文件夹可以重新找到</translation>
    </message>
    <message>
        <location filename="../widgets/importdialog.cpp" line="82"/>
        <source>&amp;Table:</source>
        <translation>表格(&amp;T)：</translation>
    </message>
    <message>
        <location filename="../widgets/importdialog.cpp" line="83"/>
        <source>csv: a CSV or TSV file with a header row, a path column and label columns. celeba: list_attr_celeba.txt</source>
        <translation>csv：带表头行、路径列和标签列的 CSV 或 TSV 文件。celeba：list_attr_celeba.txt</translation>
    </message>
    <message>
        <location filename="../widgets/importdialog.cpp" line="86"/>
        <source>&amp;Partition:</source>
        <translation>划分(&amp;P)：</translation>
    </message>
    <message>
        <location filename="../widgets/importdialog.cpp" line="87"/>
        <source>Optional: list_eval_partition.txt (0/1/2 → train/val/test); without it every image goes to the split below</source>
        <translation>可选：list_eval_partition.txt（0/1/2 → train/val/test）；没有它时所有图像都进入下面的划分</translation>
    </message>
    <message>
        <location filename="../widgets/importdialog.cpp" line="91"/>
        <source>Class &amp;attributes:</source>
        <translation>类别属性(&amp;A)：</translation>
    </message>
    <message>
        <location filename="../widgets/importdialog.cpp" line="92"/>
        <source>Optional: a CSV with one row per class (its folder&apos;s name), then one column per attribute (0/1 or category names)</source>
        <translation>可选：每个类别一行的 CSV（类别文件夹的名称），然后每个属性一列（0/1 或类别名称）</translation>
    </message>
    <message>
        <location filename="../widgets/importdialog.cpp" line="95"/>
        <source>Class &amp;names:</source>
        <translation>类别名称(&amp;N)：</translation>
    </message>
    <message>
        <location filename="../widgets/importdialog.cpp" line="96"/>
        <source>Optional: one segmentation class name per line, class 0 first (default: NYUv2&apos;s 13, Cityscapes&apos; 7 or 19)</source>
        <translation>可选：每行一个分割类别名称，类别 0 在前（默认：NYUv2 的 13 类，Cityscapes 的 7 或 19 类）</translation>
    </message>
    <message>
        <location filename="../widgets/importdialog.cpp" line="102"/>
        <source>path, file, filename, image or the first column</source>
        <translation>path、file、filename、image 或第一列</translation>
    </message>
    <message>
        <location filename="../widgets/importdialog.cpp" line="103"/>
        <source>The table&apos;s column of image paths</source>
        <translation>表格中的图像路径列</translation>
    </message>
    <message>
        <location filename="../widgets/importdialog.cpp" line="104"/>
        <source>Pa&amp;th column:</source>
        <translation>路径列(&amp;T)：</translation>
    </message>
    <message>
        <location filename="../widgets/importdialog.cpp" line="107"/>
        <source>none: every row goes to the split below</source>
        <translation>无：每一行都进入下面的划分</translation>
    </message>
    <message>
        <location filename="../widgets/importdialog.cpp" line="108"/>
        <source>The column naming each row&apos;s split (train, val, test, …)</source>
        <translation>给出每行所属划分的列（train、val、test、…）</translation>
    </message>
    <message>
        <location filename="../widgets/importdialog.cpp" line="109"/>
        <source>Sp&amp;lit column:</source>
        <translation>划分列(&amp;L)：</translation>
    </message>
    <message>
        <location filename="../widgets/importdialog.cpp" line="112"/>
        <source>The split the images go to when the files do not say: training uses train (holding out a validation share), the final evaluation test</source>
        <translation>文件未指明时图像进入的划分：训练使用 train（留出一部分做验证），最终评估使用 test</translation>
    </message>
    <message>
        <location filename="../widgets/importdialog.cpp" line="114"/>
        <source>&amp;Split:</source>
        <translation>划分(&amp;S)：</translation>
    </message>
    <message>
        <location filename="../widgets/importdialog.cpp" line="119"/>
        <source>Resize every image to</source>
        <translation>将每张图像缩放为</translation>
    </message>
    <message>
        <location filename="../widgets/importdialog.cpp" line="121"/>
        <source>Needed when the images differ in size; without it an image of another size than most is a problem</source>
        <translation>图像尺寸不一时需要；否则与多数尺寸不同的图像会被视为问题</translation>
    </message>
    <message>
        <location filename="../widgets/importdialog.cpp" line="136"/>
        <source>Size:</source>
        <translation>尺寸：</translation>
    </message>
    <message>
        <location filename="../widgets/importdialog.cpp" line="140"/>
        <source>As the folders say (label/ or label_7/: 7, label_19/: 19)</source>
        <translation>按文件夹决定（label/ 或 label_7/：7，label_19/：19）</translation>
    </message>
    <message>
        <location filename="../widgets/importdialog.cpp" line="141"/>
        <source>7 categories (label_7/ or label/)</source>
        <translation>7 个大类（label_7/ 或 label/）</translation>
    </message>
    <message>
        <location filename="../widgets/importdialog.cpp" line="142"/>
        <source>19 classes (label_19/)</source>
        <translation>19 个类别（label_19/）</translation>
    </message>
    <message>
        <location filename="../widgets/importdialog.cpp" line="143"/>
        <source>Which of Cityscapes&apos; label folders to read</source>
        <translation>读取 Cityscapes 的哪个标签文件夹</translation>
    </message>
    <message>
        <location filename="../widgets/importdialog.cpp" line="144"/>
        <source>&amp;Classes:</source>
        <translation>类别(&amp;C)：</translation>
    </message>
    <message>
        <location filename="../widgets/importdialog.cpp" line="150"/>
        <source> m per unit</source>
        <translation> 米/单位</translation>
    </message>
    <message>
        <location filename="../widgets/importdialog.cpp" line="151"/>
        <source>Metres per unit of a 16-bit depth PNG (0.001: millimetres). .npy depth maps are taken as they are</source>
        <translation>16 位深度 PNG 每单位对应的米数（0.001：毫米）。.npy 深度图按原值读取</translation>
    </message>
    <message>
        <location filename="../widgets/importdialog.cpp" line="153"/>
        <source>&amp;Depth PNG scale:</source>
        <translation>深度 PNG 比例(&amp;D)：</translation>
    </message>
    <message>
        <location filename="../widgets/importdialog.cpp" line="157"/>
        <source>Ask me when the first one is found</source>
        <translation>发现第一个问题时询问我</translation>
    </message>
    <message>
        <location filename="../widgets/importdialog.cpp" line="158"/>
        <source>Stop and import nothing</source>
        <translation>停止，不导入任何内容</translation>
    </message>
    <message>
        <location filename="../widgets/importdialog.cpp" line="159"/>
        <source>Leave them out and log them</source>
        <translation>略过它们并记录到日志</translation>
    </message>
    <message>
        <location filename="../widgets/importdialog.cpp" line="160"/>
        <source>Rows or files with a problem (a missing or damaged image, a ragged row, an unknown label value). Skipped ones are listed in the project&apos;s import log</source>
        <translation>有问题的行或文件（图像缺失或损坏、行的字段数不对、未知的标签值）。略过的内容列在项目的导入日志中</translation>
    </message>
    <message>
        <location filename="../widgets/importdialog.cpp" line="163"/>
        <source>&amp;Bad rows:</source>
        <translation>问题行(&amp;B)：</translation>
    </message>
    <message>
        <location filename="../widgets/importdialog.cpp" line="170"/>
        <source>&amp;Import</source>
        <translation>导入(&amp;I)</translation>
    </message>
    <message>
        <location filename="../widgets/importdialog.cpp" line="207"/>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <location filename="../widgets/importdialog.cpp" line="280"/>
        <source>An image folder and a CSV or TSV table: a header row, a column of image paths relative to the folder, label columns (0/1, −1/1 or category names) and optionally a split column.</source>
        <translation>图像文件夹和一个 CSV 或 TSV 表格：表头行、相对于该文件夹的图像路径列、标签列（0/1、−1/1 或类别名称），以及可选的划分列。</translation>
    </message>
    <message>
        <location filename="../widgets/importdialog.cpp" line="284"/>
        <source>CelebA: the image folder (img_align_celeba) and list_attr_celeba.txt with its attributes as −1/1; list_eval_partition.txt splits it into train, val and test.</source>
        <translation>CelebA：图像文件夹（img_align_celeba）和以 −1/1 给出属性的 list_attr_celeba.txt；list_eval_partition.txt 将其划分为 train、val 和 test。</translation>
    </message>
    <message>
        <location filename="../widgets/importdialog.cpp" line="287"/>
        <source>Animals with Attributes 2: the folder with classes.txt, predicates.txt, predicate-matrix-binary.txt and JPEGImages/&lt;class&gt;/. Each image gets its class and the class&apos;s attributes.</source>
        <translation>Animals with Attributes 2：包含 classes.txt、predicates.txt、predicate-matrix-binary.txt 和 JPEGImages/&lt;class&gt;/ 的文件夹。每张图像获得其类别以及该类别的属性。</translation>
    </message>
    <message>
        <location filename="../widgets/importdialog.cpp" line="291"/>
        <source>One sub-folder of images per class, as torchvision&apos;s ImageFolder reads it, optionally with a table of attributes per class.</source>
        <translation>每个类别一个图像子文件夹，与 torchvision 的 ImageFolder 读取方式相同，可选附带每个类别的属性表。</translation>
    </message>
    <message>
        <location filename="../widgets/importdialog.cpp" line="294"/>
        <source>NYUv2 as the MTAN and LibMTL code read it: train/ and val/, each with image/, label/ (13 classes), depth/ and normal/ holding one &lt;index&gt;.npy or &lt;index&gt;.png per sample. val/ becomes the test split.</source>
        <translation>按 MTAN 和 LibMTL 代码读取方式组织的 NYUv2：train/ 和 val/，各含 image/、label/（13 类）、depth/ 和 normal/，每个样本一个 &lt;index&gt;.npy 或 &lt;index&gt;.png。val/ 成为测试划分。</translation>
    </message>
    <message>
        <location filename="../widgets/importdialog.cpp" line="298"/>
        <source>Cityscapes as the MTAN and LibMTL code read it: train/ and val/, each with image/, label/ (7 categories) or label_19/, and depth/ holding one &lt;index&gt;.npy or &lt;index&gt;.png per sample. val/ becomes the test split.</source>
        <translation>按 MTAN 和 LibMTL 代码读取方式组织的 Cityscapes：train/ 和 val/，各含 image/、label/（7 个大类）或 label_19/，以及 depth/，每个样本一个 &lt;index&gt;.npy 或 &lt;index&gt;.png。val/ 成为测试划分。</translation>
    </message>
    <message>
        <location filename="../widgets/importdialog.cpp" line="318"/>
        <source>AwA2 &amp;folder:</source>
        <translation>AwA2 文件夹(&amp;F)：</translation>
    </message>
    <message>
        <location filename="../widgets/importdialog.cpp" line="319"/>
        <source>Dataset &amp;folder:</source>
        <translation>数据集文件夹(&amp;F)：</translation>
    </message>
    <message>
        <location filename="../widgets/importdialog.cpp" line="320"/>
        <source>Image &amp;folder:</source>
        <translation>图像文件夹(&amp;F)：</translation>
    </message>
    <message>
        <location filename="../widgets/importdialog.cpp" line="338"/>
        <source>Name the dataset.</source>
        <translation>请为数据集命名。</translation>
    </message>
    <message>
        <location filename="../widgets/importdialog.cpp" line="340"/>
        <source>The project has a dataset &apos;%1&apos; already; %2 makes a new one: choose another name.</source>
        <translation>项目中已有数据集“%1”；%2 会新建一个数据集：请换一个名称。</translation>
    </message>
    <message>
        <location filename="../widgets/importdialog.cpp" line="345"/>
        <source>Choose the AwA2 folder.</source>
        <translation>请选择 AwA2 文件夹。</translation>
    </message>
    <message>
        <location filename="../widgets/importdialog.cpp" line="346"/>
        <source>Choose the folder the images are in.</source>
        <translation>请选择图像所在的文件夹。</translation>
    </message>
    <message>
        <location filename="../widgets/importdialog.cpp" line="348"/>
        <source>The folder %1 does not exist.</source>
        <translation>文件夹 %1 不存在。</translation>
    </message>
    <message>
        <location filename="../widgets/importdialog.cpp" line="350"/>
        <source>%1 has no train/image folder: %2 reads train/ and val/, each with image/, label/ and depth/ folders of .npy or PNG files.</source>
        <translation>%1 中没有 train/image 文件夹：%2 读取 train/ 和 val/，各含由 .npy 或 PNG 文件组成的 image/、label/ 和 depth/ 文件夹。</translation>
    </message>
    <message>
        <location filename="../widgets/importdialog.cpp" line="354"/>
        <source>Choose list_attr_celeba.txt.</source>
        <translation>请选择 list_attr_celeba.txt。</translation>
    </message>
    <message>
        <location filename="../widgets/importdialog.cpp" line="355"/>
        <source>Choose the table of images and labels.</source>
        <translation>请选择包含图像和标签的表格。</translation>
    </message>
    <message>
        <location filename="../widgets/importdialog.cpp" line="359"/>
        <source>The file %1 does not exist.</source>
        <translation>文件 %1 不存在。</translation>
    </message>
    <message>
        <location filename="../widgets/importdialog.cpp" line="362"/>
        <source>Name the split the images go to (train, test, …).</source>
        <translation>请为图像所进入的划分命名（train、test、…）。</translation>
    </message>
</context>
<context>
    <name>mtl::widgets::JobStatus</name>
    <message>
        <location filename="../widgets/jobstatus.cpp" line="59"/>
        <source>Importing: %1</source>
        <translation>正在导入：%1</translation>
    </message>
</context>
<context>
    <name>mtl::widgets::LiveRun</name>
    <message numerus="yes">
        <location filename="../widgets/liverun.cpp" line="81"/>
        <source>%1 · %2 (%3 parameters) · %4 training / %5 validation images, %n epoch(s) of %6 steps; final evaluation on %7</source>
        <translation>
            <numerusform>%1 · %2（%3 个参数）· %4 张训练 / %5 张验证图像，%n 轮，每轮 %6 步；最终在 %7 上评估</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../widgets/liverun.cpp" line="93"/>
        <source> · resumed from its checkpoint at step %1</source>
        <translation> · 从第 %1 步的检查点继续</translation>
    </message>
    <message>
        <location filename="../widgets/liverun.cpp" line="138"/>
        <source>step %1/%2 · epoch %3/%4 · %5 img/s · ETA %6</source>
        <translation>第 %1/%2 步 · 第 %3/%4 轮 · %5 张/秒 · 剩余 %6</translation>
    </message>
    <message>
        <location filename="../widgets/liverun.cpp" line="151"/>
        <source>evaluating on the test split… %1 %</source>
        <translation>正在测试集上评估… %1 %</translation>
    </message>
    <message>
        <location filename="../widgets/liverun.cpp" line="152"/>
        <source>validating… %1 %</source>
        <translation>正在验证… %1 %</translation>
    </message>
    <message>
        <location filename="../widgets/liverun.cpp" line="193"/>
        <source>paused at step %1 of %2 · F6 resumes</source>
        <translation>已在第 %1/%2 步暂停 · 按 F6 继续</translation>
    </message>
    <message>
        <location filename="../widgets/liverun.cpp" line="222"/>
        <source>Run %1 %2 in %3 (%4 images/s)</source>
        <translation>运行 %1 %2，用时 %3（%4 张/秒）</translation>
    </message>
    <message>
        <location filename="../widgets/liverun.cpp" line="227"/>
        <source>: %1 accuracy %2</source>
        <translation>：%1 准确率 %2</translation>
    </message>
    <message>
        <location filename="../widgets/liverun.cpp" line="227"/>
        <source>: %1 %2</source>
        <translation>：%1 %2</translation>
    </message>
</context>
<context>
    <name>mtl::widgets::ProjectSession</name>
    <message>
        <location filename="../widgets/projectsession.cpp" line="75"/>
        <source>%1: project file does not exist</source>
        <translation>%1：项目文件不存在</translation>
    </message>
    <message>
        <location filename="../widgets/projectsession.cpp" line="79"/>
        <source>%1: is a folder, not a project file</source>
        <translation>%1：这是文件夹，不是项目文件</translation>
    </message>
    <message>
        <location filename="../widgets/projectsession.cpp" line="141"/>
        <source>Imported %1 images into &apos;%2&apos; in %3 s.</source>
        <translation>已在 %3 秒内将 %1 张图像导入“%2”。</translation>
    </message>
    <message numerus="yes">
        <location filename="../widgets/projectsession.cpp" line="146"/>
        <source>%n with problems left out (listed in the import log).</source>
        <translation>
            <numerusform>%n 个有问题的项已略过（列在导入日志中）。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../widgets/projectsession.cpp" line="170"/>
        <source>Dataset &apos;%1&apos; now reads its images from %2 (%n image(s) checked).</source>
        <translation>
            <numerusform>数据集“%1”现在从 %2 读取图像（检查了 %n 张图像）。</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>mtl::widgets::QueuePanel</name>
    <message>
        <location filename="../widgets/queuepanel.cpp" line="24"/>
        <source>Queue</source>
        <translation>队列</translation>
    </message>
    <message>
        <location filename="../widgets/queuepanel.cpp" line="37"/>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <location filename="../widgets/queuepanel.cpp" line="39"/>
        <source>Take the selected experiments out of the queue (Delete)</source>
        <translation>把所选实验移出队列 (Delete)</translation>
    </message>
    <message>
        <location filename="../widgets/queuepanel.cpp" line="40"/>
        <source>Clear</source>
        <translation>清空</translation>
    </message>
    <message>
        <location filename="../widgets/queuepanel.cpp" line="42"/>
        <source>Take every waiting experiment out of the queue</source>
        <translation>把所有等待中的实验移出队列</translation>
    </message>
    <message>
        <location filename="../widgets/queuepanel.cpp" line="78"/>
        <source>Paused after a stop: Run Queue continues with the first.</source>
        <translation>因停止而暂停：“运行队列”会从第一个继续。</translation>
    </message>
    <message>
        <location filename="../widgets/queuepanel.cpp" line="80"/>
        <source>1 experiment waits for the current run; a failure does not stop the queue.</source>
        <translation>1 个实验在等待当前运行；失败不会中止队列。</translation>
    </message>
    <message>
        <location filename="../widgets/queuepanel.cpp" line="82"/>
        <source>%1 experiments wait for the current run; a failure does not stop the queue.</source>
        <translation>%1 个实验在等待当前运行；失败不会中止队列。</translation>
    </message>
    <message>
        <location filename="../widgets/queuepanel.cpp" line="86"/>
        <source>1 experiment waiting.</source>
        <translation>1 个实验等待中。</translation>
    </message>
    <message>
        <location filename="../widgets/queuepanel.cpp" line="87"/>
        <source>%1 experiments waiting.</source>
        <translation>%1 个实验等待中。</translation>
    </message>
</context>
<context>
    <name>mtl::widgets::RecentProjectsMenu</name>
    <message>
        <location filename="../widgets/recentprojectsmenu.cpp" line="17"/>
        <source>Open &amp;Recent</source>
        <translation>最近打开(&amp;R)</translation>
    </message>
    <message>
        <location filename="../widgets/recentprojectsmenu.cpp" line="53"/>
        <source>Clear List</source>
        <translation>清除列表</translation>
    </message>
</context>
<context>
    <name>mtl::widgets::RunTableModel</name>
    <message>
        <location filename="../widgets/runtablemodel.cpp" line="64"/>
        <source>queued</source>
        <translation>排队中</translation>
    </message>
    <message>
        <location filename="../widgets/runtablemodel.cpp" line="65"/>
        <source>running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <location filename="../widgets/runtablemodel.cpp" line="66"/>
        <source>paused</source>
        <translation>已暂停</translation>
    </message>
    <message>
        <location filename="../widgets/runtablemodel.cpp" line="67"/>
        <source>completed</source>
        <translation>已完成</translation>
    </message>
    <message>
        <location filename="../widgets/runtablemodel.cpp" line="68"/>
        <source>stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <location filename="../widgets/runtablemodel.cpp" line="69"/>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <location filename="../widgets/runtablemodel.cpp" line="70"/>
        <source>interrupted</source>
        <translation>已中断</translation>
    </message>
    <message>
        <location filename="../widgets/runtablemodel.cpp" line="100"/>
        <source>Started %1</source>
        <translation>开始于 %1</translation>
    </message>
    <message>
        <location filename="../widgets/runtablemodel.cpp" line="101"/>
        <source>Started %1, finished %2</source>
        <translation>开始于 %1，结束于 %2</translation>
    </message>
    <message>
        <location filename="../widgets/runtablemodel.cpp" line="132"/>
        <source>Training images per second (start-up and evaluation excluded)</source>
        <translation>每秒训练图像数（不含启动和评估）</translation>
    </message>
    <message>
        <location filename="../widgets/runtablemodel.cpp" line="136"/>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <location filename="../widgets/runtablemodel.cpp" line="137"/>
        <source>Experiment</source>
        <translation>实验</translation>
    </message>
    <message>
        <location filename="../widgets/runtablemodel.cpp" line="138"/>
        <source>Dataset</source>
        <translation>数据集</translation>
    </message>
    <message>
        <location filename="../widgets/runtablemodel.cpp" line="139"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../widgets/runtablemodel.cpp" line="140"/>
        <source>Progress</source>
        <translation>进度</translation>
    </message>
    <message>
        <location filename="../widgets/runtablemodel.cpp" line="141"/>
        <source>Images/s</source>
        <translation>张/秒</translation>
    </message>
    <message>
        <location filename="../widgets/runtablemodel.cpp" line="142"/>
        <source>Device</source>
        <translation>设备</translation>
    </message>
    <message>
        <location filename="../widgets/runtablemodel.cpp" line="143"/>
        <source>Started</source>
        <translation>开始时间</translation>
    </message>
</context>
<context>
    <name>mtl::widgets::RunView</name>
    <message>
        <location filename="../widgets/runview.cpp" line="55"/>
        <source>Training loss per task</source>
        <translation>各任务训练损失</translation>
    </message>
    <message>
        <location filename="../widgets/runview.cpp" line="56"/>
        <source>step</source>
        <translation>步</translation>
    </message>
    <message>
        <location filename="../widgets/runview.cpp" line="56"/>
        <source>loss</source>
        <translation>损失</translation>
    </message>
    <message>
        <location filename="../widgets/runview.cpp" line="60"/>
        <location filename="../widgets/runview.cpp" line="230"/>
        <source>Validation accuracy per task</source>
        <translation>各任务验证准确率</translation>
    </message>
    <message>
        <location filename="../widgets/runview.cpp" line="61"/>
        <location filename="../widgets/runview.cpp" line="232"/>
        <source>epoch</source>
        <translation>轮次</translation>
    </message>
    <message>
        <location filename="../widgets/runview.cpp" line="61"/>
        <location filename="../widgets/runview.cpp" line="232"/>
        <source>accuracy</source>
        <translation>准确率</translation>
    </message>
    <message>
        <location filename="../widgets/runview.cpp" line="63"/>
        <source>Each task&apos;s validation score per epoch: accuracy, or for a dense task its mIoU (segmentation), share of pixels within 1.25× of the true depth (δ&lt;1.25) or within 11.25° of the true normal</source>
        <translation>每个任务每轮的验证得分：准确率；稠密任务则为 mIoU（分割）、深度在真实值 1.25 倍以内的像素比例（δ&lt;1.25），或法线与真实值夹角在 11.25° 以内的像素比例</translation>
    </message>
    <message>
        <location filename="../widgets/runview.cpp" line="79"/>
        <source>Task</source>
        <translation>任务</translation>
    </message>
    <message>
        <location filename="../widgets/runview.cpp" line="79"/>
        <source>Attribute</source>
        <translation>属性</translation>
    </message>
    <message>
        <location filename="../widgets/runview.cpp" line="79"/>
        <source>Accuracy</source>
        <translation>准确率</translation>
    </message>
    <message>
        <location filename="../widgets/runview.cpp" line="90"/>
        <source>Accuracy of each binary attribute, worst first</source>
        <translation>各二值属性的准确率，最差的在前</translation>
    </message>
    <message>
        <location filename="../widgets/runview.cpp" line="113"/>
        <source>Open a project (Ctrl+O) or create one (Ctrl+N)</source>
        <translation>打开项目 (Ctrl+O) 或新建项目 (Ctrl+N)</translation>
    </message>
    <message>
        <location filename="../widgets/runview.cpp" line="116"/>
        <source>No run selected. Press Train (F5) to train the example experiment.</source>
        <translation>未选择运行。按“训练”(F5) 训练示例实验。</translation>
    </message>
    <message>
        <location filename="../widgets/runview.cpp" line="120"/>
        <source>This run recorded no training steps</source>
        <translation>此运行没有记录训练步</translation>
    </message>
    <message>
        <location filename="../widgets/runview.cpp" line="121"/>
        <source>No validation yet</source>
        <translation>尚无验证结果</translation>
    </message>
    <message>
        <location filename="../widgets/runview.cpp" line="134"/>
        <source>No project open</source>
        <translation>未打开项目</translation>
    </message>
    <message>
        <location filename="../widgets/runview.cpp" line="135"/>
        <source>No runs yet</source>
        <translation>尚无运行</translation>
    </message>
    <message>
        <location filename="../widgets/runview.cpp" line="136"/>
        <source>No run selected</source>
        <translation>未选择运行</translation>
    </message>
    <message>
        <location filename="../widgets/runview.cpp" line="139"/>
        <source>Train (F5) runs the example experiment fmnist-hps: one small CNN shared by two tasks, the 10 Fashion-MNIST classes and their 3 groups (shoes, for women, other), for one epoch. Run ▸ Train Example has more.</source>
        <translation>“训练”(F5) 运行示例实验 fmnist-hps：两个任务共享一个小型 CNN，分别学习 Fashion-MNIST 的 10 个类别及其 3 个分组（鞋类、女装、其他），训练一轮。更多示例见 运行 ▸ 训练示例。</translation>
    </message>
    <message>
        <location filename="../widgets/runview.cpp" line="149"/>
        <source>New run — %1</source>
        <translation>新运行 — %1</translation>
    </message>
    <message>
        <location filename="../widgets/runview.cpp" line="150"/>
        <source>Run %1 — %2 on %3</source>
        <translation>运行 %1 — %2，数据集 %3</translation>
    </message>
    <message>
        <location filename="../widgets/runview.cpp" line="160"/>
        <source>%1 of %2 steps</source>
        <translation>%1/%2 步</translation>
    </message>
    <message>
        <location filename="../widgets/runview.cpp" line="162"/>
        <source>%1 images/s</source>
        <translation>%1 张/秒</translation>
    </message>
    <message>
        <location filename="../widgets/runview.cpp" line="182"/>
        <source> — Run ▸ Resume Selected Run (%1) continues it from its checkpoint.</source>
        <translation> — 运行 ▸ 继续所选运行 (%1) 可从检查点继续。</translation>
    </message>
    <message>
        <location filename="../widgets/runview.cpp" line="190"/>
        <source>&lt;span style=&apos;color:#c62828&apos;&gt;Error: %1&lt;/span&gt;%2</source>
        <translation>&lt;span style=&apos;color:#c62828&apos;&gt;错误：%1&lt;/span&gt;%2</translation>
    </message>
    <message>
        <location filename="../widgets/runview.cpp" line="194"/>
        <source>Accuracy on %1: %2</source>
        <translation>%1 上的准确率：%2</translation>
    </message>
    <message>
        <location filename="../widgets/runview.cpp" line="194"/>
        <source>Scores on %1: %2</source>
        <translation>%1 上的得分：%2</translation>
    </message>
    <message>
        <location filename="../widgets/runview.cpp" line="231"/>
        <source>Validation score per task</source>
        <translation>每个任务的验证得分</translation>
    </message>
    <message>
        <location filename="../widgets/runview.cpp" line="232"/>
        <source>score</source>
        <translation>得分</translation>
    </message>
    <message>
        <location filename="../widgets/runview.cpp" line="237"/>
        <source>Loading %1 and building the model…</source>
        <translation>正在加载 %1 并构建模型…</translation>
    </message>
    <message>
        <location filename="../widgets/runview.cpp" line="245"/>
        <source>Waiting for the first step…</source>
        <translation>等待第一步…</translation>
    </message>
    <message>
        <location filename="../widgets/runview.cpp" line="246"/>
        <source>Validation runs at the end of each epoch</source>
        <translation>每轮结束时进行验证</translation>
    </message>
    <message>
        <location filename="../widgets/runview.cpp" line="278"/>
        <source>Attributes — accuracy on test, worst first</source>
        <translation>属性 — 测试集准确率，最差的在前</translation>
    </message>
    <message>
        <location filename="../widgets/runview.cpp" line="279"/>
        <source>Attributes — latest validation accuracy, worst first</source>
        <translation>属性 — 最近一次验证准确率，最差的在前</translation>
    </message>
</context>
<context>
    <name>mtl::widgets::SampleGridModel</name>
    <message>
        <location filename="../widgets/samplegridmodel.cpp" line="167"/>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <location filename="../widgets/samplegridmodel.cpp" line="167"/>
        <source>no</source>
        <translation>否</translation>
    </message>
    <message>
        <location filename="../widgets/samplegridmodel.cpp" line="215"/>
        <source>Sample %1 · %2 #%3</source>
        <translation>样本 %1 · %2 #%3</translation>
    </message>
    <message numerus="yes">
        <location filename="../widgets/samplegridmodel.cpp" line="223"/>
        <source>… and %n more column(s)</source>
        <translation>
            <numerusform>… 另有 %n 列</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../widgets/samplegridmodel.cpp" line="226"/>
        <source>Edited: a correction of its labels is in effect</source>
        <translation>已修改：其标签的修正正在生效</translation>
    </message>
</context>
<context>
    <name>mtl::widgets::SampleMap</name>
    <message>
        <location filename="../widgets/samplemaps.cpp" line="153"/>
        <source>near %1</source>
        <translation>近 %1</translation>
    </message>
    <message>
        <location filename="../widgets/samplemaps.cpp" line="156"/>
        <source>far %1</source>
        <translation>远 %1</translation>
    </message>
</context>
<context>
    <name>mtl::widgets::SamplePanel</name>
    <message>
        <location filename="../widgets/samplepanel.cpp" line="51"/>
        <source>&amp;Zoom</source>
        <translation>缩放(&amp;Z)</translation>
    </message>
    <message>
        <location filename="../widgets/samplepanel.cpp" line="55"/>
        <source>Magnification of the image, 1× to 16× (Ctrl+wheel over the image); until you change it, each image is shown as large as it fits</source>
        <translation>图像放大倍数，1× 到 16×（在图像上按 Ctrl+滚轮）；在你修改之前，每张图像都以可容纳的最大尺寸显示</translation>
    </message>
    <message>
        <location filename="../widgets/samplepanel.cpp" line="63"/>
        <source>&amp;Overlay</source>
        <translation>叠加(&amp;O)</translation>
    </message>
    <message>
        <location filename="../widgets/samplepanel.cpp" line="65"/>
        <source>A dense label drawn over the image: a segmentation map in one colour per class, depth in a colour map, normals as RGB</source>
        <translation>叠加在图像上的稠密标签：分割图每个类别一种颜色，深度用色图表示，法线显示为 RGB</translation>
    </message>
    <message>
        <location filename="../widgets/samplepanel.cpp" line="69"/>
        <source>Opacity of the overlay</source>
        <translation>叠加层的不透明度</translation>
    </message>
    <message>
        <location filename="../widgets/samplepanel.cpp" line="70"/>
        <source>O&amp;pacity</source>
        <translation>不透明度(&amp;P)</translation>
    </message>
    <message>
        <location filename="../widgets/samplepanel.cpp" line="95"/>
        <source>1–9 choose a label · Space toggles it · Enter: next sample · Backspace: previous · Ctrl+Z / Ctrl+Shift+Z undo and redo</source>
        <translation>1–9 选择标签 · 空格切换 · Enter：下一个样本 · Backspace：上一个 · Ctrl+Z / Ctrl+Shift+Z 撤销和重做</translation>
    </message>
    <message>
        <location filename="../widgets/samplepanel.cpp" line="126"/>
        <source>Binary label &apos;%1&apos;</source>
        <translation>二值标签“%1”</translation>
    </message>
    <message>
        <location filename="../widgets/samplepanel.cpp" line="127"/>
        <source>Binary label &apos;%1&apos; (attribute group %2)</source>
        <translation>二值标签“%1”（属性组 %2）</translation>
    </message>
    <message>
        <location filename="../widgets/samplepanel.cpp" line="136"/>
        <source>(no label)</source>
        <translation>（无标签）</translation>
    </message>
    <message numerus="yes">
        <location filename="../widgets/samplepanel.cpp" line="139"/>
        <source>Categorical label &apos;%1&apos;: %n classes</source>
        <translation>
            <numerusform>类别标签“%1”：%n 个类别</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../widgets/samplepanel.cpp" line="153"/>
        <source>This dataset has no label columns.</source>
        <translation>此数据集没有标签列。</translation>
    </message>
    <message>
        <location filename="../widgets/samplepanel.cpp" line="178"/>
        <source>Select a sample in the grid</source>
        <translation>请在网格中选择一个样本</translation>
    </message>
    <message>
        <location filename="../widgets/samplepanel.cpp" line="179"/>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <location filename="../widgets/samplepanel.cpp" line="197"/>
        <source> · edited</source>
        <translation> · 已修改</translation>
    </message>
    <message>
        <location filename="../widgets/samplepanel.cpp" line="213"/>
        <source>None</source>
        <translation>无</translation>
    </message>
    <message>
        <location filename="../widgets/samplepanel.cpp" line="256"/>
        <source>No image</source>
        <translation>无图像</translation>
    </message>
</context>
</TS>
