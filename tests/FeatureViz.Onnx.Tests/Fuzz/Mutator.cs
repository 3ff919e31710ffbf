using FeatureViz.Onnx.Graph;
using Google.Protobuf;
using Onnx;
using AttrType = Onnx.AttributeProto.Types.AttributeType;

namespace FeatureViz.Onnx.Tests.Fuzz;

/// <summary>Builds mutant <c>id</c> of a <see cref="MutantPlan"/>: the same bytes every time, on every machine.</summary>
internal sealed partial class Mutator(MutantPlan plan, string workDir)
{
    private readonly Dictionary<string, (byte[] Bytes, ModelProto Proto)> _seeds = new(StringComparer.Ordinal);
    private (byte[] Bytes, ModelProto Proto)? _resnet;

    public const string ResNetSeed = "ResNet18+ResNetPreprocess (bundled)";

    public Mutant Make(int id)
    {
        var kind = MutantPlan.KindOf(id);
        var r = MutantPlan.RandomFor(id);
        if (kind == MutationKind.ResNet18) return ResNet(id, r);
        if (kind == MutationKind.HotAttribute && IssueCase(id) is { } issue) return issue;
        var pool = kind == MutationKind.HotAttribute ? plan.HotSeeds : plan.Seeds;
        var seed = pool[r.Next(pool.Count)];
        var (bytes, proto) = Seed(seed);
        var m = proto.Clone();
        string what;
        var expect = Expectation.Any;
        switch (kind)
        {
            case MutationKind.Truncate:
                int cut = r.Next(bytes.Length);
                return new Mutant(id, kind, seed, $"truncated to {cut} of {bytes.Length} bytes", Expectation.Any, bytes.AsSpan(0, cut).ToArray(), null);
            case MutationKind.BitFlip:
                return FlipBits(id, seed, bytes, r);
            case MutationKind.ByteNoise:
                return Noise(id, seed, bytes, r);
            case MutationKind.Dims: what = MutateDims(m, r); break;
            case MutationKind.Attribute: what = MutateAttribute(m, r, hot: false); break;
            case MutationKind.HotAttribute: what = MutateAttribute(m, r, hot: true); break;
            case MutationKind.DataLength: what = MutateData(m, r); break;
            case MutationKind.Opset: (what, expect) = MutateOpset(m, r); break;
            case MutationKind.Cycle: (what, expect) = MakeCycle(m, r); break;
            case MutationKind.Dangling: (what, expect) = MakeDangling(m, r); break;
            case MutationKind.Duplicate: (what, expect) = MakeDuplicate(m, r); break;
            case MutationKind.Structure: what = MutateStructure(m, r); break;
            case MutationKind.Types: what = MutateTypes(m, r); break;
            case MutationKind.ExternalData: return External(id, seed, m, r);
            default: throw new InvalidOperationException(kind.ToString());
        }
        return new Mutant(id, kind, seed, what, expect, m.ToByteArray(), null);
    }

    /// <summary>Issue 9's reported shapes of attack: op (seed folder name part), attribute, value.</summary>
    private static readonly (string Seed, string Op, string Attr, long Value)[] IssueCases =
    [
        ("convtranspose", "ConvTranspose", "strides", 20_000), ("convtranspose", "ConvTranspose", "strides", 100_000),
        ("convtranspose", "ConvTranspose", "dilations", 20_000), ("convtranspose", "ConvTranspose", "dilations", 100_000),
        ("convtranspose", "ConvTranspose", "pads", 100_000), ("convtranspose", "ConvTranspose", "output_padding", 100_000),
        ("maxpool", "MaxPool", "pads", 100_000), ("maxpool", "MaxPool", "pads", 10_000), ("maxpool", "MaxPool", "strides", 100_000),
        ("maxpool", "MaxPool", "dilations", 100_000), ("averagepool", "AveragePool", "pads", 100_000), ("averagepool", "AveragePool", "strides", 100_000),
        ("conv_", "Conv", "pads", 100_000), ("conv_", "Conv", "strides", 100_000), ("conv_", "Conv", "dilations", 100_000),
        ("conv_", "Conv", "pads", int.MaxValue), ("convtranspose", "ConvTranspose", "strides", int.MaxValue), ("maxpool", "MaxPool", "kernel_shape", 100_000),
    ];

    /// <summary>The first HotAttribute mutants replay issue 9's attacks, each on three seeds that hold the op.</summary>
    private Mutant? IssueCase(int id)
    {
        int k = MutantPlan.IndexInKind(id);
        if (k >= IssueCases.Length * 3) return null;
        var (seedPart, op, attr, value) = IssueCases[k % IssueCases.Length];
        var seeds = plan.Seeds.Where(x => Path.GetFileName(Path.GetDirectoryName(x) ?? "").Contains(seedPart, StringComparison.OrdinalIgnoreCase)).ToList();
        var candidates = seeds.Where(x => Seed(x).Proto.Graph.Node.Any(n => n.OpType == op)).ToList();
        if (candidates.Count == 0) return null;
        var seed = candidates[k / IssueCases.Length * 7 % candidates.Count];
        var m = Seed(seed).Proto.Clone();
        var node = m.Graph.Node.First(n => n.OpType == op);
        var input = m.Graph.Input.FirstOrDefault(i => i.Name == node.Input[0]);
        int spatial = Math.Max(1, (input?.Type?.TensorType?.Shape?.Dim.Count ?? 4) - 2);
        var a = node.Attribute.FirstOrDefault(x => x.Name == attr);
        if (a is null) node.Attribute.Add(a = new AttributeProto { Name = attr, Type = AttrType.Ints });
        a.Type = AttrType.Ints;
        a.Ints.Clear();
        for (int i = 0; i < (attr == "pads" ? 2 * spatial : spatial); i++) a.Ints.Add(value);
        if (attr == "output_padding" && node.Attribute.FirstOrDefault(x => x.Name == "strides") is null)
            node.Attribute.Add(new AttributeProto { Name = "strides", Type = AttrType.Ints, Ints = { Enumerable.Repeat(value + 1, spatial) } });
        return new Mutant(id, MutationKind.HotAttribute, seed, $"issue 9: {op} {attr} = [{string.Join(", ", a.Ints)}]", Expectation.Any, m.ToByteArray(), null);
    }

    private (byte[] Bytes, ModelProto Proto) Seed(string path)
    {
        if (!_seeds.TryGetValue(path, out var s))
        {
            var b = File.ReadAllBytes(path);
            _seeds[path] = s = (b, ModelProto.Parser.ParseFrom(b));
        }
        return s;
    }

    private static Mutant FlipBits(int id, string seed, byte[] bytes, Random r)
    {
        var b = (byte[])bytes.Clone();
        int flips = 1 + r.Next(8);
        for (int i = 0; i < flips; i++) b[r.Next(b.Length)] ^= (byte)(1 << r.Next(8));
        return new Mutant(id, MutationKind.BitFlip, seed, $"{flips} bit(s) flipped", Expectation.Any, b, null);
    }

    private static Mutant Noise(int id, string seed, byte[] bytes, Random r)
    {
        var b = (byte[])bytes.Clone();
        int at = r.Next(b.Length), len = Math.Min(b.Length - at, 1 + r.Next(12));
        // 0xFF runs make maximal varints (lengths and dims near 2^63); 0x80 runs make unterminated ones.
        byte fill = (byte)(r.Next(4) switch { 0 => 0xFF, 1 => 0x80, 2 => 0x00, _ => r.Next(256) });
        for (int i = 0; i < len; i++) b[at + i] = r.Next(3) == 0 ? (byte)r.Next(256) : fill;
        return new Mutant(id, MutationKind.ByteNoise, seed, $"{len} byte(s) at {at} set to 0x{fill:X2}-ish", Expectation.Any, b, null);
    }

    private static string MutateDims(ModelProto m, Random r)
    {
        var g = m.Graph;
        var tensors = AllTensors(g).ToList();
        switch (r.Next(4))
        {
            case 0 when tensors.Count > 0:
                var t = tensors[r.Next(tensors.Count)];
                return $"tensor '{t.Name}': {RewriteDims(t.Dims, r)}";
            case 1 when g.Input.Count > 0:
                var vi = g.Input[r.Next(g.Input.Count)];
                return $"input '{vi.Name}': {RewriteShape(vi, r)}";
            case 2 when g.Output.Count + g.ValueInfo.Count > 0:
                var o = g.Output.Concat(g.ValueInfo).ElementAt(r.Next(g.Output.Count + g.ValueInfo.Count));
                return $"value '{o.Name}': {RewriteShape(o, r)}";
            default:
                // A new initializer with hostile dims and a little data.
                var n = new TensorProto { Name = $"fuzz_dims_{r.Next(1000)}", DataType = 1 };
                for (int i = r.Next(1, 5); i > 0; i--) n.Dims.Add(HostileValues.Dim(r));
                n.FloatData.Add(1f);
                g.Initializer.Add(n);
                return $"new initializer dims [{string.Join(", ", n.Dims)}]";
        }
    }

    private static string RewriteDims(Google.Protobuf.Collections.RepeatedField<long> dims, Random r)
    {
        switch (r.Next(4))
        {
            case 0 when dims.Count > 0: dims[r.Next(dims.Count)] = HostileValues.Dim(r); break;
            case 1: dims.Add(HostileValues.Dim(r)); break;
            case 2 when dims.Count > 0: dims.RemoveAt(r.Next(dims.Count)); break;
            default: for (int i = 0; i < dims.Count; i++) dims[i] = HostileValues.Dim(r); break;
        }
        return $"dims [{string.Join(", ", dims)}]";
    }

    private static string RewriteShape(ValueInfoProto vi, Random r)
    {
        vi.Type ??= new TypeProto();
        vi.Type.TensorType ??= new TypeProto.Types.Tensor { ElemType = 1 };
        var shape = vi.Type.TensorType.Shape ??= new TensorShapeProto();
        var dims = shape.Dim;
        switch (r.Next(4))
        {
            case 0 when dims.Count > 0: dims[r.Next(dims.Count)] = new TensorShapeProto.Types.Dimension { DimValue = HostileValues.Dim(r) }; break;
            case 1: dims.Add(new TensorShapeProto.Types.Dimension { DimValue = HostileValues.Dim(r) }); break;
            case 2 when dims.Count > 0: dims[r.Next(dims.Count)] = new TensorShapeProto.Types.Dimension { DimParam = r.Next(2) == 0 ? "" : "N\0/../x" }; break;
            default: for (int i = 0; i < r.Next(1, 40); i++) dims.Add(new TensorShapeProto.Types.Dimension { DimValue = r.Next(1, 4) }); break;
        }
        return $"shape [{string.Join(", ", dims.Select(d => d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue ? d.DimValue.ToString() : $"'{d.DimParam}'"))}]";
    }

    /// <summary>Initializers and the tensors inside Constant nodes' and other tensor attributes.</summary>
    private static IEnumerable<TensorProto> AllTensors(GraphProto g) =>
        g.Initializer.Concat(g.Node.SelectMany(n => n.Attribute).Where(a => a.T is not null).Select(a => a.T));

    private static readonly string[] GeometryAttrs = ["strides", "pads", "dilations", "kernel_shape", "output_padding", "output_shape"];
    private static readonly string[] OtherAttrs = ["axis", "axes", "perm", "keepdims", "group", "to", "blocksize", "size", "k", "count_include_pad", "ceil_mode", "storage_order", "select_last_index"];

    private static string MutateAttribute(ModelProto m, Random r, bool hot)
    {
        var nodes = m.Graph.Node;
        if (nodes.Count == 0) return "no node to mutate";
        var n = nodes[r.Next(nodes.Count)];
        if (hot && r.Next(3) != 0 || n.Attribute.Count == 0)
        {
            // Add (or replace) a geometry attribute with hostile values.
            var name = hot || r.Next(2) == 0 ? GeometryAttrs[r.Next(GeometryAttrs.Length)] : OtherAttrs[r.Next(OtherAttrs.Length)];
            var existing = n.Attribute.FirstOrDefault(a => a.Name == name);
            int len = existing?.Ints.Count > 0 ? existing.Ints.Count : r.Next(1, 5);
            var a = existing ?? new AttributeProto { Name = name, Type = AttrType.Ints };
            if (existing is null) n.Attribute.Add(a);
            a.Ints.Clear();
            var big = hot ? HostileValues.Geometry(r) : HostileValues.Long(r);
            for (int i = 0; i < len; i++) a.Ints.Add(r.Next(4) == 0 ? r.Next(0, 3) : big);
            if (r.Next(5) == 0) a.Ints.Add(HostileValues.Long(r));
            if (name is "axis" or "group" or "to" or "blocksize" or "size" or "k" or "keepdims") { a.Type = AttrType.Int; a.I = big; a.Ints.Clear(); }
            return $"node '{n.Name}' ({n.OpType}): {name} = {(a.Type == AttrType.Int ? a.I.ToString() : $"[{string.Join(", ", a.Ints)}]")}";
        }
        var at = n.Attribute[r.Next(n.Attribute.Count)];
        string desc;
        switch (r.Next(8))
        {
            case 0:
                at.Type = (AttrType)r.Next(-1, 16);
                desc = $"type -> {at.Type}";
                break;
            case 1:
                at.I = HostileValues.Long(r);
                desc = $"i = {at.I}";
                break;
            case 2:
                at.F = HostileValues.Float(r);
                desc = $"f = {at.F}";
                break;
            case 3:
                if (at.Ints.Count == 0) at.Ints.Add(1);
                at.Ints[r.Next(at.Ints.Count)] = HostileValues.Long(r);
                desc = $"ints = [{string.Join(", ", at.Ints)}]";
                break;
            case 4:
                at.Floats.Add(HostileValues.Float(r));
                if (at.Floats.Count > 0) at.Floats[r.Next(at.Floats.Count)] = HostileValues.Float(r);
                desc = $"floats = [{string.Join(", ", at.Floats)}]";
                break;
            case 5:
                at.S = ByteString.CopyFrom(r.Next(2) == 0 ? [0xFF, 0xFE, 0x00] : "NOT_A_MODE\0"u8.ToArray());
                desc = "s = garbage";
                break;
            case 6 when at.T is not null:
                desc = $"t: {RewriteDims(at.T.Dims, r)}";
                break;
            default:
                at.Ints.Clear();
                at.Floats.Clear();
                at.Strings.Clear();
                at.T = null;
                at.G = null;
                desc = "payload cleared";
                break;
        }
        return $"node '{n.Name}' ({n.OpType}) attribute '{at.Name}': {desc}";
    }

    private static readonly int[] DataTypes = [0, -1, 1, 2, 3, 6, 7, 8, 9, 10, 11, 14, 15, 16, 17, 18, 23, 999];

    private static string MutateData(ModelProto m, Random r)
    {
        var tensors = AllTensors(m.Graph).ToList();
        if (tensors.Count == 0)
        {
            var n = new TensorProto { Name = "fuzz_data", DataType = 1 };
            n.Dims.Add(4);
            m.Graph.Initializer.Add(n);
            tensors.Add(n);
        }
        var t = tensors[r.Next(tensors.Count)];
        switch (r.Next(7))
        {
            case 0:
                var raw = t.RawData.ToByteArray();
                int newLen = Math.Max(0, raw.Length + r.Next(-9, 10));
                Array.Resize(ref raw, newLen);
                t.RawData = ByteString.CopyFrom(raw);
                return $"tensor '{t.Name}': raw_data {newLen} bytes";
            case 1:
                if (r.Next(2) == 0) t.FloatData.Add(1f); else t.Int64Data.Add(7);
                return $"tensor '{t.Name}': one typed value too many";
            case 2:
                t.FloatData.Clear(); t.Int32Data.Clear(); t.Int64Data.Clear(); t.DoubleData.Clear(); t.RawData = ByteString.Empty;
                return $"tensor '{t.Name}': no data";
            case 3:
                t.DataType = DataTypes[r.Next(DataTypes.Length)];
                return $"tensor '{t.Name}': data_type {t.DataType}";
            case 4:
                t.FloatData.Add(2f);
                t.RawData = ByteString.CopyFrom(new byte[4 * Math.Max(1, t.Dims.Aggregate(1L, (a, b) => Math.Clamp(a * Math.Max(b, 1), 1, 64)))]);
                return $"tensor '{t.Name}': raw_data and float_data both set";
            case 5:
                t.DataLocation = TensorProto.Types.DataLocation.External;
                return $"tensor '{t.Name}': external without entries";
            default:
                t.Segment = new TensorProto.Types.Segment { Begin = HostileValues.Long(r), End = HostileValues.Long(r) };
                return $"tensor '{t.Name}': segment {t.Segment.Begin}..{t.Segment.End}";
        }
    }

    private static (string, Expectation) MutateOpset(ModelProto m, Random r)
    {
        switch (r.Next(7))
        {
            case 0:
                m.OpsetImport.Clear();
                return ("no opset import", m.IrVersion > 2 ? Expectation.Reject : Expectation.Any);
            case 1:
                foreach (var o in m.OpsetImport) o.Version = HostileValues.Long(r);
                return ($"opset version {m.OpsetImport.FirstOrDefault()?.Version}", Expectation.Any);
            case 2:
                foreach (var o in m.OpsetImport) if (o.Domain is "" or "ai.onnx") o.Domain = "com.evil";
                return ("default domain renamed to com.evil", m.IrVersion > 2 ? Expectation.Reject : Expectation.Any);
            case 3:
                m.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = HostileValues.Long(r) });
                return ("a second ai.onnx opset import", Expectation.Any);
            case 4:
                m.IrVersion = HostileValues.Long(r);
                return ($"ir_version {m.IrVersion}", m.IrVersion <= 0 ? Expectation.Reject : Expectation.Any);
            case 5 when m.Graph.Node.Count > 0:
                var n = m.Graph.Node[r.Next(m.Graph.Node.Count)];
                n.Domain = r.Next(2) == 0 ? "com.microsoft" : "../../etc";
                return ($"node '{n.Name}' domain '{n.Domain}'", Expectation.Reject);
            default:
                m.OpsetImport.Add(new OperatorSetIdProto { Domain = "com.evil\0", Version = long.MinValue });
                return ("an extra bogus-domain opset import", Expectation.Any);
        }
    }

    private static (string, Expectation) MakeCycle(ModelProto m, Random r)
    {
        var nodes = m.Graph.Node;
        var withInputs = Enumerable.Range(0, nodes.Count).Where(i => nodes[i].Input.Any(s => s.Length > 0) && nodes[i].Output.Any(s => s.Length > 0)).ToList();
        if (withInputs.Count == 0) return ("no node with inputs: unchanged", Expectation.Any);
        int a = withInputs[r.Next(withInputs.Count)];
        // A node downstream of a (or a itself): feeding its output back into a closes a cycle.
        var down = Downstream(nodes, a).Where(j => nodes[j].Output.Any(s => s.Length > 0)).ToList();
        int b = down[r.Next(down.Count)];
        var outName = nodes[b].Output.First(s => s.Length > 0);
        var slots = Enumerable.Range(0, nodes[a].Input.Count).Where(k => nodes[a].Input[k].Length > 0).ToList();
        int slot = slots[r.Next(slots.Count)];
        nodes[a].Input[slot] = outName;
        return ($"node {a} '{nodes[a].Name}' input {slot} <- '{outName}' of node {b}", Expectation.Reject);
    }

    private static List<int> Downstream(Google.Protobuf.Collections.RepeatedField<NodeProto> nodes, int start)
    {
        var seen = new HashSet<int> { start };
        var names = new HashSet<string>(nodes[start].Output.Where(s => s.Length > 0), StringComparer.Ordinal);
        for (bool grew = true; grew;)
        {
            grew = false;
            for (int j = 0; j < nodes.Count; j++)
                if (!seen.Contains(j) && nodes[j].Input.Any(names.Contains))
                {
                    seen.Add(j);
                    foreach (var o in nodes[j].Output) if (o.Length > 0) names.Add(o);
                    grew = true;
                }
        }
        return seen.Order().ToList();
    }

    private static (string, Expectation) MakeDangling(ModelProto m, Random r)
    {
        var g = m.Graph;
        if (r.Next(3) == 0 || g.Node.Count == 0)
        {
            if (g.Output.Count == 0) return ("no output: unchanged", Expectation.Any);
            var o = g.Output[r.Next(g.Output.Count)];
            o.Name = $"dangling_output_{r.Next(100)}";
            return ($"graph output renamed to '{o.Name}'", Expectation.Reject);
        }
        var n = g.Node[r.Next(g.Node.Count)];
        var name = r.Next(4) == 0 ? "../../etc/passwd" : $"dangling_{r.Next(100)}";
        if (n.Input.Count == 0 || r.Next(4) == 0) n.Input.Add(name);
        else n.Input[r.Next(n.Input.Count)] = name;
        return ($"node '{n.Name}' ({n.OpType}) reads '{name}'", Expectation.Reject);
    }

    private static (string, Expectation) MakeDuplicate(ModelProto m, Random r)
    {
        var g = m.Graph;
        var nodes = g.Node;
        switch (r.Next(6))
        {
            case 0 when nodes.Count >= 2:
                int a = r.Next(nodes.Count), b = (a + 1 + r.Next(nodes.Count - 1)) % nodes.Count;
                if (nodes[a].Output.Count == 0 || nodes[b].Output.Count == 0 || nodes[a].Output[0].Length == 0) break;
                nodes[b].Output[0] = nodes[a].Output[0];
                return ($"nodes {a} and {b} both produce '{nodes[a].Output[0]}'", Expectation.Reject);
            case 1 when nodes.Count > 0 && g.Input.Count > 0:
                var n = nodes[r.Next(nodes.Count)];
                if (n.Output.Count == 0) break;
                n.Output[0] = g.Input[0].Name;
                return ($"node '{n.Name}' overwrites graph input '{g.Input[0].Name}'", Expectation.Reject);
            case 2 when g.Initializer.Count > 0:
                g.Initializer.Add(g.Initializer[r.Next(g.Initializer.Count)].Clone());
                return ($"initializer '{g.Initializer[^1].Name}' twice", Expectation.Reject);
            case 3 when g.Input.Count > 0 && !g.Initializer.Any(t => t.Name == g.Input[0].Name):
                g.Input.Add(g.Input[0].Clone());
                return ($"graph input '{g.Input[0].Name}' twice", Expectation.Reject);
            case 4 when nodes.Count > 0 && nodes[0].Attribute.Count > 0:
                nodes[0].Attribute.Add(nodes[0].Attribute[0].Clone());
                return ($"node '{nodes[0].Name}' attribute '{nodes[0].Attribute[0].Name}' twice", Expectation.Reject);
        }
        if (g.Output.Count == 0) return ("no output: unchanged", Expectation.Any);
        g.Output.Add(g.Output[0].Clone());
        return ($"graph output '{g.Output[0].Name}' listed twice", Expectation.Any);
    }

    private static readonly string[] OpTypes = ["Conv", "ConvTranspose", "MaxPool", "AveragePool", "Reshape", "Gather", "Resize", "Pad", "Tile", "Expand", "ConstantOfShape", "Loop", "If", "Scan", "", "Einsum", "NonZero", "TopK", "Slice", "Concat", "Split", "Range", "MatMul", "Gemm", "Softmax", "Flatten", "Transpose", "Unsqueeze", "Squeeze", "Cast", "ReduceSum", "GlobalAveragePool", "LRN", "DepthToSpace", "BatchNormalization", "Upsample", "OneHot", "CumSum", "Where"];

    private static string MutateStructure(ModelProto m, Random r)
    {
        var g = m.Graph;
        var nodes = g.Node;
        if (nodes.Count == 0 || r.Next(10) == 0)
        {
            if (r.Next(2) == 0) { m.Graph = null; return "graph removed"; }
            nodes.Clear();
            return "all nodes removed";
        }
        var n = nodes[r.Next(nodes.Count)];
        switch (r.Next(7))
        {
            case 0:
                var old = n.OpType;
                n.OpType = OpTypes[r.Next(OpTypes.Length)];
                return $"node '{n.Name}' op {old} -> {n.OpType}";
            case 1:
                n.Input.Clear();
                return $"node '{n.Name}' ({n.OpType}) has no inputs";
            case 2:
                var names = g.Input.Select(i => i.Name).Concat(g.Initializer.Select(t => t.Name)).ToList();
                if (names.Count == 0) goto case 1;
                for (int i = r.Next(1, 6); i > 0; i--) n.Input.Add(names[r.Next(names.Count)]);
                return $"node '{n.Name}' ({n.OpType}) has {n.Input.Count} inputs";
            case 3:
                n.Output.Clear();
                return $"node '{n.Name}' ({n.OpType}) has no outputs";
            case 4:
                for (int i = 0; i < 20; i++) n.Output.Add(i % 2 == 0 ? "" : $"extra_{i}");
                return $"node '{n.Name}' ({n.OpType}) has {n.Output.Count} outputs";
            case 5:
                n.Name = "";
                if (n.Output.Count > 0) n.Output[0] = "";
                return $"node ({n.OpType}) has empty name and first output";
            default:
                var sub = new GraphProto { Name = "fuzz_sub" };
                sub.Node.Add(n.Clone());
                n.Attribute.Add(new AttributeProto { Name = r.Next(2) == 0 ? "body" : "then_branch", Type = AttrType.Graph, G = sub });
                return $"node '{n.Name}' ({n.OpType}) carries a subgraph attribute";
        }
    }

    private static string MutateTypes(ModelProto m, Random r)
    {
        var g = m.Graph;
        var all = g.Input.Concat(g.Output).ToList();
        if (all.Count == 0) return "no typed value: unchanged";
        var vi = all[r.Next(all.Count)];
        switch (r.Next(5))
        {
            case 0:
                vi.Type ??= new TypeProto();
                vi.Type.TensorType ??= new TypeProto.Types.Tensor();
                vi.Type.TensorType.ElemType = DataTypes[r.Next(DataTypes.Length)];
                return $"'{vi.Name}' elem_type {vi.Type.TensorType.ElemType}";
            case 1:
                vi.Type = null;
                return $"'{vi.Name}' has no type";
            case 2:
                vi.Type = new TypeProto { SequenceType = new TypeProto.Types.Sequence { ElemType = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = 1 } } } };
                return $"'{vi.Name}' is a sequence";
            case 3:
                if (vi.Type?.TensorType is { } tt) tt.Shape = null;
                return $"'{vi.Name}' has no shape";
            default:
                vi.Name = r.Next(2) == 0 ? "" : "x\0y";
                return $"a value is renamed to '{vi.Name.Replace("\0", "\\0")}'";
        }
    }
}
