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

    private static string DotnetPath()
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
