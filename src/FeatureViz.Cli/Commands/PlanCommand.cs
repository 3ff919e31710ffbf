using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using FeatureViz.Cli.Objectives;
using FeatureViz.Cli.Output;
using FeatureViz.Cli.Render;
using FeatureViz.Cli.ScaleOut;

namespace FeatureViz.Cli.Commands;

/// <summary><c>featureviz plan</c>: writes a work manifest (plan.json) that <c>run-shard</c> splits across machines.</summary>
internal static class PlanCommand
{
    public static Command Create(CliContext context)
    {
        var options = new RenderOptions();
        var layers = new Option<string[]>("--layers", "-l") { Description = "Layers to render (names or indices, comma-separated or repeated; default: every Relu output).", HelpName = "LAYERS" };
        var channels = new Option<string?>("--channels", "-c") { Description = "Channels of each layer, e.g. 0-63 or 0-7,12 (default: all).", HelpName = "RANGE" };
        var shards = new Option<int?>("--shards") { Description = "The shard count run-shard uses when the scheduler gives only an index (Kubernetes); --shards of run-shard overrides it.", HelpName = "N" };
        var command = new Command("plan",
            """
            Write a work manifest for rendering every channel of layers across many machines: plan.json in the --out
            folder lists every item (a batch of channels of one layer) with its seed and estimated cost, the render
            options, the model's SHA-256 and the tool version. Then run `featureviz run-shard --plan DIR --shard I/N`
            on each machine (or as a Kubernetes Indexed Job / Slurm array task) and `featureviz merge DIR`.
            The plan carries its checksum: a plan edited by hand is refused. See docs/scale-out.md.

            Examples:
              featureviz plan --model model.onnx --out atlas
              featureviz plan --model model.onnx --layers conv1,conv2 --channels 0-63 --steps 256 --batch 4 --out atlas --shards 16
            """) { layers, channels, shards };
        options.AddTo(command);
        options.Out.DefaultValueFactory = null;
        options.Out.Required = true;
        options.Out.Description = "The plan folder (shared by all shards; created).";
        options.Force.Description = "Replace a different plan already in the folder (the items' images made with other parameters are then recomputed).";
        command.SetAction((parse, ct) =>
        {
            string? modelPath = parse.GetValue(options.Model);
            if (modelPath is null) throw new UsageException("--model: plan needs the model file (its SHA-256 pins the plan to it).");
            ModelLoading.CheckModel(modelPath);
            var settings = options.Read(parse);
            if (parse.GetValue(shards) is { } n && (n < 1 || n > ShardSelection.MaxShards))
                throw new UsageException($"--shards: expected a count from 1 to {ShardSelection.MaxShards} (got {n}).");
            string outDir = OutputFolderPaths.RequireFolder(parse.GetValue(options.Out), "--out");
            var range = options.ReadValuesRange(parse);
            using var device = options.Device.Open(parse, context);
            using var engine = context.EngineFactory(modelPath, device, range);
            settings = RenderOptions.WithDefaultSize(settings, engine.InputSize) with { Device = "cpu", Threads = 0 };
            settings = RenderOptions.Prepare(engine, settings, context.Err); // MaCo: the spectrum's hash goes into the plan
            var layerNames = ResolveLayers(engine, parse.GetValue(layers) ?? []);
            var items = PlanBuilder.Items(engine, layerNames, parse.GetValue(channels), settings);
            foreach (var batch in items.GroupBy(i => i.Channels.Count).Select(g => g.Key))
                MemoryBudget.Check(engine, settings, batch);
            var parameters = RenderOptions.Describe(settings, engine.ModelName, range);
            parameters.Remove("device");
            string full = Path.GetFullPath(modelPath);
            var plan = new WorkPlan
            {
                Created = DateTimeOffset.UtcNow,
                Model = new PlannedModel(full, engine.ModelName, WorkPlan.FileSha256(full), new FileInfo(full).Length),
                ValuesRange = range is { } r ? [r.Min, r.Max] : null,
                Settings = settings,
                Parameters = parameters,
                Shards = parse.GetValue(shards) ?? 0,
                Items = items,
            };
            string status = Save(outDir, plan, parse.GetValue(options.Force));
            long total = items.Sum(i => i.Cost);
            if (parse.GetValue(options.Json))
            {
                context.Out.WriteLine(JsonSerializer.Serialize(new
                {
                    plan = Path.GetFullPath(WorkPlan.PathIn(outDir)),
                    status,
                    layers = layerNames.Count,
                    items = items.Count,
                    images = items.Sum(i => i.Channels.Count),
                    totalCost = total,
                    maxItemCost = items.Max(i => i.Cost),
                    modelSha256 = plan.Model.Sha256,
                    shards = plan.Shards,
                }, new JsonSerializerOptions { WriteIndented = true }));
            }
            else
            {
                context.Out.WriteLine($"{status} {Path.GetFullPath(WorkPlan.PathIn(outDir))}: {items.Count} item(s), {items.Sum(i => i.Channels.Count)} image(s) "
                                      + $"of {layerNames.Count} layer(s); estimated {FormatFlops(total)} in all, largest item {FormatFlops(items.Max(i => i.Cost))}.");
                context.Out.WriteLine($"Next: featureviz run-shard --plan {outDir} --shard I/N (for I = 0..N-1), then featureviz merge {outDir}.");
            }
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }

    /// <summary>Writes the plan under the folder's lock, unless an equal plan is there ("kept"); a different one needs --force.</summary>
    private static string Save(string outDir, WorkPlan plan, bool force)
    {
        using var folder = OutputFolder.Open(outDir, "featureviz plan");
        if (File.Exists(WorkPlan.PathIn(outDir)))
        {
            WorkPlan? existing = null;
            try
            {
                existing = WorkPlan.Read(outDir);
            }
            catch (InvalidDataException) when (force)
            {
            }
            if (existing is not null && SameWork(existing, plan)) return "Kept the equal plan";
            if (!force)
                throw new UsageException($"--out: '{outDir}' already holds a different plan; pass --force to replace it, or choose another --out.");
        }
        plan.Write(outDir);
        return "Wrote";
    }

    private static bool SameWork(WorkPlan a, WorkPlan b) =>
        JsonSerializer.Serialize(a with { Created = default }, WorkPlan.Json) == JsonSerializer.Serialize(b with { Created = default }, WorkPlan.Json);

    private static List<string> ResolveLayers(IRenderEngine engine, string[] texts)
    {
        var specs = texts.SelectMany(t => t.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).ToList();
        if (specs.Count == 0)
        {
            var defaults = PlanBuilder.DefaultLayers(engine);
            if (defaults.Count == 0) throw new UsageException($"--layers: the model has no {string.Join("/", PlanBuilder.DefaultOpTypes)} layers to default to; name the layers (see `featureviz layers`).");
            return defaults;
        }
        var names = new List<string>();
        foreach (string s in specs)
        {
            var spec = int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out int index) ? LayerSpec.ByIndex(index) : LayerSpec.ByName(s);
            try
            {
                string name = engine.LayerName(spec);
                if (!names.Contains(name)) names.Add(name);
            }
            catch (ArgumentException e)
            {
                throw new UsageException($"--layers: {CliErrors.OneLine(e)}");
            }
        }
        return names;
    }

    internal static string FormatFlops(double flops) => flops switch
    {
        >= 1e15 => string.Create(CultureInfo.InvariantCulture, $"{flops / 1e15:F1} PFLOP"),
        >= 1e12 => string.Create(CultureInfo.InvariantCulture, $"{flops / 1e12:F1} TFLOP"),
        >= 1e9 => string.Create(CultureInfo.InvariantCulture, $"{flops / 1e9:F1} GFLOP"),
        >= 1e6 => string.Create(CultureInfo.InvariantCulture, $"{flops / 1e6:F1} MFLOP"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{flops:F0} FLOP"),
    };
}
