using System.CommandLine;
using System.Globalization;
using FeatureViz.Cli.Render;

namespace FeatureViz.Cli.Commands;

/// <summary>The optimization options shared by <c>render</c> and <c>gallery</c>, and their validation (bad values: exit 2).</summary>
internal sealed class RenderOptions
{
    public Option<string?> Model { get; } = new("--model", "-m") { Description = "ONNX model file (default: the bundled ImageNet ResNet18, input values 0..255)." };
    public Option<int> Steps { get; } = new("--steps") { Description = "Optimization steps.", DefaultValueFactory = _ => 256 };
    public Option<string?> Size { get; } = new("--size") { Description = "Image size WxH (default: the model's input size, 224x224 for ResNet18).", HelpName = "WxH" };
    public Option<double> LearningRate { get; } = new("--lr") { Description = "Adam learning rate.", DefaultValueFactory = _ => 0.05 };
    public Option<int> Seed { get; } = new("--seed") { Description = "Random seed (initial image and transformations).", DefaultValueFactory = _ => 0 };
    public Option<bool> Fft { get; } = new("--fft") { Description = "Fourier-space parametrization (the default; same as --param fft)." };
    public Option<bool> Pixel { get; } = new("--pixel") { Description = "Pixel-space parametrization instead of Fourier space (same as --param pixel)." };
    public Option<string?> Param { get; } = new("--param") { Description = "Image parametrization: fft (default), pixel, maco (phase-only with a fixed magnitude spectrum, random crops and noise, transparency maps; NAdam with --lr 1.0 unless given) or cppn (a small network per image, Lucid's; --lr 0.005 unless given; its weights are written beside each PNG as NAME.cppn.json).", HelpName = "fft|pixel|maco|cppn" };
    public Option<string?> SaveSize { get; } = new("--save-size") { Description = "With --param cppn: save the images at this size WxH, drawn by the optimized networks (e.g. optimize at 224x224, save at 1024x1024).", HelpName = "WxH" };
    public Option<string?> Spectrum { get; } = new("--spectrum") { Description = "MaCo's magnitude spectrum: a (C, H, W/2+1) .npy file, or a folder of images (mean |FFT| per channel). Default: the built-in power law.", HelpName = "FILE|DIR" };
    public Option<int> Crops { get; } = new("--crops") { Description = "MaCo: random crops per image and step (0: the whole image).", DefaultValueFactory = _ => 32 };
    public Option<string> BoxSize { get; } = new("--box-size") { Description = "MaCo: crop side as a fraction of the image: 'linear' (0.5 down to 0.05 over the run, the reference's) or a number in (0, 1].", DefaultValueFactory = _ => "linear" };
    public Option<string> Noise { get; } = new("--noise") { Description = "MaCo: noise intensity (fraction of half the value range): a number >= 0, or 'logspace' (1 down to 1e-4 over the run).", DefaultValueFactory = _ => "0.08" };
    public Option<double> Decay { get; } = new("--decay") { Description = "Spectrum decay power of the Fourier parametrization.", DefaultValueFactory = _ => 0.85 };
    public Option<string> Transforms { get; } = new("--transforms") { Description = "Random transformations each step: standard (Xplique's), lucid (Lucid's: pad 12, jitter 8, scale 0.9-1.1, rotate +-10, jitter 4) or none.", DefaultValueFactory = _ => "standard" };
    public Option<string> LrSchedule { get; } = new("--lr-schedule") { Description = "Learning-rate schedule: constant, cosine (decays to 0 over the run) or step (halves every quarter of the run).", DefaultValueFactory = _ => "constant" };
    public Option<string[]> Regularizers { get; } = new("--regularizer") { Description = "A regularizer KIND=WEIGHT, KIND one of l1, l2, linf, tv (repeatable).", HelpName = "KIND=WEIGHT" };
    public Option<int> Warmup { get; } = new("--warmup") { Description = "Steps with straight-through ReLU gradients at the start.", DefaultValueFactory = _ => 0 };
    public Option<int> SaveEvery { get; } = new("--save-every") { Description = "Keep a frame every N steps and write an animated GIF per image (0: off).", DefaultValueFactory = _ => 0 };
    public Option<int> Batch { get; } = new("--batch") { Description = "Objectives optimized together in one batch.", DefaultValueFactory = _ => 4 };
    public Option<string> Out { get; } = new("--out", "-o") { Description = "Output folder.", DefaultValueFactory = _ => "featureviz-out" };
    public Option<bool> Force { get; } = new("--force") { Description = "Recompute this run's images even when intact ones with the same parameters exist (does not override another run's lock on the folder)." };
    public Option<string?> ValuesRange { get; } = new("--values-range") { Description = "The model's input value range MIN,MAX (default: 0,255 for the bundled ResNet18, else 0,1).", HelpName = "MIN,MAX" };
    public Option<bool> Json { get; } = new("--json") { Description = "Print a machine-readable JSON summary on stdout (progress goes to stderr)." };

    /// <summary>--device, --fallback and --threads (added by <see cref="AddTo"/>).</summary>
    public DeviceOption Device { get; private set; } = null!;

    public void AddTo(Command command)
    {
        foreach (var o in new Option[] { Model, ValuesRange, Steps, Size, LearningRate, LrSchedule, Seed, Param, Fft, Pixel, SaveSize, Spectrum, Crops, BoxSize, Noise, Decay, Transforms, Regularizers, Warmup, SaveEvery, Batch })
            command.Add(o);
        Device = DeviceOption.AddTo(command);
        foreach (var o in new Option[] { Out, Force, Json })
            command.Add(o);
    }

    /// <summary>Reads and validates the values (before the model loads, so bad arguments fail fast); without --size, Width and Height are 0 (the model's input size).</summary>
    public RenderSettings Read(ParseResult parse)
    {
        int steps = parse.GetValue(Steps);
        if (steps < 1) throw new UsageException($"--steps: must be at least 1 (got {steps}).");
        RunLimits.Bounded("--steps", steps, 1, RunLimits.MaxSteps);
        var (w, h) = parse.GetValue(Size) is string s ? ParseSize(s) : (0, 0);
        double lr = parse.GetValue(LearningRate);
        if (!(lr > 0) || !double.IsFinite(lr)) throw new UsageException($"--lr: must be a positive number (got {lr.ToString(CultureInfo.InvariantCulture)}).");
        if (parse.GetValue(Fft) && parse.GetValue(Pixel)) throw new UsageException("--fft and --pixel: choose one parametrization.");
        var param = ReadParam(parse);
        var maco = ReadMaco(parse, param);
        if (param == ImageParam.Maco && parse.GetResult(LearningRate) is not { Implicit: false }) lr = 1.0;
        if (param == ImageParam.Maco)
            foreach (var o in new Option[] { Warmup, Regularizers, SaveEvery, Transforms, Decay })
                if (parse.GetResult(o) is { Implicit: false })
                    throw new UsageException($"{o.Name}: not with --param maco (MaCo's only transformations are its crops and noise).");
        // Lucid's and Lucent's CPPN rate, unless --lr is given.
        if (param == ImageParam.Cppn && parse.GetResult(LearningRate) is not { Implicit: false }) lr = Math.Round(FeatureViz.Parametrization.CppnOptions.LearningRate, 6); // 0.005 as a double, not 0.004999999888
        var (saveW, saveH) = parse.GetValue(SaveSize) is string ss ? ParseSize(ss, "--save-size") : (0, 0);
        if (saveW > 0 && param != ImageParam.Cppn) throw new UsageException("--save-size: only --param cppn can draw its images at another size.");
        if (saveW > 0) RunLimits.CheckBatchPixels(saveW, saveH, parse.GetValue(Batch));
        double decay = parse.GetValue(Decay);
        if (!double.IsFinite(decay) || decay < 0) throw new UsageException($"--decay: must be a non-negative number (got {decay.ToString(CultureInfo.InvariantCulture)}).");
        var transforms = ParseChoice<TransformSet>("--transforms", parse.GetValue(Transforms)!);
        var schedule = ParseChoice<Render.LrSchedule>("--lr-schedule", parse.GetValue(LrSchedule)!);
        int warmup = parse.GetValue(Warmup);
        if (warmup < 0) throw new UsageException($"--warmup: must be 0 or more (got {warmup}).");
        RunLimits.Bounded("--warmup", warmup, 0, RunLimits.MaxSteps);
        int saveEvery = parse.GetValue(SaveEvery);
        if (saveEvery < 0) throw new UsageException($"--save-every: must be 0 or more (got {saveEvery}).");
        int batch = parse.GetValue(Batch);
        if (batch < 1) throw new UsageException($"--batch: must be at least 1 (got {batch}).");
        RunLimits.Bounded("--batch", batch, 1, RunLimits.MaxBatch);
        if (w > 0) RunLimits.CheckBatchPixels(w, h, batch);
        var device = Device.Read(parse);
        _ = ReadValuesRange(parse);
        return new RenderSettings
        {
            Steps = steps,
            Width = w,
            Height = h,
            LearningRate = lr,
            Seed = parse.GetValue(Seed),
            Param = param,
            SaveWidth = saveW,
            SaveHeight = saveH,
            Maco = maco,
            FftDecay = decay,
            Transforms = transforms,
            LrSchedule = schedule,
            Regularizers = ParseRegularizers(parse.GetValue(Regularizers) ?? []),
            WarmupSteps = warmup,
            SaveEvery = saveEvery,
            BatchSize = batch,
            Device = device.Spec.ToString(),
            Threads = device.Threads ?? Environment.ProcessorCount,
        };
    }

    /// <summary><c>--param</c>, with <c>--fft</c> and <c>--pixel</c> as aliases that must agree with it.</summary>
    private ImageParam ReadParam(ParseResult parse)
    {
        ImageParam? alias = parse.GetValue(Pixel) ? ImageParam.Pixel : parse.GetValue(Fft) ? ImageParam.Fft : null;
        if (parse.GetValue(Param) is not string text) return alias ?? ImageParam.Fft;
        var kind = ParseChoice<ImageParam>("--param", text);
        if (alias is { } a && a != kind)
            throw new UsageException($"--param {text} and --{a.ToString().ToLowerInvariant()}: choose one parametrization.");
        return kind;
    }

    /// <summary>MaCo's options; given without <c>--param maco</c> they are a usage error.</summary>
    private MacoRenderSettings? ReadMaco(ParseResult parse, ImageParam param)
    {
        if (param != ImageParam.Maco)
        {
            foreach (var o in new Option[] { Spectrum, Crops, BoxSize, Noise })
                if (parse.GetResult(o) is { Implicit: false })
                    throw new UsageException($"{o.Name}: only with --param maco.");
            return null;
        }
        int crops = parse.GetValue(Crops);
        RunLimits.Bounded("--crops", crops, 0, MaxCrops);
        string boxText = parse.GetValue(BoxSize)!.Trim();
        double? box = null;
        if (!boxText.Equals("linear", StringComparison.OrdinalIgnoreCase))
        {
            if (!double.TryParse(boxText, NumberStyles.Float, CultureInfo.InvariantCulture, out double b) || !(b > 0 && b <= 1))
                throw new UsageException($"--box-size: expected 'linear' or a number in (0, 1] (got '{boxText}').");
            box = b;
        }
        string noiseText = parse.GetValue(Noise)!.Trim();
        double? noise = null;
        if (!noiseText.Equals("logspace", StringComparison.OrdinalIgnoreCase))
        {
            if (!double.TryParse(noiseText, NumberStyles.Float, CultureInfo.InvariantCulture, out double n) || !(n >= 0) || !double.IsFinite(n))
                throw new UsageException($"--noise: expected 'logspace' or a number >= 0 (got '{noiseText}').");
            noise = n;
        }
        string? spectrum = parse.GetValue(Spectrum);
        if (spectrum is not null && !File.Exists(spectrum) && !Directory.Exists(spectrum))
            throw new UsageException($"--spectrum: '{spectrum}' is neither a file nor a folder.");
        return new MacoRenderSettings(crops, box, noise, spectrum);
    }

    /// <summary>The most crops per image and step (each is a model input).</summary>
    internal const int MaxCrops = 256;

    /// <summary>The engine's <see cref="IRenderEngine.Prepare"/> (MaCo's spectrum); a bad spectrum is a usage error.</summary>
    public static RenderSettings Prepare(IRenderEngine engine, RenderSettings settings, TextWriter log)
    {
        try
        {
            return engine.Prepare(settings, log.WriteLine);
        }
        catch (Exception e) when (e is ArgumentException or DirectoryNotFoundException)
        {
            throw new UsageException($"--spectrum: {CliErrors.OneLine(e)}");
        }
    }

    /// <summary>Fills in the model's input size when --size was not given.</summary>
    public static RenderSettings WithDefaultSize(RenderSettings s, (int Width, int Height) size)
    {
        if (s.Width > 0) return s;
        RunLimits.CheckBatchPixels(size.Width, size.Height, s.BatchSize);
        return s with { Width = size.Width, Height = size.Height };
    }

    /// <summary>
    /// Every parameter of a run, as recorded in manifest.json (see <see cref="Output.ManifestItem.PixelParameters"/>);
    /// the learning-rate schedule only when it is not the default, so the images of runs from before it existed stay
    /// reusable.
    /// </summary>
    public static Dictionary<string, string> Describe(RenderSettings s, string model, (float Min, float Max)? valuesRange)
    {
        var d = DescribeAll(s, model, valuesRange);
        if (s.LrSchedule != Render.LrSchedule.Constant) d["lrSchedule"] = s.LrSchedule.ToString().ToLowerInvariant();
        if (s.SaveWidth > 0) d["saveSize"] = $"{s.SaveWidth}x{s.SaveHeight}";
        if (s.Maco is { } m)
        {
            d["optimizer"] = "nadam";
            d["spectrum"] = m.SpectrumHash;
            d["crops"] = m.Crops.ToString(CultureInfo.InvariantCulture);
            d["boxSize"] = m.BoxSize is { } b ? b.ToString("R", CultureInfo.InvariantCulture) : "linear";
            d["noise"] = m.Noise is { } n ? n.ToString("R", CultureInfo.InvariantCulture) : "logspace";
            d.Remove("decay");
            d.Remove("transforms");
        }
        return d;
    }

    private static Dictionary<string, string> DescribeAll(RenderSettings s, string model, (float Min, float Max)? valuesRange) => new()
    {
        ["model"] = model,
        ["valuesRange"] = valuesRange is { } r ? $"{r.Min.ToString("R", CultureInfo.InvariantCulture)},{r.Max.ToString("R", CultureInfo.InvariantCulture)}" : "default",
        ["steps"] = s.Steps.ToString(CultureInfo.InvariantCulture),
        ["size"] = $"{s.Width}x{s.Height}",
        ["lr"] = s.LearningRate.ToString("R", CultureInfo.InvariantCulture),
        ["optimizer"] = "adam",
        ["seed"] = s.Seed.ToString(CultureInfo.InvariantCulture),
        ["parametrization"] = s.Param.ToString().ToLowerInvariant(),
        ["decay"] = s.FftDecay.ToString("R", CultureInfo.InvariantCulture),
        ["transforms"] = s.Transforms.ToString().ToLowerInvariant(),
        ["regularizers"] = s.Regularizers.Count == 0 ? "none" : string.Join(", ", s.Regularizers.Select(r => $"{r.Kind}={r.Weight.ToString("R", CultureInfo.InvariantCulture)}")),
        ["warmup"] = s.WarmupSteps.ToString(CultureInfo.InvariantCulture),
        ["saveEvery"] = s.SaveEvery.ToString(CultureInfo.InvariantCulture),
        ["batch"] = s.BatchSize.ToString(CultureInfo.InvariantCulture),
        ["device"] = s.Device,
    };

    /// <summary>An enum value by its lower-case name; anything else is a usage error listing the choices.</summary>
    internal static T ParseChoice<T>(string option, string text) where T : struct, Enum
    {
        var names = Enum.GetNames<T>().Select(n => n.ToLowerInvariant()).ToArray();
        string wanted = text.Trim().ToLowerInvariant();
        int i = Array.IndexOf(names, wanted);
        if (i < 0) throw new UsageException($"{option}: expected {string.Join(", ", names.Select(n => $"'{n}'"))} (got '{text}').");
        return Enum.GetValues<T>()[i];
    }

    public (float Min, float Max)? ReadValuesRange(ParseResult parse)
    {
        if (parse.GetValue(ValuesRange) is not string text) return null;
        var parts = text.Split(',');
        if (parts.Length == 2
            && float.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out float min)
            && float.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out float max)
            && float.IsFinite(min) && float.IsFinite(max) && min < max)
            return (min, max);
        throw new UsageException($"--values-range: expected MIN,MAX with MIN < MAX, e.g. 0,1 (got '{text}').");
    }

    public static (int Width, int Height) ParseSize(string text, string option = "--size")
    {
        var parts = text.ToLowerInvariant().Split('x');
        if (parts.Length is 1 or 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int w)
            && int.TryParse(parts[^1], NumberStyles.None, CultureInfo.InvariantCulture, out int h)
            && w >= 8 && h >= 8 && w <= 4096 && h <= 4096)
            return (w, h);
        throw new UsageException($"{option}: expected WxH with both between 8 and 4096, e.g. 224x224 (got '{text}').");
    }

    public static List<RegularizerSpec> ParseRegularizers(IEnumerable<string> specs)
    {
        var list = new List<RegularizerSpec>();
        foreach (var spec in specs)
        {
            var parts = spec.Split('=', 2);
            string kind = parts[0].Trim().ToLowerInvariant();
            if (!RegularizerSpec.Kinds.ContainsKey(kind))
                throw new UsageException($"--regularizer: unknown kind '{parts[0]}' in '{spec}' (expected {string.Join(", ", RegularizerSpec.Kinds.Keys)}, as KIND=WEIGHT).");
            if (parts.Length != 2 || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double weight) || !double.IsFinite(weight))
                throw new UsageException($"--regularizer: expected KIND=WEIGHT with a number, e.g. l1=0.01 (got '{spec}').");
            list.Add(new RegularizerSpec(kind, weight));
        }
        return list;
    }
}
