namespace FeatureViz.Kernels.Gpu.Fft;

/// <summary>
/// One Stockham pass over <see cref="Sequences"/> contiguous complex sequences of <see cref="Length"/> points: the
/// sub-transforms done so far have <see cref="Span"/> points; this pass's radix R joins R of them. Element t of
/// butterfly j is twiddled by W_N^(t * (j mod Span) * <see cref="TwiddleStride"/>), TwiddleStride = N / (Span * R).
/// </summary>
internal struct StockhamPass
{
    public int Length;
    public int Span;
    public int Sequences;
    public int TwiddleStride;
}
