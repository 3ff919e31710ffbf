using System.Diagnostics;
using FeatureViz.Kernels.Cpu;
using FeatureViz.Models;
using FeatureViz.Objectives;
using FeatureViz.Onnx;
using FeatureViz.Rendering;
using FeatureViz.Tensors;
using FeatureViz.Tensors.Autograd;
using FeatureViz.Tensors.Profiling;
using FeatureViz.Transforms;

namespace FeatureViz.Cli.Bench;

/// <summary>
/// Runs the measurements of <c>featureviz bench</c>: the FMA peak, then for each pass (forward, forward + input
/// gradient, full optimization step) the warm-up runs and the timed repetitions, then the peak again.
/// </summary>
internal sealed class BenchRunner(OnnxModel onnx, VisualizationModel model, BenchSettings settings, string layer, ValueRange valuesRange)
{
    /// <summary>Called with a line of progress ("forward: 3/10"), for the log.</summary>
    public Action<string>? Log { get; init; }

    /// <summary>The model input's shape for one pass: declared static dims, the batch and --size for symbolic ones.</summary>
    public int[] InputShape
    {
        get
        {
            var d = model.Input.Shape;
            return [d[0] > 0 ? d[0] : settings.Batch, d[1] > 0 ? d[1] : model.Channels, d[2] > 0 ? d[2] : settings.Height, d[3] > 0 ? d[3] : settings.Width];
        }
    }

    public BenchReport Run(CancellationToken ct)
    {
        var backend = onnx.Backend;
        var shape = InputShape;
        // A model declaring a batch of 1 runs image by image (as the optimization loop does).
        int perCall = shape[0];
        int calls = Math.Max(1, settings.Batch / perCall);
        int imageFloats = shape[1] * shape[2] * shape[3];
        var rng = new Random(0);
        var data = new float[perCall * imageFloats];
        for (int i = 0; i < data.Length; i++) data[i] = valuesRange.Min + (float)rng.NextDouble() * (valuesRange.Max - valuesRange.Min);
        int[] dims = [perCall, shape[1], shape[2], shape[3]];
        string inputName = model.Input.Name;

        double peakBefore = FmaPeak.MeasureGflops(settings.Threads);
        ForwardCost cost;
        using (var one = Tensor.FromArray(backend, data, dims))
            cost = ModelCost.Forward(onnx, new Dictionary<string, Tensor> { [inputName] = one }, [layer]);
        double flopsPerImage = cost.Flops / perCall;
        using var x = Tensor.FromArray(backend, data, dims);
        string[] outputs = [layer];

        void runForward()
        {
            using var scope = TensorScope.Begin();
            using var ng = GradMode.NoGrad();
            for (int c = 0; c < calls; c++) _ = model.Run(x, outputs);
            backend.Synchronize();
        }
        var forward = Time("forward", runForward, ct);

        void runGradient()
        {
            using var scope = TensorScope.Begin();
            for (int c = 0; c < calls; c++)
            {
                var xg = Tensor.FromArray(backend, data, dims).RequireGrad();
                var loss = model.Run(xg, outputs)[layer].Mean();
                _ = Grad.Of(loss, [xg])[0];
            }
            backend.Synchronize();
        }
        var gradient = Time("forward + input gradient", runGradient, ct);

        var info = model.GetLayer(layer);
        int channels = info.Shape.Length >= 2 && info.Shape[1] > 0 ? info.Shape[1] : 1;
        var objective = info.Shape.Length >= 2
            ? Objective.Channel(model, new LayerRef(layer), Enumerable.Range(0, settings.Batch).Select(i => i % channels).ToArray())
            : Objective.Layer(model, new LayerRef(layer), LayerReducer.Mean);
        long allocated;
        TimingStats step;
        using (var session = new OptimizationSession(objective, new OptimizationOptions
        {
            CustomShape = new ImageSize(settings.Height, settings.Width),
            ValuesRange = valuesRange,
            Transformations = ImageTransform.Standard(),
            Seed = 0,
        }))
        {
            int readInterval = new OptimizationOptions().LossReadInterval;
            void OneStep()
            {
                session.Step(warmup: false);
                if (session.PendingLosses >= readInterval) session.ReadLosses();
                backend.Synchronize();
            }
            step = Time("optimization step", OneStep, ct, out allocated);
        }
        BenchProfile? profile = null;
        if (settings.Profile)
        {
            // Separate passes, so the stopwatch calls around every op do not touch the timings above.
            var ops = new OpProfile();
            using (OpProfile.Record(ops))
            {
                Log?.Invoke($"profile: timing every op of {settings.Repeat} forward and {settings.Repeat} forward + input gradient pass(es)");
                for (int i = 0; i < settings.Repeat; i++) runForward();
                var forwardOnly = ops.Entries();
                for (int i = 0; i < settings.Repeat; i++) runGradient();
                profile = new BenchProfile(settings.Repeat * settings.Batch, forwardOnly, ops.Entries().Where(e => e.Phase == OpPhase.Backward).ToList());
            }
        }
        double peakAfter = FmaPeak.MeasureGflops(settings.Threads);
        double peak = Math.Max(peakBefore, peakAfter);

        BenchPass Pass(string name, TimingStats total, double flops)
        {
            var perImage = total.Per(settings.Batch);
            double gflops = flops / (perImage.MedianMs * 1e6);
            return new BenchPass(name, perImage, flops, gflops, 100 * gflops / peak);
        }

        return new BenchReport
        {
            Model = "",
            Layer = layer,
            ModelInput = shape,
            Width = settings.Width,
            Height = settings.Height,
            Batch = settings.Batch,
            Threads = settings.Threads,
            Device = settings.Device,
            Warmup = settings.Warmup,
            Repeat = settings.Repeat,
            PeakGflopsRuns = [peakBefore, peakAfter],
            ComputeNodes = cost.Nodes,
            // The input gradient of a convolution or matrix product costs its forward's multiply-adds again.
            Passes =
            [
                Pass("forward", forward, flopsPerImage),
                Pass("forward + input gradient", gradient, 2 * flopsPerImage),
                Pass("optimization step", step, 2 * flopsPerImage),
            ],
            AllocatedBytesPerStep = allocated,
            Profile = profile,
        };
    }

    private TimingStats Time(string name, Action run, CancellationToken ct) => Time(name, run, ct, out _);

    /// <summary>Warm-up runs, then timed runs; also the GC-allocated bytes (all threads) per timed run.</summary>
    private TimingStats Time(string name, Action run, CancellationToken ct, out long allocatedPerRun)
    {
        for (int i = 0; i < settings.Warmup; i++)
        {
            ct.ThrowIfCancellationRequested();
            run();
        }
        Log?.Invoke($"{name}: {settings.Warmup} warm-up run(s) done, timing {settings.Repeat}");
        var times = new double[settings.Repeat];
        long before = GC.GetTotalAllocatedBytes(precise: true);
        for (int i = 0; i < times.Length; i++)
        {
            ct.ThrowIfCancellationRequested();
            long start = Stopwatch.GetTimestamp();
            run();
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        allocatedPerRun = (GC.GetTotalAllocatedBytes(precise: true) - before) / times.Length;
        return TimingStats.Of(times);
    }
}
