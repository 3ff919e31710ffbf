using FeatureViz.Cli.IO;
using FeatureViz.TestSupport;

namespace FeatureViz.Tests.Cli;

/// <summary>The .npy reader allocates only what the file can fill, and reads whole regular files only (issue 9, Build 2).</summary>
public class NpyLimitsTests
{
    private static long Allocated(Action a)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        a();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    [Fact]
    public void AHugeShapeOverShortDataIsRefusedBeforeAllocating()
    {
        var bytes = NpyTests.Build("{'descr': '<f4', 'fortran_order': False, 'shape': (100000000,), }", new byte[8]);
        long allocated = Allocated(() => Assert.Contains("ends inside the data", Assert.Throws<NpyFormatException>(() => Npy.Read(new MemoryStream(bytes))).Message));
        Assert.True(allocated < 1 << 20, $"allocated {allocated} bytes for an 8-byte payload");
    }

    [Fact]
    public void ShapesThatOverflowOrExceedTheLimitAreFormatErrors()
    {
        var overflow = NpyTests.Build("{'descr': '<f8', 'fortran_order': False, 'shape': (2147483647, 2147483647, 2147483647), }", new byte[8]);
        Assert.Throws<NpyFormatException>(() => Npy.Read(new MemoryStream(overflow)));
        var big = NpyTests.Build("{'descr': '<f4', 'fortran_order': False, 'shape': (1024, 1024), }", new byte[4 << 20]);
        Assert.Contains("limit", Assert.Throws<NpyFormatException>(() => Npy.Read(new MemoryStream(big), maxBytes: 1 << 20)).Message);
        Assert.Equal(1 << 20, Npy.Read(new MemoryStream(big), maxBytes: 4 << 20).Data.Length);
    }

    [Fact]
    public void AHugeHeaderLengthIsRefusedBeforeAllocating()
    {
        var bytes = new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 2, 0, 0xFF, 0xFF, 0xFF, 0x7F, (byte)'{' };
        long allocated = Allocated(() => Assert.Contains("header length", Assert.Throws<NpyFormatException>(() => Npy.Read(new MemoryStream(bytes))).Message));
        Assert.True(allocated < 1 << 20, $"allocated {allocated} bytes for a 13-byte file");
    }

    [Fact]
    public void AFileWithBytesAfterItsArrayIsRefused()
    {
        string dir = CliHarness.TempDir();
        string path = Path.Combine(dir, "x.npy");
        var data = NpyTests.F32(1.5f, 0f, 0f);
        File.WriteAllBytes(path, NpyTests.Build("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", data));
        Assert.Contains("4 bytes follow the data", Assert.Throws<NpyFormatException>(() => Npy.Read(path)).Message);
        File.WriteAllBytes(path, NpyTests.Build("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", data));
        Assert.Equal([1.5f, 0f, 0f], Npy.Read(path).Data);
    }

    [Fact]
    public async Task DevicesFoldersAndFifosAreNotRead()
    {
        string dir = CliHarness.TempDir();
        Assert.Throws<IOException>(() => Npy.Read(dir));
        if (File.Exists("/dev/zero")) Assert.Contains("not a regular file", Assert.Throws<IOException>(() => Npy.Read("/dev/zero")).Message);
        string fifo = Path.Combine(dir, "f.npy");
        if (!SpecialFiles.MakeFifo(fifo)) return;
        var read = Task.Run(() => Assert.ThrowsAny<IOException>(() => Npy.Read(fifo)));
        Assert.True(await Task.WhenAny(read, Task.Delay(TimeSpan.FromSeconds(10))) == read, "reading a FIFO hangs");
        await read;
    }
}
