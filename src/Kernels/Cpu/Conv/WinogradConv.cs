using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using FeatureViz.Kernels.Cpu.Gemm;
using FeatureViz.Tensors.Backends;

namespace FeatureViz.Kernels.Cpu.Conv;

/// <summary>
/// Winograd convolution for 3 x 3, stride-1, dilation-1, single-group convolutions (any padding), NCHW in and out.
/// The output tiles of all images form one list; it is cut into blocks of <see cref="MicroKernel.NR"/> tiles (the
/// GEMM micro-kernel's width), and each block runs: (1) gather the α x α input patches and transform them, vectorized
/// across the block's tiles, into V[ξ][c][tile]; (2) α² GEMMs M[ξ] = U[ξ] (O x C) · V[ξ] (C x tiles) on the packed
/// SGEMM micro-kernel, V[ξ] already being a packed B panel; (3) the inverse transform of M, plus bias, stored through
/// <see cref="StoreTile"/>. Blocks run on separate threads when there are at least four per thread; otherwise
/// all threads share each pass of up to eight blocks, in three phases split over (block, input channel),
/// (block, ξ, output rows) and (block, output channel).
/// </summary>
internal static unsafe class WinogradConv
{
    /// <summary>True for the convolutions this kernel computes: 3 x 3, stride 1, dilation 1, one group.</summary>
    public static bool Applies(in Conv2dGeometry g) =>
        g.KH == 3 && g.KW == 3 && g.StrideH == 1 && g.StrideW == 1 && g.DilationH == 1 && g.DilationW == 1 && g.Groups == 1;

    /// <summary>
    /// Estimated cost, in FLOP-equivalents, of <paramref name="g"/> by <paramref name="t"/>, as this kernel runs it:
    /// the α² GEMMs over whole blocks of NR tiles (padding lanes included) and output rows padded to MR; the
    /// transforms at ~65 FLOP-equivalents per transformed value and channel (input and output; calibrated on the
    /// 2-core Zen 4 CI machine, where the transforms took about as long as the GEMMs at C = O = 64); and the
    /// transformed filters, streamed from memory once per block at ~4 FLOP per byte, which is what makes deep layers
    /// with few tiles lose (512 x 7 x 7 at batch 1: 4 useful tiles of a 32-tile block, 38 MB of transformed
    /// filters streamed for 4 tiles). The constants were fitted to side-by-side runs of the ResNet18 3 x 3
    /// layers there (direct faster only at 512 x 7 x 7, batch 1; 256 x 14 x 14, batch 1 a tie on one thread and
    /// Winograd ahead on two).
    /// </summary>
    public static double EstimatedCost(in Conv2dGeometry g, WinogradTransform t)
    {
        int nr = MicroKernel.NR, mr = MicroKernel.MR;
        long tiles = (long)g.N * ((g.OH + t.M - 1) / t.M) * ((g.OW + t.M - 1) / t.M);
        long blocks = (tiles + nr - 1) / nr;
        double lanes = blocks * nr, a2 = t.Alpha * t.Alpha, paddedO = (g.O + mr - 1) / mr * mr;
        double gemm = 2.0 * a2 * lanes * g.C * paddedO;
        double transforms = 65.0 * a2 * lanes * (g.C + g.O) / 2;
        double filters = 4.0 * sizeof(float) * blocks * a2 * paddedO * g.C;
        return gemm + transforms + filters;
    }

    /// <summary>
    /// Cost, in the same units, of transforming the filters of <paramref name="g"/> for <paramref name="t"/> when they
    /// are not cached yet: ~400 FLOP-equivalents per transformed value, almost all of it the first touch of the fresh
    /// α² x O x C array (page faults; the vectorized transform itself is ~10 per value). On the 2-core CI machine,
    /// loaded, the first fill of a fresh 38 MB array (a 512 x 512 layer's F(4,3) filters) took 0.6-2 s of wall time
    /// against 25-35 ms of CPU for the whole batch-9 convolution; 400 assumes ~0.5 GB/s of first touch on a quiet one.
    /// </summary>
    public static double EstimatedTransformCost(in Conv2dGeometry g, WinogradTransform t)
    {
        int mr = MicroKernel.MR;
        double paddedO = (g.O + mr - 1) / mr * mr;
        return 400.0 * t.Alpha * t.Alpha * paddedO * g.C;
    }

    /// <summary>The direct path's cost in the same units: im2col GEMM FLOPs with the pixels padded to whole NR panels.</summary>
    public static double EstimatedDirectCost(in Conv2dGeometry g)
    {
        int nr = MicroKernel.NR;
        long pixels = ((long)g.OH * g.OW + nr - 1) / nr * nr;
        return 2.0 * 9 * g.C * g.O * g.N * pixels;
    }

    /// <summary>
    /// y (N x O x OH x OW, every element overwritten) = conv(x, w) + bias, where <paramref name="w"/> holds the
    /// transformed filters of the convolution <paramref name="g"/>; <paramref name="activation"/> (if any) is applied to
    /// each output tile as it is stored.
    /// </summary>
    public static void Forward(CpuBackend backend, float* x, WinogradWeights w, float* bias, float* y, Conv2dGeometry g,
        ConvEpilogue activation = default)
    {
        var job = new Job(x, w, bias, y, g, activation);
        if (job.Blocks == 0) return;
        int threads = backend.Threads;
        if (threads == 1 || job.Blocks >= 4 * threads)
        {
            long perBlock = 2L * job.A2 * w.PaddedO * w.C * MicroKernel.NR;
            backend.For(job.Blocks, perBlock, (s, e) =>
            {
                Lane* lanes = stackalloc Lane[MicroKernel.NR];
                var buffers = Scratch.Block(job);
                for (int b = s; b < e; b++)
                {
                    int count = job.Lanes(b, lanes);
                    job.InputTransform(lanes, count, 0, job.C, buffers.V);
                    job.Multiply(0, job.A2 * job.RowChunks, buffers.V, buffers.M);
                    job.OutputTransform(lanes, count, 0, job.O, buffers.M);
                }
            });
            return;
        }
        // Few blocks: all threads share the blocks' work, in passes of up to MaxSharedBlocks blocks (V and M of the
        // pass live in the caller's scratch), with three parallel phases per pass: over (block, input channel),
        // (block, ξ, output rows) and (block, output channel).
        int nr = MicroKernel.NR;
        Lane* laneTable = stackalloc Lane[MaxSharedBlocks * MicroKernel.NR];
        int* counts = stackalloc int[MaxSharedBlocks];
        nint lt = (nint)laneTable, ct = (nint)counts;
        long vSize = (long)job.A2 * job.C * nr, mSize = (long)job.A2 * job.PaddedO * nr;
        for (int b0 = 0; b0 < job.Blocks; b0 += MaxSharedBlocks)
        {
            int nb = Math.Min(MaxSharedBlocks, job.Blocks - b0);
            var shared = Scratch.Shared(job, nb);
            nint v = (nint)shared.V, m = (nint)shared.M;
            for (int k = 0; k < nb; k++) counts[k] = job.Lanes(b0 + k, laneTable + k * nr);
            int c = job.C, o = job.O, gemms = job.A2 * job.RowChunks;
            backend.For(nb * c, 40L * job.A2 * nr, (s, e) =>
            {
                for (int item = s; item < e; item++)
                {
                    int k = item / c, ch = item % c;
                    job.InputTransform((Lane*)lt + k * nr, ((int*)ct)[k], ch, ch + 1, (float*)v + k * vSize);
                }
            });
            backend.For(nb * gemms, 2L * MicroKernel.MR * job.C * nr, (s, e) =>
            {
                for (int item = s; item < e; item++)
                {
                    int k = item / gemms, q = item % gemms;
                    job.Multiply(q, q + 1, (float*)v + k * vSize, (float*)m + k * mSize);
                }
            });
            backend.For(nb * o, 20L * job.A2 * nr, (s, e) =>
            {
                for (int item = s; item < e; item++)
                {
                    int k = item / o, oc = item % o;
                    job.OutputTransform((Lane*)lt + k * nr, ((int*)ct)[k], oc, oc + 1, (float*)m + k * mSize);
                }
            });
        }
    }

    /// <summary>Most blocks whose transformed inputs and products are held at once when threads share blocks.</summary>
    private const int MaxSharedBlocks = 8;

    /// <summary>
    /// The epilogue: stores one output channel's tile (m x m values at <paramref name="tile"/>[(a * m + b) * NR + lane])
    /// plus <paramref name="bias"/>, clipped to the output's edge. Every Winograd output passes through here.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreTile(float* tile, int m, in Lane lane, int lanePosition, float* channel, int ow, float bias)
    {
        int nr = MicroKernel.NR;
        float* dst = channel + lane.OutOffset;
        for (int a = 0; a < lane.Rows; a++)
        {
            float* src = tile + a * m * nr + lanePosition;
            for (int b = 0; b < lane.Cols; b++) dst[b] = src[b * nr] + bias;
            dst += ow;
        }
    }

    /// <summary>Where one tile of a block reads its input and writes its output.</summary>
    private struct Lane
    {
        public long InOffset;   // image offset into x (channel 0)
        public long OutOffset;  // offset of the tile's first output into y (channel 0)
        public int Y0, X0;      // top-left input coordinate of the α x α patch (may be negative: padding)
        public int Rows, Cols;  // valid outputs of the tile (partial tiles at the bottom and right edges)
    }

    private readonly struct Job
    {
        public readonly nint X, Bias, Y;
        public readonly int N, C, H, W, O, PaddedO, OH, OW, PadTop, PadLeft, Mt, Alpha, A2, TilesX, TilesPerImage, Tiles, Blocks, RowChunks;
        public readonly WinogradTransform T;
        private readonly WinogradWeights _weights;
        private readonly ActivationEpilogue _activation;

        public Job(float* x, WinogradWeights w, float* bias, float* y, in Conv2dGeometry g, ConvEpilogue activation)
        {
            X = (nint)x; Bias = (nint)bias; Y = (nint)y;
            _weights = w;
            _activation = new ActivationEpilogue(activation);
            T = w.Transform;
            N = g.N; C = g.C; H = g.H; W = g.W; O = g.O; PaddedO = w.PaddedO; OH = g.OH; OW = g.OW;
            PadTop = g.PadTop; PadLeft = g.PadLeft;
            Mt = T.M; Alpha = T.Alpha; A2 = Alpha * Alpha;
            TilesX = (OW + Mt - 1) / Mt;
            TilesPerImage = (OH + Mt - 1) / Mt * TilesX;
            Tiles = N * TilesPerImage;
            Blocks = (Tiles + MicroKernel.NR - 1) / MicroKernel.NR;
            RowChunks = PaddedO / MicroKernel.MR;
        }

        public float[] Weights => _weights.U;

        /// <summary>Fills the lane table of block <paramref name="block"/>; returns its number of tiles.</summary>
        public int Lanes(int block, Lane* lanes)
        {
            int first = block * MicroKernel.NR, count = Math.Min(MicroKernel.NR, Tiles - first);
            for (int l = 0; l < count; l++)
            {
                int t = first + l, n = t / TilesPerImage, r = t % TilesPerImage, ty = r / TilesX, tx = r % TilesX;
                int oy = ty * Mt, ox = tx * Mt;
                lanes[l] = new Lane
                {
                    InOffset = (long)n * C * H * W,
                    OutOffset = (long)n * O * OH * OW + (long)oy * OW + ox,
                    Y0 = oy - PadTop,
                    X0 = ox - PadLeft,
                    Rows = Math.Min(Mt, OH - oy),
                    Cols = Math.Min(Mt, OW - ox),
                };
            }
            return count;
        }

        /// <summary>V[ξ][c][lane] for channels [c0, c1): gather each tile's α x α patch (zeros outside), then Bᵀ d B.</summary>
        public void InputTransform(Lane* lanes, int count, int c0, int c1, float* v)
        {
            int nr = MicroKernel.NR, a = Alpha;
            var s = Scratch.Local(this);
            float* d = s.D, t = s.T;
            var rows = T.InputRows;
            long plane = (long)C * nr;
            float* x = (float*)X;
            bool fast = T == WinogradTransform.F4 && Vector512.IsHardwareAccelerated;
            for (int c = c0; c < c1; c++)
            {
                Gather(lanes, count, x + (long)c * H * W, d);
                float* vc = v + (long)c * nr;
                if (fast)
                {
                    WinogradF4Kernels.Input(d, t, vc, plane);
                    continue;
                }
                for (int r = 0; r < a; r++)
                    for (int j = 0; j < a; j++)
                        Combine(t + (r * a + j) * nr, d + j * nr, a * nr, rows[r]);
                for (int r = 0; r < a; r++)
                    for (int q = 0; q < a; q++)
                        Combine(vc + (r * a + q) * plane, t + r * a * nr, nr, rows[q]);
            }
        }

        /// <summary>d[(i * α + j) * NR + lane] = x[Y0 + i, X0 + j] of each lane's patch, zero outside the image and for absent lanes.</summary>
        private void Gather(Lane* lanes, int count, float* xc, float* d)
        {
            int nr = MicroKernel.NR, a = Alpha;
            for (int l = 0; l < nr; l++)
            {
                float* dl = d + l;
                if (l >= count)
                {
                    for (int k = 0; k < a * a; k++) dl[k * nr] = 0f;
                    continue;
                }
                ref readonly Lane lane = ref lanes[l];
                float* src = xc + lane.InOffset;
                bool inside = lane.X0 >= 0 && lane.X0 + a <= W;
                for (int i = 0; i < a; i++)
                {
                    int yy = lane.Y0 + i;
                    float* drow = dl + i * a * nr;
                    if ((uint)yy >= (uint)H)
                    {
                        for (int j = 0; j < a; j++) drow[j * nr] = 0f;
                        continue;
                    }
                    float* row = src + (long)yy * W + lane.X0;
                    if (inside)
                    {
                        for (int j = 0; j < a; j++) drow[j * nr] = row[j];
                    }
                    else
                    {
                        for (int j = 0; j < a; j++)
                            drow[j * nr] = (uint)(lane.X0 + j) < (uint)W ? row[j] : 0f;
                    }
                }
            }
        }

        /// <summary>Work items [s, e) of the α² x (PaddedO / MR) GEMM tiles: M[ξ][o..o+MR) = U[ξ][o..o+MR) · V[ξ].</summary>
        public void Multiply(int s, int e, float* v, float* m)
        {
            int nr = MicroKernel.NR, mr = MicroKernel.MR;
            fixed (float* u = Weights)
            {
                for (int item = s; item < e; item++)
                {
                    int xi = item / RowChunks, o = item % RowChunks * mr;
                    MicroKernel.Run(C, u + ((long)xi * PaddedO + o) * C, C, 1, v + (long)xi * C * nr,
                        m + ((long)xi * PaddedO + o) * nr, nr, false);
                }
            }
        }

        /// <summary>Output channels [o0, o1): Aᵀ M A plus bias, stored through <see cref="StoreTile"/>.</summary>
        public void OutputTransform(Lane* lanes, int count, int o0, int o1, float* m)
        {
            int nr = MicroKernel.NR, a = Alpha, mt = Mt;
            var s = Scratch.Local(this);
            float* u = s.T, tile = s.D;
            var rows = T.OutputRows;
            long plane = (long)PaddedO * nr;
            float* y = (float*)Y, bias = (float*)Bias;
            bool haveBias = Bias != 0, fast = T == WinogradTransform.F4 && Vector512.IsHardwareAccelerated;
            for (int o = o0; o < o1; o++)
            {
                float* mo = m + (long)o * nr;
                if (fast) WinogradF4Kernels.Output(mo, plane, u, tile);
                else
                {
                    for (int r = 0; r < mt; r++)
                        for (int q = 0; q < a; q++)
                            Combine(u + (r * a + q) * nr, mo + q * plane, (nint)(a * plane), rows[r]);
                    for (int r = 0; r < mt; r++)
                        for (int q = 0; q < mt; q++)
                            Combine(tile + (r * mt + q) * nr, u + r * a * nr, nr, rows[q]);
                }
                float* channel = y + (long)o * OH * OW;
                float b = haveBias ? bias[o] : 0f;
                for (int l = 0; l < count; l++)
                {
                    StoreTile(tile, mt, lanes[l], l, channel, OW, b);
                    _activation.Apply(channel + lanes[l].OutOffset, OW, lanes[l].Rows, lanes[l].Cols);
                }
            }
        }
    }

    /// <summary>dst[0..NR) = Σ coefficient_k · src[index_k · stride + (0..NR)] over the row's non-zero terms.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Combine(float* dst, float* src, nint stride, WinogradTransform.Row row)
    {
        int[] index = row.Index;
        float[] coefficient = row.Coefficient;
        if (Vector512.IsHardwareAccelerated)
        {
            float* p = src + index[0] * stride;
            var c = Vector512.Create(coefficient[0]);
            var a0 = Vector512.Load(p) * c;
            var a1 = Vector512.Load(p + 16) * c;
            for (int k = 1; k < index.Length; k++)
            {
                p = src + index[k] * stride;
                c = Vector512.Create(coefficient[k]);
                a0 = Vector512.FusedMultiplyAdd(Vector512.Load(p), c, a0);
                a1 = Vector512.FusedMultiplyAdd(Vector512.Load(p + 16), c, a1);
            }
            a0.Store(dst);
            a1.Store(dst + 16);
        }
        else
        {
            float* p = src + index[0] * stride;
            var c = Vector256.Create(coefficient[0]);
            var a0 = Vector256.Load(p) * c;
            var a1 = Vector256.Load(p + 8) * c;
            for (int k = 1; k < index.Length; k++)
            {
                p = src + index[k] * stride;
                c = Vector256.Create(coefficient[k]);
                a0 = Vector256.FusedMultiplyAdd(Vector256.Load(p), c, a0);
                a1 = Vector256.FusedMultiplyAdd(Vector256.Load(p + 8), c, a1);
            }
            a0.Store(dst);
            a1.Store(dst + 8);
        }
    }

    /// <summary>
    /// Per-thread pinned, 64-byte aligned scratch (grown on demand, reused: no allocation in steady state). Local
    /// buffers serve one thread's transforms (and its whole block when blocks run on separate threads); the Shared
    /// V and M are the calling thread's, written by all workers when a block's phases are split.
    /// </summary>
    private readonly struct Scratch(float* d, float* t, float* v, float* m)
    {
        [ThreadStatic] private static float[]? _d, _t, _v, _m, _sharedV, _sharedM;

        public float* D { get; } = d;
        public float* T { get; } = t;
        public float* V { get; } = v;
        public float* M { get; } = m;

        /// <summary>Two α² x NR buffers for the transforms.</summary>
        public static Scratch Local(in Job job)
        {
            long size = (long)job.A2 * MicroKernel.NR;
            return new Scratch(Get(ref _d, size), Get(ref _t, size), null, null);
        }

        /// <summary>V and M of one block, for this thread alone.</summary>
        public static Scratch Block(in Job job)
        {
            long nr = MicroKernel.NR, a2 = job.A2;
            return new Scratch(null, null, Get(ref _v, a2 * job.C * nr), Get(ref _m, a2 * job.PaddedO * nr));
        }

        /// <summary>V and M of <paramref name="blocks"/> blocks, shared by every worker of the calling thread's parallel phases.</summary>
        public static Scratch Shared(in Job job, int blocks)
        {
            long nr = MicroKernel.NR, a2 = job.A2;
            return new Scratch(null, null, Get(ref _sharedV, blocks * a2 * job.C * nr), Get(ref _sharedM, blocks * a2 * job.PaddedO * nr));
        }

        private static float* Get(ref float[]? buffer, long floats)
        {
            if (buffer is null || buffer.Length < floats + 16)
                buffer = GC.AllocateUninitializedArray<float>((int)(floats + 16), pinned: true);
            // Pinned arrays never move, so the address stays valid while the thread keeps the array.
            return PackBuffer.Align64((float*)Unsafe.AsPointer(ref buffer[0]));
        }
    }
}
