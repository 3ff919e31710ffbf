using System.Collections;
using System.Globalization;

namespace FeatureViz.Cli.Objectives;

/// <summary>
/// The indices of a channel or neuron list such as <c>0-7,12</c>, held as ranges and never expanded: a range of two
/// billion costs two ints until something enumerates it, so it can be checked against the layer before that happens.
/// </summary>
internal sealed class IndexRanges : IReadOnlyList<int>
{
    private readonly (int Start, int End)[] _ranges;

    public IndexRanges(IEnumerable<(int Start, int End)> ranges)
    {
        _ranges = ranges.ToArray();
        foreach (var (a, b) in _ranges)
        {
            if (a < 0 || b < a) throw new ArgumentOutOfRangeException(nameof(ranges), $"bad index range {a}-{b}.");
            LongCount += (long)b - a + 1;
        }
        Max = _ranges.Length == 0 ? -1 : _ranges.Max(r => r.End);
    }

    /// <summary>The number of indices (may exceed <see cref="int.MaxValue"/>; check before enumerating).</summary>
    public long LongCount { get; }

    /// <summary>The largest index, or -1 when empty.</summary>
    public int Max { get; }

    /// <summary>The number of indices; throws when there are more than <see cref="int.MaxValue"/> (check <see cref="LongCount"/> first).</summary>
    public int Count => LongCount <= int.MaxValue ? (int)LongCount : throw new InvalidOperationException($"the index list {this} has {LongCount} entries.");

    public int this[int index]
    {
        get
        {
            if (index >= 0)
            {
                long left = index;
                foreach (var (a, b) in _ranges)
                {
                    long n = (long)b - a + 1;
                    if (left < n) return (int)(a + left);
                    left -= n;
                }
            }
            throw new ArgumentOutOfRangeException(nameof(index), index, $"index list {this} has {LongCount} entries.");
        }
    }

    public IEnumerator<int> GetEnumerator()
    {
        foreach (var (a, b) in _ranges)
            for (long i = a; i <= b; i++) yield return (int)i;
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>The list as written: <c>0-7,12</c>.</summary>
    public override string ToString() =>
        string.Join(",", _ranges.Select(r => r.Start == r.End
            ? r.Start.ToString(CultureInfo.InvariantCulture)
            : $"{r.Start.ToString(CultureInfo.InvariantCulture)}-{r.End.ToString(CultureInfo.InvariantCulture)}"));
}
