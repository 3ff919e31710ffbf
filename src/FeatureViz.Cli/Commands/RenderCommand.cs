using System.CommandLine;
using System.Text.Json;
using FeatureViz.Cli.Objectives;
using FeatureViz.Cli.Output;
using FeatureViz.Cli.Render;

namespace FeatureViz.Cli.Commands;

/// <summary><c>featureviz render</c>: optimizes images for objectives and writes PNGs, index.html and manifest.json.</summary>
internal static class RenderCommand
{
    public static Command Create(CliContext context)
    {
        var options = new RenderOptions();
        var objectives = new Option<string[]>("--objective") { Description = "An objective (repeatable); see docs/objective-grammar.md. Default: a handful of channels of a middle layer.", HelpName = "EXPR" };
        var command = new Command("render",
            """
            Optimize images that maximise objectives of a model and write one PNG per objective, index.html (images,
            names, loss curves, parameters) and manifest.json into the output folder. Finished images are kept when the
            command is run again if their files are intact (SHA-256) and their parameters equal this run's; missing,
            damaged or differing ones are recomputed (--force recomputes all). One run per folder: a second run into a
            folder in use fails at once (exit 1) naming the other run's pid; --force does not override that. Runs that
            cannot fit in memory are refused before they start. Ctrl+C stops after the current step and keeps what is done.

            Objective grammar (LAYER is a layer name or index; see `featureviz layers`):
              channel:LAYER:5   channel:LAYER:0-15   neuron:LAYER:7   neuron:LAYER:C@X,Y
              layer:LAYER[:mean|magnitude]   direction:LAYER:vector.npy
              channel:a:3 + 0.5*layer:b - 2*neuron:c:1

            Examples:
              featureviz render
              featureviz render --objective channel:ReLU315_Output_0:0-7 --steps 512 --out out
              featureviz render --model model.onnx --objective "neuron:logits:0-9" --size 128x128 --regularizer tv=0.01
              featureviz render --param cppn --objective channel:ReLU321_Output_0:7 --save-size 1024x1024 --out cppn
              featureviz render --cppn-weights cppn/NAME.cppn.json --save-size 2048x2048 --out big
            """);
        var cppnWeights = new Option<string?>("--cppn-weights") { Description = $"Only draw the images of a NAME.cppn.json file (written by --param cppn) at --save-size (default {CppnRedraw.DefaultSide}x{CppnRedraw.DefaultSide}) into --out as NAME-WxH.png: no model, no optimization.", HelpName = "FILE" };
        var labels = new Option<string?>("--labels") { Description = "Class labels for logit:LABEL objectives: a text file, one label per line (line 1 = class 0).", HelpName = "FILE" };
        command.Add(objectives);
        command.Add(labels);
        command.Add(cppnWeights);
        options.AddTo(command);
        command.SetAction((parse, ct) =>
        {
            if (parse.GetValue(cppnWeights) is string weights)
                return Task.FromResult(CppnRedraw.Run(context, weights, parse.GetValue(options.SaveSize), OutputFolderPaths.RequireFolder(parse.GetValue(options.Out), "--out")));
            var texts = parse.GetValue(objectives) ?? [];
            var expressions = texts.Select(Parse).ToList();
            try { expressions = LogitLabels.Resolve(expressions, parse.GetValue(labels)); }
            catch (ArgumentException e) { throw new UsageException($"--objective: {e.Message}"); }
            string? modelPath = parse.GetValue(options.Model);
            ModelLoading.CheckModel(modelPath);
            var settings = options.Read(parse);
            string outDir = OutputFolderPaths.RequireFolder(parse.GetValue(options.Out), "--out");
            using var device = options.Device.Open(parse, context);
            using var engine = context.EngineFactory(modelPath, device, options.ReadValuesRange(parse));
            settings = RenderOptions.WithDefaultSize(settings, engine.InputSize) with { Device = device.Description.ToString() };
            settings = RenderOptions.Prepare(engine, settings, parse.GetValue(options.Json) ? context.Err : context.Out);
            if (expressions.Count == 0)
            {
                var (text, expr) = DefaultObjective(engine);
                texts = [text];
                expressions.Add(expr);
            }
            foreach (var e in expressions) RunLimits.CheckObjective(engine, e, "--objective");
            RunLimits.ImageCount(expressions, "--objective");
            foreach (var e in expressions) Validate(engine, e);
            var items = RenderPlan.Expand(expressions, engine.LayerName);
            MemoryBudget.Check(engine, settings, items.Count);
            var job = new RenderJob(outDir, "render", "featureviz render", texts, settings,
                RenderOptions.Describe(settings, engine.ModelName, options.ReadValuesRange(parse)), items, parse.GetValue(options.Force));
            return Task.FromResult(Execute(context, job, engine, parse.GetValue(options.Json), ct));
        });
        return command;
    }

    /// <summary>Channels 0-3 of a middle layer of the model (for ResNet18: the output of stage 2), one batch at the default --batch.</summary>
    internal static (string Text, ObjectiveExpression Expression) DefaultObjective(IRenderEngine engine)
    {
        string layer = engine.DefaultLayer();
        int channels = Math.Min(4, engine.ChannelCount(LayerSpec.ByName(layer)));
        string text = $"channel:'{layer}':0-{channels - 1}";
        return (text, ObjectiveParser.Parse(text));
    }

    internal static ObjectiveExpression Parse(string text)
    {
        try
        {
            return ObjectiveParser.Parse(text);
        }
        catch (ObjectiveSyntaxException e)
        {
            throw new UsageException($"--objective: {e.Message}");
        }
    }

    internal static void Validate(IRenderEngine engine, ObjectiveExpression expression)
    {
        try
        {
            engine.Validate(expression);
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"--objective '{expression.Text}': {CliErrors.OneLine(e)}");
        }
    }

    /// <summary>Runs a job with progress, then prints the summary (text or JSON). Returns the exit code.</summary>
    internal static int Execute(CliContext context, RenderJob job, IRenderEngine engine, bool json, CancellationToken ct)
    {
        var log = json ? context.Err : context.Out;
        RunSummary? summary = null;
        bool cancelled = false;
        try
        {
            summary = ProgressReporter.Run(context, log, p => RenderRunner.Run(job, engine, p, ct));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            cancelled = true;
        }
        var manifest = summary?.Manifest ?? Manifest.TryRead(Path.Combine(job.OutputDirectory, Manifest.FileName));
        string index = Path.GetFullPath(Path.Combine(job.OutputDirectory, HtmlReport.FileName));
        if (json)
        {
            var result = new
            {
                output = Path.GetFullPath(job.OutputDirectory),
                index,
                manifest = Path.GetFullPath(Path.Combine(job.OutputDirectory, Manifest.FileName)),
                complete = !cancelled && (manifest?.Complete ?? false),
                rendered = summary?.Rendered ?? 0,
                reused = summary?.Reused ?? 0,
                images = (manifest?.Items ?? []).Select(i => new { name = i.Name, file = Path.GetFullPath(Path.Combine(job.OutputDirectory, i.File)), finalLoss = double.IsFinite(i.FinalLoss) ? i.FinalLoss : (double?)null }),
            };
            context.Out.WriteLine(JsonSerializer.Serialize(result, new JsonSerializerOptions { WriteIndented = true }));
        }
        else
        {
            log.WriteLine(cancelled
                ? $"Interrupted: {manifest?.Items.Count ?? 0} finished image(s) kept in {index}"
                : $"Wrote {summary!.Rendered} image(s) ({summary.Reused} kept from an earlier run): {index}");
        }
        if (cancelled)
        {
            context.Err.WriteLine("Interrupted.");
            return ExitCodes.Cancelled;
        }
        return ExitCodes.Ok;
    }
}
