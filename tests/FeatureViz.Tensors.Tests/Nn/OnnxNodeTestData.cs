using System.Text;

namespace FeatureViz.Tensors.Tests.Nn;

/// <summary>
/// A minimal protobuf reader for the ONNX backend node tests (model.onnx with one node, TensorProto .pb files), so
/// these tests do not depend on the project's ONNX importer.
/// </summary>
internal static class OnnxNodeTestData
{
    public sealed record TensorData(string Name, long[] Dims, float[] Floats, long[] Longs);

    public sealed record NodeData(string OpType, string[] Inputs, Dictionary<string, object> Attributes);

    private ref struct Reader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _d = data;
        private int _p;

        public readonly bool End => _p >= _d.Length;

        public ulong Varint()
        {
            ulong v = 0;
            for (int s = 0; ; s += 7)
            {
                byte b = _d[_p++];
                v |= (ulong)(b & 0x7f) << s;
                if (b < 0x80) return v;
            }
        }

        public (int Field, int Wire) Key()
        {
            ulong k = Varint();
            return ((int)(k >> 3), (int)(k & 7));
        }

        public ReadOnlySpan<byte> Bytes()
        {
            int n = (int)Varint();
            var s = _d.Slice(_p, n);
            _p += n;
            return s;
        }

        public float Fixed32()
        {
            float f = BitConverter.ToSingle(_d.Slice(_p, 4));
            _p += 4;
            return f;
        }

        public void Skip(int wire)
        {
            switch (wire)
            {
                case 0: Varint(); break;
                case 1: _p += 8; break;
                case 2: Bytes(); break;
                case 5: _p += 4; break;
                default: throw new InvalidDataException($"wire type {wire}");
            }
        }
    }

    private static void Longs(ref Reader r, int wire, List<long> into)
    {
        if (wire == 2)
        {
            var inner = new Reader(r.Bytes());
            while (!inner.End) into.Add((long)inner.Varint());
        }
        else into.Add((long)r.Varint());
    }

    public static TensorData Tensor(ReadOnlySpan<byte> data)
    {
        var r = new Reader(data);
        var dims = new List<long>();
        var floats = new List<float>();
        var longs = new List<long>();
        string name = "";
        int type = 0;
        byte[]? raw = null;
        while (!r.End)
        {
            var (f, w) = r.Key();
            switch (f)
            {
                case 1: Longs(ref r, w, dims); break;
                case 2: type = (int)r.Varint(); break;
                case 4:
                    if (w == 2)
                    {
                        var inner = new Reader(r.Bytes());
                        while (!inner.End) floats.Add(inner.Fixed32());
                    }
                    else floats.Add(r.Fixed32());
                    break;
                case 7: Longs(ref r, w, longs); break;
                case 8: name = Encoding.UTF8.GetString(r.Bytes()); break;
                case 9: raw = r.Bytes().ToArray(); break;
                default: r.Skip(w); break;
            }
        }
        if (raw is not null)
        {
            if (type == 1) floats.AddRange(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(raw).ToArray());
            else if (type == 7) longs.AddRange(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, long>(raw).ToArray());
            else throw new NotSupportedException($"tensor {name}: data type {type}");
        }
        return new TensorData(name, dims.ToArray(), floats.ToArray(), longs.ToArray());
    }

    public static NodeData Node(string modelPath)
    {
        var r = new Reader(File.ReadAllBytes(modelPath));
        while (!r.End)
        {
            var (f, w) = r.Key();
            if (f != 7) { r.Skip(w); continue; }
            var g = new Reader(r.Bytes());
            while (!g.End)
            {
                var (gf, gw) = g.Key();
                if (gf == 1) return ParseNode(g.Bytes());
                g.Skip(gw);
            }
        }
        throw new InvalidDataException($"{modelPath}: no node");
    }

    private static NodeData ParseNode(ReadOnlySpan<byte> data)
    {
        var r = new Reader(data);
        var inputs = new List<string>();
        var attrs = new Dictionary<string, object>();
        string op = "";
        while (!r.End)
        {
            var (f, w) = r.Key();
            switch (f)
            {
                case 1: inputs.Add(Encoding.UTF8.GetString(r.Bytes())); break;
                case 4: op = Encoding.UTF8.GetString(r.Bytes()); break;
                case 5:
                    var a = new Reader(r.Bytes());
                    string name = "";
                    object? value = null;
                    var ints = new List<long>();
                    while (!a.End)
                    {
                        var (af, aw) = a.Key();
                        switch (af)
                        {
                            case 1: name = Encoding.UTF8.GetString(a.Bytes()); break;
                            case 2: value = a.Fixed32(); break;
                            case 3: value = (long)a.Varint(); break;
                            case 4: value = Encoding.UTF8.GetString(a.Bytes()); break;
                            case 8: Longs(ref a, aw, ints); break;
                            default: a.Skip(aw); break;
                        }
                    }
                    attrs[name] = value ?? ints.ToArray();
                    break;
                default: r.Skip(w); break;
            }
        }
        return new NodeData(op, inputs.ToArray(), attrs);
    }

    /// <summary>The node, its inputs by name (absent optional inputs missing) and the expected first output.</summary>
    public static (NodeData Node, Dictionary<string, TensorData> Inputs, TensorData Output) Load(string testDir)
    {
        var node = Node(Path.Combine(testDir, "model.onnx"));
        var set = Path.Combine(testDir, "test_data_set_0");
        var inputs = new Dictionary<string, TensorData>();
        var present = node.Inputs.Where(n => n.Length > 0).ToArray();
        for (int k = 0; File.Exists(Path.Combine(set, $"input_{k}.pb")); k++)
        {
            var t = Tensor(File.ReadAllBytes(Path.Combine(set, $"input_{k}.pb")));
            inputs[t.Name.Length > 0 ? t.Name : present[k]] = t;
        }
        return (node, inputs, Tensor(File.ReadAllBytes(Path.Combine(set, "output_0.pb"))));
    }
}
