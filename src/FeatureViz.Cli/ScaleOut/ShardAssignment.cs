namespace FeatureViz.Cli.ScaleOut;

/// <summary>
/// Which shard renders which plan item: a pure function of the items' estimated costs and the shard count, so every
/// shard computes the same assignment on its own. Greedy longest-processing-time: items by decreasing cost (ties: plan
/// order) each go to the shard with the least cost so far (ties: the lowest shard index). Every item lands on exactly
/// one shard, and the costs of any two shards differ by at most the largest item's cost (the shard that received an
/// item was the cheapest one then), so each shard is within one item's cost of the mean.
/// </summary>
internal static class ShardAssignment
{
    /// <summary>The shard (0 to <paramref name="shards"/> - 1) of each item, in plan order.</summary>
    public static int[] Assign(IReadOnlyList<long> costs, int shards)
    {
        ArgumentNullException.ThrowIfNull(costs);
        ArgumentOutOfRangeException.ThrowIfLessThan(shards, 1);
        var order = Enumerable.Range(0, costs.Count).OrderByDescending(i => costs[i]).ThenBy(i => i).ToArray();
        var load = new long[shards];
        // The shards by (load, index): the first entry is the cheapest, lowest-numbered shard.
        var queue = new SortedSet<(long Load, int Shard)>();
        for (int s = 0; s < shards; s++) queue.Add((0, s));
        var shardOf = new int[costs.Count];
        foreach (int i in order)
        {
            var (l, s) = queue.Min;
            queue.Remove((l, s));
            shardOf[i] = s;
            load[s] = checked(l + costs[i]);
            queue.Add((load[s], s));
        }
        return shardOf;
    }

    /// <summary>The plan indices of the items of shard <paramref name="shard"/>, in plan order.</summary>
    public static List<int> ItemsOf(IReadOnlyList<long> costs, int shard, int shards)
    {
        var shardOf = Assign(costs, shards);
        return Enumerable.Range(0, costs.Count).Where(i => shardOf[i] == shard).ToList();
    }
}
