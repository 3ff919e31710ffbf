using FeatureViz.Cli;
using FeatureViz.Cli.ScaleOut;

namespace FeatureViz.Tests.Cli.ScaleOut;

/// <summary>
/// run-shard takes its index from the scheduler when --shard is absent (issue 13): JOB_COMPLETION_INDEX (Kubernetes
/// Indexed Job) and SLURM_ARRAY_TASK_ID / _MIN / _STEP / _COUNT (Slurm arrays), set here through the CLI's environment
/// seam; the items it renders are exactly the ones the assignment gives that index.
/// </summary>
public class ShardEnvironmentTests
{
    private static SortedSet<int> Expected(string plan, int shard, int shards) =>
        new(ShardAssignment.ItemsOf(WorkPlan.Read(plan).Costs, shard, shards));

    [Fact]
    public async Task KubernetesCompletionIndexPicksTheShardAndShardsGivesTheCount()
    {
        var (plan, _) = await ScaleOutHarness.FakePlan();
        var env = new Dictionary<string, string> { ["JOB_COMPLETION_INDEX"] = "1" };
        var (code, output, err) = await ScaleOutHarness.Run(env, null, "run-shard", "--plan", plan, "--shards", "3");
        Assert.True(code == 0, err);
        Assert.Contains("shard 1 of 3", output);
        Assert.Contains("JOB_COMPLETION_INDEX=1", output);
        Assert.Equal(Expected(plan, 1, 3), ScaleOutHarness.ItemFolders(plan));
    }

    [Fact]
    public async Task KubernetesIndexTakesTheCountFromThePlanWithoutShards()
    {
        var (plan, _) = await ScaleOutHarness.FakePlan("--shards", "4");
        var env = new Dictionary<string, string> { ["JOB_COMPLETION_INDEX"] = "3" };
        var (code, output, err) = await ScaleOutHarness.Run(env, null, "run-shard", "--plan", plan);
        Assert.True(code == 0, err);
        Assert.Contains("shard 3 of 4", output);
        Assert.Equal(Expected(plan, 3, 4), ScaleOutHarness.ItemFolders(plan));
    }

    [Fact]
    public async Task KubernetesIndexWithoutAnyCountIsAUsageError()
    {
        var (plan, _) = await ScaleOutHarness.FakePlan();
        var (code, _, err) = await ScaleOutHarness.Run(new Dictionary<string, string> { ["JOB_COMPLETION_INDEX"] = "0" }, null, "run-shard", "--plan", plan);
        Assert.Equal(2, code);
        Assert.Contains("--shards", err);
        Assert.Empty(ScaleOutHarness.ItemFolders(plan));
    }

    [Fact]
    public async Task SlurmArrayStartingAtOneIsShiftedByTaskMin()
    {
        var (plan, _) = await ScaleOutHarness.FakePlan();
        // sbatch --array=3-5: tasks 3, 4, 5 are shards 0, 1, 2.
        var env = new Dictionary<string, string> { ["SLURM_ARRAY_TASK_ID"] = "5", ["SLURM_ARRAY_TASK_MIN"] = "3", ["SLURM_ARRAY_TASK_COUNT"] = "3" };
        var (code, output, err) = await ScaleOutHarness.Run(env, null, "run-shard", "--plan", plan);
        Assert.True(code == 0, err);
        Assert.Contains("shard 2 of 3", output);
        Assert.Contains("SLURM_ARRAY_TASK_ID=5", output);
        Assert.Equal(Expected(plan, 2, 3), ScaleOutHarness.ItemFolders(plan));
    }

    [Fact]
    public void SlurmStepsAndPrecedence()
    {
        string? None(string _) => null;
        // --array=0-30:10 (tasks 0, 10, 20, 30): task 20 is shard 2 of 4.
        var s = ShardSelection.Resolve(null, null, 0, n => n switch
        {
            "SLURM_ARRAY_TASK_ID" => "20", "SLURM_ARRAY_TASK_MIN" => "0", "SLURM_ARRAY_TASK_STEP" => "10", "SLURM_ARRAY_TASK_COUNT" => "4", _ => null,
        });
        Assert.Equal((2, 4), (s.Index, s.Count));
        // --shard wins over the scheduler's variables; Kubernetes' over Slurm's.
        var both = new Dictionary<string, string> { ["JOB_COMPLETION_INDEX"] = "1", ["SLURM_ARRAY_TASK_ID"] = "0", ["SLURM_ARRAY_TASK_COUNT"] = "2" };
        Assert.Equal((0, 5), Pair(ShardSelection.Resolve("0/5", null, 0, n => both.GetValueOrDefault(n))));
        Assert.Equal((1, 2), Pair(ShardSelection.Resolve(null, 2, 0, n => both.GetValueOrDefault(n))));
        Assert.Throws<UsageException>(() => ShardSelection.Resolve(null, null, 0, None));
        Assert.Throws<UsageException>(() => ShardSelection.Resolve(null, null, 0, n => n == "SLURM_ARRAY_TASK_ID" ? "7" : n == "SLURM_ARRAY_TASK_STEP" ? "2" : n == "SLURM_ARRAY_TASK_COUNT" ? "9" : null));
        Assert.Throws<UsageException>(() => ShardSelection.Resolve("2/2", null, 0, None));
        Assert.Throws<UsageException>(() => ShardSelection.Resolve("1/4", 3, 0, None));
        Assert.Throws<UsageException>(() => ShardSelection.Resolve("-1/4", null, 0, None));
    }

    private static (int, int) Pair(ShardSelection s) => (s.Index, s.Count);

    [Theory]
    [InlineData("--shard", "3/3")]
    [InlineData("JOB_COMPLETION_INDEX", "4")]
    [InlineData("SLURM_ARRAY_TASK_ID", "17")]
    public async Task AnIndexOutOfRangeExitsTwoNamingWhereItCameFrom(string source, string value)
    {
        var (plan, _) = await ScaleOutHarness.FakePlan();
        var env = source switch
        {
            "JOB_COMPLETION_INDEX" => new Dictionary<string, string> { [source] = value },
            "SLURM_ARRAY_TASK_ID" => new Dictionary<string, string> { [source] = value, ["SLURM_ARRAY_TASK_MIN"] = "1", ["SLURM_ARRAY_TASK_COUNT"] = "16" },
            _ => null,
        };
        string[] args = source == "--shard" ? ["run-shard", "--plan", plan, "--shard", value] : ["run-shard", "--plan", plan, "--shards", env!.ContainsKey("SLURM_ARRAY_TASK_COUNT") ? "16" : "4"];
        var (code, _, err) = await ScaleOutHarness.Run(env, null, args);
        Assert.Equal(2, code);
        Assert.Contains("out of range", err);
        Assert.Contains(source, err);
        Assert.Empty(ScaleOutHarness.ItemFolders(plan));
    }
}
