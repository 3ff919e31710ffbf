namespace FeatureViz.GpuCheck;

/// <summary>The device the program checks and times.</summary>
public enum CheckDevice
{
    /// <summary>The first CUDA device.</summary>
    Cuda,
    /// <summary>The first OpenCL device.</summary>
    OpenCL,
    /// <summary>ILGPU's CPU accelerator (the GPU kernels on a thread-per-lane simulator; slow, for checking).</summary>
    IlgpuCpu,
}

/// <summary>Command-line options of the GPU check and benchmark program.</summary>
public sealed record GpuCheckOptions
{
    /// <summary>The device under test.</summary>
    public CheckDevice Device { get; init; } = CheckDevice.Cuda;

    /// <summary>Folder for the log, the JSON report and the table.</summary>
    public string OutDir { get; init; } = "gpucheck-out";

    /// <summary>Tiny sizes (for the simulator and CI) instead of the ResNet18 sizes.</summary>
    public bool Smoke { get; init; }

    /// <summary>Wall-clock budget of the whole run; sections skip what would not fit.</summary>
    public double BudgetSeconds { get; init; } = 300;

    /// <summary>An ONNX ResNet18 (e.g. torchvision's, exported by torch_baseline.py); null: the program builds one.</summary>
    public string? ModelPath { get; init; }

    /// <summary>The JSON written by torch_baseline.py, merged into the report and the table; null: no baseline.</summary>
    public string? BaselinePath { get; init; }

    /// <summary>The usage text.</summary>
    public const string Usage = """
        FeatureViz.GpuCheck: checks every IBackend op of the ILGPU backend against the CPU backend and times the
        feature-visualization workloads (SGEMM, ResNet18 convolutions and model, FFT, optimization step, render).

        usage: FeatureViz.GpuCheck [--device cuda|opencl|ilgpu-cpu] [--out DIR] [--smoke] [--budget-seconds S]
                                   [--model RESNET18.onnx] [--baseline TORCH.json]

          --device          the accelerator under test (default cuda)
          --out             output folder: gpucheck.json, gpucheck.log, table.txt (default gpucheck-out)
          --smoke           tiny sizes (seconds on ilgpu-cpu), for CI and the simulator
          --budget-seconds  wall-clock budget; what would not fit is skipped and said so (default 300)
          --model           an ONNX ResNet18 with input [N, 3, S, S]; default: a ResNet18 built here (random weights)
          --baseline        torch_baseline.py's JSON: adds the PyTorch column, ratios and targets
        Exit codes: 0 all correctness checks passed, 1 a check failed or a section crashed, 2 bad arguments.
        """;

    /// <summary>Parses <paramref name="args"/>.</summary>
    /// <exception cref="ArgumentException">An unknown option, a missing or bad value; the message names it.</exception>
    public static GpuCheckOptions Parse(IReadOnlyList<string> args)
    {
        var o = new GpuCheckOptions();
        for (int i = 0; i < args.Count; i++)
        {
            string a = args[i];
            string Value()
            {
                if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                    throw new ArgumentException($"{a} needs a value.");
                return args[++i];
            }
            o = a switch
            {
                "--device" => o with { Device = ParseDevice(Value()) },
                "--out" => o with { OutDir = NonEmpty(a, Value()) },
                "--smoke" => o with { Smoke = true },
                "--budget-seconds" => o with { BudgetSeconds = ParseBudget(Value()) },
                "--model" => o with { ModelPath = NonEmpty(a, Value()) },
                "--baseline" => o with { BaselinePath = NonEmpty(a, Value()) },
                _ => throw new ArgumentException($"unknown option '{a}'."),
            };
        }
        return o;
    }

    private static CheckDevice ParseDevice(string v) => v switch
    {
        "cuda" => CheckDevice.Cuda,
        "opencl" => CheckDevice.OpenCL,
        "ilgpu-cpu" => CheckDevice.IlgpuCpu,
        _ => throw new ArgumentException($"--device: '{v}' is not one of cuda, opencl, ilgpu-cpu."),
    };

    private static double ParseBudget(string v) =>
        double.TryParse(v, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var s) && s > 0 && double.IsFinite(s)
            ? s
            : throw new ArgumentException($"--budget-seconds: '{v}' is not a positive number of seconds.");

    private static string NonEmpty(string option, string v) =>
        v.Length > 0 ? v : throw new ArgumentException($"{option}: the value is empty.");
}
