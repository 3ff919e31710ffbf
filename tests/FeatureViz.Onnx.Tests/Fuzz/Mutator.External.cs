using FeatureViz.Onnx.Graph;
using Google.Protobuf;
using Onnx;

namespace FeatureViz.Onnx.Tests.Fuzz;

internal sealed partial class Mutator
{
    private const int ExtFloats = 16;
    private const int ExtBytes = ExtFloats * 4;

    /// <summary>
    /// Adds an initializer "fuzz_ext" (16 floats) stored as external data, writes the model and its data into a
    /// folder of its own, and points the entry somewhere: a good file (must load) or somewhere hostile (must be refused).
    /// </summary>
    private Mutant External(int id, string seed, ModelProto m, Random r)
    {
        var dir = Path.Combine(workDir, $"m{id:D4}");
        FuzzFolders.DeleteTree(dir);
        Directory.CreateDirectory(dir);
        var data = new byte[ExtBytes];
        r.NextBytes(data);
        for (int i = 0; i < ExtFloats; i++) BitConverter.TryWriteBytes(data.AsSpan(4 * i), (float)(i - 8)); // finite floats
        var t = new TensorProto { Name = "fuzz_ext", DataType = 1, DataLocation = TensorProto.Types.DataLocation.External };
        t.Dims.Add(ExtFloats);
        m.Graph.Initializer.Add(t);
        void Entry(string k, string v) => t.ExternalData.Add(new StringStringEntryProto { Key = k, Value = v });
        string Write(string name, byte[] bytes) { var p = Path.Combine(dir, name); Directory.CreateDirectory(Path.GetDirectoryName(p)!); File.WriteAllBytes(p, bytes); return p; }

        string what;
        var expect = Expectation.Reject;
        bool fromStream = false;
        switch (MutantPlan.IndexInKind(id) % 26) // every case, about equally often
        {
            case 0: Write("w.bin", data); Entry("location", "w.bin"); what = "valid external data"; expect = Expectation.Load; break;
            case 1:
                Write("sub/w.bin", [.. new byte[8], .. data, .. new byte[3]]);
                Entry("location", "sub/w.bin"); Entry("offset", "8"); Entry("length", ExtBytes.ToString());
                what = "valid external data at offset 8 in a subfolder"; expect = Expectation.Load; break;
            case 2: File.WriteAllBytes(Path.Combine(workDir, $"outside{id}.bin"), data); Entry("location", $"../outside{id}.bin"); what = "location ../outside.bin"; break;
            case 3: Write("sub/x", data); Entry("location", $"sub/../../outside{id}.bin"); what = "location sub/../../outside.bin"; break;
            case 4: Entry("location", "/etc/passwd"); what = "location /etc/passwd"; break;
            case 5: Entry("location", Write("w.bin", data)); what = "absolute location of a file inside the folder"; break;
            case 6: File.CreateSymbolicLink(Path.Combine(dir, "w.bin"), "/etc/passwd"); Entry("location", "w.bin"); Entry("length", ExtBytes.ToString()); what = "symlink w.bin -> /etc/passwd"; break;
            case 7: Directory.CreateSymbolicLink(Path.Combine(dir, "d"), "/etc"); Entry("location", "d/passwd"); what = "symlinked folder d -> /etc, location d/passwd"; break;
            case 8: Write("w.bin", data); Entry("location", "w.bin"); Entry("offset", (long.MaxValue - 9).ToString()); what = "offset 2^63-10"; break;
            case 9: Write("w.bin", data); Entry("location", "w.bin"); Entry("offset", long.MaxValue.ToString()); what = "offset 2^63-1"; break;
            case 10: Write("w.bin", data); Entry("location", "w.bin"); Entry("offset", "9223372036854775808"); what = "offset 2^63 (overflows long)"; break;
            case 11: Write("w.bin", data); Entry("location", "w.bin"); Entry("offset", "-1"); what = "offset -1"; break;
            case 12: Write("w.bin", [.. data, .. data]); Entry("location", "w.bin"); Entry("length", (ExtBytes + 4).ToString()); what = "length 4 bytes longer than the dims"; break;
            case 13: Write("w.bin", data); Entry("location", "w.bin"); Entry("length", "99999999999999999999"); what = "length 10^20"; break;
            case 14: Write("w.bin", data.AsSpan(0, ExtBytes - 5).ToArray()); Entry("location", "w.bin"); what = "file 5 bytes short"; break;
            case 15: Entry("location", "missing.bin"); what = "missing file"; break;
            case 16: Directory.CreateDirectory(Path.Combine(dir, "w.bin")); Entry("location", "w.bin"); what = "location is a folder"; break;
            case 17: Entry("location", ""); what = "empty location"; break;
            case 18: Write("w.bin", data); Entry("location", "w.bin"); Entry("evil", "1"); what = "unknown key"; break;
            case 19: Write("w.bin", data); Entry("location", "w.bin\0.txt"); what = "location with a NUL"; break;
            case 20: File.CreateSymbolicLink(Path.Combine(dir, "w.bin"), "/dev/zero"); Entry("location", "w.bin"); what = "symlink w.bin -> /dev/zero"; break;
            case 21: Write("w.bin", data); Entry("location", "w.bin"); Entry("offset", (1L << 62).ToString()); Entry("length", ExtBytes.ToString()); what = "offset 2^62"; break;
            case 22: Write("w.bin", data); Entry("location", "w.bin"); fromStream = true; what = "external data in a model loaded from a stream"; break;
            case 23: Write("w.bin", data); Entry("location", "..\\w.bin"); Entry("location", "w.bin"); what = "location given twice"; expect = Expectation.Any; break;
            case 24: Write("w.bin", data); Entry("location", "w.bin"); t.Dims[0] = 1L << 40; what = "dims 2^40 with a 64-byte file"; break;
            default:
                Write("w.bin", data); Entry("location", "w.bin"); t.DataType = 11;
                what = "double dims with a float-sized file"; break;
        }
        var bytes = m.ToByteArray();
        if (fromStream) return new Mutant(id, MutationKind.ExternalData, seed, what, expect, bytes, null);
        var path = Path.Combine(dir, "model.onnx");
        File.WriteAllBytes(path, bytes);
        return new Mutant(id, MutationKind.ExternalData, seed, what, expect, null, path);
    }

    /// <summary>Mostly structural damage to the bundled ResNet18 (refused at load, cheap); a few geometry rewrites that run.</summary>
    private Mutant ResNet(int id, Random r)
    {
        _resnet ??= LoadResNet();
        var m = _resnet.Value.Proto.Clone();
        var g = m.Graph;
        var convs = g.Node.Where(n => n.OpType == "Conv").ToList();
        var pools = g.Node.Where(n => n.OpType is "MaxPool" or "AveragePool").ToList();
        int variant = MutantPlan.IndexInKind(id) % 16;
        string what;
        var expect = Expectation.Reject;
        switch (variant)
        {
            case 0: (what, expect) = MakeCycle(m, r); break;
            case 1: (what, expect) = MakeDangling(m, r); break;
            case 2:
                var a = g.Node[r.Next(1, g.Node.Count)];
                a.Output[0] = g.Node[r.Next(0, g.Node.IndexOf(a))].Output[0];
                what = $"node '{a.Name}' re-produces an earlier node's output"; break;
            case 3: m.OpsetImport[0].Version = 999; what = "opset 999"; break;
            case 4: m.OpsetImport.Clear(); what = "no opset import"; break;
            case 5:
                var w = g.Initializer[r.Next(g.Initializer.Count)];
                w.Dims[0] = new long[] { -1, 0, 1L << 40, int.MaxValue }[r.Next(4)];
                what = $"initializer '{w.Name}' dims [{string.Join(", ", w.Dims)}]"; break;
            case 6:
                var v = g.Initializer[r.Next(g.Initializer.Count)];
                if (v.RawData.Length > 0) v.RawData = ByteString.CopyFrom(v.RawData.Span[..^1]);
                else if (v.FloatData.Count > 0) v.FloatData.RemoveAt(v.FloatData.Count - 1);
                else v.Int64Data.Add(1);
                what = $"initializer '{v.Name}' data one value short or long"; break;
            case 7:
                var c = convs[r.Next(convs.Count)];
                SetInts(c, "strides", HostileValues.Longs[r.Next(HostileValues.Longs.Length)]);
                what = $"conv '{c.Name}' strides {string.Join(",", c.Attribute.First(x => x.Name == "strides").Ints)}"; expect = Expectation.Any; break;
            case 8:
                var c2 = convs[r.Next(convs.Count)];
                SetInts(c2, "pads", new long[] { 100_000, -5, int.MaxValue, 1L << 40 }[r.Next(4)]);
                what = $"conv '{c2.Name}' pads {string.Join(",", c2.Attribute.First(x => x.Name == "pads").Ints)}"; expect = Expectation.Any; break;
            case 9:
                var p = pools[r.Next(pools.Count)];
                SetInts(p, "pads", new long[] { 100_000, 10_000, -3 }[r.Next(3)]);
                what = $"pool '{p.Name}' pads {string.Join(",", p.Attribute.First(x => x.Name == "pads").Ints)}"; expect = Expectation.Any; break;
            case 10:
                var b = _resnet.Value.Bytes;
                int cut = r.Next(b.Length);
                return new Mutant(id, MutationKind.ResNet18, ResNetSeed, $"truncated to {cut} of {b.Length} bytes", Expectation.Any, b.AsSpan(0, cut).ToArray(), null);
            case 11:
                var fb = (byte[])_resnet.Value.Bytes.Clone();
                // Flip bits in the graph's structure (the first part of the file), not in the weights' bytes.
                for (int i = 0; i < 4; i++) fb[r.Next(Math.Min(fb.Length, 200_000))] ^= (byte)(1 << r.Next(8));
                return new Mutant(id, MutationKind.ResNet18, ResNetSeed, "4 bits flipped in the first 200 kB", Expectation.Any, fb, null);
            case 12:
                var d = g.Node[r.Next(g.Node.Count)];
                d.Domain = "com.evil"; what = $"node '{d.Name}' domain com.evil"; break;
            case 13:
                var s = convs[r.Next(convs.Count)];
                s.OpType = new[] { "ConvTranspose", "MaxPool", "Gemm" }[r.Next(3)];
                what = $"node '{s.Name}' Conv -> {s.OpType}"; expect = Expectation.Any; break;
            case 14:
                g.Input[0].Type.TensorType.Shape.Dim[2].DimValue = new long[] { 1L << 40, -7 }[r.Next(2)];
                what = $"input dim 2 = {g.Input[0].Type.TensorType.Shape.Dim[2].DimValue}"; break;
            default:
                var k = convs[r.Next(convs.Count)];
                SetInts(k, "dilations", new long[] { 20_000, 100_000, int.MaxValue }[r.Next(3)]);
                what = $"conv '{k.Name}' dilations {string.Join(",", k.Attribute.First(x => x.Name == "dilations").Ints)}"; expect = Expectation.Any; break;
        }
        return new Mutant(id, MutationKind.ResNet18, ResNetSeed, what, expect, m.ToByteArray(), null);
    }

    private static void SetInts(NodeProto n, string name, long value)
    {
        var a = n.Attribute.FirstOrDefault(x => x.Name == name);
        int len = name == "pads" ? 4 : 2;
        if (a is null) n.Attribute.Add(a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints });
        a.Ints.Clear();
        for (int i = 0; i < len; i++) a.Ints.Add(value);
    }

    private static (byte[] Bytes, ModelProto Proto) LoadResNet()
    {
        var merged = ResNet18Bundle.Merge(
            ModelProto.Parser.ParseFrom(File.ReadAllBytes(OnnxModel.BundledFile("ResNetPrepOnnx", "ResNetPreprocess.onnx"))),
            ModelProto.Parser.ParseFrom(File.ReadAllBytes(OnnxModel.BundledFile("ResNet18Onnx", "ResNet18.onnx"))));
        return (merged.ToByteArray(), merged);
    }
}
