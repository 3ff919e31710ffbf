using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace FeatureViz.Cli.Bench;

/// <summary>Writes a <see cref="BenchReport"/> as a table or as JSON.</summary>
internal static class BenchOutput
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static void WriteText(TextWriter w, BenchReport r)
    {
        w.WriteLine($"model {r.Model}, layer {r.Layer}, image {r.Width}x{r.Height}, model input [{string.Join(", ", r.ModelInput)}], batch {r.Batch}, {r.Threads} thread(s), device {r.Device}");
        w.WriteLine($"{r.Warmup} warm-up + {r.Repeat} timed run(s) per pass; FMA peak {F(r.PeakGflops, "0.0")} GFLOP/s (runs: {string.Join(", ", r.PeakGflopsRuns.Select(p => F(p, "0.0")))})");
        w.WriteLine($"forward: {F(r.Passes[0].FlopsPerImage / 1e9, "0.000")} GFLOP per image in {r.ComputeNodes} conv/gemm node(s)");
        w.WriteLine();
        w.WriteLine($"{"per image",-26} {"median ms",10} {"min ms",10} {"max ms",10} {"spread",8} {"GFLOP/s",9} {"of peak",8}");
        foreach (var p in r.Passes)
            w.WriteLine($"{p.Name,-26} {F(p.PerImage.MedianMs, "0.000"),10} {F(p.PerImage.MinMs, "0.000"),10} {F(p.PerImage.MaxMs, "0.000"),10} {F(p.PerImage.SpreadPercent, "0.0") + " %",8} {F(p.Gflops, "0.0"),9} {F(p.PercentOfPeak, "0") + " %",8}");
        w.WriteLine();
        w.WriteLine($"spread: interquartile range / median. GFLOP/s: convolution and matrix-product FLOPs / median (the input gradient counted as the forward's again).");
        w.WriteLine($"allocated per optimization step: {F(r.AllocatedBytesPerStep / 1024.0, "0.0")} KiB");
        if (r.Profile is { } profile) WriteProfile(w, profile);
    }

    /// <summary>The slowest op types forward and backward, and the slowest forward nodes, in ms per image.</summary>
    private static void WriteProfile(TextWriter w, BenchProfile p)
    {
        const int Top = 15;
        void Table(string title, string first, IReadOnlyList<FeatureViz.Tensors.Profiling.OpProfileEntry> rows, bool nodes)
        {
            double total = rows.Sum(e => e.TotalMs);
            w.WriteLine();
            w.WriteLine($"{title}: {F(total / p.Images, "0.000")} ms per image in all");
            w.WriteLine($"{first,-40} {(nodes ? "nodes" : "op"),-18} {"ms/image",9} {"calls/image",12} {"us/call",9} {"share",7}");
            foreach (var e in rows.Take(Top))
            {
                string name = nodes ? e.Node : e.Op;
                string second = nodes ? e.Op : $"{e.Node} node(s)";
                if (!nodes && e.Phase == FeatureViz.Tensors.Profiling.OpPhase.Backward) second = "";
                w.WriteLine($"{Clip(name, 40),-40} {Clip(second, 18),-18} {F(e.TotalMs / p.Images, "0.000"),9} {F((double)e.Calls / p.Images, "0.#"),12} {F(1000 * e.TotalMs / e.Calls, "0.0"),9} {F(total > 0 ? 100 * e.TotalMs / total : 0, "0.0") + " %",7}");
            }
            if (rows.Count > Top) w.WriteLine($"({rows.Count - Top} more)");
        }
        Table("profile, forward by op type", "op type", p.ForwardByOp, nodes: false);
        Table("profile, forward by node", "node", p.Forward, nodes: true);
        Table("profile, backward (vector-Jacobian products) by op", "op", p.BackwardByOp, nodes: false);
        w.WriteLine($"profile: {p.Images} image(s) per phase; every op timed with a stopwatch, so per-op dispatch shows at its true cost.");
    }

    private static string Clip(string s, int n) => s.Length <= n ? s : s[..(n - 1)] + "~";

    public static void WriteJson(TextWriter w, BenchReport r)
    {
        var passes = new JsonObject();
        foreach (var p in r.Passes)
            passes[Key(p.Name)] = new JsonObject
            {
                ["medianMs"] = p.PerImage.MedianMs,
                ["minMs"] = p.PerImage.MinMs,
                ["maxMs"] = p.PerImage.MaxMs,
                ["spreadPercent"] = p.PerImage.SpreadPercent,
                ["flops"] = p.FlopsPerImage,
                ["gflops"] = p.Gflops,
                ["percentOfPeak"] = p.PercentOfPeak,
            };
        var json = new JsonObject
        {
            ["tool"] = "featureviz bench",
            ["model"] = r.Model,
            ["layer"] = r.Layer,
            ["width"] = r.Width,
            ["height"] = r.Height,
            ["modelInput"] = new JsonArray(r.ModelInput.Select(d => (JsonNode)d).ToArray()),
            ["batch"] = r.Batch,
            ["threads"] = r.Threads,
            ["device"] = r.Device,
            ["warmup"] = r.Warmup,
            ["repeat"] = r.Repeat,
            ["peakGflops"] = r.PeakGflops,
            ["peakGflopsRuns"] = new JsonArray(r.PeakGflopsRuns.Select(p => (JsonNode)p).ToArray()),
            ["computeNodes"] = r.ComputeNodes,
            ["perImage"] = passes,
            ["allocatedBytesPerStep"] = r.AllocatedBytesPerStep,
        };
        if (r.Profile is { } profile)
        {
            JsonArray Rows(IEnumerable<FeatureViz.Tensors.Profiling.OpProfileEntry> rows) => new(rows.Select(e => (JsonNode)new JsonObject
            {
                ["op"] = e.Op,
                ["node"] = e.Node,
                ["msPerImage"] = e.TotalMs / profile.Images,
                ["callsPerImage"] = (double)e.Calls / profile.Images,
            }).ToArray());
            json["profile"] = new JsonObject
            {
                ["images"] = profile.Images,
                ["forwardByOp"] = Rows(profile.ForwardByOp),
                ["forwardByNode"] = Rows(profile.Forward),
                ["backwardByOp"] = Rows(profile.BackwardByOp),
            };
        }
        w.WriteLine(json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>"forward + input gradient" -> "forwardInputGradient".</summary>
    internal static string Key(string name)
    {
        var words = name.Split([' ', '+'], StringSplitOptions.RemoveEmptyEntries);
        return string.Concat(words.Select((word, i) => i == 0 ? word : char.ToUpperInvariant(word[0]) + word[1..]));
    }

    private static string F(double v, string format) => v.ToString(format, Inv);
}
