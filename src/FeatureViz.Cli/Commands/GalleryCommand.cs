using System.CommandLine;
using FeatureViz.Cli.Objectives;
using FeatureViz.Cli.Output;
using FeatureViz.Cli.Render;

namespace FeatureViz.Cli.Commands;

/// <summary><c>featureviz gallery</c>: every channel of one layer, in batches, resumable, one index.html.</summary>
internal static class GalleryCommand
{
    public static Command Create(CliContext context)
    {
        var options = new RenderOptions();
        var layer = new Option<string>("--layer", "-l") { Description = "The layer (name or index; see `featureviz layers`).", Required = true };
        var channels = new Option<string?>("--channels", "-c") { Description = "Channels to render, e.g. 0-63 or 0-7,12 (default: all channels of the layer).", HelpName = "RANGE" };
        var command = new Command("gallery",
            """
            Render every channel of a layer (or the --channels subset) in batches into one folder with one index.html.
            Resumable: intact images already in the folder with the same parameters are kept and not recomputed, so an
            interrupted gallery continues where it stopped (and a later run with more channels adds to it). One run per
            folder: a second run into a folder in use fails at once (exit 1) naming the other run's pid.

            Examples:
              featureviz gallery --layer ReLU315_Output_0 --channels 0-63
              featureviz gallery --model model.onnx --layer 12 --steps 128 --batch 8 --out gallery
            """) { layer, channels };
        options.AddTo(command);
        // The gallery's default folder is named after the layer, not render's featureviz-out: --help must say so.
        options.Out.DefaultValueFactory = null;
        options.Out.Description = $"Output folder (default: {Path.Combine("featureviz-gallery", "<layer>")}, named after the layer).";
        command.SetAction((parse, ct) =>
        {
            string layerText = parse.GetRequiredValue(layer);
            if (string.IsNullOrWhiteSpace(layerText)) throw new UsageException("--layer: expected a layer name or index, got an empty string.");
            string? modelPath = parse.GetValue(options.Model);
            ModelLoading.CheckModel(modelPath);
            var settings = options.Read(parse);
            string? outOption = parse.GetResult(options.Out) is { Implicit: false } ? OutputFolderPaths.RequireFolder(parse.GetValue(options.Out), "--out") : null;
            using var device = options.Device.Open(parse, context);
            using var engine = context.EngineFactory(modelPath, device, options.ReadValuesRange(parse));
            settings = RenderOptions.WithDefaultSize(settings, engine.InputSize) with { Device = device.Description.ToString() };
            settings = RenderOptions.Prepare(engine, settings, parse.GetValue(options.Json) ? context.Err : context.Out);
            var spec = int.TryParse(layerText, out int index) ? LayerSpec.ByIndex(index) : LayerSpec.ByName(layerText);
            string layerName;
            int count;
            try
            {
                layerName = engine.LayerName(spec);
                count = engine.ChannelCount(spec);
            }
            catch (ArgumentException e)
            {
                throw new UsageException($"--layer: {CliErrors.OneLine(e)}");
            }
            string range = parse.GetValue(channels) ?? $"0-{count - 1}";
            string text = $"channel:'{layerName}':{range}";
            ObjectiveExpression expr;
            try
            {
                expr = ObjectiveParser.Parse(text);
            }
            catch (ObjectiveSyntaxException)
            {
                throw new UsageException($"--channels: expected a channel range such as 0-63 or 0-7,12 (got '{range}').");
            }
            var atom = expr.Terms[0].Atom;
            if (atom.MaxChannel >= count)
                throw new UsageException($"--channels: channel range {atom.IndicesText} is out of range: layer '{layerName}' has {count} channels (0-{count - 1}).");
            RunLimits.ImageCount([expr], "--channels");
            var items = RenderPlan.Expand([expr], engine.LayerName);
            MemoryBudget.Check(engine, settings, items.Count);
            string outDir = outOption ?? OutputFolderPaths.RequireFolder(Path.Combine("featureviz-gallery", RenderPlan.Stem(layerName)), "--out");
            var job = new RenderJob(outDir, "gallery", $"featureviz gallery: {layerName}", [text], settings,
                RenderOptions.Describe(settings, engine.ModelName, options.ReadValuesRange(parse)), items, parse.GetValue(options.Force));
            return Task.FromResult(RenderCommand.Execute(context, job, engine, parse.GetValue(options.Json), ct));
        });
        return command;
    }
}
