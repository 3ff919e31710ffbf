using System.Diagnostics;
using FeatureViz.TestSupport;

namespace FeatureViz.Onnx.Tests.Import;

/// <summary>OnnxModel.Load reads only regular files of bounded size (issue 9, defect 5: --model /dev/zero read until memory ran out).</summary>
public sealed class ModelFileTests
{
    [Fact]
    public void ADeviceIsRefusedAtOnce()
    {
        if (!File.Exists("/dev/zero")) return;
        var clock = Stopwatch.StartNew();
        var ex = Assert.Throws<IOException>(() => OnnxModel.Load("/dev/zero"));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
        Assert.Contains("/dev/zero", ex.Message);
        Assert.Contains("not a regular file", ex.Message);
    }

    [Fact]
    public async Task AFolderAFifoAndAMissingFileAreRefused()
    {
        var dir = Directory.CreateTempSubdirectory("featureviz-modelfile");
        try
        {
            Assert.Throws<IOException>(() => OnnxModel.Load(dir.FullName));
            Assert.Throws<FileNotFoundException>(() => OnnxModel.Load(Path.Combine(dir.FullName, "missing.onnx")));
            var fifo = Path.Combine(dir.FullName, "m.onnx");
            if (!SpecialFiles.MakeFifo(fifo)) return;
            var load = Task.Run(() => Assert.ThrowsAny<IOException>(() => OnnxModel.Load(fifo)));
            Assert.True(await Task.WhenAny(load, Task.Delay(TimeSpan.FromSeconds(10))) == load, "loading a FIFO as a model hangs");
            await load;
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
