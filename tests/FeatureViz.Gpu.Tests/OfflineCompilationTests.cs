using System.Diagnostics;
using System.Reflection;
using FeatureViz.Kernels.Gpu;
using ILGPU;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.OpenCL;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;
using Xunit.Abstractions;

namespace FeatureViz.Gpu.Tests;

/// <summary>
/// Every kernel compiles, with no GPU, to PTX for sm_90 and sm_80 without unresolved externals (those only fail when
/// the driver loads the module), and to OpenCL C 2.0 that clang accepts. The CPU simulator cannot catch either.
/// </summary>
public sealed class OfflineCompilationTests(ITestOutputHelper output)
{
    [Fact]
    public void CatalogCoversEveryOpStruct()
    {
        var names = KernelCatalog.All().Select(k => k.Name).ToHashSet();
        foreach (var op in KernelCatalog.OpStructs(typeof(FeatureViz.Tensors.Ops.IUnaryOp)))
            Assert.Contains($"UnaryForward<{op.Name}>", names);
        foreach (var op in KernelCatalog.OpStructs(typeof(FeatureViz.Tensors.Ops.IBinaryOp)))
            Assert.Contains($"BinaryBackward<{op.Name}>", names);
        Assert.True(names.Count >= 60, $"only {names.Count} kernels in the catalog");
    }

    [Theory]
    [InlineData(90)]
    [InlineData(80)]
    public void EveryKernelCompilesToPtxWithoutExterns(int sm)
    {
        var arch = sm == 90 ? CudaArchitecture.SM_90 : CudaArchitecture.SM_80;
        using var context = Context.Create(b => b.Cuda().EnableAlgorithms());
        using var backend = new PTXBackend(context, new CudaCapabilityContext(arch), arch, CudaInstructionSet.ISA_88, null);
        var failures = new List<string>();
        foreach (var (name, method, _) in KernelCatalog.All())
        {
            try
            {
                var entry = EntryPointDescription.FromExplicitlyGroupedKernel(method);
                var ptx = ((PTXCompiledKernel)backend.Compile(entry, default)).PTXAssembly;
                if (ptx.Contains(".extern .func", StringComparison.Ordinal))
                    failures.Add($"{name}: unresolved .extern .func in the PTX");
                Assert.Contains(".entry", ptx);
            }
            catch (Exception e)
            {
                failures.Add($"{name}: {e.GetType().Name}: {e.Message} {e.InnerException?.GetType().Name}: {e.InnerException?.Message}");
            }
        }
        Assert.True(failures.Count == 0, $"sm_{sm}: {failures.Count} kernels failed:\n" + string.Join("\n", failures));
    }

    [Fact]
    public void GemmReadsItsSharedMemoryFragmentsAsVectors()
    {
        using var context = Context.Create(b => b.Cuda().EnableAlgorithms());
        using var backend = new PTXBackend(context, new CudaCapabilityContext(CudaArchitecture.SM_90), CudaArchitecture.SM_90, CudaInstructionSet.ISA_88, null);
        var (_, method, _) = KernelCatalog.All().First(k => k.Name.StartsWith("Gemm<GemmTile64, StridedMatrix, StridedMatrix>", StringComparison.Ordinal));
        var ptx = ((PTXCompiledKernel)backend.Compile(EntryPointDescription.FromExplicitlyGroupedKernel(method), default)).PTXAssembly;
        Assert.Contains("ld.shared.v4.f32", ptx);
    }

    [Fact]
    public void EveryKernelCompilesToOpenClCThatClangAccepts()
    {
        using var context = Context.Create(b => b.OpenCL().EnableAlgorithms());
        // Capabilities of a CL 2.0 device with generic address space: float16, float64, int64 atomics, subgroups, generic AS.
        using var backend = new CLBackend(context, new CLCapabilityContext(false, true, true, true, true), CLDeviceVendor.Other, CLCVersion.CL20);
        string? clang = FindClang();
        if (clang is null) output.WriteLine("clang not found on PATH: OpenCL C is generated but not syntax-checked (apt-get install clang).");
        var dir = Directory.CreateTempSubdirectory("featureviz-cl-");
        var failures = new List<string>();
        var files = new Dictionary<string, string>();
        try
        {
            foreach (var (name, method, openCL) in KernelCatalog.All())
            {
                if (!openCL) continue;
                try
                {
                    var source = ((CLCompiledKernel)backend.Compile(EntryPointDescription.FromExplicitlyGroupedKernel(method), default)).Source;
                    var file = Path.Combine(dir.FullName, $"k{files.Count}.cl");
                    File.WriteAllText(file, source);
                    files[file] = name;
                }
                catch (Exception e)
                {
                    failures.Add($"{name}: {e.GetType().Name}: {e.Message} {e.InnerException?.GetType().Name}: {e.InnerException?.Message}");
                }
            }
            if (clang is not null && files.Count > 0)
            {
                // One clang process for all files (one per kernel would cost a minute); map its errors back to kernels.
                var (rc, log) = Run(clang, "-x cl -cl-std=CL2.0 -fsyntax-only " + string.Join(" ", files.Keys.Select(f => $"\"{f}\"")));
                foreach (var (file, name) in files)
                    if (log.Contains(file + ":", StringComparison.Ordinal))
                        failures.Add($"{name}: clang: " + string.Join("\n", log.Split('\n').Where(l => l.StartsWith(file, StringComparison.Ordinal)).Take(3)));
                if (rc != 0 && failures.Count == 0) failures.Add($"clang exited with {rc}: {log}");
                output.WriteLine($"clang checked {files.Count} OpenCL C kernels (exit code {rc}).");
            }
        }
        finally
        {
            dir.Delete(true);
        }
        Assert.True(failures.Count == 0, $"{failures.Count} kernels failed OpenCL C:\n" + string.Join("\n", failures));
    }

    private static string? FindClang()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
        {
            var path = Path.Combine(dir, "clang");
            if (File.Exists(path)) return path;
        }
        return null;
    }

    private static (int ExitCode, string Log) Run(string exe, string args)
    {
        using var p = Process.Start(new ProcessStartInfo(exe, args) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        string log = p.StandardError.ReadToEnd() + p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, log);
    }
}
