using System.Diagnostics;

namespace FeatureViz.Tensors.Profiling;

/// <summary>
/// Per-op wall-clock times, collected while a profile is <see cref="Active"/>: the ONNX graph records each node's
/// forward run (op type and node name), autodiff records each op's vector-Jacobian product. When no profile is active
/// the hooks cost one static read per op.
/// </summary>
public sealed class OpProfile
{
    private static OpProfile? _active;
    private readonly object _sync = new();
    private readonly Dictionary<(OpPhase Phase, string Op, string Node), Accumulator> _entries = new();

    /// <summary>The profile being recorded into, or null (the default: nothing is timed).</summary>
    public static OpProfile? Active
    {
        get => Volatile.Read(ref _active);
        set => Volatile.Write(ref _active, value);
    }

    /// <summary>Makes <paramref name="profile"/> the active one until the returned scope is disposed.</summary>
    public static IDisposable Record(OpProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        var previous = Active;
        Active = profile;
        return new Restore(previous);
    }

    /// <summary>A timestamp for <see cref="Add"/> (<see cref="Stopwatch.GetTimestamp"/>).</summary>
    public static long Start() => Stopwatch.GetTimestamp();

    /// <summary>Adds the time since <paramref name="startTimestamp"/> to the entry of (phase, op, node).</summary>
    public void Add(OpPhase phase, string op, string node, long startTimestamp)
    {
        long ticks = Stopwatch.GetTimestamp() - startTimestamp;
        lock (_sync)
        {
            var key = (phase, op, node);
            _entries.TryGetValue(key, out var a);
            _entries[key] = new Accumulator(a.Count + 1, a.Ticks + ticks);
        }
    }

    /// <summary>Every (phase, op, node) entry recorded so far, the slowest first.</summary>
    public IReadOnlyList<OpProfileEntry> Entries()
    {
        lock (_sync)
            return _entries.Select(e => new OpProfileEntry(e.Key.Phase, e.Key.Op, e.Key.Node, e.Value.Count, e.Value.Ticks * 1000.0 / Stopwatch.Frequency))
                .OrderByDescending(e => e.TotalMs).ToList();
    }

    private readonly record struct Accumulator(long Count, long Ticks);

    private sealed class Restore(OpProfile? previous) : IDisposable
    {
        public void Dispose() => Active = previous;
    }
}

/// <summary>Which pass an <see cref="OpProfile"/> entry was timed in.</summary>
public enum OpPhase
{
    /// <summary>A graph node's forward run.</summary>
    Forward,

    /// <summary>An autodiff op's vector-Jacobian product (backward).</summary>
    Backward,
}

/// <summary>One profiled op: its phase, op type, node name, how often it ran and its total time.</summary>
/// <param name="Phase">Forward node run or backward vector-Jacobian product.</param>
/// <param name="Op">The op type (ONNX op type forward, autodiff op name backward).</param>
/// <param name="Node">The graph node's name forward; backward ops have no node and give "".</param>
/// <param name="Calls">How many times it ran.</param>
/// <param name="TotalMs">Its total wall-clock time in milliseconds.</param>
public sealed record OpProfileEntry(OpPhase Phase, string Op, string Node, long Calls, double TotalMs);
