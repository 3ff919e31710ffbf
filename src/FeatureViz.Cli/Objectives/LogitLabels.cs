using FeatureViz.Objectives;

namespace FeatureViz.Cli.Objectives;

/// <summary>Resolves <c>logit:LABEL</c> atoms to class indices with the <c>--labels</c> file.</summary>
internal static class LogitLabels
{
    /// <summary>
    /// The expressions with every logit atom's class index set. A logit atom without <paramref name="labelsPath"/>, a
    /// labels file with an empty or repeated label, or an unknown label is a <see cref="ArgumentException"/> naming the
    /// file and line or label.
    /// </summary>
    public static List<ObjectiveExpression> Resolve(IReadOnlyList<ObjectiveExpression> expressions, string? labelsPath)
    {
        bool any = expressions.Any(e => e.Terms.Any(t => t.Atom.Kind == ObjectiveKind.Logit));
        if (!any) return expressions.ToList();
        if (labelsPath is null)
            throw new ArgumentException("logit:LABEL needs --labels FILE (one class label per line, line 1 = class 0); models rarely carry their labels, and the bundled ResNet18 has none.");
        ClassLabels labels;
        try { labels = ClassLabels.Load(labelsPath); }
        catch (FileNotFoundException) { throw new ArgumentException($"--labels: file '{labelsPath}' does not exist."); }
        catch (Exception e) when (e is FormatException or IOException or UnauthorizedAccessException) { throw new ArgumentException($"--labels: {e.Message}"); }
        return expressions.Select(e => e with
        {
            Terms = e.Terms.Select(t => t.Atom.Kind != ObjectiveKind.Logit ? t : t with
            {
                Atom = t.Atom with { Indices = [IndexOf(labels, t.Atom.Label!)], LabelCount = labels.Count },
            }).ToList(),
        }).ToList();
    }

    private static int IndexOf(ClassLabels labels, string label)
    {
        try { return labels.IndexOf(label); }
        catch (ArgumentException e) { throw new ArgumentException($"logit:{label}: {e.Message.Replace($" (Parameter '{e.ParamName}')", "", StringComparison.Ordinal)}"); }
    }
}
