using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using FeatureViz.Onnx;
using FeatureViz.Onnx.Graph;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using DenseTensor = Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>;

namespace FeatureViz.Benchmarks.Compare;

/// <summary>
/// <c>--compare-ort</c>: the issue-15 "as a user sees it" comparison. For the bundled ResNet18, every model in a
/// folder (default ../shared/data/models) and a MobileNet-style model built here, all side by side in one run:
/// ONNX Runtime forward per image (batch 1, in process, warm; the better of 1 and 2 intra-op threads), ours through
/// <c>featureviz eval</c> in fresh processes ((batch 9 - batch 1) / 8, so process start and model load cancel), and
/// ours warm through <c>featureviz bench</c>. Prints the ratios ours / ORT.
/// </summary>
public static class OrtComparison
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Arguments: --featureviz PATH (featureviz.dll or the apphost; required), --models DIR, --runs N (fresh processes per batch size, default 3), --only NAME.</summary>
    public static void Run(string[] args)
    {
        string? tool = Arg(args, "--featureviz");
        if (tool is null)
        {
            Console.Error.WriteLine("--compare-ort: pass --featureviz PATH (e.g. src/FeatureViz.Cli/bin/Release/net10.0/featureviz.dll).");
            Environment.Exit(2);
        }
        string models = Arg(args, "--models") ?? Path.Combine("..", "shared", "data", "models");
        int runs = int.Parse(Arg(args, "--runs") ?? "3", Inv);
        string? only = Arg(args, "--only");
        string work = Path.Combine(Path.GetTempPath(), $"featureviz-compare-{Environment.ProcessId}");
        Directory.CreateDirectory(work);
        try
        {
            var list = new List<(string Name, string Path)>();
            string resnet = Path.Combine(work, "resnet18_bundled.onnx");
            File.WriteAllBytes(resnet, ResNet18Bundle.Merge(
                global::Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(OnnxModel.BundledFile("ResNetPrepOnnx", "ResNetPreprocess.onnx"))),
                global::Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(OnnxModel.BundledFile("ResNet18Onnx", "ResNet18.onnx")))).ToByteArray());
            list.Add(("resnet18 (bundled)", resnet));
            if (Directory.Exists(models))
                foreach (var f in Directory.GetFiles(models, "*.onnx").Order(StringComparer.Ordinal)) list.Add((Path.GetFileNameWithoutExtension(f), f));
            string mobile = Path.Combine(work, "mobilenet_style.onnx");
            MobileNetStyleModel.Write(mobile);
            list.Add(("mobilenet-style (depthwise, hard-swish)", mobile));

            Console.WriteLine($"ours / ONNX Runtime {typeof(InferenceSession).Assembly.GetName().Version}, forward per image, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} processors, {runs} fresh process(es) per batch size");
            Console.WriteLine($"{"model",-40} {"ORT 1t ms",10} {"ORT 2t ms",10} {"eval b1 s",10} {"eval ms",10} {"eval/ORT",9} {"bench ms",10} {"bench/ORT",10}");
            foreach (var (name, path) in list)
            {
                if (only is not null && !name.Contains(only, StringComparison.OrdinalIgnoreCase)) continue;
                try
                {
                    CompareOne(name, path, tool!, runs, work);
                }
                catch (Exception e)
                {
                    Console.WriteLine($"{name,-40} failed: {e.GetType().Name}: {e.Message.Split('\n')[0]}");
                }
            }
            Console.WriteLine("eval b1: wall time of a fresh `featureviz eval` process at batch 1 (start, load, one forward, write); eval: (that at batch 9 - at batch 1) / 8, medians over the processes; bench: `featureviz bench` forward median, warm; ORT: median of 10 warm runs at batch 1.");
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static void CompareOne(string name, string path, string tool, int runs, string work)
    {
        using var probe = new InferenceSession(path);
        var (inputName, meta) = probe.InputMetadata.First();
        int[] dims = meta.Dimensions.Select(d => d <= 0 ? 1 : d).ToArray();
        bool batchFree = meta.Dimensions[0] <= 0;
        int perImage = dims.Skip(1).Aggregate(1, (a, b) => a * b);
        var rng = new Random(1);
        var data = new float[9 * perImage];
        for (int i = 0; i < data.Length; i++) data[i] = (float)rng.NextDouble();

        double ort1 = OrtMedian(path, inputName, dims, data, 1), ort2 = OrtMedian(path, inputName, dims, data, 2);
        double ort = Math.Min(ort1, ort2);

        double eval = double.NaN, process1 = double.NaN;
        if (batchFree)
        {
            string x1 = Path.Combine(work, "x1.npy"), x9 = Path.Combine(work, "x9.npy");
            WriteNpy(x1, data.AsSpan(0, perImage), dims);
            WriteNpy(x9, data, [9, .. dims[1..]]);
            var t1 = new List<double>();
            var t9 = new List<double>();
            for (int r = 0; r < runs; r++)
            {
                t1.Add(Process(tool, $"eval --model \"{path}\" --input \"{inputName}={x1}\" --output-dir \"{Path.Combine(work, "out")}\"").Seconds);
                t9.Add(Process(tool, $"eval --model \"{path}\" --input \"{inputName}={x9}\" --output-dir \"{Path.Combine(work, "out")}\"").Seconds);
            }
            eval = (Median(t9) - Median(t1)) / 8 * 1000;
            process1 = Median(t1);
        }
        var bench = Process(tool, $"bench --model \"{path}\" --warmup 3 --repeat 10 --json");
        double benchMs = JsonDocument.Parse(bench.Stdout).RootElement.GetProperty("perImage").GetProperty("forward").GetProperty("medianMs").GetDouble();
        Console.WriteLine($"{name,-40} {F(ort1),10} {F(ort2),10} {(double.IsNaN(process1) ? "-" : process1.ToString("0.000", Inv)),10} {F(eval),10} {R(eval / ort),9} {F(benchMs),10} {R(benchMs / ort),10}");
    }

    private static double OrtMedian(string path, string inputName, int[] dims, float[] data, int threads)
    {
        using var session = new InferenceSession(path, new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1 });
        var input = new[] { NamedOnnxValue.CreateFromTensor(inputName, new DenseTensor(data.AsMemory(0, dims.Aggregate(1, (a, b) => a * b)), dims)) };
        for (int i = 0; i < 3; i++) session.Run(input).Dispose();
        var times = new List<double>();
        for (int i = 0; i < 10; i++)
        {
            long start = Stopwatch.GetTimestamp();
            session.Run(input).Dispose();
            times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        return Median(times);
    }

    /// <summary>Runs the tool in a fresh process (the environment, e.g. DOTNET_ settings, is inherited); fails on a non-zero exit.</summary>
    private static (double Seconds, string Stdout) Process(string tool, string arguments)
    {
        bool dll = tool.EndsWith(".dll", StringComparison.OrdinalIgnoreCase);
        var psi = new ProcessStartInfo(dll ? "dotnet" : tool, dll ? $"\"{tool}\" {arguments}" : arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        long start = Stopwatch.GetTimestamp();
        using var p = System.Diagnostics.Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        if (p.ExitCode != 0) throw new InvalidOperationException($"featureviz {arguments.Split(' ')[0]} exited with {p.ExitCode}: {stderr.Result.Trim()}");
        return (seconds, stdout.Result);
    }

    /// <summary>A float32 C-order .npy (version 1.0).</summary>
    private static void WriteNpy(string path, ReadOnlySpan<float> data, int[] shape)
    {
        string dict = $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({string.Join(", ", shape)}{(shape.Length == 1 ? "," : "")}), }}";
        int total = 10 + dict.Length + 1;
        dict = dict.PadRight(dict.Length + (64 - total % 64) % 64) + "\n";
        using var f = File.Create(path);
        f.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0]);
        f.Write(BitConverter.GetBytes((ushort)dict.Length));
        f.Write(System.Text.Encoding.ASCII.GetBytes(dict));
        f.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(data));
    }

    private static double Median(List<double> v)
    {
        var s = v.Order().ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }

    private static string? Arg(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static string F(double ms) => double.IsNaN(ms) ? "-" : ms.ToString("0.00", Inv);
    private static string R(double r) => double.IsNaN(r) ? "-" : r.ToString("0.00", Inv) + "x";
}
