using System.Diagnostics;
using System.Text.RegularExpressions;
using FeatureViz.TestSupport;

namespace FeatureViz.Tests.Cli.ScaleOut;

/// <summary>docs/examples/scale-out/slurm.sh (the file docs/scale-out.md includes): it parses, and its #SBATCH lines use documented sbatch options only.</summary>
public partial class SlurmScriptTests
{
    /// <summary>
    /// The long options of sbatch, from the OPTIONS section of the sbatch(1) man page of Slurm 22.05.8 (Debian 12
    /// package slurm-client 22.05.8-4+deb12u3, /usr/share/man/man1/sbatch.1.gz); every option there, none added.
    /// </summary>
    private static readonly HashSet<string> SbatchOptions =
    [
        "account", "acctg-freq", "array", "batch", "bb", "bbf", "begin", "chdir", "cluster-constraint", "clusters", "comment",
        "constraint", "container", "contiguous", "core-spec", "cores-per-socket", "cpu-freq", "cpus-per-gpu", "cpus-per-task",
        "deadline", "delay-boot", "dependency", "distribution", "error", "exclude", "exclusive", "export-file", "export",
        "extra-node-info", "get-user-env", "gid", "gpu-bind", "gpu-freq", "gpus-per-node", "gpus-per-socket", "gpus-per-task",
        "gpus", "gres-flags", "gres", "help", "hint", "ignore-pbs", "input", "job-name", "kill-on-invalid-dep", "licenses",
        "mail-type", "mail-user", "mcs-label", "mem-bind", "mem-per-cpu", "mem-per-gpu", "mem", "mincpus", "network", "nice",
        "no-kill", "no-requeue", "nodefile", "nodelist", "nodes", "ntasks-per-core", "ntasks-per-gpu", "ntasks-per-node",
        "ntasks-per-socket", "ntasks", "open-mode", "output", "overcommit", "oversubscribe", "parsable", "partition", "power",
        "prefer", "priority", "profile", "propagate", "qos", "quiet", "reboot", "requeue", "reservation", "signal",
        "sockets-per-node", "spread-job", "switches", "test-only", "thread-spec", "threads-per-core", "time-min", "time", "tmp",
        "uid", "usage", "use-min-nodes", "verbose", "version", "wait-all-nodes", "wait", "wckey", "wrap",
    ];

    private static string ScriptPath => Path.Combine(SharedData.RepoRoot!, "docs", "examples", "scale-out", "slurm.sh");

    [Fact]
    public void TheScriptParsesWithBashDashN()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) return;
        var psi = new ProcessStartInfo("bash") { RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("-n");
        psi.ArgumentList.Add(ScriptPath);
        using var p = Process.Start(psi)!;
        string err = p.StandardError.ReadToEnd();
        Assert.True(p.WaitForExit(TimeSpan.FromMinutes(1)));
        Assert.True(p.ExitCode == 0, err);
    }

    [Fact]
    public void EverySbatchLineUsesADocumentedLongOption()
    {
        var lines = File.ReadAllLines(ScriptPath).Where(l => l.StartsWith("#SBATCH", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(lines);
        var used = new List<string>();
        foreach (var line in lines)
        {
            var m = SbatchLine().Match(line);
            Assert.True(m.Success, $"not a '#SBATCH --option[=value]' line: {line}");
            Assert.True(SbatchOptions.Contains(m.Groups[1].Value), $"sbatch has no documented option --{m.Groups[1].Value} ({line})");
            used.Add(m.Groups[1].Value);
        }
        // What the scale-out needs: an array of tasks (the shards) and a GPU per task.
        Assert.Contains("array", used);
        Assert.Contains(lines, l => l.Contains("--gres=gpu:1", StringComparison.Ordinal));
        // The tool reads its shard from Slurm: the script must not pin one.
        Assert.DoesNotContain("--shard ", File.ReadAllText(ScriptPath));
        Assert.Contains("featureviz run-shard", File.ReadAllText(ScriptPath));
    }

    [Fact]
    public void TheOptionCheckRejectsAnUndocumentedOption()
    {
        Assert.DoesNotContain("gpu", SbatchOptions);
        Assert.Matches(SbatchLine(), "#SBATCH --gpu=1");
    }

    [GeneratedRegex(@"^#SBATCH --([a-z0-9-]+)(=\S+)?\s*$")]
    private static partial Regex SbatchLine();
}
