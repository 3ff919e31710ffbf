namespace FeatureViz.Tensors.Backends;

/// <summary>
/// A compute backend: owns tensor memory and runs kernels. Storage is never modified after the kernel that made it
/// returns (backends may cache data derived from constant storage, such as re-laid-out convolution weights). Ops
/// compute shapes and geometry, then call one method here; kernels do no shape logic. The interface is partial: each
/// op family declares its methods in its own file.
/// </summary>
/// <remarks>
/// <para>
/// The required core, which a new backend must implement: memory (<see cref="Allocate"/>, <see cref="Upload"/>,
/// <see cref="Download"/>, <see cref="Fill"/>, <see cref="Copy"/>, <see cref="Synchronize"/>), generic
/// <see cref="Unary{TOp}"/>/<see cref="UnaryBackward{TOp}"/>, <see cref="Binary{TOp}"/>/<see cref="BinaryBackward{TOp}"/>,
/// <see cref="Where"/>, <see cref="Reduce"/>, <see cref="StridedCopy"/>/<see cref="StridedScatter"/>, <see cref="Pad"/>,
/// <see cref="BatchedGemm"/>, <see cref="Conv2d"/> with <see cref="Conv2dBackwardInput"/> and
/// <see cref="Conv2dBackwardWeight"/>, pooling (<see cref="MaxPool2d"/>, <see cref="AvgPool2d"/> and their backwards),
/// <see cref="Rfft2"/>/<see cref="Irfft2"/>, and affine sampling (<see cref="AffineWarp"/> and its two backwards).
/// </para>
/// <para>
/// The fused methods have default bodies composed from that core (<see cref="FusedDefaults"/>, which explains why
/// they are default interface methods rather than virtual methods of a base class): <see cref="BroadcastTo"/>,
/// <see cref="Concat"/>, <see cref="Split"/>, <see cref="PadBackward"/>, <see cref="Gather"/>,
/// <see cref="GatherBackward"/>, <see cref="Conv2dActivation"/>, <see cref="ConvTranspose2d"/>, <see cref="Lrn"/>, <see cref="LrnBackward"/>,
/// <see cref="Resize"/>, <see cref="ResizeBackward"/>, <see cref="ChannelAffine"/> and <see cref="MomentUpdate"/>. A
/// backend overrides one by declaring a public method with the same signature; the conformance tests check each
/// override against its composition.
/// </para>
/// <para>
/// Asynchrony: a method that returns storage may only queue its kernel (as on a GPU stream) and return at once; the
/// storage's <see cref="TensorStorage.Length"/> is known immediately, its contents once the queued work has run.
/// Work runs in the order it was queued. <see cref="Download"/> (and so <c>Tensor.ToArray</c> and <c>Tensor.Item</c>)
/// waits for the work that writes its source; <see cref="Upload"/> copies the host data before it returns, so the
/// caller may reuse its buffer. Disposing storage whose kernels are still queued, as input or output, is allowed:
/// the backend frees the memory only after that work has run (in stream order). <see cref="Synchronize"/> waits for
/// everything queued; callers that measure time (benchmarks, step timers) call it before reading the clock. Nothing
/// else waits: the layers above never read storage except through <see cref="Download"/>. Host arguments (shapes,
/// geometries, scalars in op structs, index spans) are consumed before the method returns.
/// </para>
/// </remarks>
public partial interface IBackend : IDisposable
{
    /// <summary>Short display name, e.g. "cpu".</summary>
    string Name { get; }

    /// <summary>Allocates zero-filled storage of <paramref name="length"/> floats.</summary>
    TensorStorage Allocate(int length);

    /// <summary>Copies host data into new storage (the data is read before this returns).</summary>
    TensorStorage Upload(ReadOnlySpan<float> data);

    /// <summary>
    /// Copies storage to host memory; <paramref name="destination"/> must have the storage's length. Waits for the
    /// queued work that writes <paramref name="source"/> (on an in-order stream: for everything queued before).
    /// </summary>
    void Download(TensorStorage source, Span<float> destination);

    /// <summary>New storage with every element equal to <paramref name="value"/>.</summary>
    TensorStorage Fill(int length, float value);

    /// <summary>A copy of <paramref name="source"/>.</summary>
    TensorStorage Copy(TensorStorage source);

    /// <summary>
    /// Waits until all queued work is done. Not needed for correctness (reads wait on their own); called where time
    /// is measured, so that the measured span includes the queued work.
    /// </summary>
    void Synchronize();
}
