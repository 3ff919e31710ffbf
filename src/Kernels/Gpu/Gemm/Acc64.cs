using ILGPU;

namespace FeatureViz.Kernels.Gpu.Gemm;

/// <summary>
/// The 8x8 accumulators of one thread of the large-tile SIMT SGEMM as 64 named registers: row i (0..3 in the first
/// quad of rows, 4..7 in the second) times column j (likewise). ILGPU 1.5.3 does not unroll loops and spills locally
/// indexed arrays to local memory, so the outer-product update and the epilogue are written out.
/// </summary>
internal struct Acc64
{
#pragma warning disable CS0649 // written through the by-value updates below
    public float C00, C01, C02, C03, C04, C05, C06, C07;
    public float C10, C11, C12, C13, C14, C15, C16, C17;
    public float C20, C21, C22, C23, C24, C25, C26, C27;
    public float C30, C31, C32, C33, C34, C35, C36, C37;
    public float C40, C41, C42, C43, C44, C45, C46, C47;
    public float C50, C51, C52, C53, C54, C55, C56, C57;
    public float C60, C61, C62, C63, C64, C65, C66, C67;
    public float C70, C71, C72, C73, C74, C75, C76, C77;
#pragma warning restore CS0649

    /// <summary>c += a b^T for a = (a0, a1), b = (b0, b1): one k step, 64 multiply-adds.</summary>
    public static Acc64 Fma(Acc64 c, Quad a0, Quad a1, Quad b0, Quad b1)
    {
        float a0_ = a0.X;
        float a1_ = a0.Y;
        float a2_ = a0.Z;
        float a3_ = a0.W;
        float a4_ = a1.X;
        float a5_ = a1.Y;
        float a6_ = a1.Z;
        float a7_ = a1.W;
        float b0_ = b0.X;
        float b1_ = b0.Y;
        float b2_ = b0.Z;
        float b3_ = b0.W;
        float b4_ = b1.X;
        float b5_ = b1.Y;
        float b6_ = b1.Z;
        float b7_ = b1.W;
        c.C00 += a0_ * b0_; c.C01 += a0_ * b1_; c.C02 += a0_ * b2_; c.C03 += a0_ * b3_; c.C04 += a0_ * b4_; c.C05 += a0_ * b5_; c.C06 += a0_ * b6_; c.C07 += a0_ * b7_;
        c.C10 += a1_ * b0_; c.C11 += a1_ * b1_; c.C12 += a1_ * b2_; c.C13 += a1_ * b3_; c.C14 += a1_ * b4_; c.C15 += a1_ * b5_; c.C16 += a1_ * b6_; c.C17 += a1_ * b7_;
        c.C20 += a2_ * b0_; c.C21 += a2_ * b1_; c.C22 += a2_ * b2_; c.C23 += a2_ * b3_; c.C24 += a2_ * b4_; c.C25 += a2_ * b5_; c.C26 += a2_ * b6_; c.C27 += a2_ * b7_;
        c.C30 += a3_ * b0_; c.C31 += a3_ * b1_; c.C32 += a3_ * b2_; c.C33 += a3_ * b3_; c.C34 += a3_ * b4_; c.C35 += a3_ * b5_; c.C36 += a3_ * b6_; c.C37 += a3_ * b7_;
        c.C40 += a4_ * b0_; c.C41 += a4_ * b1_; c.C42 += a4_ * b2_; c.C43 += a4_ * b3_; c.C44 += a4_ * b4_; c.C45 += a4_ * b5_; c.C46 += a4_ * b6_; c.C47 += a4_ * b7_;
        c.C50 += a5_ * b0_; c.C51 += a5_ * b1_; c.C52 += a5_ * b2_; c.C53 += a5_ * b3_; c.C54 += a5_ * b4_; c.C55 += a5_ * b5_; c.C56 += a5_ * b6_; c.C57 += a5_ * b7_;
        c.C60 += a6_ * b0_; c.C61 += a6_ * b1_; c.C62 += a6_ * b2_; c.C63 += a6_ * b3_; c.C64 += a6_ * b4_; c.C65 += a6_ * b5_; c.C66 += a6_ * b6_; c.C67 += a6_ * b7_;
        c.C70 += a7_ * b0_; c.C71 += a7_ * b1_; c.C72 += a7_ * b2_; c.C73 += a7_ * b3_; c.C74 += a7_ * b4_; c.C75 += a7_ * b5_; c.C76 += a7_ * b6_; c.C77 += a7_ * b7_;
        return c;
    }

    /// <summary>
    /// Writes the block: rows <paramref name="row0"/> + 0..3 and <paramref name="row1"/> + 0..3, columns
    /// <paramref name="col0"/> + 0..3 and <paramref name="col1"/> + 0..3.
    /// </summary>
    public readonly void Store(ArrayView<float> c, ArrayView<float> bias, StridedMatrix layout, GemmShape shape, int batch,
        int row0, int row1, int col0, int col1)
    {
        GemmEpilogue.StoreQuad(c, bias, layout, shape, batch, row0 + 0, col0, new Quad(C00, C01, C02, C03));
        GemmEpilogue.StoreQuad(c, bias, layout, shape, batch, row0 + 0, col1, new Quad(C04, C05, C06, C07));
        GemmEpilogue.StoreQuad(c, bias, layout, shape, batch, row0 + 1, col0, new Quad(C10, C11, C12, C13));
        GemmEpilogue.StoreQuad(c, bias, layout, shape, batch, row0 + 1, col1, new Quad(C14, C15, C16, C17));
        GemmEpilogue.StoreQuad(c, bias, layout, shape, batch, row0 + 2, col0, new Quad(C20, C21, C22, C23));
        GemmEpilogue.StoreQuad(c, bias, layout, shape, batch, row0 + 2, col1, new Quad(C24, C25, C26, C27));
        GemmEpilogue.StoreQuad(c, bias, layout, shape, batch, row0 + 3, col0, new Quad(C30, C31, C32, C33));
        GemmEpilogue.StoreQuad(c, bias, layout, shape, batch, row0 + 3, col1, new Quad(C34, C35, C36, C37));
        GemmEpilogue.StoreQuad(c, bias, layout, shape, batch, row1 + 0, col0, new Quad(C40, C41, C42, C43));
        GemmEpilogue.StoreQuad(c, bias, layout, shape, batch, row1 + 0, col1, new Quad(C44, C45, C46, C47));
        GemmEpilogue.StoreQuad(c, bias, layout, shape, batch, row1 + 1, col0, new Quad(C50, C51, C52, C53));
        GemmEpilogue.StoreQuad(c, bias, layout, shape, batch, row1 + 1, col1, new Quad(C54, C55, C56, C57));
        GemmEpilogue.StoreQuad(c, bias, layout, shape, batch, row1 + 2, col0, new Quad(C60, C61, C62, C63));
        GemmEpilogue.StoreQuad(c, bias, layout, shape, batch, row1 + 2, col1, new Quad(C64, C65, C66, C67));
        GemmEpilogue.StoreQuad(c, bias, layout, shape, batch, row1 + 3, col0, new Quad(C70, C71, C72, C73));
        GemmEpilogue.StoreQuad(c, bias, layout, shape, batch, row1 + 3, col1, new Quad(C74, C75, C76, C77));
    }
}
