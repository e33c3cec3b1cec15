using System.Runtime.InteropServices;

namespace TinyKd.Distill.Interop;

/// <summary>A node attribute: an integer (e.g. transB, axis, Cast's to) or a float (e.g. LeakyRelu's alpha).</summary>
internal readonly record struct OnnxAttribute(string Name, long? Int, float? Float)
{
    public OnnxAttribute(string name, long value) : this(name, value, null) { }

    public OnnxAttribute(string name, float value) : this(name, null, value) { }
}

/// <summary>
/// The nodes and initializers of an ONNX GraphProto, collected in order and written with <see cref="ProtoWriter"/>
/// (field numbers from onnx.proto: GraphProto node 1, name 2, initializer 5, input 11, output 12; NodeProto input 1,
/// output 2, name 3, op_type 4, attribute 5; TensorProto dims 1, data_type 2, name 8, raw_data 9; ValueInfoProto
/// name 1, type 2; AttributeProto name 1, f 2, i 3, type 20).
/// </summary>
internal sealed class OnnxGraph
{
    /// <summary>TensorProto.DataType values: FLOAT, UINT8, INT8.</summary>
    public const int FloatType = 1, UInt8Type = 2, Int8Type = 3;
    private const int FloatAttribute = 1, IntAttribute = 2;  // AttributeProto.AttributeType
    private readonly List<Action<ProtoWriter>> _nodes = [];
    private readonly List<Action<ProtoWriter>> _initializers = [];
    private readonly HashSet<string> _constants = [];

    /// <summary>Adds a node; returns its output's name (<paramref name="output"/>, or a fresh one).</summary>
    public string Node(string op, IReadOnlyList<string> inputs, string? output = null, params OnnxAttribute[] attributes)
    {
        string name = $"{op.ToLowerInvariant()}{_nodes.Count}";
        return Add(op, name, inputs, [output ?? name], attributes)[0];
    }

    /// <summary>Adds a node with <paramref name="outputs"/> outputs; returns their fresh names, in order.</summary>
    public string[] Node(string op, IReadOnlyList<string> inputs, int outputs)
    {
        string name = $"{op.ToLowerInvariant()}{_nodes.Count}";
        return Add(op, name, inputs, [.. Enumerable.Range(0, outputs).Select(k => $"{name}.{k}")], []);
    }

    private string[] Add(string op, string name, IReadOnlyList<string> inputs, string[] outputs, OnnxAttribute[] attributes)
    {
        _nodes.Add(w =>
        {
            foreach (string input in inputs) w.String(1, input);
            foreach (string output in outputs) w.String(2, output);
            w.String(3, name).String(4, op);
            foreach (OnnxAttribute a in attributes)
                w.Message(5, attribute =>
                {
                    attribute.String(1, a.Name);
                    if (a.Int is { } i) attribute.Int(3, i).Int(20, IntAttribute);
                    else attribute.Float(2, a.Float!.Value).Int(20, FloatAttribute);
                });
        });
        return outputs;
    }

    /// <summary>Adds a float initializer of shape <paramref name="dims"/> (the values are copied now).</summary>
    public void Initializer(string name, int[] dims, ReadOnlySpan<float> values)
    {
        float[] copy = values.ToArray();
        _initializers.Add(t =>
        {
            foreach (int d in dims) t.Int(1, d);
            t.Int(2, FloatType).String(8, name).Floats(9, copy);
        });
    }

    /// <summary>Adds an INT8 initializer of shape <paramref name="dims"/> (the values are copied now).</summary>
    public void Initializer(string name, int[] dims, ReadOnlySpan<sbyte> values) =>
        ByteInitializer(name, dims, Int8Type, MemoryMarshal.AsBytes(values).ToArray());

    /// <summary>Adds a scalar UINT8 initializer (e.g. a fixed activation zero point).</summary>
    public void Initializer(string name, byte value) => ByteInitializer(name, [], UInt8Type, [value]);

    private void ByteInitializer(string name, int[] dims, int dataType, byte[] raw) =>
        _initializers.Add(t =>
        {
            foreach (int d in dims) t.Int(1, d);
            t.Int(2, dataType).String(8, name).Bytes(9, raw);
        });

    /// <summary>Adds a scalar float initializer once, however often it is asked for.</summary>
    public void Constant(string name, float value)
    {
        if (_constants.Add(name)) Initializer(name, [], [value]);
    }

    /// <summary>Writes the GraphProto: nodes, name, initializers, then the inputs and outputs as [batch, width] floats.</summary>
    public void Write(ProtoWriter graph, string name, (string Name, int Width) input, IReadOnlyList<(string Name, int Width)> outputs)
    {
        foreach (var node in _nodes) graph.Message(1, node);
        graph.String(2, name);
        foreach (var tensor in _initializers) graph.Message(5, tensor);
        graph.Message(11, v => ValueInfo(v, input));
        foreach (var output in outputs) graph.Message(12, v => ValueInfo(v, output));
    }

    // ValueInfoProto { name, type: TypeProto { tensor_type: { elem_type FLOAT, shape: [dim_param "batch", dim_value width] } } }.
    private static void ValueInfo(ProtoWriter value, (string Name, int Width) tensor) =>
        value.String(1, tensor.Name).Message(2, type => type.Message(1, t => t
            .Int(1, FloatType)
            .Message(2, shape => shape
                .Message(1, d => d.String(2, "batch"))
                .Message(1, d => d.Int(1, tensor.Width)))));
}
