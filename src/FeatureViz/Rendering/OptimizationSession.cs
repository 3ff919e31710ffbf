using System.Diagnostics;
using FeatureViz.Maco;
using FeatureViz.Accentuation;
using FeatureViz.Models;
using FeatureViz.Objectives;
using FeatureViz.Optimizers;
using FeatureViz.Parametrization;
using FeatureViz.Tensors;
using FeatureViz.Tensors.Autograd;
using FeatureViz.Tensors.Ops;

namespace FeatureViz.Rendering;

/// <summary>
/// One optimization run: validated settings, the compiled objective, the parameters and optimizer state (kept alive
/// explicitly across steps), and the seeded generator. Each <see cref="Step"/> runs in its own <see cref="TensorScope"/>
/// and moves nothing between host and device: its loss stays on the device until <see cref="ReadLosses"/> brings the
/// pending ones back in one download.
/// </summary>
/// <remarks>
/// Since a step does not look at its loss, the check for divergence runs on the device: a flag stays 1 while every
/// loss so far was finite, and the update (and the kept previous parameters) only move while it is 1. After a
/// non-finite loss the parameters stay exactly those that produced it, so the caller, finding that loss in a later
/// batched read, sees the same state as if it had stopped at once.
/// </remarks>
internal sealed class OptimizationSession : IDisposable
{
    private readonly OptimizationOptions _o;
    private readonly CompiledObjective _compiled;
    private readonly IImageParametrization _param;
    private readonly MacoStage? _maco;
    private Tensor? _image, _imageLeaf; // MaCo: the step's rendered image, and its detached copy that the crops read
    private readonly AccentuationRun? _accent;
    private readonly OptimizerState _state;
    private readonly Random _random;
    private readonly int _modelH, _modelW;
    private readonly bool _perImage;
    private Tensor _parameter;
    private Tensor? _previous;
    private Tensor _finite;
    private readonly List<Tensor> _pendingLosses = [];
    private readonly List<Tensor> _history = [];
    private readonly List<Tensor> _readHistory = [];
    private readonly int _totalSteps;
    private int _stepIndex;
    private int _lastReadCount;

    /// <param name="objective">The objective.</param>
    /// <param name="options">The loop's settings.</param>
    /// <param name="maco">When given, MaCo replaces the parametrization and transformations (phase with a fixed magnitude, crops, noise, transparency).</param>
    public OptimizationSession(Objective objective, OptimizationOptions options, MacoOptions? maco = null)
    {
        ArgumentNullException.ThrowIfNull(objective);
        ArgumentNullException.ThrowIfNull(options);
        _o = options;
        Validate(options);
        _totalSteps = options.WarmupSteps + options.Steps;
        var model = objective.Model;
        var input = model.Input;
        if (input.Shape.Length != 4)
            throw new ArgumentException($"FeatureVisualizer: the model input '{input.Name}' has shape [{string.Join(", ", input.Shape)}]; an NCHW image input is needed.", nameof(objective));
        Channels = model.Channels;
        bool symbolic = input.Shape[2] <= 0 || input.Shape[3] <= 0;
        var size = options.CustomShape ?? (symbolic
            ? throw new ArgumentException($"FeatureVisualizer: the model input '{input.Name}' has symbolic spatial dimensions [{string.Join(", ", input.Shape)}]; set CustomShape.", nameof(options))
            : new ImageSize(input.Shape[2], input.Shape[3]));
        ImageSize = size;
        _perImage = input.Shape[0] == 1;
        (_modelH, _modelW) = symbolic ? (size.Height, size.Width) : (input.Shape[2], input.Shape[3]);
        if (options.ImageNormalizer == ImageNormalizer.Custom && options.CustomNormalizer is null)
            throw new ArgumentException("FeatureVisualizer: ImageNormalizer.Custom needs CustomNormalizer.", nameof(options));

        _random = options.Seed is int seed ? new Random(seed) : new Random();
        _compiled = objective.Compile();
        Names = _compiled.Names;
        try
        {
            Preflight(model, input.Name, symbolic);
            _param = options.Cppn is { } cppn
                ? new CppnParametrization(model.Backend, _compiled.BatchSize, Channels, size, cppn, options.ValuesRange)
                : new ImageParametrization(model.Backend, _compiled.BatchSize, Channels, size, options.UseFft, options.FftDecay, options.ValuesRange, options.ImageNormalizer, options.CustomNormalizer);
            if (maco is not null) _maco = new MacoStage(model.Backend, maco, _compiled.BatchSize, Channels, size, _modelH, _modelW);
            if (options.Accentuation is { } seeds) _accent = new AccentuationRun(seeds, model.Backend, (ImageParametrization)_param, options);
            _parameter = _maco?.Initial(model.Backend, _random) ?? _accent?.InitialParameter ?? _param.Initial(model.Backend, _random, options.Std);
            TensorScope.Current?.Keep(_parameter);
            _parameter.RequireGrad();
            _state = options.Optimizer.CreateState(_parameter);
            _finite = Tensor.Scalar(model.Backend, 1f);
            TensorScope.Current?.Keep(_finite);
        }
        catch
        {
            _accent?.Dispose();
            _compiled.Dispose();
            throw;
        }
    }

    public int Channels { get; }
    public ImageSize ImageSize { get; }
    public IReadOnlyList<string> Names { get; }
    public int BatchSize => _compiled.BatchSize;
    public string ObjectiveName => string.Join(" | ", Names);

    /// <summary>
    /// Keep the parameters after every step until its loss is read, so that <see cref="SnapshotOfRead"/> can give the
    /// images of any step of the last read (for stopping exactly at a step whose report asked to cancel). Off by
    /// default: the previous parameters are then freed at once.
    /// </summary>
    public bool KeepStepParameters { get; init; }

    /// <summary>
    /// One step: render, transform, resize, model, score minus penalties, gradient, update. Queues the work and keeps
    /// the loss (negated total score) on the device; <see cref="ReadLosses"/> returns it. Once a loss is not finite, later
    /// steps leave the parameters as they are.
    /// </summary>
    public void Step(bool warmup)
    {
        using var scope = TensorScope.Begin();
        var (loss, scores) = LossAndScores(_parameter, warmup);
        // MaCo needs d loss / d image too: the model part runs from a leaf copy of the image, whose gradient then
        // flows through the render to the phase.
        var imageGrad = _maco is null ? null : Grad.Of(loss, [_imageLeaf!])[0];
        var grad = imageGrad is null ? Grad.Of(loss, [_parameter])[0] : Grad.Of(_image!, [_parameter], imageGrad)[0];
        float rate = _o.LearningRateSchedule.Rate(_o.Optimizer.LearningRate, _stepIndex, _totalSteps);
        if (!(rate > 0f) || !float.IsFinite(rate))
            throw new InvalidOperationException($"FeatureVisualizer: the learning-rate schedule {_o.LearningRateSchedule} gave {rate} at step {_stepIndex + 1} of {_totalSteps} (base rate {_o.Optimizer.LearningRate}); rates must be positive and finite.");
        _stepIndex++;
        Tensor next, previous, finite;
        using (GradMode.NoGrad())
        {
            var lossRow = loss.Reshape(1);
            finite = scope.Keep(_finite.Mul(lossRow.Map(new IsFiniteOp())));
            if (imageGrad is not null) _maco!.Accumulate(imageGrad, finite);
            // The step's record on the device: [loss, score of image 0, ..., score of image N-1], read in batches.
            _pendingLosses.Add(scope.Keep(Tensor.Concat([lossRow, scores], 0)));
            var updated = _state.Update(_parameter, grad, rate);
            next = scope.Keep(Tensor.Where(finite, updated, _parameter));
            previous = scope.Keep(Tensor.Where(finite, _parameter, _previous ?? _parameter));
        }
        next.RequireGrad();
        _previous?.Dispose();
        if (KeepStepParameters && _pendingLosses.Count > 1) _history.Add(_parameter);
        else _parameter.Dispose();
        _finite.Dispose();
        (_previous, _parameter, _finite) = (previous, next, finite);
    }

    /// <summary>Steps whose loss has not been read yet.</summary>
    public int PendingLosses => _pendingLosses.Count;

    /// <summary>The losses of the steps since the last read, in step order, in one download (waits for those steps).</summary>
    public float[] ReadLosses() => ReadSteps().Select(s => s.Loss).ToArray();

    /// <summary>
    /// The records (loss and each image's objective value) of the steps since the last read, in step order, in one
    /// download (waits for those steps).
    /// </summary>
    public StepRecord[] ReadSteps()
    {
        foreach (var t in _readHistory) t.Dispose();
        _readHistory.Clear();
        _lastReadCount = _pendingLosses.Count;
        if (_pendingLosses.Count == 0) return [];
        float[] values;
        using (var scope = TensorScope.Begin())
            values = (_pendingLosses.Count == 1 ? _pendingLosses[0] : Tensor.Concat(_pendingLosses, 0)).ToArray();
        int width = BatchSize + 1;
        var records = new StepRecord[_pendingLosses.Count];
        for (int i = 0; i < records.Length; i++)
            records[i] = new StepRecord(values[i * width], values.AsSpan(i * width + 1, BatchSize).ToArray());
        foreach (var l in _pendingLosses) l.Dispose();
        _pendingLosses.Clear();
        _readHistory.AddRange(_history);
        _history.Clear();
        return records;
    }

    /// <summary>
    /// The images after step <paramref name="index"/> (0-based) of the last <see cref="ReadSteps"/>, recorded as
    /// <paramref name="step"/>; needs <see cref="KeepStepParameters"/> for any but the last step read.
    /// </summary>
    public ImageBatch SnapshotOfRead(int index, int step)
    {
        if (index == _lastReadCount - 1) return Render(_parameter, step);
        if ((uint)index >= (uint)_lastReadCount || _readHistory.Count != _lastReadCount - 1)
            throw new InvalidOperationException($"FeatureVisualizer: the parameters of step {index + 1} of the last {_lastReadCount} read were not kept.");
        return Render(_readHistory[index], step);
    }

    /// <summary>The scalar to minimise, -(sum over images of score - penalties), and each image's score (before penalties), [N].</summary>
    internal (Tensor Loss, Tensor Scores) LossAndScores(Tensor parameter, bool warmup)
    {
        if (_maco is not null)
        {
            _image = _maco.Render(parameter);
            _imageLeaf = _image.Detach().RequireGrad();
        }
        // Accentuation penalises the whole rendered image, so it is rendered before the transformations crop it.
        var image = _accent is null ? null : _param.Finish(_accent.Spatial(parameter));
        var x = _maco?.ModelInput(_imageLeaf!, _random, _stepIndex, _totalSteps) ?? (image is null ? ModelInput(parameter) : Transformed(image));
        IReadOnlyDictionary<string, Tensor> activations;
        using (warmup ? GradMode.StraightThroughRelu() : null)
            activations = RunModel(x);
        var scores = _maco?.Scores(_compiled, activations) ?? _compiled.Evaluate(activations);
        var total = scores;
        foreach (var r in _o.Regularizers)
        {
            var penalty = r.Compute(x);
            if (penalty is null || penalty.Rank != 1 || penalty.Shape[0] != BatchSize)
                throw new InvalidOperationException($"FeatureVisualizer: regularizer {r} returned shape {penalty?.Shape.ToString() ?? "null"} for {BatchSize} images; it must return one value per image, shape [{BatchSize}].");
            total = total.Sub(penalty);
        }
        if (image is not null) total = total.Sub(_accent!.Penalty.Compute(image));
        return (total.Sum().Neg(), scores);
    }

    /// <summary>Parameter to model input: render, random transformations, resize to the model's input size.</summary>
    internal Tensor ModelInput(Tensor parameter)
    {
        if (_accent is not null) return Transformed(_param.Finish(_accent.Spatial(parameter)));
        var spatial = _param.Spatial(parameter);
        // The transformations start by cropping most of the image away (the standard list keeps a quarter of it):
        // colour mixing and normalization, being per pixel, then run on the kept pixels only.
        var x = _o.Transformations is not { } t ? _param.Finish(spatial)
            : _param.FinishIsPointwise ? t.ApplyAfter(_param.Finish, spatial, _random)
            : t.Apply(_param.Finish(spatial), _random);
        if (x.Shape[2] != _modelH || x.Shape[3] != _modelW)
            x = x.Resize(_modelH, _modelW, new ResizeOptions(ResizeMode.Linear, CoordinateTransform.HalfPixel));
        return x;
    }

    /// <summary>The rendered image after the random transformations, resized to the model's input size.</summary>
    private Tensor Transformed(Tensor image)
    {
        var x = _o.Transformations is { } t ? t.Apply(image, _random) : image;
        if (x.Shape[2] != _modelH || x.Shape[3] != _modelW)
            x = x.Resize(_modelH, _modelW, new ResizeOptions(ResizeMode.Linear, CoordinateTransform.HalfPixel));
        return x;
    }

    /// <summary>
    /// Everything a step does except the model: the model input from the current parameter, the backward pass from
    /// <paramref name="inputGradient"/> (standing in for the model's input gradient) to the parameter, and the
    /// optimizer update (its result is discarded, though the optimizer's moment estimates advance). For measuring the
    /// time a step spends outside the model; not part of an optimization.
    /// </summary>
    internal void StepWithoutModel(Tensor inputGradient)
    {
        using var scope = TensorScope.Begin();
        var x = ModelInput(_parameter);
        var grad = Grad.Of(x.Mul(inputGradient).Sum(), [_parameter])[0];
        using (GradMode.NoGrad()) _state.Update(_parameter, grad);
    }

    /// <summary>
    /// Runs the model on the batch. A model whose input declares a fixed batch of 1 (often with batch-1 reshapes
    /// inside, as mnist-8) runs image by image and the activations are concatenated.
    /// </summary>
    private IReadOnlyDictionary<string, Tensor> RunModel(Tensor x)
    {
        int n = x.Shape[0];
        if (!_perImage || n == 1) return _compiled.Model.Run(x, _compiled.OutputNames);
        var parts = new Dictionary<string, List<Tensor>>();
        foreach (var name in _compiled.OutputNames) parts[name] = new List<Tensor>(n);
        for (int i = 0; i < n; i++)
        {
            var acts = _compiled.Model.Run(x.Slice([i], [i + 1], [0]), _compiled.OutputNames);
            foreach (var name in _compiled.OutputNames)
                parts[name].Add(acts.TryGetValue(name, out var a) ? a : throw new InvalidOperationException($"FeatureVisualizer: the model returned no activation for layer '{name}'."));
        }
        var result = new Dictionary<string, Tensor>();
        foreach (var (name, list) in parts) result[name] = Tensor.Concat(list, 0);
        return result;
    }

    /// <summary>The current images on the host.</summary>
    public ImageBatch Snapshot(int step) => Render(_parameter, step);

    /// <summary>
    /// After a non-finite loss: the images that produced it if finite, else those before the last update
    /// (<paramref name="hasPrevious"/>: an update happened before the failing step).
    /// </summary>
    public ImageBatch LastFiniteSnapshot(int step, bool hasPrevious)
    {
        var now = Render(_parameter, step);
        if (AllFinite(now.Data) || !hasPrevious || _previous is null) return now;
        return Render(_previous, Math.Max(0, step - 1));
    }

    /// <summary>
    /// The CPPN weights of the images last rendered for the caller (the result's final images), or null when the
    /// parametrization is not a CPPN.
    /// </summary>
    public CppnImages? LastRenderedCppn { get; private set; }

    private ImageBatch Render(Tensor parameter, int step)
    {
        using var scope = TensorScope.Begin();
        using var _ = GradMode.NoGrad();
        if (_o.Cppn is { } cppn)
        {
            var flat = parameter.ToArray();
            int p = flat.Length / BatchSize;
            LastRenderedCppn = new CppnImages(cppn, Channels, _o.ValuesRange, Enumerable.Range(0, BatchSize).Select(i => flat.AsSpan(i * p, p).ToArray()).ToList());
        }
        var data = (_maco?.Render(parameter) ?? (_accent is null ? _param.Render(parameter) : _param.Finish(_accent.Spatial(parameter)))).ToArray();
        return new ImageBatch(data, BatchSize, Channels, ImageSize.Height, ImageSize.Width, _o.ValuesRange, step);
    }

    private static bool AllFinite(float[] d)
    {
        foreach (var v in d) if (!float.IsFinite(v)) return false;
        return true;
    }

    /// <summary>Checks, before any step, that the transformations keep a non-empty image and that the model produces the layers at that size.</summary>
    private void Preflight(VisualizationModel model, string inputName, bool symbolic)
    {
        using var scope = TensorScope.Begin();
        using var _ = GradMode.NoGrad();
        if (_o.Transformations is not null)
        {
            try
            {
                using var probe = Tensor.Zeros(model.Backend, 1, Channels, ImageSize.Height, ImageSize.Width);
                var t = _o.Transformations.Apply(probe, new Random(0));
                if (t.Rank != 4 || t.Shape[2] < 1 || t.Shape[3] < 1) throw new ArgumentException($"the result has shape {t.Shape}");
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"FeatureVisualizer: the transformations cannot be applied to a {ImageSize} image: {e.Message}", nameof(_o.Transformations), e);
            }
        }
        if (!symbolic) return;
        IReadOnlyDictionary<string, Tensor> acts;
        try
        {
            using var x = Tensor.Zeros(model.Backend, 1, Channels, _modelH, _modelW);
            acts = model.Run(x, _compiled.OutputNames);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            throw new ArgumentException($"FeatureVisualizer: the image size {ImageSize} is smaller than model input '{inputName}' can take: {e.Message}", "options", e);
        }
        foreach (var name in _compiled.OutputNames)
            if (!acts.TryGetValue(name, out var a) || a.Numel == 0)
                throw new ArgumentException($"FeatureVisualizer: at image size {ImageSize} the model gives no values for layer '{name}'; the image is smaller than the model can take.", "options");
    }

    private static void Validate(OptimizationOptions o)
    {
        // Errors name the public argument (FeatureVisualizer.Optimize's options), not this method's parameter.
        const string Options = "options";
        if (o.Optimizer is null) throw new ArgumentException("FeatureVisualizer: Optimizer is null.", Options);
        if (o.LearningRateSchedule is null) throw new ArgumentException("FeatureVisualizer: LearningRateSchedule is null (use LearningRateSchedule.Constant).", Options);
        if (o.Steps < 1) throw new ArgumentOutOfRangeException(Options, o.Steps, $"FeatureVisualizer: Steps must be at least 1 (got {o.Steps}).");
        if (o.WarmupSteps < 0) throw new ArgumentOutOfRangeException(Options, o.WarmupSteps, "FeatureVisualizer: WarmupSteps must be >= 0.");
        if (o.LossReadInterval < 1) throw new ArgumentOutOfRangeException(Options, o.LossReadInterval, $"FeatureVisualizer: LossReadInterval must be at least 1 (got {o.LossReadInterval}).");
        if (o.SaveEvery is < 1) throw new ArgumentOutOfRangeException(Options, o.SaveEvery, "FeatureVisualizer: SaveEvery must be >= 1 (or null).");
        var r = o.ValuesRange;
        if (!float.IsFinite(r.Min) || !float.IsFinite(r.Max) || !(r.Min < r.Max))
            throw new ArgumentOutOfRangeException(Options, r, $"FeatureVisualizer: ValuesRange {r} is invalid: Min must be below Max and both finite.");
        if (!float.IsFinite(o.Std) || o.Std < 0) throw new ArgumentOutOfRangeException(Options, o.Std, "FeatureVisualizer: Std must be finite and >= 0.");
        if (!float.IsFinite(o.FftDecay)) throw new ArgumentOutOfRangeException(Options, o.FftDecay, "FeatureVisualizer: FftDecay must be finite.");
        if (o.CustomShape is { } s && (s.Height < 1 || s.Width < 1))
            throw new ArgumentOutOfRangeException(Options, s, $"FeatureVisualizer: CustomShape {s} must be at least 1 x 1.");
        if (!Enum.IsDefined(o.ImageNormalizer)) throw new ArgumentOutOfRangeException(Options, o.ImageNormalizer, "FeatureVisualizer: unknown ImageNormalizer.");
        if (o.Cppn is { } cppn)
        {
            try { cppn.Validate(); }
            catch (ArgumentOutOfRangeException e) { throw new ArgumentException($"FeatureVisualizer: Cppn: {e.Message}", Options, e); }
            if (o.ImageNormalizer != ImageNormalizer.Sigmoid)
                throw new ArgumentException($"FeatureVisualizer: the CPPN parametrization ends in a sigmoid (as Lucid's); ImageNormalizer must be Sigmoid (got {o.ImageNormalizer}).", Options);
            if (o.Accentuation is not null)
                throw new ArgumentException("FeatureVisualizer: Accentuation starts from a seed's Fourier spectrum; it cannot be combined with Cppn.", Options);
        }
        if (o.Regularizers is null) throw new ArgumentException("FeatureVisualizer: Regularizers is null (use an empty list).", Options);
        foreach (var reg in o.Regularizers)
            if (reg is null) throw new ArgumentException("FeatureVisualizer: Regularizers contains null.", Options);
    }

    /// <summary>MaCo: the transparency accumulated so far, [N, C, H, W] on the host; null without MaCo.</summary>
    public float[]? Transparency() => _maco?.Transparency();

    public void Dispose()
    {
        _state.Dispose();
        _param.Dispose();
        _maco?.Dispose();
        _accent?.Dispose();
        _parameter.Dispose();
        _previous?.Dispose();
        _finite.Dispose();
        foreach (var l in _pendingLosses) l.Dispose();
        foreach (var t in _history) t.Dispose();
        foreach (var t in _readHistory) t.Dispose();
        _compiled.Dispose();
    }
}

/// <summary>One step's values read back from the device: the loss minimised and each image's objective value (before penalties).</summary>
internal readonly record struct StepRecord(float Loss, float[] Objectives);
