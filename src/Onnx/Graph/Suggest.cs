namespace FeatureViz.Onnx.Graph;

/// <summary>"Did you mean" suggestions by substring and edit distance.</summary>
internal static class Suggest
{
    public static string CloseMatches(string name, IEnumerable<string> candidates, int max = 5)
    {
        var lower = name.ToLowerInvariant();
        var scored = candidates
            .Select(c => (c, d: c.Contains(name, StringComparison.OrdinalIgnoreCase) || (name.Length > 0 && lower.Contains(c.ToLowerInvariant())) ? 0 : Distance(lower, c.ToLowerInvariant())))
            .Where(e => e.d <= Math.Max(2, name.Length / 3))
            .OrderBy(e => e.d).ThenBy(e => e.c.Length)
            .Take(max).Select(e => e.c).ToList();
        return scored.Count == 0 ? "" : $" Close matches: {string.Join(", ", scored)}.";
    }

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
