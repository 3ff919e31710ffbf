using System.Diagnostics;
using System.Text.Json;
using FeatureViz.Backends;
using FeatureViz.Kernels.Gpu;
using FeatureViz.Kernels.Gpu.Backend;
using FeatureViz.Onnx;

namespace FeatureViz.GpuCheck;

/// <summary>Runs the sections in order within the budget and writes gpucheck.json, gpucheck.log and table.txt.</summary>
public static class GpuCheckRunner
{
    private static readonly (string Name, double Weight)[] SectionWeights =
        [("correctness", 4), ("sgemm", 1), ("conv", 2), ("resnet18", 2), ("fft", 1), ("step", 3), ("render", 2)];

    /// <summary>Runs everything <paramref name="options"/> asks for; progress goes to <paramref name="console"/> and the log.</summary>
    public static CheckReport Run(GpuCheckOptions options, TextWriter console)
    {
        Directory.CreateDirectory(options.OutDir);
        using var logFile = new StreamWriter(Path.Combine(options.OutDir, "gpucheck.log")) { AutoFlush = true };
        using var log = new TeeWriter(console, logFile);
        var w = Workloads.For(options.Smoke);
        var report = new CheckReport { Smoke = options.Smoke, BudgetSeconds = options.BudgetSeconds };
        var budget = new Budget(options.BudgetSeconds, SectionWeights.Sum(s => s.Weight));
        var total = Stopwatch.StartNew();

        using var gpu = Open(options.Device);
        using var device = new IlgpuBackend(gpu);
        var cpu = FeatureVizBackends.Cpu();
        report.Device = gpu.Info.Moniker;
        report.DeviceName = gpu.Info.Name;
        report.DeviceMemoryBytes = gpu.Info.MemoryBytes;
        log.WriteLine($"FeatureViz.GpuCheck {report.Date} on {gpu.Info}, budget {options.BudgetSeconds:0} s{(options.Smoke ? ", smoke sizes" : "")}");

        OnnxModel? model = null;
        string layer = "";
        int size = w.Network.Size;
        var timing = new TimingSections(device, w, report, log);
        string jsonPath = Path.Combine(options.OutDir, "gpucheck.json");
        // Written after every section too, so that a run cut short (a timeout, a lost device) leaves what it measured.
        void Save()
        {
            report.DriverAllocations = device.DriverAllocations;
            report.ElapsedSeconds = total.Elapsed.TotalSeconds;
            File.WriteAllText(jsonPath, JsonSerializer.Serialize(report, CheckReport.Json));
        }
        void Section(string name, Action<SectionClock> body)
        {
            RunSection(report, budget, log, name, body);
            Save();
        }
        try
        {
            Section("correctness", clock =>
            {
                new OpChecks(new OpCheckHarness(device, cpu, report, clock, log), w).RunAll();
                report.UncheckedMethods = OpChecks.Unchecked(report.Checks);
            });
            Section("sgemm", timing.Sgemm);
            Section("conv", timing.Convolutions);
            Section("resnet18", clock =>
            {
                (model, layer, size) = LoadModel(options, w, device, report, log);
                timing.Model(clock, model, size);
            });
            Section("fft", timing.Fft);
            Section("step", clock =>
            {
                if (model is null) (model, layer, size) = LoadModel(options, w, device, report, log);
                timing.Steps(clock, model, layer);
            });
            Section("render", clock =>
            {
                if (model is null) (model, layer, size) = LoadModel(options, w, device, report, log);
                timing.Render(clock, model, layer, size);
            });
        }
        finally
        {
            model?.Dispose();
        }

        var torch = new Dictionary<string, double>();
        if (options.BaselinePath is not null)
        {
            try
            {
                using var doc = JsonDocument.Parse(File.ReadAllText(options.BaselinePath));
                report.Baseline = doc.RootElement.Clone();
                torch = BaselineTable.TorchTimings(report.Baseline.Value);
            }
            catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
            {
                report.Skipped.Add(new Skip("baseline", options.BaselinePath, $"unreadable: {e.Message}"));
            }
        }
        report.Table = BaselineTable.Build(report.Timings, torch);
        Save();
        string table = BaselineTable.Format(report);
        File.WriteAllText(Path.Combine(options.OutDir, "table.txt"), table);
        log.WriteLine();
        log.Write(table);
        return report;
    }

    private static GpuAccelerator Open(CheckDevice device) => device switch
    {
        CheckDevice.Cuda => GpuAccelerator.Create(GpuDeviceKind.Cuda),
        CheckDevice.OpenCL => GpuAccelerator.Create(GpuDeviceKind.OpenCL),
        // The conformance suite's shape: warp 32 as on NVIDIA, few small groups so the simulator stays fast.
        _ => GpuAccelerator.CreateCpu(new CpuSimulatorOptions(WarpSize: 32, WarpsPerGroup: 2, MaxGroups: 2)),
    };

    private static void RunSection(CheckReport report, Budget budget, TextWriter log, string name, Action<SectionClock> body)
    {
        double weight = SectionWeights.First(s => s.Name == name).Weight;
        var clock = budget.StartSection(weight);
        log.WriteLine($"[{budget.Elapsed,6:0.0} s] {name}: {clock.Allowance:0.0} s allowed");
        int skippedBefore = report.Skipped.Count;
        if (clock.Allowance <= 0)
        {
            report.Skipped.Add(new Skip(name, "*", "budget: nothing left for this section"));
            report.Sections.Add(new SectionResult(name, "skipped", 0, 0));
            return;
        }
        try
        {
            body(clock);
            // "partial" when the budget cut something; what the device or build lacks (cuFFT off CUDA, no TF32 switch) is only listed.
            bool cut = report.Skipped.Skip(skippedBefore).Any(s => s.Reason.StartsWith("budget", StringComparison.Ordinal) || s.Reason.StartsWith("error", StringComparison.Ordinal));
            string status = cut ? "partial" : "ran";
            report.Sections.Add(new SectionResult(name, status, clock.Used, clock.Allowance));
        }
        catch (Exception e)
        {
            log.WriteLine($"  section {name} failed: {e}");
            report.Sections.Add(new SectionResult(name, "failed", clock.Used, clock.Allowance, $"{e.GetType().Name}: {e.Message}"));
        }
    }

    /// <summary>Loads --model, or builds the workload's ResNet18; finds the mid layer (the last at 1/16 of the input size: the end of stage 3).</summary>
    private static (OnnxModel Model, string Layer, int Size) LoadModel(GpuCheckOptions options, Workloads w, IlgpuBackend device,
        CheckReport report, TextWriter log)
    {
        var load = new OnnxLoadOptions { Backend = device };
        OnnxModel model;
        if (options.ModelPath is not null)
        {
            model = OnnxModel.Load(options.ModelPath, load);
            report.Model = Path.GetFullPath(options.ModelPath);
        }
        else
        {
            using var stream = new MemoryStream(w.Network.Build());
            model = OnnxModel.Load(stream, load);
            report.Model = $"ResNet18 topology built by FeatureViz.GpuCheck (width {w.Network.Width}, {w.Network.Size}x{w.Network.Size}, random weights, batch norm folded)";
        }
        var input = model.Inputs[0].Shape;
        int size = input.Length == 4 && input[2] > 0 ? input[2] : w.Network.Size;
        if (!model.Outputs.Contains("logits"))
            throw new InvalidOperationException($"model {report.Model}: the timed work reads the output 'logits'; the model's outputs are {string.Join(", ", model.Outputs)} (export it with torch_baseline.py).");
        var mid = model.Layers.LastOrDefault(l => l.Shape.Length == 4 && l.Shape[2] == size / 16)
            ?? throw new InvalidOperationException($"model {report.Model}: no layer of spatial size {size / 16} (1/16 of the input {size}) to target.");
        report.MidLayer = mid.OutputName;
        log.WriteLine($"  model: {report.Model}; input {size}x{size}; mid layer {mid.OutputName} [{string.Join(", ", mid.Shape)}]");
        return (model, mid.OutputName, size);
    }
}
