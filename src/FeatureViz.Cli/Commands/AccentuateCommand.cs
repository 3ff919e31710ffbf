using System.CommandLine;
using System.Globalization;
using FeatureViz.Accentuation;
using FeatureViz.Cli.Objectives;
using FeatureViz.Cli.Output;
using FeatureViz.Cli.Render;
using FeatureViz.Optimizers;
using FeatureViz.Rendering;

namespace FeatureViz.Cli.Commands;

/// <summary>
/// <c>featureviz accentuate</c>: feature accentuation (Hamblin et al. 2024, Horama's defaults) of a seed image for
/// objectives, with render's options, runner, progress, atomic outputs, resume and --json; index.html shows each
/// result beside the seed and their difference.
/// </summary>
internal static class AccentuateCommand
{
    /// <summary>The seed as written into the output folder (shown beside the results).</summary>
    public const string SeedFileName = "seed.png";

    public static Command Create(CliContext context)
    {
        var options = new RenderOptions();
        var image = new Option<string>("--image") { Description = "The seed image: a PNG/JPEG/... file (resized to --size) or a .npy array [C, H, W] or [1, C, H, W].", HelpName = "IMG", Required = true };
        var penalty = new Option<double>("--penalty") { Description = "Weight of the mean squared distance to the seed (in the model's value range).", DefaultValueFactory = _ => AccentuationSeeds.DefaultPenalty };
        var objectives = new Option<string[]>("--objective") { Description = "An objective to accentuate (repeatable); see docs/objective-grammar.md. Default: a handful of channels of a middle layer.", HelpName = "EXPR" };
        var command = new Command("accentuate",
            """
            Feature accentuation (Hamblin et al. 2024, as Horama): optimize the objectives starting from a seed image,
            penalising the distance to it, with the Fourier frequency scaling applied to the gradients only. Defaults
            follow Horama: NAdam with learning rate 1 (--lr), gradient decay 1.5 (--decay), penalty 1, random boxes
            and noise each step (unless --transforms is given). Writes one PNG per objective, seed.png, index.html
            (each result beside the seed and their difference) and manifest.json; resumes as render does.

            Examples:
              featureviz accentuate --image cat.jpg --objective channel:ReLU315_Output_0:0-3
              featureviz accentuate --image digit.png --model mnist-8.onnx --values-range 0,255 --objective neuron:-1:3 --penalty 0.1
            """);
        command.Add(image);
        command.Add(penalty);
        command.Add(objectives);
        options.AddTo(command);
        command.SetAction((parse, ct) =>
        {
            var texts = parse.GetValue(objectives) ?? [];
            var expressions = texts.Select(RenderCommand.Parse).ToList();
            double weight = parse.GetValue(penalty);
            if (!double.IsFinite(weight) || weight < 0) throw new UsageException($"--penalty: must be a number >= 0 (got {weight.ToString(CultureInfo.InvariantCulture)}).");
            string imagePath = parse.GetValue(image)!;
            string? modelPath = parse.GetValue(options.Model);
            ModelLoading.CheckModel(modelPath);
            var settings = options.Read(parse);
            // Horama's learning rate and decay unless given.
            if (parse.GetResult(options.LearningRate) is null or { Implicit: true }) settings = settings with { LearningRate = FeatureAccentuation.DefaultLearningRate };
            if (parse.GetResult(options.Decay) is null or { Implicit: true }) settings = settings with { FftDecay = FeatureAccentuation.DefaultDecayPower };
            bool horamaTransforms = parse.GetResult(options.Transforms) is null or { Implicit: true };
            string outDir = OutputFolderPaths.RequireFolder(parse.GetValue(options.Out), "--out");
            using var device = options.Device.Open(parse, context);
            using var engine = context.EngineFactory(modelPath, device, options.ReadValuesRange(parse));
            if (engine is not LibraryRenderEngine library) throw new UsageException("accentuate: this build's render engine does not support accentuation.");
            settings = RenderOptions.WithDefaultSize(settings, engine.InputSize) with { Device = device.Description.ToString() };
            var size = new ImageSize(settings.Height, settings.Width);
            var log = parse.GetValue(options.Json) ? context.Err : context.Out;
            var seed = AccentuateSeed.Load(imagePath, library.Model.Channels, size, log.WriteLine);
            if (expressions.Count == 0)
            {
                var (text, expr) = RenderCommand.DefaultObjective(engine);
                texts = [text];
                expressions.Add(expr);
            }
            foreach (var e in expressions) RunLimits.CheckObjective(engine, e, "--objective");
            RunLimits.ImageCount(expressions, "--objective");
            foreach (var e in expressions) RenderCommand.Validate(engine, e);
            var items = RenderPlan.Expand(expressions, engine.LayerName);
            MemoryBudget.Check(engine, settings, items.Count);

            var seeds = new AccentuationSeeds(seed, (float)weight);
            var range = library.ValuesRange;
            var crop = FeatureAccentuation.Options(library.Model, seeds, range, size).Transformations;
            library.Customize = o => o with
            {
                Accentuation = seeds,
                Optimizer = Optimizer.NAdam((float)settings.LearningRate),
                Transformations = horamaTransforms ? crop : o.Transformations,
            };
            var parameters = RenderOptions.Describe(settings, engine.ModelName, options.ReadValuesRange(parse));
            parameters["optimizer"] = "nadam";
            if (horamaTransforms) parameters["transforms"] = crop?.ToString() ?? "none";
            parameters["accentuation"] = $"penalty={weight.ToString("R", CultureInfo.InvariantCulture)}; seed sha256={AccentuateSeed.Hash(seed)}";
            parameters["seedImage"] = Path.GetFullPath(imagePath);
            parameters[HtmlReport.SeedFileParameter] = SeedFileName;
            var extra = new Dictionary<string, byte[]> { [SeedFileName] = ImageFiles.EncodePng(AccentuateSeed.ToRgb(seed), null) };
            var job = new RenderJob(outDir, "accentuate", "featureviz accentuate", texts, settings, parameters, items, parse.GetValue(options.Force), extra);
            return Task.FromResult(RenderCommand.Execute(context, job, engine, parse.GetValue(options.Json), ct));
        });
        return command;
    }
}
