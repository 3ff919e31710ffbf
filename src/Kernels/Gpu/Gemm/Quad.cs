namespace FeatureViz.Kernels.Gpu.Gemm;

/// <summary>Four floats read or written as one 16-byte access (<c>ld.v4</c>/<c>st.v4</c> in PTX).</summary>
public struct Quad
{
#pragma warning disable CS1591 // the four lanes, in memory order
    public float X, Y, Z, W;
#pragma warning restore CS1591

    /// <summary>A quad of the four values.</summary>
    public Quad(float x, float y, float z, float w)
    {
        X = x;
        Y = y;
        Z = z;
        W = w;
    }
}
