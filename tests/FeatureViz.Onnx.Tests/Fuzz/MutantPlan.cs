namespace FeatureViz.Onnx.Tests.Fuzz;

/// <summary>The kinds of damage a mutant carries (one per mutant).</summary>
public enum MutationKind
{
    Truncate, BitFlip, ByteNoise, Dims, Attribute, HotAttribute, DataLength, Opset, Cycle, Dangling, Duplicate,
    Structure, Types, ExternalData, ResNet18,
}

/// <summary>What a mutant must do: anything documented, be refused at load, or load.</summary>
public enum Expectation { Any, Reject, Load }

/// <summary>
/// The fixed schedule of mutants: id -> kind and seed model. Parent (the test) and child (the worker process) both
/// derive every mutant from its id and the seed list alone, so nothing but ids crosses the process boundary.
/// </summary>
public sealed class MutantPlan
{
    /// <summary>Mutants per kind, in id order.</summary>
    public static readonly (MutationKind Kind, int Count)[] Quota =
    [
        (MutationKind.Truncate, 250), (MutationKind.BitFlip, 300), (MutationKind.ByteNoise, 150),
        (MutationKind.Dims, 250), (MutationKind.Attribute, 200), (MutationKind.HotAttribute, 400),
        (MutationKind.DataLength, 200), (MutationKind.Opset, 120), (MutationKind.Cycle, 100),
        (MutationKind.Dangling, 100), (MutationKind.Duplicate, 100), (MutationKind.Structure, 150),
        (MutationKind.Types, 100), (MutationKind.ExternalData, 150), (MutationKind.ResNet18, 16),
    ];

    /// <summary>Seed for the mutants' random choices; changing it changes every mutant.</summary>
    public const int BaseSeed = 0x5EED_0009;

    public MutantPlan(IReadOnlyList<string> seeds)
    {
        if (seeds.Count == 0) throw new ArgumentException("MutantPlan: no seed models.", nameof(seeds));
        Seeds = seeds;
        // Seeds whose ops read geometry attributes (the ones that reach Im2Col/pooling loops) get the hot attribute mutants.
        HotSeeds = seeds.Where(s => HotOps.Any(h => Path.GetFileName(Path.GetDirectoryName(s) ?? "").Contains(h, StringComparison.OrdinalIgnoreCase))).ToArray();
        if (HotSeeds.Count == 0) HotSeeds = seeds;
    }

    private static readonly string[] HotOps = ["conv", "pool", "pad", "resize", "upsample", "lrn", "depthtospace", "spacetodepth", "tile", "expand"];

    public IReadOnlyList<string> Seeds { get; }

    public IReadOnlyList<string> HotSeeds { get; }

    public static int Count => Quota.Sum(q => q.Count);

    public static MutationKind KindOf(int id)
    {
        foreach (var (kind, count) in Quota)
        {
            if (id < count) return kind;
            id -= count;
        }
        throw new ArgumentOutOfRangeException(nameof(id), id, $"MutantPlan: ids run to {Count - 1}.");
    }

    /// <summary>
    /// The random source for mutant <paramref name="id"/> (System.Random with a seed is stable across runs). The id is
    /// mixed first (SplitMix64's finalizer): seeded Randoms with nearby seeds start with correlated values.
    /// </summary>
    public static Random RandomFor(int id)
    {
        ulong z = unchecked((ulong)BaseSeed << 32 ^ (ulong)id) + 0x9E3779B97F4A7C15UL;
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return new Random((int)(z ^ (z >> 31)) & int.MaxValue);
    }

    /// <summary>The position of <paramref name="id"/> among the mutants of its kind.</summary>
    public static int IndexInKind(int id)
    {
        foreach (var (_, count) in Quota)
        {
            if (id < count) return id;
            id -= count;
        }
        throw new ArgumentOutOfRangeException(nameof(id), id, $"MutantPlan: ids run to {Count - 1}.");
    }

    /// <summary>
    /// The seed models: ONNX node tests (the repository's copy and Debian's), the small real models, and mnist-8,
    /// each under 64 KiB except mnist-8; sorted so the plan is the same on every machine with the same data.
    /// </summary>
    public static List<string> DiscoverSeeds(string? shared)
    {
        var dirs = new List<string>();
        if (shared is not null) dirs.Add(Path.Combine(shared, "data", "onnx-node-tests"));
        foreach (var sub in new[] { "node", "simple", "pytorch-operator", "pytorch-converted" })
            dirs.Add(Path.Combine("/usr/share/libonnx-testdata/data", sub));
        var list = new List<string>();
        foreach (var d in dirs.Where(Directory.Exists))
            foreach (var sub in Directory.GetDirectories(d))
            {
                var f = Path.Combine(sub, "model.onnx");
                if (File.Exists(f) && new FileInfo(f).Length <= 64 * 1024) list.Add(f);
            }
        list.Sort(StringComparer.Ordinal);
        if (shared is not null && File.Exists(Path.Combine(shared, "data", "models", "mnist-8.onnx")))
            list.Add(Path.Combine(shared, "data", "models", "mnist-8.onnx"));
        // Only models that load and run intact: a seed refused for an unsupported op would make every mutant of it
        // a trivial rejection that never reaches the code under test.
        return list.Where(f => MutantExecutor.Execute(new Mutant(-1, MutationKind.Truncate, f, "intact", Expectation.Load, File.ReadAllBytes(f), null)).Outcome == Outcome.Ran).ToList();
    }
}
