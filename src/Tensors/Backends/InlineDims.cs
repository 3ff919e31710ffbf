using System.Runtime.CompilerServices;

namespace FeatureViz.Tensors.Backends;

/// <summary>Up to <see cref="MaxRank"/> per-axis integers stored inline, so that geometries hold no host arrays.</summary>
[InlineArray(MaxRank)]
internal struct InlineDims
{
    /// <summary>Most axes a geometry holds.</summary>
    public const int MaxRank = 8;

    private int _element;
}
