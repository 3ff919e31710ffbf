using FeatureViz.Tensors.Backends;
using ILGPU;
using ILGPU.Runtime;

namespace FeatureViz.Kernels.Gpu.Fft;

/// <summary>
/// The real 2-D transforms of one geometry on one accelerator: the row and column plans and two work buffers big
/// enough for either pass (so a steady-state call allocates nothing).
/// </summary>
internal sealed class RealFft2Plan
{
    private readonly GpuAccelerator gpu;
    private readonly FftPlan rows;
    private readonly FftPlan columns;
    private readonly MemoryBuffer1D<Complex32, Stride1D.Dense> a;
    private readonly MemoryBuffer1D<Complex32, Stride1D.Dense> b;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> noBins;

    // The work buffers are shared by every call with this geometry: one caller enqueues its launches at a time.
    private readonly Lock enqueue = new();

    public RealFft2Plan(GpuAccelerator gpu, Fft2Geometry geometry, FftPlan rows, FftPlan columns)
    {
        this.gpu = gpu;
        Geometry = geometry;
        this.rows = rows;
        this.columns = columns;
        long scratch = Math.Max((long)geometry.Batch * geometry.Height * rows.ScratchLength,
            (long)geometry.Batch * geometry.HalfWidth * columns.ScratchLength);
        if (scratch > int.MaxValue)
            throw new ArgumentException($"Rfft2: geometry {geometry} needs {scratch} complex work elements, more than one launch indexes.", nameof(geometry));
        a = gpu.Accelerator.Allocate1D<Complex32>(scratch);
        b = gpu.Accelerator.Allocate1D<Complex32>(scratch);
        noBins = gpu.Accelerator.Allocate1D<float>(1);
    }

    public Fft2Geometry Geometry { get; }

    public void Forward(ArrayView<float> x, ArrayView<Complex32> y, ArrayView<float>? bins, float scale, float interiorWeight)
    {
        var s = Shape(scale, interiorWeight, bins);
        var g = Geometry;
        using var _ = enqueue.EnterScope();
        FftLaunch.Load<ArrayView<float>, ArrayView<Complex32>, RealFft2Shape>(gpu, "FftRealToComplex", RealFft2Kernels.RealToComplex)(
            gpu.Stream, gpu.Policy.For((long)g.Batch * g.Height * g.Width), x, a.View, s);
        var (r, o) = rows.Forward(a.View, b.View, g.Batch * g.Height) ? (b.View, a.View) : (a.View, b.View);
        FftLaunch.Load<ArrayView<Complex32>, ArrayView<Complex32>, RealFft2Shape>(gpu, "FftRowsToColumns", RealFft2Kernels.RowsToColumns)(
            gpu.Stream, gpu.Policy.For((long)g.Batch * g.HalfWidth * g.Height), r, o, s);
        var c = columns.Forward(o, r, g.Batch * g.HalfWidth) ? r : o;
        FftLaunch.Load<ArrayView<Complex32>, ArrayView<Complex32>, ArrayView<float>, RealFft2Shape>(gpu, "FftColumnsToSpectrum", RealFft2Kernels.ColumnsToSpectrum)(
            gpu.Stream, gpu.Policy.For((long)g.Batch * g.Height * g.HalfWidth), c, y, bins ?? noBins.View, s);
    }

    public void Inverse(ArrayView<Complex32> spectrum, ArrayView<float> x, ArrayView<float>? bins, float scale, float interiorWeight)
    {
        var s = Shape(scale, interiorWeight, bins);
        var g = Geometry;
        using var _ = enqueue.EnterScope();
        FftLaunch.Load<ArrayView<Complex32>, ArrayView<Complex32>, ArrayView<float>, RealFft2Shape>(gpu, "FftSpectrumToColumns", RealFft2Kernels.SpectrumToColumns)(
            gpu.Stream, gpu.Policy.For((long)g.Batch * g.HalfWidth * g.Height), spectrum, a.View, bins ?? noBins.View, s);
        var (c, o) = columns.Forward(a.View, b.View, g.Batch * g.HalfWidth) ? (b.View, a.View) : (a.View, b.View);
        FftLaunch.Load<ArrayView<Complex32>, ArrayView<Complex32>, RealFft2Shape>(gpu, "FftColumnsToHermitianRows", RealFft2Kernels.ColumnsToHermitianRows)(
            gpu.Stream, gpu.Policy.For((long)g.Batch * g.Height * g.Width), c, o, s);
        var r = rows.Forward(o, c, g.Batch * g.Height) ? c : o;
        FftLaunch.Load<ArrayView<Complex32>, ArrayView<float>, RealFft2Shape>(gpu, "FftRealPart", RealFft2Kernels.RealPart)(
            gpu.Stream, gpu.Policy.For((long)g.Batch * g.Height * g.Width), r, x, s);
    }

    private RealFft2Shape Shape(float scale, float interiorWeight, ArrayView<float>? bins) => new()
    {
        Batch = Geometry.Batch, Height = Geometry.Height, Width = Geometry.Width, HalfWidth = Geometry.HalfWidth,
        Scale = scale, InteriorWeight = interiorWeight, HasBins = bins.HasValue ? 1 : 0,
    };
}
