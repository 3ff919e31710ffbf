namespace FeatureViz.Tensors.Backends;

/// <summary>
/// A compute backend: owns tensor memory and runs kernels. Storage is never modified after the kernel that made it
/// returns (backends may cache data derived from constant storage, such as re-laid-out convolution weights). Ops compute shapes and geometry, then call one method
/// here; kernels do no shape logic. The interface is partial: each op family declares its methods in its own file.
/// </summary>
public partial interface IBackend : IDisposable
{
    /// <summary>Short display name, e.g. "cpu".</summary>
    string Name { get; }

    /// <summary>Allocates zero-filled storage of <paramref name="length"/> floats.</summary>
    TensorStorage Allocate(int length);

    /// <summary>Copies host data into new storage.</summary>
    TensorStorage Upload(ReadOnlySpan<float> data);

    /// <summary>Copies storage to host memory; <paramref name="destination"/> must have the storage's length.</summary>
    void Download(TensorStorage source, Span<float> destination);

    /// <summary>New storage with every element equal to <paramref name="value"/>.</summary>
    TensorStorage Fill(int length, float value);

    /// <summary>A copy of <paramref name="source"/>.</summary>
    TensorStorage Copy(TensorStorage source);

    /// <summary>Waits until all queued work is done.</summary>
    void Synchronize();
}
