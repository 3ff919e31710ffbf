using FeatureViz.Kernels.Gpu.Gemm;
using FeatureViz.Kernels.Gpu.Backend;
using FeatureViz.Objectives;
using FeatureViz.Onnx;
using FeatureViz.Rendering;
using FeatureViz.Tensors;
using FeatureViz.Tensors.Autograd;
using FeatureViz.Tensors.Backends;

namespace FeatureViz.GpuCheck;

/// <summary>
/// The timed sections. Each workload is warmed up once and then timed (device synchronized around every
/// repetition) as many times as its section's time allows, up to <see cref="Workloads.MaxReps"/>.
/// </summary>
public sealed class TimingSections(IlgpuBackend device, Workloads w, CheckReport report, TextWriter log)
{
    private readonly Random _rng = new(7);
    private double _lastStepBlock;
    private int _lastStepBatch = 1;

    private float[] Uniform(int n, float lo = -1f, float hi = 1f)
    {
        var a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float)(lo + (hi - lo) * _rng.NextDouble());
        return a;
    }

    private void Time(SectionClock clock, string section, string key, string description, Action work, double flops = 0, int? maxReps = null, bool warmUp = true)
    {
        if (clock.Left <= 0)
        {
            report.Skipped.Add(new Skip(section, key, $"budget: the section's {clock.Allowance:0.0} s are used up"));
            log.WriteLine($"  skip {key}: budget");
            return;
        }
        try
        {
            var (t, why) = Stopwatches.Measure(device, key, section, description, work, () => clock.Left, maxReps ?? w.MaxReps, flops: flops, warmUp: warmUp);
            if (t is null)
            {
                report.Skipped.Add(new Skip(section, key, $"budget: {why}"));
                log.WriteLine($"  skip {key}: {why}");
                return;
            }
            report.Timings.Add(t);
            log.WriteLine($"  {key,-36} {t.MedianMs,10:0.000} ms (min {t.MinMs:0.000}, n {t.Repetitions}){(t.Gflops > 0 ? $"  {t.Gflops / 1000:0.00} TFLOP/s" : "")}");
        }
        catch (Exception e)
        {
            report.Skipped.Add(new Skip(section, key, $"error: {e.GetType().Name}: {e.Message}"));
            log.WriteLine($"  skip {key}: {e.GetType().Name}: {e.Message}");
        }
    }

    /// <summary>SGEMM N^3 through whatever BatchedGemm the backend uses, and its TF32 path when the build has one.</summary>
    public void Sgemm(SectionClock clock)
    {
        int n = w.SgemmSize;
        using var a = device.Upload(Uniform(n * n));
        using var b = device.Upload(Uniform(n * n));
        var geo = new GemmGeometry(n, n, n);
        double flops = 2.0 * n * n * n;
        Time(clock, "sgemm", $"sgemm_{n}", $"C = A B, {n}^3, FP32", () => device.BatchedGemm(a, b, null, geo).Dispose(), flops);

        if (!WithTf32(() => Time(clock, "sgemm", $"sgemm_{n}_tf32", $"C = A B, {n}^3, TF32 mma.sync", () => device.BatchedGemm(a, b, null, geo).Dispose(), flops)))
            report.Skipped.Add(new Skip("sgemm", $"sgemm_{n}_tf32", "no TF32 kernel on this device (CUDA only)"));
    }

    /// <summary>Runs <paramref name="work"/> with the TF32 SGEMM planned (false, running nothing, where the device has none).</summary>
    private bool WithTf32(Action work)
    {
        // The simulator's TF32 kernel emulates mma.sync with warp shuffles: a kernel check, far too slow to time.
        if (device.Gpu.Info.Kind != Kernels.Gpu.GpuDeviceKind.Cuda) return false;
        var fp32 = device.Gemm;
        var tf32 = GemmPlanner.For(device.Gpu, allowTf32: true);
        if (tf32.Tf32 is null) return false;
        device.Gemm = tf32;
        try { work(); }
        finally { device.Gemm = fp32; }
        return true;
    }

    /// <summary>Every distinct ResNet18 convolution at batch 1: forward (with bias; and with bias + fused ReLU) and input gradient.</summary>
    public void Convolutions(SectionClock clock)
    {
        foreach (var s in w.Convolutions)
        {
            var g = OpChecks.Geometry(s);
            using var x = device.Upload(Uniform(s.C * s.H * s.H));
            using var wt = device.Upload(Uniform(s.O * s.C * s.K * s.K, -0.1f, 0.1f));
            using var bias = device.Upload(Uniform(s.O));
            using var dy = device.Upload(Uniform(s.O * s.OH * s.OH));
            Time(clock, "conv", $"conv_fwd_{s.Key}", $"Conv2d {s.Key}, batch 1", () => device.Conv2d(x, wt, bias, g).Dispose(), s.Flops);
            Time(clock, "conv", $"conv_fwd_relu_{s.Key}", $"Conv2dActivation relu {s.Key} (bias + ReLU in the GEMM epilogue), batch 1",
                () => device.Conv2dActivation(x, wt, bias, g, ConvEpilogue.Relu).Dispose(), s.Flops);
            Time(clock, "conv", $"conv_dgrad_{s.Key}", $"Conv2dBackwardInput {s.Key}, batch 1", () => device.Conv2dBackwardInput(dy, wt, g).Dispose(), s.Flops);
        }
    }

    /// <summary>The model's forward and forward + input gradient (of the logits' sum) at each batch.</summary>
    public void Model(SectionClock clock, OnnxModel model, int size)
    {
        double lastSeconds = 0;
        int lastBatch = 1;
        foreach (int batch in w.ModelBatches)
        {
            // The previous batch's forward + gradient, scaled by the batch, predicts this one (warm-up and repetitions).
            double predicted = lastSeconds * batch / lastBatch * 2;
            if (!clock.Fits(predicted))
            {
                report.Skipped.Add(new Skip("resnet18", $"resnet18_fwd_dgrad_b{batch}", $"budget: about {predicted:0.0} s predicted, {clock.Left:0.0} s left"));
                continue;
            }
            var data = Uniform(batch * 3 * size * size, 0, 1);
            using var input = Tensor.FromArray(device, data, batch, 3, size, size);
            if (batch == w.ModelBatches[0] || batch == w.ModelBatches[^1])
            {
                Time(clock, "resnet18", $"resnet18_fwd_b{batch}", $"ResNet18 forward, batch {batch}, {size}x{size}", () =>
                {
                    using var scope = TensorScope.Begin();
                    using var ng = GradMode.NoGrad();
                    model.Run(input, "logits");
                });
            }
            void ForwardBackward()
            {
                using var scope = TensorScope.Begin();
                var x = Tensor.FromArray(device, data, batch, 3, size, size).RequireGrad();
                var loss = model.Run(x, "logits").Sum();
                Grad.Of(loss, [x]);
            }
            Time(clock, "resnet18", $"resnet18_fwd_dgrad_b{batch}", $"ResNet18 forward + input gradient of sum(logits), batch {batch}", ForwardBackward);
            if (report.Timings.LastOrDefault() is { } done && done.Key == $"resnet18_fwd_dgrad_b{batch}")
                (lastSeconds, lastBatch) = (done.MedianMs / 1000, batch);
            if (batch == w.ModelBatches[^1])
            {
                if (!WithTf32(() => Time(clock, "resnet18", $"resnet18_fwd_dgrad_b{batch}_tf32", $"as resnet18_fwd_dgrad_b{batch} with the TF32 SGEMM", ForwardBackward)))
                    report.Skipped.Add(new Skip("resnet18", $"resnet18_fwd_dgrad_b{batch}_tf32", "no TF32 kernel on this device (CUDA only)"));
            }
        }
    }

    /// <summary>Forward + inverse real 2-D FFT of one RGB image (batch 3), ours and, on CUDA, cuFFT through ILGPU.Algorithms.</summary>
    public void Fft(SectionClock clock)
    {
        foreach (int s in w.FftSizes)
        {
            var geo = new Fft2Geometry(3, s, s);
            using var x = device.Upload(Uniform(3 * s * s));
            Time(clock, "fft", $"fft2_rt_{s}", $"Rfft2 + Irfft2, 3x{s}x{s}", () =>
            {
                using var spec = device.Rfft2(x, geo, 1f, 1f);
                device.Irfft2(spec, geo, 1f / (s * s), 1f).Dispose();
            });
            if (device.Gpu.Info.Kind != Kernels.Gpu.GpuDeviceKind.Cuda)
            {
                report.Skipped.Add(new Skip("fft", $"cufft_rt_{s}", "cuFFT is CUDA only"));
                continue;
            }
            try
            {
                using var cufft = new CuFftRoundTrip(device.Gpu, 3, s);
                Time(clock, "fft", $"cufft_rt_{s}", $"cuFFT R2C + C2R (ILGPU.Algorithms wrapper), 3x{s}x{s}", cufft.Run);
            }
            catch (Exception e)
            {
                report.Skipped.Add(new Skip("fft", $"cufft_rt_{s}", $"cuFFT unavailable: {e.GetType().Name}: {e.Message}"));
                log.WriteLine($"  skip cufft_rt_{s}: {e.Message}");
            }
        }
    }

    /// <summary>
    /// Full optimization steps (Fourier image, decorrelation, sigmoid, standard transformations, resize to the model's
    /// input, the model to <paramref name="layer"/>, channel objective, backward, Adam) as FeatureVisualizer runs
    /// them: timed in blocks of 8 steps between the loop's loss reads (each read waits for the device).
    /// </summary>
    public void Steps(SectionClock clock, OnnxModel model, string layer)
    {
        foreach (int size in w.StepSizes)
        foreach (int batch in w.StepBatches)
        {
            string key = $"fv_step_s{size}_b{batch}";
            if (clock.Left <= 0)
            {
                report.Skipped.Add(new Skip("step", key, "budget: the section's time is used up"));
                continue;
            }
            try
            {
                // A warm-up run of one block (compilation, allocator) gives the estimate; then as many blocks as fit.
                if (!clock.Fits(_lastStepBlock * batch / _lastStepBatch))
                {
                    report.Skipped.Add(new Skip("step", key, $"budget: a block would take about {_lastStepBlock * batch / _lastStepBatch:0.0} s, {clock.Left:0.0} s left"));
                    continue;
                }
                var warm = StepBlocks(model, layer, size, batch, 1);
                double perBlock = warm.Count > 0 ? warm[^1] / 1000 : 1;
                (_lastStepBlock, _lastStepBatch) = (perBlock, batch);
                int blocks = (int)Math.Clamp(clock.Left * 0.8 / Math.Max(perBlock, 1e-6), 0, Math.Max(1, w.MaxReps / 4));
                if (blocks < 1)
                {
                    report.Skipped.Add(new Skip("step", key, $"budget: one block of {w.StepBlock} steps takes {perBlock:0.00} s, {clock.Left:0.00} s left"));
                    continue;
                }
                var times = StepBlocks(model, layer, size, batch, blocks).Order().ToList();
                double median = times[times.Count / 2] / w.StepBlock;
                var t = new Timing(key, "step", $"optimization step, {size}x{size}, batch {batch}, channel objective on {layer} (per step, blocks of {w.StepBlock})",
                    median, times[0] / w.StepBlock, times.Count);
                report.Timings.Add(t);
                log.WriteLine($"  {key,-36} {t.MedianMs,10:0.000} ms/step ({t.Repetitions} blocks of {w.StepBlock})");
            }
            catch (Exception e)
            {
                report.Skipped.Add(new Skip("step", key, $"error: {e.GetType().Name}: {e.Message}"));
                log.WriteLine($"  skip {key}: {e.GetType().Name}: {e.Message}");
            }
        }
    }

    /// <summary>Wall times (ms) of <paramref name="blocks"/> consecutive 8-step blocks of one optimization run (the first block includes the warm-up).</summary>
    private List<double> StepBlocks(OnnxModel model, string layer, int size, int batch, int blocks)
    {
        var marks = new List<TimeSpan> { TimeSpan.Zero };
        var progress = new BlockMarks(marks, w.StepBlock);
        var objective = Objective.Channel(model, layer, Enumerable.Range(0, batch).ToArray());
        FeatureVisualizer.Optimize(objective, new OptimizationOptions
        {
            Steps = blocks * w.StepBlock,
            CustomShape = new ImageSize(size, size),
            ValuesRange = new ValueRange(0, 1),
            Seed = 0,
            LossReadInterval = w.StepBlock,
            Progress = progress,
        });
        return marks.Zip(marks.Skip(1), (a, b) => (b - a).TotalMilliseconds).ToList();
    }

    /// <summary>A whole render (session, steps, final images on the host) at the model's input size, batch 1.</summary>
    public void Render(SectionClock clock, OnnxModel model, string layer, int size)
    {
        double perStep = report.Timings.FirstOrDefault(t => t.Key == $"fv_step_s{size}_b1")?.MedianMs / 1000 ?? double.NaN;
        // The issue's 512 steps when they fit, else the largest of 128 and 32 (torch_baseline.py times all three).
        int steps = new[] { w.RenderSteps, w.RenderSteps / 4, w.RenderSteps / 16 }
            .Where(n => n >= 1)
            .FirstOrDefault(n => double.IsNaN(perStep) ? n == w.RenderSteps / 16 : clock.Fits(n * perStep * 1.5 + 1), 0);
        string key = $"render_s{size}_steps{steps}";
        if (steps == 0)
        {
            report.Skipped.Add(new Skip("render", $"render_s{size}", $"budget: {w.RenderSteps / 16} steps at {perStep * 1000:0.0} ms would not fit in {clock.Left:0.0} s"));
            return;
        }
        var objective = Objective.Channel(model, layer, 0);
        var options = new OptimizationOptions { Steps = steps, CustomShape = new ImageSize(size, size), ValuesRange = new ValueRange(0, 1), Seed = 0 };
        Time(clock, "render", key, $"FeatureVisualizer.Optimize, {steps} steps, {size}x{size}, batch 1, channel 0 of {layer}, images downloaded",
            () => FeatureVisualizer.Optimize(objective, options), maxReps: 1, warmUp: false);
    }

    private sealed class BlockMarks(List<TimeSpan> marks, int block) : IProgress<OptimizationProgress>
    {
        public void Report(OptimizationProgress value)
        {
            // Reports arrive in bursts after each loss read; the last of a block carries the time the read returned.
            if (value.Step % block == 0) marks.Add(value.Elapsed);
        }
    }
}
