using System.Buffers;
using System.Runtime.InteropServices;

namespace FeatureViz.Kernels.Cpu.Fft;

/// <summary>
/// The real and imaginary planes between the two passes of a 2-D real FFT (<see cref="RealFft2.PlaneLength"/> floats
/// each, plus alignment slack), rented from the shared pool and pinned until disposed: each pass aligns its plane
/// pointers from the arrays' addresses, which must not move between the passes.
/// </summary>
internal sealed class SplitPlanes : IDisposable
{
    private GCHandle _pinRe, _pinIm;

    public SplitPlanes(int batch, int h, int w)
    {
        int length = RealFft2.PlaneLength(batch, h, w) + RealFft2.AlignSlack;
        Re = ArrayPool<float>.Shared.Rent(length);
        Im = ArrayPool<float>.Shared.Rent(length);
        _pinRe = GCHandle.Alloc(Re, GCHandleType.Pinned);
        _pinIm = GCHandle.Alloc(Im, GCHandleType.Pinned);
    }

    public float[] Re { get; }
    public float[] Im { get; }

    public void Dispose()
    {
        if (_pinRe.IsAllocated) _pinRe.Free();
        if (_pinIm.IsAllocated) _pinIm.Free();
        ArrayPool<float>.Shared.Return(Re);
        ArrayPool<float>.Shared.Return(Im);
    }
}
