using System.Diagnostics;

namespace FeatureViz.Tests.Cli;

/// <summary>The built featureviz.dll run as a separate process (exit codes and streams as a shell sees them).</summary>
public class ProcessTests
{
    internal static (int Code, string Out, string Err) RunProcess(string workDir, params string[] args)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "featureviz.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing");
        var psi = new ProcessStartInfo(DotnetPath())
        {
            WorkingDirectory = workDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail("featureviz did not finish within 5 minutes");
        }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    internal static string DotnetPath()
    {
        string? host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (host is not null && File.Exists(host)) return host;
        string main = Process.GetCurrentProcess().MainModule?.FileName ?? "dotnet";
        return Path.GetFileNameWithoutExtension(main) == "dotnet" ? main : "dotnet";
    }

    [Fact]
    public void HelpExitsZero()
    {
        var (code, output, _) = RunProcess(CliHarness.TempDir(), "render", "--help");
        Assert.Equal(0, code);
        Assert.Contains("--objective", output);
    }

    [Fact]
    public void BadArgumentExitsTwoNamingIt()
    {
        var (code, _, err) = RunProcess(CliHarness.TempDir(), "render", "--steps", "-5");
        Assert.Equal(2, code);
        Assert.Contains("--steps", err);
        (code, _, err) = RunProcess(CliHarness.TempDir(), "render", "--objective", "channel:x:1 +");
        Assert.Equal(2, code);
        Assert.Contains("--objective", err);
        Assert.Contains("position", err);
    }

    [Fact]
    public async Task SigintStopsAfterTheCurrentStepKeepingOnlyCompleteFiles()
    {
        if (!OperatingSystem.IsLinux()) return;
        string dir = CliHarness.TempDir();
        string model = TinyOnnxModel.WriteConv(dir);
        string outDir = Path.Combine(dir, "out");
        var psi = new ProcessStartInfo(DotnetPath()) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = dir };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "featureviz.dll"), "render", "--model", model, "--objective", "channel:conv/relu:0-3",
                                  "--batch", "1", "--steps", "100000", "--size", "16x16", "--threads", "1", "--out", outDir })
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        // Wait for the first optimization steps to be reported, then interrupt as Ctrl+C would.
        var clock = Stopwatch.StartNew();
        while (!File.Exists(Path.Combine(outDir, "manifest.json")) && clock.Elapsed < TimeSpan.FromMinutes(2)) await Task.Delay(100);
        await Task.Delay(1500);
        using (var kill = Process.Start("kill", ["-INT", p.Id.ToString()])) await kill.WaitForExitAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail("featureviz did not stop after SIGINT");
        }
        string err = await stderr;
        await stdout;
        Assert.True(p.ExitCode == FeatureViz.Cli.ExitCodes.Cancelled, $"exit {p.ExitCode}: {err}");
        Assert.Contains("Interrupted", err);
        var manifest = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "manifest.json"))).RootElement;
        Assert.False(manifest.GetProperty("complete").GetBoolean());
        var listed = manifest.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("file").GetString()).Order().ToList();
        Assert.Equal(listed, Directory.GetFiles(outDir, "*.png").Select(Path.GetFileName).Order().ToList());
        Assert.DoesNotContain(Directory.GetFiles(outDir), f => f.EndsWith(".tmp"));
        Assert.True(File.Exists(Path.Combine(outDir, "index.html")));
    }

    [Fact]
    public void EvalOfASmallModelAsAProcess()
    {
        string dir = CliHarness.TempDir();
        string model = TinyOnnxModel.Write(dir);
        FeatureViz.Cli.IO.Npy.Write(Path.Combine(dir, "x.npy"), [0.3f, -1.2f, 0.8f, 1.1f, 0.4f, -0.6f, -0.05f, 2f], [2, 4]);
        var (code, output, err) = RunProcess(dir, "eval", "--model", model, "--input", "x=x.npy", "--output-dir", "out");
        Assert.True(code == 0, err);
        Assert.Contains("out:0", output);
        Assert.True(File.Exists(Path.Combine(dir, "out", "out_0.npy")));
    }
}
