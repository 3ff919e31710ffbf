namespace FeatureViz.Onnx.Graph;

/// <summary>"Did you mean" suggestions for misspelt layer and tensor names, by substring and edit distance.</summary>
public static class Suggest
{
    /// <summary>
    /// The candidates closest to <paramref name="name"/>: those containing it (or contained in it) first, then those
    /// within <paramref name="maxDistance"/> edits (case-insensitive), nearest first, at most <paramref name="max"/>.
    /// </summary>
    public static IReadOnlyList<string> Ranked(string name, IEnumerable<string> candidates, int max, int maxDistance)
    {
        var lower = name.ToLowerInvariant();
        return candidates
            .Select(c => (Name: c, Score: c.Contains(name, StringComparison.OrdinalIgnoreCase) || (name.Length > 0 && lower.Contains(c.ToLowerInvariant())) ? -1 : Distance(lower, c.ToLowerInvariant())))
            .Where(e => e.Score <= maxDistance)
            .OrderBy(e => e.Score).ThenBy(e => e.Name.Length).ThenBy(e => e.Name, StringComparer.Ordinal)
            .Take(max).Select(e => e.Name).ToList();
    }

    /// <summary>" Close matches: a, b." for an error message, or "" when nothing is close.</summary>
    public static string CloseMatches(string name, IEnumerable<string> candidates, int max = 5)
    {
        var scored = Ranked(name, candidates, max, Math.Max(2, name.Length / 3));
        return scored.Count == 0 ? "" : $" Close matches: {string.Join(", ", scored)}.";
    }

    /// <summary>Levenshtein distance.</summary>
    public static int Distance(string a, string b)
    {
        var prev = new int[b.Length + 1];
        var cur = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) prev[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            for (int j = 1; j <= b.Length; j++)
                cur[j] = Math.Min(Math.Min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (prev, cur) = (cur, prev);
        }
        return prev[b.Length];
    }
}
