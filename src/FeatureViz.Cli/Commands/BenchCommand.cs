using System.CommandLine;
using FeatureViz.Cli.Bench;
using FeatureViz.Cli.Objectives;
using FeatureViz.Cli.Render;
using FeatureViz.Rendering;

namespace FeatureViz.Cli.Commands;

/// <summary>
/// <c>featureviz bench</c>: per image, the time of a forward pass, a forward pass with the input gradient, and a full
/// optimization step (median, min, spread), against the machine's FMA peak measured in the same process.
/// </summary>
internal static class BenchCommand
{
    /// <summary>Most warm-up runs and timed runs per pass.</summary>
    internal const int MaxRuns = 100_000;

    public static Command Create(CliContext context)
    {
        var model = new Option<string?>("--model", "-m") { Description = "ONNX model file (default: the bundled ImageNet ResNet18)." };
        var layer = new Option<string?>("--layer", "-l") { Description = "The layer the passes run to, by name or index (default: the last layer)." };
        var size = new Option<string?>("--size") { Description = "Optimized image size WxH (default: the model's input size). The forward and gradient passes use the model's declared input size where it is fixed.", HelpName = "WxH" };
        var batch = new Option<int>("--batch") { Description = "Images per pass.", DefaultValueFactory = _ => 1 };
        var json = new Option<bool>("--json") { Description = "Print the results as JSON on stdout (progress goes to stderr)." };
        var warmup = new Option<int>("--warmup") { Description = "Untimed runs of each pass first.", DefaultValueFactory = _ => 3 };
        var repeat = new Option<int>("--repeat") { Description = "Timed runs of each pass.", DefaultValueFactory = _ => 10 };
        var profile = new Option<bool>("--profile") { Description = "Then time every op over --repeat forward passes and --repeat forward + input gradient passes, and print where the time goes (the slowest op types and nodes, forward and backward)." };
        var command = new Command("bench",
            """
            Measure the engine on a model: per image, a forward pass to the layer, the forward pass with the gradient
            with respect to the input, and a full optimization step (Fourier image, standard transformations, channel
            objective on the layer, backward, Adam), each run --warmup times and then timed --repeat times (median,
            min, max, spread). Also measures the machine's FMA peak (a register-only vector FMA loop on the same
            threads, before and after) and the achieved GFLOP/s from the model's convolution and matrix-product FLOPs.

            Examples:
              featureviz bench
              featureviz bench --threads 1 --repeat 20 --json
              featureviz bench --model model.onnx --layer conv3 --size 128x128 --batch 4
              featureviz bench --model model.onnx --profile
            """) { model, layer, size, batch, json, warmup, repeat, profile };
        var device = DeviceOption.AddTo(command);
        command.SetAction((parse, ct) =>
        {
            var settings = Read(parse, model, layer, size, batch, device, json, warmup, repeat) with { Profile = parse.GetValue(profile) };
            ModelLoading.CheckModel(settings.ModelPath);
            using var compute = device.Open(parse, context);
            using var engine = context.EngineFactory(settings.ModelPath, compute, null);
            var (w, h) = settings.Width > 0 ? (settings.Width, settings.Height) : engine.InputSize;
            RunLimits.CheckBatchPixels(w, h, settings.Batch);
            settings = settings with { Width = w, Height = h };
            string layerName = ResolveLayer(engine, settings.Layer);
            MemoryBudget.Check(engine, new RenderSettings { Width = w, Height = h, BatchSize = settings.Batch, Steps = 1, Threads = settings.Threads }, settings.Batch);
            if (engine is not LibraryRenderEngine library)
                throw new InvalidOperationException("bench measures the library engine only.");
            var declared = library.Model.Input.Shape;
            if (declared.Length != 4)
                throw new UsageException($"--model: the input '{library.Model.Input.Name}' has shape [{string.Join(", ", declared)}]; bench needs an image input [N, C, H, W].");
            if (declared[0] > 1 && declared[0] != settings.Batch)
                throw new UsageException($"--batch: the model's input '{library.Model.Input.Name}' has a fixed batch of {declared[0]} (got {settings.Batch}).");
            var log = settings.Json ? context.Err : context.Out;
            var runner = new BenchRunner(library.Onnx, library.Model, settings, layerName, library.ValuesRange) { Log = log.WriteLine };
            var report = runner.Run(ct) with { Model = engine.ModelName };
            if (settings.Json) BenchOutput.WriteJson(context.Out, report);
            else BenchOutput.WriteText(context.Out, report);
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }

    /// <summary>Reads and checks the options before anything loads (bad values: exit 2 naming the option).</summary>
    internal static BenchSettings Read(ParseResult parse, Option<string?> model, Option<string?> layer, Option<string?> size, Option<int> batch,
        DeviceOption device, Option<bool> json, Option<int> warmup, Option<int> repeat)
    {
        var (w, h) = parse.GetValue(size) is string s ? RenderOptions.ParseSize(s) : (0, 0);
        int b = RunLimits.Bounded("--batch", parse.GetValue(batch), 1, RunLimits.MaxBatch);
        if (w > 0) RunLimits.CheckBatchPixels(w, h, b);
        var request = device.Read(parse);
        int t = request.Threads ?? Environment.ProcessorCount;
        string layerText = parse.GetValue(layer) ?? "-1";
        if (layerText.Trim().Length == 0) throw new UsageException("--layer: expected a layer name or index (got an empty string).");
        return new BenchSettings
        {
            ModelPath = parse.GetValue(model),
            Layer = int.TryParse(layerText, out int index) ? LayerSpec.ByIndex(index) : LayerSpec.ByName(layerText),
            Width = w,
            Height = h,
            Batch = b,
            Threads = t,
            Device = request.Spec.ToString(),
            Warmup = RunLimits.Bounded("--warmup", parse.GetValue(warmup), 0, MaxRuns),
            Repeat = RunLimits.Bounded("--repeat", parse.GetValue(repeat), 1, MaxRuns),
            Json = parse.GetValue(json),
        };
    }

    private static string ResolveLayer(IRenderEngine engine, LayerSpec layer)
    {
        try
        {
            return engine.LayerName(layer);
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"--layer: {CliErrors.OneLine(e)}");
        }
    }
}
