using FeatureViz.Onnx.Graph;

namespace FeatureViz.Onnx;

/// <summary>
/// Finds a layer by name or index in a model's layer list: the one rule behind <see cref="OnnxModel.GetLayer(string)"/>
/// and the feature-visualization models.
/// </summary>
public static class LayerSearch
{
    /// <summary>
    /// The layer whose output name, else node name, equals <paramref name="name"/>; failing that, the first that
    /// matches either ignoring case.
    /// </summary>
    /// <exception cref="ArgumentException">No layer matches; the message lists the closest names.</exception>
    public static LayerInfo Find(IReadOnlyList<LayerInfo> layers, string name)
    {
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentException.ThrowIfNullOrEmpty(name);
        var hit = layers.FirstOrDefault(l => l.OutputName == name) ?? layers.FirstOrDefault(l => l.NodeName == name)
            ?? layers.FirstOrDefault(l => string.Equals(l.OutputName, name, StringComparison.OrdinalIgnoreCase)
                                          || string.Equals(l.NodeName, name, StringComparison.OrdinalIgnoreCase));
        if (hit is not null) return hit;
        var close = Closest(layers, name, 5);
        var hint = close.Count > 0 ? $" Closest matches: {string.Join(", ", close.Select(c => $"'{c}'"))}." : "";
        throw new ArgumentException($"Layer '{name}' does not exist in the model ({layers.Count} layers).{hint}", nameof(name));
    }

    /// <summary>The layer at <paramref name="index"/>; negative indices count from the end.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The index is outside the list.</exception>
    public static LayerInfo Find(IReadOnlyList<LayerInfo> layers, int index)
    {
        ArgumentNullException.ThrowIfNull(layers);
        int i = index < 0 ? layers.Count + index : index;
        if (i < 0 || i >= layers.Count)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"Layer index {index} is out of range: the model has {layers.Count} layers (valid: {-layers.Count}..{layers.Count - 1}).");
        return layers[i];
    }

    /// <summary>Up to <paramref name="count"/> node or output names closest to <paramref name="name"/>.</summary>
    public static IReadOnlyList<string> Closest(IReadOnlyList<LayerInfo> layers, string name, int count)
    {
        var candidates = new HashSet<string>(StringComparer.Ordinal);
        foreach (var l in layers)
        {
            if (!string.IsNullOrEmpty(l.NodeName)) candidates.Add(l.NodeName);
            if (!string.IsNullOrEmpty(l.OutputName)) candidates.Add(l.OutputName);
        }
        return Suggest.Ranked(name, candidates, count, Math.Max(3, name.Length / 2));
    }
}
