using FeatureViz.Cli.ScaleOut;

namespace FeatureViz.Tests.Cli.ScaleOut;

/// <summary>
/// The assignment of plan items to shards (issue 13): every item on exactly one shard for N = 1..64, each shard's
/// estimated cost within one item's cost of the mean, and the same answer on every call (a pure function of the plan).
/// </summary>
public class ShardAssignmentTests
{
    public static TheoryData<string> CostSets => ["uniform", "random", "one-giant", "few-items", "layered", "equal-pairs"];

    private static long[] Costs(string kind)
    {
        var rng = new Random(13);
        return kind switch
        {
            "uniform" => Enumerable.Repeat(1000L, 97).ToArray(),
            "random" => Enumerable.Range(0, 500).Select(_ => (long)rng.Next(1, 1_000_000)).ToArray(),
            "one-giant" => [.. Enumerable.Range(0, 80).Select(_ => (long)rng.Next(1, 100)), 1_000_000L],
            "few-items" => [5, 3, 9],
            // As a ResNet-style atlas: later layers cost more per image, and each layer's last batch is smaller.
            "layered" => Enumerable.Range(0, 19).SelectMany(l => Enumerable.Range(0, 16).Select(b => (long)(l + 1) * 7919 * (b == 15 ? 2 : 4))).ToArray(),
            _ => Enumerable.Range(0, 64).Select(i => (long)(i / 2 + 1)).ToArray(),
        };
    }

    [Theory]
    [MemberData(nameof(CostSets))]
    public void EveryItemExactlyOnceAndEachShardWithinOneItemOfTheMean(string kind)
    {
        var costs = Costs(kind);
        long max = costs.Max();
        for (int n = 1; n <= 64; n++)
        {
            // Each shard computes its own share, as the processes of a cluster do.
            var seen = new int[costs.Length];
            var loads = new long[n];
            for (int s = 0; s < n; s++)
            {
                foreach (int i in ShardAssignment.ItemsOf(costs, s, n))
                {
                    seen[i]++;
                    loads[s] += costs[i];
                }
            }
            for (int i = 0; i < costs.Length; i++)
                Assert.True(seen[i] == 1, $"{kind}, N={n}: item {i} is on {seen[i]} shard(s)");
            // Exact in integers: |load - total/n| <= max  <=>  |n*load - total| <= n*max.
            long total = costs.Sum();
            for (int s = 0; s < n; s++)
                Assert.True(Math.Abs(n * loads[s] - total) <= n * max,
                    $"{kind}, N={n}: shard {s} has cost {loads[s]}, the mean is {(double)total / n:F1}, the largest item {max}");
        }
    }

    [Fact]
    public void TheAssignmentIsAPureFunctionOfTheCosts()
    {
        var costs = Costs("random");
        for (int n = 1; n <= 64; n++)
        {
            var a = ShardAssignment.Assign(costs, n);
            var b = ShardAssignment.Assign(costs.ToArray(), n);
            Assert.Equal(a, b);
        }
        // Ties are broken by plan order, not by chance: equal costs go round the shards in order.
        Assert.Equal([0, 1, 2, 0, 1, 2], ShardAssignment.Assign([7, 7, 7, 7, 7, 7], 3));
    }

    [Fact]
    public void MoreShardsThanItemsLeavesTheRestEmpty()
    {
        var shardOf = ShardAssignment.Assign([4, 4], 5);
        Assert.Equal(2, shardOf.Distinct().Count());
        Assert.Empty(ShardAssignment.ItemsOf([4, 4], 4, 5));
    }
}
