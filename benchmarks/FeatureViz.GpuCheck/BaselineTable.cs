using System.Globalization;
using System.Text;
using System.Text.Json;

namespace FeatureViz.GpuCheck;

/// <summary>
/// Joins our timings with torch_baseline.py's by key and applies the issue's targets (each a ratio ours / PyTorch
/// measured in the same run on the same card).
/// </summary>
public static class BaselineTable
{
    /// <summary>A target: the largest passing ratio, and how the issue words it.</summary>
    /// <param name="Ratio">Largest passing ours / baseline.</param>
    /// <param name="Text">The issue's wording.</param>
    /// <param name="BaselineKey">
    /// A timing of this run to compare with instead of PyTorch's (our FFT against cuFFT through ILGPU.Algorithms, the
    /// issue's baseline); when this run has none, PyTorch's figure for the same key (torch.fft is cuFFT too).
    /// </param>
    public sealed record Target(double Ratio, string Text, string? BaselineKey = null);

    /// <summary>The issue's target for <paramref name="key"/>, or null when the figure is reported only.</summary>
    public static Target? TargetFor(string key) => key switch
    {
        _ when key.StartsWith("sgemm_", StringComparison.Ordinal) && key.EndsWith("_tf32", StringComparison.Ordinal) => new(0.5, "stretch: <= 0.5x with TF32 on both sides"),
        _ when key.StartsWith("sgemm_", StringComparison.Ordinal) => new(1 / 0.6, ">= 60% of cuBLAS FP32 (ratio <= 1.67)"),
        _ when key.StartsWith("fft2_rt_", StringComparison.Ordinal) => new(2.0, "within 2x of cuFFT", "cufft_rt_" + key["fft2_rt_".Length..]),
        "resnet18_fwd_dgrad_b1" => new(1.0, "<= 1.0x PyTorch eager FP32"),
        _ when key.StartsWith("resnet18_fwd_dgrad_b", StringComparison.Ordinal) && key.EndsWith("_tf32", StringComparison.Ordinal) => new(0.5, "stretch: <= 0.5x with TF32 on both sides"),
        "resnet18_fwd_dgrad_b64" => new(1.0, "<= 1.0x per image at batch 64"),
        _ when key.StartsWith("fv_step_s224_b1", StringComparison.Ordinal) => new(1.0, "<= 1.0x the PyTorch step"),
        _ when key.StartsWith("render_", StringComparison.Ordinal) => new(1.0, "<= 1.0x the PyTorch script"),
        _ => null,
    };

    /// <summary>Reads the PyTorch timings (key -> median ms) from torch_baseline.py's JSON.</summary>
    public static Dictionary<string, double> TorchTimings(JsonElement baseline)
    {
        var d = new Dictionary<string, double>(StringComparer.Ordinal);
        if (baseline.TryGetProperty("timings", out var list) && list.ValueKind == JsonValueKind.Array)
            foreach (var t in list.EnumerateArray())
                if (t.TryGetProperty("key", out var k) && t.TryGetProperty("medianMs", out var ms) && ms.ValueKind == JsonValueKind.Number)
                    d[k.GetString() ?? ""] = ms.GetDouble();
        return d;
    }

    /// <summary>The rows: every key either side measured, ours first in run order, then baseline-only ones.</summary>
    public static List<TableRow> Build(IEnumerable<Timing> ours, IReadOnlyDictionary<string, double> torch)
    {
        var rows = new List<TableRow>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var own = ours.GroupBy(t => t.Key).ToDictionary(g => g.Key, g => g.Last().MedianMs, StringComparer.Ordinal);
        foreach (var t in ours)
        {
            seen.Add(t.Key);
            var target = TargetFor(t.Key);
            double? b = null;
            string text = target?.Text ?? "";
            if (target?.BaselineKey is string bk && own.TryGetValue(bk, out var mine))
            {
                b = mine;
                text += $" ({bk}, this run)";
            }
            else if (torch.TryGetValue(t.Key, out var v))
            {
                b = v;
                if (target?.BaselineKey is not null) text += " (torch.fft)";
            }
            double? ratio = b is > 0 ? t.MedianMs / b : null;
            rows.Add(new TableRow(t.Key, t.MedianMs, b, ratio, target?.Ratio, text, ratio is null || target is null ? null : ratio <= target.Ratio));
        }
        foreach (var (k, v) in torch.OrderBy(p => p.Key, StringComparer.Ordinal))
            if (!seen.Contains(k)) rows.Add(new TableRow(k, null, v, null, TargetFor(k)?.Ratio, TargetFor(k)?.Text ?? "", null));
        return rows;
    }

    /// <summary>The table as text, with the card and the date in the header.</summary>
    public static string Format(CheckReport r)
    {
        static string F(double? v) => v is double d ? d.ToString(d >= 100 ? "0.0" : "0.000", CultureInfo.InvariantCulture) : "-";
        var sb = new StringBuilder();
        sb.AppendLine($"FeatureViz.GpuCheck {r.Date}  device {r.Device} \"{r.DeviceName}\"{(r.Smoke ? "  (smoke sizes)" : "")}");
        int passed = r.Checks.Count(c => c.Passed);
        sb.AppendLine($"correctness: {passed}/{r.Checks.Count} ops within tolerance vs the CPU backend" +
            (r.UncheckedMethods.Count > 0 ? $"; IBackend methods not checked: {string.Join(", ", r.UncheckedMethods)}" : "; every IBackend method checked"));
        foreach (var c in r.Checks.Where(c => !c.Passed))
            sb.AppendLine($"  FAIL {c.Op} {c.Case}: rel {c.RelativeError:0.00e+00}{(c.Error is null ? "" : " " + c.Error)}");
        if (r.Skipped.Count > 0) sb.AppendLine($"skipped: {r.Skipped.Count} (see gpucheck.json \"skipped\")");
        sb.AppendLine($"{"op",-34} {"ours ms",10} {"PyTorch ms",11} {"ratio",7}  {"target",-46} {"pass",5}");
        sb.AppendLine("(the FFT rows compare with cuFFT through ILGPU.Algorithms in this run when it loaded; their middle column is then cuFFT's time)");
        foreach (var row in r.Table)
            sb.AppendLine($"{row.Key,-34} {F(row.OursMs),10} {F(row.TorchMs),11} {(row.Ratio is double q ? q.ToString("0.00", CultureInfo.InvariantCulture) : "-"),7}  {row.TargetText,-46} {(row.Pass switch { true => "pass", false => "FAIL", null => "-" }),5}");
        return sb.ToString();
    }
}
