using System.Text.Json;
using System.Text.Json.Serialization;

namespace FeatureViz.GpuCheck;

/// <summary>One correctness check: an IBackend method on the device against the CPU backend.</summary>
/// <param name="Op">The IBackend method (e.g. "Conv2d"), or "Method/variant".</param>
/// <param name="Case">What was run (shapes, geometry).</param>
/// <param name="Elements">Elements compared.</param>
/// <param name="MaxAbsError">max |device - cpu|.</param>
/// <param name="MaxAbsReference">max |cpu| (the normwise scale).</param>
/// <param name="RelativeError">MaxAbsError / MaxAbsReference (0 when both are 0).</param>
/// <param name="Tolerance">The largest relative error that passes.</param>
/// <param name="Passed">Within tolerance, and no exception.</param>
/// <param name="Error">The exception's message when the op threw.</param>
public sealed record OpCheck(string Op, string Case, long Elements, double MaxAbsError, double MaxAbsReference,
    double RelativeError, double Tolerance, bool Passed, string? Error = null);

/// <summary>One timed workload.</summary>
/// <param name="Key">Stable name shared with torch_baseline.py (e.g. "resnet18_fwd_dgrad_b1").</param>
/// <param name="Section">The section that measured it.</param>
/// <param name="Description">What one repetition does.</param>
/// <param name="MedianMs">Median wall time of one repetition, device synchronized before and after.</param>
/// <param name="MinMs">Fastest repetition.</param>
/// <param name="Repetitions">Timed repetitions (after warm-up).</param>
/// <param name="Flops">Floating-point operations of one repetition (0 when not counted).</param>
public sealed record Timing(string Key, string Section, string Description, double MedianMs, double MinMs,
    int Repetitions, double Flops = 0)
{
    /// <summary>GFLOP/s at the median (0 when flops are not counted).</summary>
    public double Gflops => Flops > 0 && MedianMs > 0 ? Flops / (MedianMs * 1e6) : 0;
}

/// <summary>Something a section did not do, and why.</summary>
/// <param name="Section">The section.</param>
/// <param name="Item">The workload or check.</param>
/// <param name="Reason">Why (budget, not available on this device, an error).</param>
public sealed record Skip(string Section, string Item, string Reason);

/// <summary>How a section went.</summary>
/// <param name="Name">Section name.</param>
/// <param name="Status">"ran", "partial" (the budget or an error cut some items), "skipped" (no budget left) or "failed" (threw).</param>
/// <param name="Seconds">Wall time spent.</param>
/// <param name="AllowanceSeconds">The share of the budget it was given.</param>
/// <param name="Error">The exception's message when it failed.</param>
public sealed record SectionResult(string Name, string Status, double Seconds, double AllowanceSeconds, string? Error = null);

/// <summary>One row of the final table.</summary>
/// <param name="Key">The workload key.</param>
/// <param name="OursMs">Our median (null when not measured).</param>
/// <param name="TorchMs">The baseline's median: PyTorch's, or for the FFT rows cuFFT's from this run when it loaded (see <see cref="TargetText"/>); null without one.</param>
/// <param name="Ratio">Ours / PyTorch.</param>
/// <param name="Target">The target for the ratio (null: reported only).</param>
/// <param name="TargetText">The target as the issue words it.</param>
/// <param name="Pass">Ratio within target (null when either side or the target is missing).</param>
public sealed record TableRow(string Key, double? OursMs, double? TorchMs, double? Ratio, double? Target, string TargetText, bool? Pass);

/// <summary>Everything one run measured; written as gpucheck.json.</summary>
public sealed class CheckReport
{
    /// <summary>Program name.</summary>
    public string Tool { get; init; } = "FeatureViz.GpuCheck";

    /// <summary>UTC start time, ISO 8601.</summary>
    public string Date { get; init; } = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ");

    /// <summary>The device moniker (cuda:0, ilgpu-cpu).</summary>
    public string Device { get; set; } = "";

    /// <summary>The device name as the driver reports it (the card's name).</summary>
    public string DeviceName { get; set; } = "";

    /// <summary>Device memory in bytes.</summary>
    public long DeviceMemoryBytes { get; set; }

    /// <summary>Tiny sizes.</summary>
    public bool Smoke { get; init; }

    /// <summary>The budget the run was given.</summary>
    public double BudgetSeconds { get; init; }

    /// <summary>Wall time of the whole run.</summary>
    public double ElapsedSeconds { get; set; }

    /// <summary>The model timed: the --model path, or a description of the built one.</summary>
    public string Model { get; set; } = "";

    /// <summary>The mid layer the optimization step and the render target.</summary>
    public string MidLayer { get; set; } = "";

    /// <summary>Driver allocations the device backend made (the caching allocator serves the rest).</summary>
    public long DriverAllocations { get; set; }

    /// <summary>Sections in run order.</summary>
    public List<SectionResult> Sections { get; } = [];

    /// <summary>Correctness checks.</summary>
    public List<OpCheck> Checks { get; } = [];

    /// <summary>IBackend methods no check called (must be empty).</summary>
    public List<string> UncheckedMethods { get; set; } = [];

    /// <summary>Timings.</summary>
    public List<Timing> Timings { get; } = [];

    /// <summary>What was skipped and why.</summary>
    public List<Skip> Skipped { get; } = [];

    /// <summary>The PyTorch baseline JSON as read (null without one).</summary>
    public JsonElement? Baseline { get; set; }

    /// <summary>The final table.</summary>
    public List<TableRow> Table { get; set; } = [];

    /// <summary>True when every check passed, every IBackend method was checked and no section failed.</summary>
    public bool CorrectnessPassed =>
        Checks.Count > 0 && Checks.All(c => c.Passed) && UncheckedMethods.Count == 0 && Sections.All(s => s.Status != "failed");

    /// <summary>The options the report is written with.</summary>
    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };
}
