using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using FeatureViz.Cli.Commands;
using FeatureViz.Cli.Objectives;

namespace FeatureViz.Cli.Render;

/// <summary>
/// Turns objective expressions into single-image items (a batched atom such as <c>channel:L:0-15</c> gives one item
/// per channel; several batched terms give their cartesian product, the last term varying fastest) and groups items
/// into batches whose objectives differ only in one term's index, so each batch is one library objective.
/// </summary>
internal static class RenderPlan
{

    /// <summary>Expands expressions to items with unique display names and file stems.</summary>
    public static List<RenderItem> Expand(IEnumerable<ObjectiveExpression> expressions, Func<LayerSpec, string> layerName)
    {
        var items = new List<RenderItem>();
        var stems = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var expr in expressions)
        {
            foreach (var single in Variants(expr))
            {
                // A repeated item (channel:L:5,5,5,5 with diversity: the same objective, several images) is numbered.
                string described = Describe(single, layerName);
                string name = described;
                for (int k = 2; !names.Add(name); k++) name = $"{described} #{k}";
                string stem = Stem(name);
                string unique = stem;
                for (int k = 2; !stems.Add(unique); k++) unique = $"{stem}_{k}";
                items.Add(new RenderItem(name, unique, single));
            }
        }
        return items;
    }

    /// <summary>Groups items (in order) into batches of at most <paramref name="batchSize"/>.</summary>
    public static List<RenderBatch> Batch(IReadOnlyList<RenderItem> items, int batchSize)
    {
        var batches = new List<RenderBatch>();
        int i = 0;
        while (i < items.Count)
        {
            var first = items[i].Objective;
            var group = new List<RenderItem> { items[i] };
            int varying = -1;
            int j = i + 1;
            for (; j < items.Count && group.Count < batchSize; j++)
            {
                int d = DifferingTerm(first, items[j].Objective);
                // Identical items (a repeated objective, e.g. with diversity) batch along any term that has variants.
                if (d == Identical) d = varying >= 0 ? varying : first.Terms.ToList().FindIndex(t => HasVariants(t.Atom.Kind));
                if (d < 0 || (varying >= 0 && d != varying)) break;
                varying = d;
                group.Add(items[j]);
            }
            batches.Add(new RenderBatch(group, Merge(group, varying)));
            i = j;
        }
        return batches;
    }

    /// <summary>The canonical text of a single-image expression, with layers by resolved name.</summary>
    public static string Describe(ObjectiveExpression expr, Func<LayerSpec, string> layerName)
    {
        var sb = new StringBuilder();
        for (int t = 0; t < expr.Terms.Count; t++)
        {
            var (w, atom) = (expr.Terms[t].Weight, expr.Terms[t].Atom);
            if (t > 0) sb.Append(w < 0 ? " - " : " + ");
            else if (w < 0) sb.Append('-');
            double a = Math.Abs(w);
            if (a != 1) sb.Append(a.ToString("R", CultureInfo.InvariantCulture)).Append('*');
            string layer = layerName(atom.Layer);
            sb.Append(atom.Kind switch
            {
                ObjectiveKind.Channel => $"channel:{layer}:{string.Join(",", atom.Indices)}",
                ObjectiveKind.Neuron => $"neuron:{layer}:{string.Join(",", atom.Neurons)}",
                ObjectiveKind.Layer => $"layer:{layer}:{atom.Reducer.ToString().ToLowerInvariant()}",
                ObjectiveKind.Diversity => $"diversity:{layer}",
                ObjectiveKind.Alignment => $"alignment:{layer}",
                ObjectiveKind.Interpolate => $"interpolate:{layer}:{atom.Channels.First},{atom.Channels.Second}:{atom.Steps}@{string.Join(",", atom.Indices)}",
                ObjectiveKind.Logit => $"logit:{atom.Label}",
                ObjectiveKind.PositionDirection => $"position-direction:{layer}:{Path.GetFileNameWithoutExtension(atom.VectorPath)}",
                ObjectiveKind.DirectionNeuron => $"direction-neuron:{layer}:{Path.GetFileNameWithoutExtension(atom.VectorPath)}{(atom.At is { } p ? $"@{p.X},{p.Y}" : "")}",
                _ => $"direction:{layer}:{Path.GetFileNameWithoutExtension(atom.VectorPath)}",
            });
        }
        return sb.ToString();
    }

    /// <summary>The file stem of an objective: the library's file-safe name (so CLI and library name files alike).</summary>
    public static string Stem(string name) => FeatureViz.IO.ImageExport.FileSafeName(name);

    private static IEnumerable<ObjectiveExpression> Variants(ObjectiveExpression expr)
    {
        var choices = expr.Terms.Select(t => Singles(t.Atom).Select(a => t with { Atom = a }).ToList()).ToList();
        var index = new int[choices.Count];
        while (true)
        {
            yield return expr with { Terms = choices.Select((c, k) => c[index[k]]).ToList() };
            int k2 = choices.Count - 1;
            while (k2 >= 0 && ++index[k2] == choices[k2].Count)
            {
                index[k2] = 0;
                k2--;
            }
            if (k2 < 0) yield break;
        }
    }

    private static IEnumerable<ObjectiveAtom> Singles(ObjectiveAtom atom) => atom.Kind switch
    {
        ObjectiveKind.Channel or ObjectiveKind.Interpolate => atom.Indices.Select(i => atom with { Indices = [i] }),
        ObjectiveKind.Neuron => atom.Neurons.Select(n => atom with { Neurons = [n] }),
        _ => [atom],
    };

    private const int Identical = -2;

    private static bool HasVariants(ObjectiveKind kind) => kind is ObjectiveKind.Channel or ObjectiveKind.Neuron or ObjectiveKind.Interpolate;

    /// <summary>The index of the only term in which two single-image expressions differ, <see cref="Identical"/>, or -1.</summary>
    private static int DifferingTerm(ObjectiveExpression a, ObjectiveExpression b)
    {
        if (a.Terms.Count != b.Terms.Count) return -1;
        int diff = -1;
        for (int t = 0; t < a.Terms.Count; t++)
        {
            var (x, y) = (a.Terms[t], b.Terms[t]);
            bool sameAtom = x.Atom.Kind == y.Atom.Kind && x.Atom.Layer == y.Atom.Layer && x.Atom.Reducer == y.Atom.Reducer
                            && x.Atom.VectorPath == y.Atom.VectorPath && x.Weight == y.Weight && x.Atom.SameExtras(y.Atom);
            if (!sameAtom) return -1;
            bool sameIndex = x.Atom.Indices.SequenceEqual(y.Atom.Indices) && x.Atom.Neurons.SequenceEqual(y.Atom.Neurons);
            if (sameIndex) continue;
            if (diff >= 0 || !HasVariants(x.Atom.Kind)) return -1;
            diff = t;
        }
        return diff >= 0 ? diff : Identical;
    }

    private static ObjectiveExpression Merge(List<RenderItem> group, int varying)
    {
        var first = group[0].Objective;
        if (varying < 0) return first;
        var atom = first.Terms[varying].Atom;
        var merged = atom with
        {
            Indices = atom.Kind is ObjectiveKind.Channel or ObjectiveKind.Interpolate ? group.Select(g => g.Objective.Terms[varying].Atom.Indices[0]).ToList() : [],
            Neurons = atom.Kind == ObjectiveKind.Neuron ? group.Select(g => g.Objective.Terms[varying].Atom.Neurons[0]).ToList() : [],
        };
        var terms = first.Terms.ToList();
        terms[varying] = terms[varying] with { Atom = merged };
        return first with { Terms = terms };
    }
}
