using FeatureViz.Tensors.Backends;

namespace FeatureViz.Kernels.Cpu;

/// <summary>Host memory for the CPU backend: a plain float array (exactly <see cref="Length"/> long).</summary>
public sealed class CpuStorage : TensorStorage
{
    internal CpuStorage(CpuBackend backend, float[] data)
    {
        Owner = backend;
        Data = data;
    }

    /// <summary>The elements.</summary>
    public float[] Data { get; private set; }

    internal CpuBackend Owner { get; }

    /// <inheritdoc/>
    public override int Length => Data.Length;

    /// <inheritdoc/>
    public override IBackend Backend => Owner;

    /// <summary>The elements as a span.</summary>
    public Span<float> Span => Data;

    /// <inheritdoc/>
    protected override void Release()
    {
        var a = Data;
        Data = [];
        if (a.Length > 0) Owner.Recycle(a);
    }
}
