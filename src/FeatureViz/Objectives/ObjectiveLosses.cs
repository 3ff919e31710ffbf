using FeatureViz.Tensors;

namespace FeatureViz.Objectives;

/// <summary>The per-image score of each term kind (NCHW; reduced over every axis but the batch).</summary>
internal static class ObjectiveLosses
{
    /// <summary>Floor of the cosine in <c>dot_cossim</c> (Lucid and Xplique use 0.1).</summary>
    public const float CosineFloor = 0.1f;

    /// <summary>Squared-norm floor of Xplique's l2 normalisation.</summary>
    public const float NormEpsilon = 1e-12f;

    /// <summary>Host constants of a term: the mask (one row per image) and, for directions, each row's L2 norm.</summary>
    public static (float[]? Mask, float[]? Norms) Constants(SubObjective t, int[] variantOfImage)
    {
        int size = t.LayerShape.Aggregate(1, (a, d) => a * d);
        int n = variantOfImage.Length;
        switch (t.Kind)
        {
            case SubObjectiveKind.Neuron:
            {
                var m = new float[n * size];
                for (int i = 0; i < n; i++) m[i * size + t.Ids![variantOfImage[i]]] = 1f;
                return (m, null);
            }
            case SubObjectiveKind.Channel:
            {
                var m = new float[n * size];
                int spatial = size / t.LayerShape[0];
                float w = 1f / spatial;
                for (int i = 0; i < n; i++) m.AsSpan(i * size + t.Ids![variantOfImage[i]] * spatial, spatial).Fill(w);
                return (m, null);
            }
            case SubObjectiveKind.Direction:
            {
                var m = new float[n * size];
                var norms = new float[n];
                for (int i = 0; i < n; i++)
                {
                    var v = t.Vectors![variantOfImage[i]];
                    v.CopyTo(m, i * size);
                    double s = 0;
                    foreach (var x in v) s += (double)x * x;
                    norms[i] = (float)Math.Sqrt(Math.Max(s, NormEpsilon));
                }
                return (m, norms);
            }
            default:
                return (null, null);
        }
    }

    /// <summary>Score of one term, shape [N].</summary>
    public static Tensor Term(SubObjective t, Tensor a, Tensor? mask, Tensor? vectorNorms)
    {
        var axes = Enumerable.Range(1, a.Rank - 1).ToArray();
        switch (t.Kind)
        {
            case SubObjectiveKind.Neuron:
            case SubObjectiveKind.Channel:
                return a.Mul(mask!).Sum(axes);
            case SubObjectiveKind.Layer:
                return t.Reducer == LayerReducer.Magnitude ? a.Mul(a).Mean(axes) : a.Mean(axes);
            case SubObjectiveKind.Direction:
            {
                var dot = a.Mul(mask!).Sum(axes);
                var norm = a.Mul(a).Sum(axes).Clip(min: NormEpsilon).Sqrt();
                var cos = dot.Div(norm.Mul(vectorNorms!)).Clip(min: CosineFloor);
                return t.CossimPow == 0f ? dot : dot.Mul(cos.Pow(t.CossimPow));
            }
            default:
                throw new InvalidOperationException($"Unknown objective kind {t.Kind}.");
        }
    }
}
