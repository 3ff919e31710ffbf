using System.Globalization;
using System.Text;

namespace FeatureViz.Cli.Objectives;

/// <summary>
/// Parses the objective grammar (docs/objective-grammar.md):
/// <code>
/// expr   := ['-'] term (('+' | '-') term)*
/// term   := (number '*')* atom (('*' | '/') number)*
/// atom   := 'channel' ':' layer ':' indices
///         | 'neuron'  ':' layer ':' (indices | int '@' int ',' int)
///         | 'layer'   ':' layer [':' ('mean' | 'magnitude')]
///         | 'direction' ':' layer ':' path
///         | 'position-direction' ':' layer ':' path
///         | 'direction-neuron' ':' layer ':' path ['@' int ',' int]
///         | 'diversity' ':' layer | 'alignment' ':' layer
///         | 'interpolate' ':' layer ':' int ',' int [':' int]
///         | 'logit' ':' label
/// indices := range (',' range)*      range := int ['-' int]
/// layer  := int | '-' int | quoted | bare name (up to whitespace, ':', '+', '*')
/// </code>
/// </summary>
internal sealed class ObjectiveParser
{
    private static readonly string[] Kinds = ["channel", "neuron", "layer", "direction", "position-direction", "direction-neuron", "diversity", "alignment", "interpolate", "logit"];

    private const string KindList = "channel, neuron, layer, direction, position-direction, direction-neuron, diversity, alignment, interpolate or logit";

    /// <summary>Default number of images of an interpolate atom.</summary>
    public const int DefaultInterpolateSteps = 5;
    private readonly string _text;
    private int _pos;

    private ObjectiveParser(string text) => _text = text;

    /// <summary>Parses an expression; throws <see cref="ObjectiveSyntaxException"/> with the position and the expected token.</summary>
    public static ObjectiveExpression Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var p = new ObjectiveParser(text);
        var terms = new List<ObjectiveTerm>();
        p.SkipSpace();
        if (p.AtEnd) throw p.Error("an objective such as 'channel:LAYER:3'");
        double sign = 1;
        if (p.Peek == '-')
        {
            p._pos++;
            sign = -1;
        }
        terms.Add(p.ParseTerm(sign));
        while (true)
        {
            p.SkipSpace();
            if (p.AtEnd) break;
            char c = p.Peek;
            if (c != '+' && c != '-') throw p.Error("'+', '-', '*', '/' or the end of the objective");
            p._pos++;
            terms.Add(p.ParseTerm(c == '-' ? -1 : 1));
        }
        return new ObjectiveExpression(terms, text);
    }

    private bool AtEnd => _pos >= _text.Length;

    private char Peek => _text[_pos];

    private ObjectiveTerm ParseTerm(double weight)
    {
        SkipSpace();
        while (!AtEnd && (char.IsAsciiDigit(Peek) || Peek == '.'))
        {
            weight *= ParseNumber();
            SkipSpace();
            if (AtEnd || Peek != '*') throw Error("'*' after the weight");
            _pos++;
            SkipSpace();
        }
        var atom = ParseAtom();
        while (true)
        {
            SkipSpace();
            if (AtEnd || (Peek != '*' && Peek != '/')) break;
            bool divide = Peek == '/';
            _pos++;
            SkipSpace();
            int at = _pos;
            double n = ParseNumber();
            if (divide && n == 0) throw new ObjectiveSyntaxException(Format("division by zero", at), at);
            weight = divide ? weight / n : weight * n;
        }
        return new ObjectiveTerm(weight, atom);
    }

    private ObjectiveAtom ParseAtom()
    {
        int start = _pos;
        int end = _pos;
        while (end < _text.Length && (char.IsAsciiLetter(_text[end]) || (_text[end] == '-' && end > start && end + 1 < _text.Length && char.IsAsciiLetter(_text[end + 1])))) end++;
        string word = _text[start..end];
        string? kind = Kinds.FirstOrDefault(k => k == word.ToLowerInvariant());
        if (kind is null)
        {
            if (word.Length == 0) throw Error($"an objective kind ({KindList})");
            throw new ObjectiveSyntaxException(
                Format($"unknown objective kind '{word}': expected {KindList}", start), start);
        }
        _pos = end;
        Expect(':', $"':' after '{kind}'");
        if (kind == "logit")
        {
            int labelAt = _pos;
            string label = !AtEnd && (Peek == '\'' || Peek == '"') ? ReadQuoted() : ReadWhile(c => !char.IsWhiteSpace(c) && c != '+' && c != '*');
            if (label.Length == 0) throw new ObjectiveSyntaxException(Format("expected a class label (quote labels with spaces)", labelAt), labelAt);
            return new ObjectiveAtom(ObjectiveKind.Logit, LayerSpec.ByIndex(-1), [], [], Reduction.Magnitude, null, start) { Label = label };
        }
        var layer = ParseLayer();
        switch (kind)
        {
            case "channel":
                Expect(':', "':' and the channel index or range after the layer (e.g. channel:LAYER:5 or channel:LAYER:0-15)");
                return new ObjectiveAtom(ObjectiveKind.Channel, layer, ParseIndices("channel"), [], Reduction.Magnitude, null, start);
            case "neuron":
                Expect(':', "':' and the neuron after the layer (e.g. neuron:LAYER:7 or neuron:LAYER:C@X,Y)");
                return new ObjectiveAtom(ObjectiveKind.Neuron, layer, [], ParseNeurons(), Reduction.Magnitude, null, start);
            case "layer":
                var reducer = Reduction.Magnitude;
                if (!AtEnd && Peek == ':')
                {
                    _pos++;
                    int at = _pos;
                    string r = ReadWhile(char.IsAsciiLetter);
                    reducer = r.ToLowerInvariant() switch
                    {
                        "mean" => Reduction.Mean,
                        "magnitude" => Reduction.Magnitude,
                        _ => throw new ObjectiveSyntaxException(Format($"expected 'mean' or 'magnitude' but found {Describe(at)}", at), at),
                    };
                }
                return new ObjectiveAtom(ObjectiveKind.Layer, layer, [], [], reducer, null, start);
            case "diversity":
                return new ObjectiveAtom(ObjectiveKind.Diversity, layer, [], [], Reduction.Magnitude, null, start);
            case "alignment":
                return new ObjectiveAtom(ObjectiveKind.Alignment, layer, [], [], Reduction.Magnitude, null, start);
            case "interpolate":
            {
                Expect(':', "':' and two channels after the layer (e.g. interpolate:LAYER:3,7)");
                int a = ParseInt("the first channel");
                Expect(',', "',' between the two channels");
                int b = ParseInt("the second channel");
                int steps = DefaultInterpolateSteps;
                if (!AtEnd && Peek == ':')
                {
                    _pos++;
                    int at = _pos;
                    steps = ParseInt("the number of steps");
                    if (steps < 2) throw new ObjectiveSyntaxException(Format($"an interpolation needs at least 2 steps, not {steps}", at), at);
                }
                return new ObjectiveAtom(ObjectiveKind.Interpolate, layer, new IndexRanges([(0, steps - 1)]), [], Reduction.Magnitude, null, start)
                { Channels = (a, b), Steps = steps };
            }
            default:
            {
                Expect(':', "':' and the path of a .npy direction vector after the layer");
                int pathAt = _pos;
                bool neuron = kind == "direction-neuron";
                string path = !AtEnd && (Peek == '\'' || Peek == '"') ? ReadQuoted() : ReadWhile(c => !char.IsWhiteSpace(c) && c != '+' && c != '*' && !(neuron && c == '@'));
                if (path.Length == 0) throw new ObjectiveSyntaxException(Format("expected the path of a .npy direction vector", pathAt), pathAt);
                (int, int)? pos = null;
                if (neuron && !AtEnd && Peek == '@')
                {
                    _pos++;
                    int x = ParseInt("the x coordinate after '@'");
                    Expect(',', "',' between the x and y coordinates");
                    pos = (x, ParseInt("the y coordinate"));
                }
                var k = kind switch
                {
                    "direction-neuron" => ObjectiveKind.DirectionNeuron,
                    "position-direction" => ObjectiveKind.PositionDirection,
                    _ => ObjectiveKind.Direction,
                };
                return new ObjectiveAtom(k, layer, [], [], Reduction.Magnitude, path, start) { At = pos };
            }
        }
    }

    private LayerSpec ParseLayer()
    {
        if (AtEnd) throw Error("a layer name or index");
        if (Peek == '\'' || Peek == '"') return LayerSpec.ByName(ReadQuoted());
        int start = _pos;
        string token = ReadWhile(c => !char.IsWhiteSpace(c) && c != ':' && c != '+' && c != '*');
        if (token.Length == 0) throw new ObjectiveSyntaxException(Format($"expected a layer name or index but found {Describe(start)}", start), start);
        if (int.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int index))
            return LayerSpec.ByIndex(index);
        return LayerSpec.ByName(token);
    }

    /// <summary>Ranges are kept as ranges (<see cref="IndexRanges"/>): they are bounded against the layer before anything expands them.</summary>
    private IndexRanges ParseIndices(string what)
    {
        var ranges = new List<(int, int)>();
        while (true)
        {
            int at = _pos;
            int a = ParseInt($"a {what} index");
            int b = a;
            if (!AtEnd && Peek == '-')
            {
                _pos++;
                b = ParseInt($"the end of the {what} range");
                if (b < a) throw new ObjectiveSyntaxException(Format($"empty {what} range {a}-{b}: the end must not be below the start", at), at);
            }
            ranges.Add((a, b));
            if (AtEnd || Peek != ',') return new IndexRanges(ranges);
            _pos++;
        }
    }

    private IReadOnlyList<NeuronRef> ParseNeurons()
    {
        int save = _pos;
        int first = ParseInt("a neuron index or CHANNEL@X,Y");
        if (!AtEnd && Peek == '@')
        {
            _pos++;
            int x = ParseInt("the x coordinate after '@'");
            Expect(',', "',' between the x and y coordinates");
            int y = ParseInt("the y coordinate");
            return [NeuronRef.At(first, x, y)];
        }
        _pos = save;
        return new NeuronList(ParseIndices("neuron"));
    }

    private int ParseInt(string expected)
    {
        int start = _pos;
        string digits = ReadWhile(char.IsAsciiDigit);
        if (digits.Length == 0) throw new ObjectiveSyntaxException(Format($"expected {expected} but found {Describe(start)}", start), start);
        if (!int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out int v))
            throw new ObjectiveSyntaxException(Format($"number '{digits}' is too large", start), start);
        return v;
    }

    private double ParseNumber()
    {
        int start = _pos;
        while (!AtEnd && (char.IsAsciiDigit(Peek) || Peek == '.')) _pos++;
        if (!AtEnd && (Peek == 'e' || Peek == 'E'))
        {
            int save = _pos;
            _pos++;
            if (!AtEnd && (Peek == '+' || Peek == '-')) _pos++;
            if (AtEnd || !char.IsAsciiDigit(Peek)) _pos = save;
            else while (!AtEnd && char.IsAsciiDigit(Peek)) _pos++;
        }
        string s = _text[start.._pos];
        if (s.Length == 0 || !double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v))
            throw new ObjectiveSyntaxException(Format($"expected a number but found {Describe(start)}", start), start);
        return v;
    }

    private string ReadQuoted()
    {
        int start = _pos;
        char quote = _text[_pos++];
        int end = _text.IndexOf(quote, _pos);
        if (end < 0) throw new ObjectiveSyntaxException(Format($"unterminated quoted name: expected a closing {quote}", start), start);
        string s = _text[_pos..end];
        _pos = end + 1;
        if (s.Length == 0) throw new ObjectiveSyntaxException(Format("empty quoted name", start), start);
        return s;
    }

    private string ReadWhile(Func<char, bool> accept)
    {
        int start = _pos;
        while (!AtEnd && accept(Peek)) _pos++;
        return _text[start.._pos];
    }

    private void Expect(char c, string expected)
    {
        if (AtEnd || Peek != c) throw Error(expected);
        _pos++;
    }

    private void SkipSpace()
    {
        while (!AtEnd && char.IsWhiteSpace(Peek)) _pos++;
    }

    private ObjectiveSyntaxException Error(string expected) =>
        new(Format($"expected {expected} but found {Describe(_pos)}", _pos), _pos);

    private string Describe(int at) => at >= _text.Length ? "the end of the objective" : $"'{_text[at]}'";

    /// <summary>"position N (1-based): message", then the text and a caret under the position.</summary>
    private string Format(string message, int at)
    {
        var sb = new StringBuilder();
        sb.Append("objective '").Append(_text).Append("', position ").Append(at + 1).Append(": ").Append(message).AppendLine();
        sb.Append("  ").AppendLine(_text);
        sb.Append("  ").Append(' ', Math.Min(at, _text.Length)).Append('^');
        return sb.ToString();
    }
}
