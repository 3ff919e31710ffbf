using System.Text.RegularExpressions;
using FeatureViz.Kernels.Gpu;
using ILGPU;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using Xunit.Abstractions;

namespace FeatureViz.Gpu.Tests;

/// <summary>
/// What the offline PTX of the large-tile and TF32 SGEMM kernels must contain: no local-memory traffic (ILGPU spills
/// dynamically indexed locals there; the accumulators must stay in registers), 16-byte shared and global accesses,
/// and the tensor-core instruction.
/// </summary>
public sealed class GemmPtxTests(ITestOutputHelper output)
{
    private static string Ptx(string kernel, CudaArchitecture arch)
    {
        using var context = Context.Create(b => b.Cuda().EnableAlgorithms());
        using var backend = new PTXBackend(context, new CudaCapabilityContext(arch), arch, CudaInstructionSet.ISA_88, null);
        var (_, method, _) = KernelCatalog.All().Single(k => k.Name == kernel);
        var ptx = ((PTXCompiledKernel)backend.Compile(EntryPointDescription.FromExplicitlyGroupedKernel(method), default)).PTXAssembly;
        if (Environment.GetEnvironmentVariable("FEATUREVIZ_DUMP_PTX") is { Length: > 0 } dir)
            File.WriteAllText(Path.Combine(dir, Regex.Replace(kernel, "[^A-Za-z0-9]+", "_") + $"_sm{(arch == CudaArchitecture.SM_90 ? 90 : 80)}.ptx"), ptx);
        return ptx;
    }

    private static int Count(string ptx, string instruction) => Regex.Matches(ptx, Regex.Escape(instruction)).Count;

    // 16-byte global (or generic) accesses, shared ones excluded.
    private static int Vector(string ptx, string op) => Count(ptx, $"\t{op}.v4.f32") + Count(ptx, $"\t{op}.global.v4.f32");

    [Theory]
    [InlineData("LargeGemm<GemmTile128, StridedMatrix, StridedMatrix>", 90)]
    [InlineData("LargeGemm<GemmTile128, StridedMatrix, StridedMatrix>", 80)]
    [InlineData("LargeGemm<GemmTile128, StridedMatrix, Im2ColOperand>", 90)]
    [InlineData("LargeGemm<GemmTile128, TransposedWeightOperand, GradientGatherOperand>", 90)]
    [InlineData("LargeGemm<GemmTile128, GradientRowsOperand, TransposedIm2ColOperand>", 90)]
    public void LargeGemmKeepsItsAccumulatorsInRegistersAndUsesVectorAccesses(string kernel, int sm)
    {
        var ptx = Ptx(kernel, sm == 90 ? CudaArchitecture.SM_90 : CudaArchitecture.SM_80);
        // ILGPU writes a * b + c as mul.f32 + add.f32 without a rounding modifier, which ptxas may fuse into one FFMA
        // (PTX ISA, "add"/"mul": no rounding modifier); a .rn modifier would forbid it.
        int fma = Count(ptx, "\tmul.f32");
        output.WriteLine($"{kernel} sm_{sm}: {ptx.Length} chars, fma {fma}, ld.shared.v4 {Count(ptx, "ld.shared.v4.f32")}, " +
            $"ld.v4 {Vector(ptx, "ld")}, st.v4 {Vector(ptx, "st")}, div.s32 {Count(ptx, "div.s32")}, " +
            $"ld.local {Count(ptx, "ld.local")}, st.local {Count(ptx, "st.local")}, bar.sync {Count(ptx, "bar.sync")}");
        Assert.Equal(0, Count(ptx, "ld.local") + Count(ptx, "st.local"));
        // 8 k steps x 64 multiply-adds written out.
        Assert.True(fma >= 512, $"{kernel}: only {fma} multiplies in the PTX");
        Assert.Equal(0, Count(ptx, "mul.rn.f32") + Count(ptx, "add.rn.f32"));
        // 8 k steps x 4 fragment quads.
        Assert.True(Count(ptx, "ld.shared.v4.f32") >= 32, "fragments are not read as 16-byte shared loads");
        if (kernel.Contains("StridedMatrix, StridedMatrix", StringComparison.Ordinal))
        {
            // ILGPU addresses views generically (ld.v4, not ld.global.v4); 16 bytes either way.
            Assert.True(Vector(ptx, "ld") >= 2, "A and B are not staged with 16-byte global loads");
            Assert.True(Vector(ptx, "st") >= 1, "C is not written with 16-byte stores");
        }
    }

    [Theory]
    [InlineData(90)]
    [InlineData(80)]
    public void Tf32GemmIssuesMmaSync(int sm)
    {
        var ptx = Ptx("Tf32Gemm<Tf32Tile128, TensorCoreMma, StridedMatrix, StridedMatrix>", sm == 90 ? CudaArchitecture.SM_90 : CudaArchitecture.SM_80);
        int mma = Count(ptx, "mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32");
        // CudaAsm.EmitRef passes each operand through its own 4-byte local slot (ptxas promotes such fixed slots to
        // registers): 16 mma x 10 operands. Any other local allocation would be a spill of the kernel's own arrays.
        int local = Count(ptx, "ld.local") + Count(ptx, "st.local");
        int slots = Regex.Matches(ptx, @"\.local \.align 4 \.b8 __local_depot\d+\[4\]").Count;
        int allocations = Regex.Matches(ptx, @"\.local .*__local_depot").Count;
        output.WriteLine($"Tf32 sm_{sm}: mma.sync {mma}, local slots {slots}, local accesses {local}, shfl {Count(ptx, "shfl")}");
        Assert.Equal(16, mma);
        Assert.Equal(16 * 10, slots);
        Assert.Equal(slots, allocations);
        Assert.Equal(0, Count(ptx, "shfl")); // the simulator's shuffle emulation must not reach the GPU code
        Assert.DoesNotContain(".extern .func", ptx, StringComparison.Ordinal);
    }
}
