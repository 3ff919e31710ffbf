using System.Globalization;

namespace FeatureViz.Cli.ScaleOut;

/// <summary>This process's shard: its index (0-based), the shard count, and where they came from (for messages).</summary>
internal sealed record ShardSelection(int Index, int Count, string Source)
{
    /// <summary>The Kubernetes Indexed Job variable: the pod's completion index, 0 to completions - 1.</summary>
    public const string KubernetesIndex = "JOB_COMPLETION_INDEX";

    /// <summary>Slurm's array task id (the value of this task in --array).</summary>
    public const string SlurmTaskId = "SLURM_ARRAY_TASK_ID";

    /// <summary>Slurm's number of tasks in the array.</summary>
    public const string SlurmTaskCount = "SLURM_ARRAY_TASK_COUNT";

    /// <summary>Slurm's lowest task id of the array (arrays need not start at 0).</summary>
    public const string SlurmTaskMin = "SLURM_ARRAY_TASK_MIN";

    /// <summary>Slurm's step between task ids (--array=0-30:2).</summary>
    public const string SlurmTaskStep = "SLURM_ARRAY_TASK_STEP";

    /// <summary>The most shards.</summary>
    public const int MaxShards = 100_000;

    /// <summary>
    /// The shard from <c>--shard I/N</c> when given; else from <see cref="KubernetesIndex"/> (the count from
    /// <c>--shards</c> or the plan); else from the Slurm array variables (index = (ID - MIN) / STEP, the count from
    /// <c>--shards</c> or <see cref="SlurmTaskCount"/>). Throws <see cref="UsageException"/> (exit 2) for a malformed
    /// value, a missing count or an index out of range, naming where the value came from.
    /// </summary>
    public static ShardSelection Resolve(string? shardOption, int? shardsOption, int planShards, Func<string, string?> environment)
    {
        if (shardsOption is { } n0 && (n0 < 1 || n0 > MaxShards))
            throw new UsageException($"--shards: expected a count from 1 to {MaxShards} (got {n0}).");
        if (shardOption is not null)
        {
            var parts = shardOption.Split('/');
            if (parts.Length != 2 || !TryInt(parts[0], out int i) || !TryInt(parts[1], out int n) || n < 1 || n > MaxShards)
                throw new UsageException($"--shard: expected I/N with 0 <= I < N <= {MaxShards}, e.g. 3/16 (got '{shardOption}').");
            if (shardsOption is { } s && s != n)
                throw new UsageException($"--shard {shardOption} and --shards {s} disagree on the shard count.");
            return Checked(i, n, $"--shard {shardOption}");
        }
        if (environment(KubernetesIndex) is { } k)
        {
            if (!TryInt(k, out int i)) throw new UsageException($"{KubernetesIndex}: expected a non-negative integer (got '{k}').");
            int n = shardsOption ?? (planShards > 0 ? planShards
                : throw new UsageException($"{KubernetesIndex}={k} gives the index but not the count: pass --shards N (the Job's completions) or make the plan with --shards N."));
            return Checked(i, n, $"{KubernetesIndex}={k}");
        }
        if (environment(SlurmTaskId) is { } id)
        {
            string? min = environment(SlurmTaskMin), step = environment(SlurmTaskStep), count = environment(SlurmTaskCount);
            if (!TryInt(id, out int idValue)) throw new UsageException($"{SlurmTaskId}: expected a non-negative integer (got '{id}').");
            int minValue = 0, stepValue = 1;
            if (min is not null && !TryInt(min, out minValue)) throw new UsageException($"{SlurmTaskMin}: expected a non-negative integer (got '{min}').");
            if (step is not null && (!TryInt(step, out stepValue) || stepValue < 1)) throw new UsageException($"{SlurmTaskStep}: expected a positive integer (got '{step}').");
            string source = $"{SlurmTaskId}={id}" + (min is null ? "" : $", {SlurmTaskMin}={min}") + (step is null ? "" : $", {SlurmTaskStep}={step}");
            if (idValue < minValue || (idValue - minValue) % stepValue != 0)
                throw new UsageException($"{source}: the task id is not on the array's range (use a contiguous --array such as 0-15 or 1-16).");
            int n;
            if (shardsOption is { } s) n = s;
            else if (count is not null)
            {
                if (!TryInt(count, out n) || n < 1) throw new UsageException($"{SlurmTaskCount}: expected a positive integer (got '{count}').");
            }
            else if (planShards > 0) n = planShards;
            else throw new UsageException($"{source} gives the index but not the count ({SlurmTaskCount} is not set): pass --shards N.");
            return Checked((idValue - minValue) / stepValue, n, count is null || shardsOption is not null ? source : $"{source}, {SlurmTaskCount}={count}");
        }
        throw new UsageException(
            $"--shard: no shard given: pass --shard I/N, or run as a Kubernetes Indexed Job ({KubernetesIndex}) or a Slurm array task ({SlurmTaskId}).");
    }

    private static ShardSelection Checked(int index, int count, string source)
    {
        if (count < 1 || count > MaxShards) throw new UsageException($"{source}: the shard count must be from 1 to {MaxShards} (got {count}).");
        if (index >= count)
            throw new UsageException($"{source}: shard index {index} is out of range for {count} shard(s) (0-{count - 1}).");
        return new ShardSelection(index, count, source);
    }

    private static bool TryInt(string text, out int value) =>
        int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out value);

    /// <inheritdoc/>
    public override string ToString() => $"shard {Index} of {Count} (0-{Count - 1}, from {Source})";
}
