namespace FeatureViz.Objectives;

/// <summary>
/// Class names of a classifier, one per line: line i (1-based) names class index i - 1. Models rarely carry their
/// labels (the bundled ResNet18 has none), so <see cref="Objective.ClassLogit(Models.VisualizationModel, string, ClassLabels, Models.LayerRef?, double, string?)"/>
/// takes them from a file. Every class needs a non-empty, unique label; trailing empty lines are ignored.
/// </summary>
public sealed class ClassLabels
{
    private readonly string[] _labels;
    private readonly Dictionary<string, int> _index;

    private ClassLabels(string[] labels, Dictionary<string, int> index, string source)
    {
        _labels = labels;
        _index = index;
        Source = source;
    }

    /// <summary>Where the labels came from (the file path, or the source name given to <see cref="Parse"/>).</summary>
    public string Source { get; }

    /// <summary>Number of classes.</summary>
    public int Count => _labels.Length;

    /// <summary>The label of class <paramref name="index"/>.</summary>
    public string this[int index] => _labels[index];

    /// <summary>Reads a UTF-8 text file of labels, one per line (see <see cref="Parse"/>).</summary>
    /// <exception cref="FormatException">A label is empty or repeated (the message names the file and the lines).</exception>
    public static ClassLabels Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Parse(File.ReadAllLines(path), path);
    }

    /// <summary>
    /// Labels from lines (surrounding white space trimmed): line i names class i - 1. Trailing empty lines are
    /// ignored; an empty line before the last label is a missing label.
    /// </summary>
    /// <param name="lines">The lines.</param>
    /// <param name="source">A name for error messages (e.g. the file path).</param>
    /// <exception cref="FormatException">A label is empty or repeated, or there is none (the message names the lines).</exception>
    public static ClassLabels Parse(IEnumerable<string> lines, string source = "labels")
    {
        ArgumentNullException.ThrowIfNull(lines);
        var all = lines.Select(l => (l ?? "").Trim()).ToList();
        while (all.Count > 0 && all[^1].Length == 0) all.RemoveAt(all.Count - 1);
        if (all.Count == 0) throw new FormatException($"Labels '{source}': no labels (the file is empty).");
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < all.Count; i++)
        {
            if (all[i].Length == 0)
                throw new FormatException($"Labels '{source}', line {i + 1}: the label of class {i} is missing (empty line); every class needs a label, one per line.");
            if (!index.TryAdd(all[i], i))
                throw new FormatException($"Labels '{source}', line {i + 1}: label '{all[i]}' repeats line {index[all[i]] + 1}; labels must be unique.");
        }
        return new ClassLabels([.. all], index, source);
    }

    /// <summary>The class index of <paramref name="label"/> (exact, then ignoring case).</summary>
    /// <exception cref="ArgumentException">No such label (the message lists close ones).</exception>
    public int IndexOf(string label)
    {
        ArgumentException.ThrowIfNullOrEmpty(label);
        if (_index.TryGetValue(label, out int i)) return i;
        var ci = Array.FindIndex(_labels, l => string.Equals(l, label, StringComparison.OrdinalIgnoreCase));
        if (ci >= 0) return ci;
        var close = _labels.Where(l => l.Contains(label, StringComparison.OrdinalIgnoreCase)).Take(5).ToArray();
        throw new ArgumentException($"Label '{label}' is not in '{Source}' ({Count} labels).{(close.Length > 0 ? $" Labels containing it: {string.Join(", ", close.Select(c => $"'{c}'"))}." : "")}", nameof(label));
    }
}
