using System.Text.Json;
using FeatureViz.Backends;
using FeatureViz.Cli;
using FeatureViz.Cli.IO;
using FeatureViz.Kernels.Cpu;
using FeatureViz.Kernels.Gpu.Backend;
using FeatureViz.Tensors.Backends;
using FeatureViz.TestSupport;

namespace FeatureViz.Tests.Cli;

/// <summary>
/// Device faults through the command line: an absent device, a device out of memory (with and without
/// <c>--fallback cpu</c>), and a device lost in the middle of a gallery.
/// </summary>
public sealed class DeviceFaultTests
{
    [Theory]
    [InlineData("eval")]
    [InlineData("grad")]
    [InlineData("render")]
    [InlineData("gallery")]
    public async Task AnAbsentDeviceIsExitCode2ListingTheDevicesFound(string command)
    {
        string dir = CliHarness.TempDir();
        string model = TinyOnnxModel.WriteConv(dir), x = Path.Combine(dir, "x.npy");
        Npy.Write(x, Rand.Uniform(1, 3 * 16 * 16), [1, 3, 16, 16]);
        string[] args = command switch
        {
            "eval" => ["eval", "--model", model, "--input", $"image={x}", "--output-dir", Path.Combine(dir, "o")],
            "grad" => ["grad", "--model", model, "--input", $"image={x}", "--tensor", "pool", "--cotangent", x, "--wrt", "image", "--out", Path.Combine(dir, "g.npy")],
            "render" => ["render", "--model", model, "--steps", "1", "--out", Path.Combine(dir, "o")],
            _ => ["gallery", "--model", model, "--layer", "conv/relu", "--steps", "1", "--out", Path.Combine(dir, "o")],
        };
        var (code, _, err) = await DeviceHarness.Run(FeatureVizBackends.Create, [.. args, "--device", "cuda:7"]);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--device: device cuda:7 is not available", err);
        Assert.Contains("devices found: cpu CPU", err);
        Assert.Contains("ilgpu-cpu", err);

        (code, _, err) = await DeviceHarness.Run(FeatureVizBackends.Create, [.. args, "--device", "tpu:0"]);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--device: unknown device 'tpu:0': expected auto, cpu, cuda[:N], opencl[:N] or ilgpu-cpu", err);
    }

    [Fact]
    public async Task OutOfDeviceMemoryNamesTheAllocationAndWhatToReduce_AndFallbackCpuRetriesOnTheCpu()
    {
        string dir = CliHarness.TempDir();
        string model = TinyOnnxModel.WriteConv(dir), x = Path.Combine(dir, "x.npy");
        Npy.Write(x, Rand.Uniform(2, 3 * 16 * 16), [1, 3, 16, 16]);
        string[] eval = ["eval", "--model", model, "--input", $"image={x}", "--tensor", "conv/relu", "--tensor", "pool"];

        // The input (768 floats) and the weights fit; the convolution's output (4 x 16 x 16 = 1024 floats) does not.
        var (code, _, err) = await DeviceHarness.Run(SmallDevice(maxFloats: 800), [.. eval, "--output-dir", Path.Combine(dir, "gpu"), "--device", "cuda:0"]);
        Assert.Equal(ExitCodes.Error, code);
        Assert.Contains("Node 'conv' (Conv", err);
        Assert.Contains("Conv2d: out of device memory on ilgpu-cpu", err);
        Assert.Contains("could not allocate", err);
        Assert.Contains("device free memory:", err);
        Assert.Contains("Reduce the batch size or the image size", err);
        Assert.Contains("--fallback cpu", err);
        Assert.DoesNotContain("   at ", err); // one line, no stack trace
        Assert.False(File.Exists(Path.Combine(dir, "gpu", "pool.npy")));

        (code, _, err) = await DeviceHarness.Run(SmallDevice(maxFloats: 800), [.. eval, "--output-dir", Path.Combine(dir, "fallback"), "--device", "cuda:0", "--fallback", "cpu"]);
        Assert.True(code == 0, err);
        Assert.Contains("ran out of memory", err);
        Assert.Contains("retrying on the CPU", err);
        Assert.Contains("device: cpu CPU", err);
        (code, _, err) = await DeviceHarness.Run(FeatureVizBackends.Create, [.. eval, "--output-dir", Path.Combine(dir, "cpu")]);
        Assert.True(code == 0, err);
        foreach (var file in new[] { "conv_relu.npy", "pool.npy" })
            Assert.Equal(Npy.Read(Path.Combine(dir, "cpu", file)).Data, Npy.Read(Path.Combine(dir, "fallback", file)).Data);
    }

    [Fact]
    public async Task ARenderThatRunsOutOfDeviceMemoryFallsBackToTheCpuAndGivesTheCpuImages()
    {
        string dir = CliHarness.TempDir();
        string model = TinyOnnxModel.WriteConv(dir);
        string[] render = ["render", "--model", model, "--objective", "channel:conv/relu:0-1", "--steps", "2", "--size", "32x32", "--seed", "4"];

        var (code, output, err) = await DeviceHarness.Run(SmallDevice(maxFloats: 2048), [.. render, "--device", "cuda:0", "--out", Path.Combine(dir, "gpu")]);
        Assert.Equal(ExitCodes.Error, code);
        Assert.Contains("out of device memory", err);
        Assert.Contains("--fallback cpu", err);
        Assert.Empty(Directory.GetFiles(Path.Combine(dir, "gpu"), "*.png"));

        (code, output, err) = await DeviceHarness.Run(SmallDevice(maxFloats: 2048), [.. render, "--device", "cuda:0", "--fallback", "cpu", "--out", Path.Combine(dir, "fallback")]);
        Assert.True(code == 0, err + output);
        Assert.Contains("retrying on the CPU", err);
        (code, _, err) = await DeviceHarness.Run(FeatureVizBackends.Create, [.. render, "--out", Path.Combine(dir, "cpu")]);
        Assert.True(code == 0, err);
        var pngs = Directory.GetFiles(Path.Combine(dir, "cpu"), "*.png").Select(Path.GetFileName).Order().ToList();
        Assert.Equal(2, pngs.Count);
        foreach (var png in pngs)
            Assert.Equal(File.ReadAllBytes(Path.Combine(dir, "cpu", png!)), File.ReadAllBytes(Path.Combine(dir, "fallback", png!)));
    }

    [Fact]
    public async Task ADeviceLostMidRunKeepsTheFinishedImagesAndTheRunResumes()
    {
        string dir = CliHarness.TempDir();
        string model = TinyOnnxModel.WriteConv(dir);
        string outDir = Path.Combine(dir, "out");
        string[] gallery = ["gallery", "--model", model, "--layer", "conv/relu", "--steps", "2", "--size", "16x16", "--batch", "1", "--seed", "5"];

        // Two optimization steps per image: the fifth Adam update is the first step of the third image.
        var (code, output, err) = await DeviceHarness.Run(LostDevice(failAtUpdate: 5), [.. gallery, "--device", "cuda:0", "--out", outDir]);
        Assert.Equal(ExitCodes.Error, code);
        Assert.Contains("CUDA_ERROR_LAUNCH_FAILED", err);
        Assert.Contains("MomentUpdate", err);
        Assert.Contains("Batch 3 of 4 (channel:conv/relu:2) failed on cuda:0 Lost GPU", output);
        Assert.Contains("the 2 finished image(s)", output);
        var kept = Directory.GetFiles(outDir, "*.png").Select(Path.GetFileName).Order().ToList();
        Assert.Equal(["channel_conv_relu_0.png", "channel_conv_relu_1.png"], kept);
        using (var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "manifest.json"))))
        {
            Assert.False(manifest.RootElement.GetProperty("complete").GetBoolean());
            Assert.Equal(2, manifest.RootElement.GetProperty("items").GetArrayLength());
        }
        Assert.Empty(Directory.GetFiles(outDir, "*.tmp"));
        Assert.Empty(Directory.GetFiles(outDir, ".featureviz.lock*"));
        var before = kept.ToDictionary(f => f!, f => File.ReadAllBytes(Path.Combine(outDir, f!)));

        // Run again on a working device: the two images are kept as they are, the other two are made.
        (code, output, err) = await DeviceHarness.Run(FeatureVizBackends.Create, [.. gallery, "--out", outDir]);
        Assert.True(code == 0, err);
        Assert.Contains("Resuming: 2 of 4", output);
        foreach (var (file, bytes) in before) Assert.Equal(bytes, File.ReadAllBytes(Path.Combine(outDir, file)));

        // And the folder equals an uninterrupted run's.
        string fresh = Path.Combine(dir, "fresh");
        (code, _, err) = await DeviceHarness.Run(FeatureVizBackends.Create, [.. gallery, "--out", fresh]);
        Assert.True(code == 0, err);
        foreach (var png in Directory.GetFiles(fresh, "*.png"))
            Assert.Equal(File.ReadAllBytes(png), File.ReadAllBytes(Path.Combine(outDir, Path.GetFileName(png))));
        Assert.Equal(4, Directory.GetFiles(outDir, "*.png").Length);
    }

    /// <summary>
    /// cuda:0 as a GPU whose memory other processes have taken: the ILGPU backend on the shared simulator whose driver
    /// allocation fails for requests above <paramref name="maxFloats"/> (through the real caching allocator, so the
    /// real error comes out), while the device reports 1 GiB (so the run is not refused before it starts).
    /// </summary>
    private static Func<DeviceSpec, BackendOptions, DeviceBackend> SmallDevice(long maxFloats) => (spec, options) =>
    {
        if (spec.Kind == DeviceKind.Cpu) return FeatureVizBackends.Create(spec, options);
        var shared = (IlgpuBackend)IlgpuCpuBackendFactory.Backend;
        var small = new IlgpuBackend(shared.Gpu);
        var real = small.Allocator.DriverAllocate;
        small.Allocator.DriverAllocate = n => n > maxFloats ? throw new OutOfMemoryException("simulated: the device is full") : real(n);
        return DeviceHarness.Wrap(small, new DeviceSpec(DeviceKind.Cuda, 0), "Busy GPU", 1L << 30, owns: true);
    };

    /// <summary>cuda:0 as a GPU lost at the <paramref name="failAtUpdate"/>-th optimizer update (the CPU backend underneath).</summary>
    private static Func<DeviceSpec, BackendOptions, DeviceBackend> LostDevice(int failAtUpdate) => (spec, options) =>
        spec.Kind == DeviceKind.Cpu
            ? FeatureVizBackends.Create(spec, options)
            : DeviceHarness.Wrap(new LosingBackend(CpuBackend.Default, nameof(IBackend.MomentUpdate), failAtUpdate), new DeviceSpec(DeviceKind.Cuda, 0), "Lost GPU", 1L << 30, owns: true);

    /// <summary>Fails the <c>failAt</c>-th call of <c>method</c> and every call after it, as a GPU that fell off the bus does.</summary>
    private sealed class LosingBackend(IBackend inner, string method, int failAt) : DelegatingBackend(inner)
    {
        private int _calls;

        protected override void OnCall(string name)
        {
            if (name == method) _calls++;
            if (_calls >= failAt)
                throw new InvalidOperationException($"{name} failed on cuda:0 Lost GPU (1.0 GiB): CUDA_ERROR_LAUNCH_FAILED: unspecified launch failure.");
        }

        public override void Dispose() { }
    }
}
