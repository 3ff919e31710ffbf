using FeatureViz.Cli.Commands;
using FeatureViz.Cli.IO;
using FeatureViz.Cli.Objectives;
using FeatureViz.IO;
using FeatureViz.Maco;
using FeatureViz.Models;
using FeatureViz.Objectives;
using FeatureViz.Onnx;
using FeatureViz.Optimizers;
using FeatureViz.Parametrization;
using FeatureViz.Regularizers;
using FeatureViz.Rendering;
using FeatureViz.Transforms;
using ObjectiveExpression = FeatureViz.Cli.Objectives.ObjectiveExpression;

namespace FeatureViz.Cli.Render;

/// <summary>The render engine backed by the FeatureViz library: ONNX model, objectives, FeatureVisualizer.Optimize.</summary>
internal sealed class LibraryRenderEngine : IRenderEngine
{
    /// <summary>The output of stage 2 of the bundled ResNet18 (128 channels, 28 x 28): a middle layer with clear textures.</summary>
    internal const string ResNet18DefaultLayer = "ReLU315_Output_0";

    private readonly string? _modelPath;
    private readonly ComputeDevice _device;
    private OnnxModel _onnx;
    private VisualizationModel _model;
    private readonly bool _bundled;

    /// <summary>Loads the model (null: the bundled ResNet18) on <paramref name="device"/>, falling back to the CPU when it does not fit and --fallback cpu allows it.</summary>
    public LibraryRenderEngine(string? modelPath, ComputeDevice device, (float Min, float Max)? valuesRange = null)
    {
        _modelPath = modelPath;
        _device = device;
        _bundled = modelPath is null;
        (_onnx, _model) = _device.Run(Load);
        ModelName = _bundled ? "ResNet18 (bundled, ImageNet, input 0..255)" : Path.GetFullPath(modelPath!);
        ValuesRange = valuesRange is { } r ? new ValueRange(r.Min, r.Max) : (_bundled ? new ValueRange(0f, 255f) : new ValueRange(0f, 1f));
        // On a GPU the batch must fit into the device's memory; with --fallback cpu it may use the host's.
        MemoryBudget = device.Description.IsGpu && !device.FallbackToCpu
            ? Math.Min(device.Description.MemoryBytes, FeatureViz.Cli.Render.MemoryBudget.Available())
            : FeatureViz.Cli.Render.MemoryBudget.Available();
    }

    private (OnnxModel, VisualizationModel) Load(Tensors.Backends.IBackend backend)
    {
        var load = new OnnxLoadOptions { Backend = backend };
        var onnx = _bundled ? OnnxModel.LoadResNet18(load) : OnnxModel.Load(_modelPath!, load);
        try
        {
            return (onnx, VisualizationModel.FromOnnx(onnx));
        }
        catch
        {
            onnx.Dispose();
            throw;
        }
    }

    public string ModelName { get; }

    /// <summary>The loaded ONNX model (for <c>bench</c>, which runs it directly).</summary>
    internal OnnxModel Onnx => _onnx;

    /// <summary>The model as the library's objectives see it.</summary>
    internal VisualizationModel Model => _model;

    public string DeviceName => _device.Description.ToString();

    public ValueRange ValuesRange { get; }

    public (int Width, int Height) InputSize
    {
        get
        {
            var s = _model.Input.Shape;
            return s.Length == 4 && s[2] > 0 && s[3] > 0 ? (s[3], s[2]) : (224, 224);
        }
    }

    /// <inheritdoc/>
    public long MemoryBudget { get; init; }

    /// <summary>
    /// An honest shape walk: the per-image sizes of every node output (found once at load by running the model on
    /// zeros) give the activations the backward pass keeps, doubled for their gradients while it runs; a model with a
    /// symbolic spatial input is scaled from its reference size by the pixel count. The image side is
    /// <see cref="ImageTensorCopies"/> float copies of the image per image (parameter, Adam moments, gradient, spectrum,
    /// transformations and their gradients); snapshots are kept as float images until the end of the batch.
    /// </summary>
    public MemoryEstimate EstimateMemory(RenderSettings settings, int images)
    {
        var input = _model.Input.Shape;
        int channels = input.Length == 4 && input[1] > 0 ? input[1] : 3;
        bool symbolic = input.Length != 4 || input[2] <= 0 || input[3] <= 0;
        double scale = 1;
        if (symbolic)
        {
            var reference = _model.Layers.Count > 0 ? ReferenceSpatial() : (1, 1);
            scale = (double)settings.Width * settings.Height / Math.Max(1, reference.Item1 * reference.Item2);
        }
        double perImageFloats = 0;
        foreach (var layer in _model.Layers)
        {
            if (layer.Shape.Length < 1 || layer.Shape.Any(d => d <= 0)) continue;
            double n = 1;
            for (int d = 1; d < layer.Shape.Length; d++) n *= layer.Shape[d];
            perImageFloats += n;
        }
        int modelPixels = symbolic ? settings.Width * settings.Height : input[2] * input[3];
        perImageFloats = perImageFloats * scale + (double)channels * modelPixels;
        long imageFloats = (long)channels * settings.Width * settings.Height;
        long frames = settings.SaveEvery > 0 ? settings.Steps / settings.SaveEvery + 1 : 0;
        return new MemoryEstimate(
            images,
            // MaCo runs the model on every crop of every image.
            Activations: checked((long)(2 * 4 * perImageFloats) * images * Math.Max(1, settings.Maco?.Crops ?? 1)),
            ImageTensors: checked(ImageTensorCopies * 4 * imageFloats * images),
            Snapshots: checked(frames * (4 * imageFloats + 3L * settings.Width * settings.Height) * images),
            Overhead: 64L << 20);

        (int, int) ReferenceSpatial()
        {
            var first = _model.Layers.FirstOrDefault(l => l.Shape.Length == 4 && l.Shape[2] > 0 && l.Shape[3] > 0);
            return first is null ? (1, 1) : (first.Shape[2], first.Shape[3]);
        }
    }

    /// <summary>Float copies of the optimized image held per image during a step (see <see cref="EstimateMemory"/>).</summary>
    internal const int ImageTensorCopies = 24;

    public string LayerName(LayerSpec layer) => Resolve(layer).OutputName;

    public int ChannelCount(LayerSpec layer)
    {
        var info = Resolve(layer);
        if (info.Shape.Length < 2) throw new ArgumentException($"layer '{info.OutputName}' of shape [{string.Join(", ", info.Shape)}] has no channel axis.");
        return info.Shape[1];
    }

    public string DefaultLayer()
    {
        if (_bundled && _model.Layers.Any(l => l.OutputName == ResNet18DefaultLayer)) return ResNet18DefaultLayer;
        var candidates = _model.Layers.Where(l => l.Shape.Length == 4 && l.OpType is "Relu" or "Conv" or "Concat" or "Add").ToList();
        if (candidates.Count == 0) candidates = _model.Layers.Where(l => l.Shape.Length == 4).ToList();
        if (candidates.Count == 0) throw new ArgumentException("the model has no 4-D (N, C, H, W) layer to render; pass --objective.");
        return candidates[candidates.Count * 3 / 5].OutputName;
    }

    public void Validate(ObjectiveExpression expression) => _ = Build(expression);

    /// <summary>Adjusts the library options of every batch (accentuate sets its seed, optimizer and transformations).</summary>
    internal Func<OptimizationOptions, OptimizationOptions>? Customize { get; set; }

    public void Dispose() => _onnx.Dispose();

    /// <summary>
    /// Optimizes the batch on the device; when it runs out of device memory and --fallback cpu allows it, the model
    /// moves to the CPU and the batch starts again there (so do the following batches).
    /// </summary>
    public IReadOnlyList<ItemResult> Render(RenderBatch batch, RenderSettings settings, Action<StepReport> onStep, CancellationToken cancellationToken)
    {
        try
        {
            return RenderOnDevice(batch, settings, onStep, cancellationToken);
        }
        catch (Exception e) when (_device.CanFallBack(e))
        {
            _onnx.Dispose();
            _device.FallBack(e);
            (_onnx, _model) = _device.Run(Load);
            return RenderOnDevice(batch, settings, onStep, cancellationToken);
        }
    }

    private MacoSpectrum? _spectrum;

    /// <summary>Loads MaCo's spectrum (a .npy file or a folder of images; none: the built-in) and records its hash.</summary>
    public RenderSettings Prepare(RenderSettings settings, Action<string> message)
    {
        if (settings.Maco is not { } m) return settings;
        int channels = _model.Channels;
        if (m.SpectrumPath is not { } path)
        {
            _spectrum = null;
            return settings;
        }
        if (Directory.Exists(path))
        {
            int skipped = 0;
            _spectrum = MacoSpectrum.FromImageFolder(_model.Backend, path, channels, settings.Height, settings.Width, e =>
            {
                skipped++;
                message($"warning: --spectrum: skipped {e.Message}");
            });
            message($"MaCo spectrum: {_spectrum.Source}{(skipped > 0 ? $", {skipped} file(s) skipped" : "")}.");
        }
        else
        {
            NpyArray npy;
            try
            {
                npy = Npy.Read(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or NpyFormatException)
            {
                throw new ArgumentException($"spectrum file {path}: {e.Message}");
            }
            _spectrum = MacoSpectrum.FromArray(npy.Data, npy.Shape, path);
            if (_spectrum.Channels != channels)
                throw new ArgumentException($"spectrum file {path} has shape ({string.Join(", ", npy.Shape)}): {_spectrum.Channels} channels, but the model takes {channels}; expected ({channels}, H, W/2 + 1).");
        }
        return settings with { Maco = m with { SpectrumHash = SpectrumHash(_spectrum) } };
    }

    private static string SpectrumHash(MacoSpectrum spectrum)
    {
        var values = spectrum.ToArray();
        var bytes = new byte[12 + 4 * values.Length];
        BitConverter.TryWriteBytes(bytes.AsSpan(0), spectrum.Channels);
        BitConverter.TryWriteBytes(bytes.AsSpan(4), spectrum.Height);
        BitConverter.TryWriteBytes(bytes.AsSpan(8), spectrum.Width);
        Buffer.BlockCopy(values, 0, bytes, 12, 4 * values.Length);
        return Output.OutputFolder.Sha256(bytes);
    }

    private IReadOnlyList<ItemResult> RenderOnDevice(RenderBatch batch, RenderSettings settings, Action<StepReport> onStep, CancellationToken cancellationToken)
    {
        var objective = Build(batch.Objective);
        if (objective.BatchSize != batch.Items.Count)
            throw new InvalidOperationException($"internal: the objective yields {objective.BatchSize} images for {batch.Items.Count} items.");
        if (settings.Maco is { } maco) return RenderMaco(batch, settings, maco, objective, onStep, cancellationToken);
        var options = new OptimizationOptions
        {
            Optimizer = Optimizer.Adam((float)settings.LearningRate),
            LearningRateSchedule = Schedule(settings),
            Steps = settings.Steps,
            UseFft = settings.Param != ImageParam.Pixel,
            Cppn = settings.Param == ImageParam.Cppn ? new CppnOptions() : null,
            FftDecay = (float)settings.FftDecay,
            Regularizers = settings.Regularizers.Select(r => r.Create()).ToList(),
            ValuesRange = ValuesRange,
            Transformations = Transforms(settings.Transforms, ValuesRange),
            WarmupSteps = settings.WarmupSteps,
            CustomShape = new ImageSize(settings.Height, settings.Width),
            SaveEvery = settings.SaveEvery > 0 ? settings.SaveEvery : null,
            Seed = settings.Seed,
            Progress = new SyncProgress(p => onStep(new StepReport(p.Step, p.TotalSteps, p.Loss))),
        };
        if (Customize is not null) options = Customize(options);
        var result = FeatureVisualizer.Optimize(objective, options, cancellationToken);
        if (result.Cancelled) throw new OperationCanceledException(cancellationToken);
        var frames = settings.SaveEvery > 0 ? result.Snapshots : [];
        var images = result.Images;
        if (settings.SaveWidth > 0 && result.Cppn is { } cppn) images = cppn.Render(new ImageSize(settings.SaveHeight, settings.SaveWidth), _model.Backend);
        var losses = result.Losses.Select(l => (double)l).ToList();
        return batch.Items.Select((item, i) => new ItemResult(
            item,
            ToRgb(images, i),
            losses,
            frames.Select(f => ToRgb(f, i)).ToList(),
            result[i].ObjectiveValues.Select(v => (double)v).ToList(),
            Cppn: result.Cppn?.Single(i))).ToList();
    }

    private IReadOnlyList<ItemResult> RenderMaco(RenderBatch batch, RenderSettings settings, MacoRenderSettings maco, Objective objective, Action<StepReport> onStep, CancellationToken cancellationToken)
    {
        var options = new MacoOptions
        {
            Optimizer = Optimizer.NAdam((float)settings.LearningRate),
            LearningRateSchedule = Schedule(settings),
            Steps = settings.Steps,
            Crops = maco.Crops,
            BoxSize = maco.BoxSize is { } b ? MacoSchedule.Constant(b) : MacoSchedule.Linear(0.5, 0.05),
            NoiseIntensity = maco.Noise is { } n ? MacoSchedule.Constant(n) : MacoSchedule.LogSpace(0, -4),
            Spectrum = _spectrum,
            ImageSize = new ImageSize(settings.Height, settings.Width),
            ValuesRange = ValuesRange,
            Seed = settings.Seed,
            Progress = new SyncProgress(p => onStep(new StepReport(p.Step, p.TotalSteps, p.Loss))),
        };
        var result = MacoVisualizer.Optimize(objective, options, cancellationToken);
        if (result.Cancelled) throw new OperationCanceledException(cancellationToken);
        var losses = result.Result.Losses.Select(l => (double)l).ToList();
        return batch.Items.Select((item, i) => new ItemResult(
            item,
            ToRgb(result.Images, i),
            losses,
            [],
            result.Result[i].ObjectiveValues.Select(v => (double)v).ToList(),
            result.AlphaMap(i))).ToList();
    }

    /// <summary>The library transformations of <c>--transforms</c>; Lucid's grey padding is the middle of the model's value range.</summary>
    internal static ImageTransform? Transforms(TransformSet set, ValueRange range) => set switch
    {
        TransformSet.Standard => ImageTransform.Standard(),
        TransformSet.Lucid => ImageTransform.Lucid(range.Min + range.Width / 2),
        _ => null,
    };

    /// <summary>The library schedule of <c>--lr-schedule</c> over the warm-up and optimization steps.</summary>
    internal static LearningRateSchedule Schedule(RenderSettings settings) => settings.LrSchedule switch
    {
        LrSchedule.Cosine => LearningRateSchedule.Cosine(),
        LrSchedule.Step => LearningRateSchedule.Step(Math.Max(1, (settings.WarmupSteps + settings.Steps + 3) / 4), 0.5f),
        _ => LearningRateSchedule.Constant,
    };

    private LayerInfo Resolve(LayerSpec layer) => layer.IsIndex ? _model.GetLayer(layer.Index) : _model.GetLayer(layer.Name!);

    internal Objective Build(ObjectiveExpression expression)
    {
        Objective? sum = null;
        foreach (var (weight, atom) in expression.Terms.Select(t => (t.Weight, t.Atom)))
        {
            LayerRef layer = atom.Layer.IsIndex ? new LayerRef(atom.Layer.Index) : new LayerRef(atom.Layer.Name!);
            float w = (float)weight;
            var term = atom.Kind switch
            {
                ObjectiveKind.Channel => Objective.Channel(_model, layer, atom.Indices, w),
                ObjectiveKind.Neuron => Objective.Neuron(_model, layer,
                    atom.Neurons.Select(n => n.Flat ?? Objective.NeuronId(_model, layer, n.Channel, n.X, n.Y)).ToList(), w),
                ObjectiveKind.Layer => Objective.Layer(_model, layer, atom.Reducer == Reduction.Mean ? LayerReducer.Mean : LayerReducer.Magnitude, w),
                ObjectiveKind.Diversity => Objective.Diversity(_model, layer, w),
                ObjectiveKind.Alignment => Objective.Alignment(_model, layer, multiplier: w),
                ObjectiveKind.Interpolate => Objective.ChannelInterpolate(_model, layer, atom.Channels.First, layer, atom.Channels.Second, atom.Steps, w, stepIndices: atom.Indices),
                ObjectiveKind.Logit => LogitObjective(atom, layer, w),
                ObjectiveKind.PositionDirection => Objective.PerPositionDirection(_model, layer, ReadVector(atom.VectorPath!), w),
                ObjectiveKind.DirectionNeuron => Objective.DirectionNeuron(_model, layer, ReadVector(atom.VectorPath!), atom.At?.X, atom.At?.Y, w),
                _ => Objective.Direction(_model, layer, ReadVector(atom.VectorPath!), multiplier: w),
            };
            sum = sum is null ? term : sum + term;
        }
        return sum ?? throw new ArgumentException("empty objective.");
    }

    /// <summary>A resolved <c>logit:LABEL</c> (its class index set from --labels): the logit on the last layer.</summary>
    private Objective LogitObjective(ObjectiveAtom atom, LayerRef layer, float w)
    {
        if (atom.Indices.Count != 1) throw new ArgumentException($"logit:{atom.Label} needs --labels FILE to find its class index.");
        var info = _model.GetLayer(layer);
        long size = info.Shape.Skip(1).Aggregate(1L, (a, d) => a * d);
        if (size != atom.LabelCount)
            throw new ArgumentException($"logit:{atom.Label}: the labels file has {atom.LabelCount} labels but the last layer '{info.OutputName}' has shape [{string.Join(", ", info.Shape)}] ({size} values per image).");
        return Objective.Neuron(_model, layer, atom.Indices, w);
    }

    /// <summary>
    /// The direction vector of a <c>direction:</c> term; any problem with the file (missing, a folder, FIFO or device,
    /// too large, not a .npy) is an <see cref="ArgumentException"/>, which the command reports as a bad --objective.
    /// </summary>
    private static float[] ReadVector(string path)
    {
        try
        {
            return Npy.Read(path).Data;
        }
        catch (FileNotFoundException)
        {
            throw new ArgumentException($"direction vector file '{path}' does not exist.");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NpyFormatException)
        {
            throw new ArgumentException($"direction vector: {e.Message}");
        }
    }

    /// <summary>One image of a batch as 8-bit RGB (grayscale replicated), scaled from the batch's value range.</summary>
    internal static RgbImage ToRgb(ImageBatch batch, int index) => new(batch.Width, batch.Height, ImageExport.ToRgb24(batch, index));


    /// <summary>Reports synchronously on the optimizing thread (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class SyncProgress(Action<OptimizationProgress> report) : IProgress<OptimizationProgress>
    {
        public void Report(OptimizationProgress value) => report(value);
    }
}
