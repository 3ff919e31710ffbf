using System.CommandLine;
using FeatureViz.Cli.Output;
using FeatureViz.Cli.Render;
using FeatureViz.Cli.ScaleOut;

namespace FeatureViz.Cli.Commands;

/// <summary><c>featureviz run-shard</c>: renders one shard's share of a plan, skipping finished items.</summary>
internal static class RunShardCommand
{
    public static Command Create(CliContext context)
    {
        var plan = new Option<string>("--plan", "-p") { Description = "The plan folder (made by `featureviz plan`).", Required = true, HelpName = "DIR" };
        var shard = new Option<string?>("--shard") { Description = "This shard, I/N with 0 <= I < N (default: from JOB_COMPLETION_INDEX or the SLURM_ARRAY_TASK_* variables).", HelpName = "I/N" };
        var shards = new Option<int?>("--shards") { Description = "The shard count when the scheduler gives only the index (Kubernetes: the Job's completions); default: the plan's --shards, or SLURM_ARRAY_TASK_COUNT.", HelpName = "N" };
        var model = new Option<string?>("--model", "-m") { Description = "The model file (default: the path recorded in the plan); its SHA-256 must be the plan's.", HelpName = "FILE" };
        var command = new Command("run-shard",
            """
            Render one shard's share of a plan. The items are assigned to shards by a pure function of the plan
            (balanced by estimated cost), so every shard computes its share alone and every item is rendered by
            exactly one shard. Each item renders into its own folder (items/item-NNNNNN) with its own lock, so shards
            can share one folder. Finished items are skipped (checked by their SHA-256), so a retried or preempted
            shard redoes only unfinished work. A model whose SHA-256 differs from the plan's is refused.
            Exit codes: 0 all of the shard's items are done, 1 an item failed (the others are still rendered) or the
            plan or model is refused, 2 bad arguments (a shard index out of range), 130 interrupted.

            Shard index and count: --shard I/N; else JOB_COMPLETION_INDEX (Kubernetes Indexed Job) with N from --shards
            or the plan; else SLURM_ARRAY_TASK_ID minus SLURM_ARRAY_TASK_MIN (divided by SLURM_ARRAY_TASK_STEP) with N
            from --shards or SLURM_ARRAY_TASK_COUNT.

            Examples:
              featureviz run-shard --plan atlas --shard 0/4
              JOB_COMPLETION_INDEX=3 featureviz run-shard --plan /data/atlas --shards 16 --device cuda
            """) { plan, shard, shards, model };
        var device = DeviceOption.AddTo(command);
        command.SetAction((parse, ct) =>
        {
            string dir = parse.GetRequiredValue(plan);
            var work = WorkPlan.Read(dir);
            var selection = ShardSelection.Resolve(parse.GetValue(shard), parse.GetValue(shards), work.Shards, context.Environment);
            if (work.Version != WorkPlan.ToolVersion)
                throw new InvalidDataException($"{Path.GetFullPath(WorkPlan.PathIn(dir))}: the plan was made by featureviz {work.Version}, this is {WorkPlan.ToolVersion}; "
                                               + "images of another version may differ: run the plan's version or make a new plan.");
            var request = device.Read(parse);
            var mine = ShardAssignment.ItemsOf(work.Costs, selection.Index, selection.Count).Select(i => work.Items[i]).ToList();
            var log = context.Out;
            log.WriteLine($"featureviz run-shard: {selection}: {mine.Count} of {work.Items.Count} item(s), estimated "
                          + $"{PlanCommand.FormatFlops(mine.Sum(i => i.Cost))} of {PlanCommand.FormatFlops(work.Items.Sum(i => i.Cost))}.");
            var todo = new List<PlanItem>();
            foreach (var item in mine)
            {
                if (PlanItems.Inspect(dir, work, item).State == ItemState.Done)
                {
                    PlanItems.ReleaseStaleLock(dir, item);
                    log.WriteLine($"skip {item.Label}: done (images verified by SHA-256)");
                }
                else todo.Add(item);
            }
            if (todo.Count == 0)
            {
                log.WriteLine($"Shard {selection.Index} of {selection.Count}: all {mine.Count} item(s) done.");
                return Task.FromResult(ExitCodes.Ok);
            }
            // Hashed only when there is work: a retried shard with everything done need not read a large model again.
            string modelPath = parse.GetValue(model) ?? work.Model.Path;
            ModelLoading.CheckModel(modelPath);
            string hash = WorkPlan.FileSha256(modelPath);
            if (hash != work.Model.Sha256)
                throw new InvalidDataException($"the model '{Path.GetFullPath(modelPath)}' (SHA-256 {hash}) is not the plan's: {Path.GetFullPath(WorkPlan.PathIn(dir))} "
                                               + $"was made for '{work.Model.Path}' (SHA-256 {work.Model.Sha256}); the model changed under the plan: make a new plan or pass --model with the planned file.");
            using var compute = device.Open(parse, context);
            using var engine = context.EngineFactory(modelPath, compute, work.Range);
            var settings = work.Settings with { Device = compute.Description.ToString(), Threads = request.Threads ?? Environment.ProcessorCount };
            if (settings.Maco is { } planned)
            {
                settings = RenderOptions.Prepare(engine, settings, log);
                if (settings.Maco!.SpectrumHash != planned.SpectrumHash)
                    throw new InvalidDataException($"MaCo's spectrum '{planned.SpectrumPath}' changed under the plan (SHA-256 {settings.Maco.SpectrumHash}, planned {planned.SpectrumHash}): make a new plan.");
            }
            var failed = new List<string>();
            foreach (var item in todo)
            {
                ct.ThrowIfCancellationRequested();
                try
                {
                    var job = PlanItems.Job(dir, work, item, engine, settings);
                    ProgressReporter.Run(context, log, p => RenderRunner.Run(job, engine, p, ct));
                    PlanItems.ClearFailure(dir, item);
                    log.WriteLine($"done {item.Label}");
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    string error = e is OutputFolderBusyException ? $"in use by another shard: {CliErrors.OneLine(e)}" : CliErrors.OneLine(e);
                    if (e is not OutputFolderBusyException) TryRecord(dir, item, error);
                    context.Err.WriteLine($"error: {item.Label}: {error}");
                    failed.Add(item.Label);
                }
            }
            if (failed.Count > 0)
            {
                context.Err.WriteLine($"error: shard {selection.Index} of {selection.Count}: {failed.Count} of {mine.Count} item(s) not done ({string.Join("; ", failed.Take(10))}{(failed.Count > 10 ? "; ..." : "")}); run the shard again to retry them.");
                return Task.FromResult(ExitCodes.Error);
            }
            log.WriteLine($"Shard {selection.Index} of {selection.Count}: all {mine.Count} item(s) done ({todo.Count} rendered now).");
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }

    private static void TryRecord(string dir, PlanItem item, string error)
    {
        try
        {
            PlanItems.RecordFailure(dir, item, error);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The folder itself is the problem (full or read-only): the message on stderr is all there is.
        }
    }
}
