using FeatureViz.Onnx;

namespace FeatureViz.Models;

/// <summary>Layer lookup by name or index, with "did you mean" suggestions.</summary>
internal static class LayerLookup
{
    public static LayerInfo Find(IReadOnlyList<LayerInfo> layers, string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        foreach (var l in layers)
            if (l.NodeName == name || l.OutputName == name) return l;
        foreach (var l in layers)
            if (string.Equals(l.NodeName, name, StringComparison.OrdinalIgnoreCase) || string.Equals(l.OutputName, name, StringComparison.OrdinalIgnoreCase)) return l;
        var close = Closest(layers, name, 5);
        var hint = close.Count > 0 ? $" Closest matches: {string.Join(", ", close.Select(c => $"'{c}'"))}." : "";
        throw new ArgumentException($"Layer '{name}' does not exist in the model ({layers.Count} layers).{hint}", nameof(name));
    }

    public static LayerInfo Find(IReadOnlyList<LayerInfo> layers, int index)
    {
        int i = index < 0 ? layers.Count + index : index;
        if (i < 0 || i >= layers.Count)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"Layer index {index} is out of range: the model has {layers.Count} layers (valid: {-layers.Count}..{layers.Count - 1}).");
        return layers[i];
    }

    /// <summary>The names closest to <paramref name="name"/> (substring matches first, then by edit distance).</summary>
    public static List<string> Closest(IReadOnlyList<LayerInfo> layers, string name, int count)
    {
        var candidates = new HashSet<string>(StringComparer.Ordinal);
        foreach (var l in layers)
        {
            if (!string.IsNullOrEmpty(l.NodeName)) candidates.Add(l.NodeName);
            if (!string.IsNullOrEmpty(l.OutputName)) candidates.Add(l.OutputName);
        }
        return FeatureViz.Onnx.Graph.Suggest.Ranked(name, candidates, count, Math.Max(3, name.Length / 2)).ToList();
    }
}
