using System.Globalization;
using System.Text;

namespace TinyKd.Tensors;

/// <summary>
/// A float32 tensor: a row-major, contiguous view (shape + element offset) over a <see cref="Storage"/>.
/// It is a small struct, so reshaping and slicing along the batch dimension create views without allocating or
/// copying. Several tensors may share one storage; writing through one is seen through the others.
/// </summary>
public readonly struct Tensor
{
    /// <summary>Creates a view of <paramref name="shape"/> starting at element <paramref name="offset"/> of a storage.</summary>
    /// <exception cref="ArgumentException">The view does not fit inside the storage.</exception>
    public Tensor(Storage storage, Shape shape, int offset = 0)
    {
        ArgumentNullException.ThrowIfNull(storage);
        if (offset < 0 || (long)offset + shape.Length > storage.Length)
            throw new ArgumentException(
                $"A view of shape {shape} at offset {offset} does not fit in a storage of {storage.Length} floats.", nameof(shape));
        Storage = storage;
        Shape = shape;
        Offset = offset;
    }

    /// <summary>The dimensions.</summary>
    public Shape Shape { get; }

    /// <summary>The memory this view reads; null only for <c>default(Tensor)</c>.</summary>
    public Storage Storage { get; }

    /// <summary>Index of the first element inside <see cref="Storage"/>.</summary>
    public int Offset { get; }

    /// <summary>Number of elements.</summary>
    public int Length => Shape.Length;

    /// <summary>Number of dimensions.</summary>
    public int Rank => Shape.Rank;

    /// <summary>True for <c>default(Tensor)</c>, which has no storage.</summary>
    public bool IsEmpty => Storage is null;

    /// <summary>The backend that owns the storage.</summary>
    public ICompute Backend => Storage.Backend;

    /// <summary>
    /// The numbers of a CPU tensor as a span (no copy).
    /// </summary>
    /// <exception cref="InvalidOperationException">The tensor lives on another backend; use <see cref="ToArray"/>.</exception>
    public Span<float> Span => Storage is CpuStorage cpu
        ? cpu.Data.AsSpan(cpu.Start + Offset, Length)
        : throw new InvalidOperationException(
            $"The tensor {Shape} lives on backend '{Storage?.Backend.Name ?? "none"}'; only CPU tensors expose a span. Use ToArray().");

    /// <summary>Allocates a zero-filled tensor on <paramref name="backend"/> (the CPU when null).</summary>
    public static Tensor Zeros(Shape shape, ICompute? backend = null) =>
        new((backend ?? CpuCompute.Default).Allocate(shape.Length), shape);

    /// <summary>Allocates a zero-filled CPU tensor.</summary>
    public static Tensor Zeros(params ReadOnlySpan<int> dims) => Zeros(new Shape(dims));

    /// <summary>Wraps a managed array as a CPU tensor without copying it.</summary>
    /// <exception cref="ArgumentException">The array length differs from the shape's element count.</exception>
    public static Tensor FromArray(float[] data, Shape shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Length != shape.Length)
            throw new ArgumentException($"An array of {data.Length} floats cannot be viewed as shape {shape} ({shape.Length} elements).", nameof(data));
        return new Tensor(new CpuStorage(CpuCompute.Default, data), shape);
    }

    /// <summary>Wraps a managed array as a CPU tensor without copying it.</summary>
    public static Tensor FromArray(float[] data, params ReadOnlySpan<int> dims) => FromArray(data, new Shape(dims));

    /// <summary>A new tensor of <paramref name="shape"/> on <paramref name="backend"/> holding a copy of <paramref name="values"/> (one upload).</summary>
    /// <exception cref="ArgumentException">The value count differs from the shape's element count.</exception>
    public static Tensor Upload(ReadOnlySpan<float> values, Shape shape, ICompute backend)
    {
        ArgumentNullException.ThrowIfNull(backend);
        var t = new Tensor(backend.Allocate(shape.Length), shape);
        backend.CopyFromHost(t, values);
        return t;
    }

    /// <summary>
    /// A view of the same elements with another shape; one dimension may be -1 and is then inferred.
    /// </summary>
    /// <exception cref="ArgumentException">The element counts differ or the -1 cannot be inferred.</exception>
    public Tensor Reshape(params ReadOnlySpan<int> dims)
    {
        Span<int> d = stackalloc int[Shape.MaxRank];
        if (dims.Length > Shape.MaxRank)
            throw new ArgumentException($"A tensor has at most {Shape.MaxRank} dimensions; got {dims.Length}.", nameof(dims));
        int infer = -1, known = 1;
        for (int i = 0; i < dims.Length; i++)
        {
            d[i] = dims[i];
            if (dims[i] == -1)
            {
                if (infer >= 0) throw new ArgumentException("Only one dimension of a reshape can be -1.", nameof(dims));
                infer = i;
            }
            else known *= dims[i];
        }
        if (infer >= 0)
        {
            if (known == 0 || Length % known != 0)
                throw new ArgumentException($"Cannot reshape {Shape} to [{string.Join(", ", dims.ToArray())}].", nameof(dims));
            d[infer] = Length / known;
        }
        var shape = new Shape(d[..dims.Length]);
        if (shape.Length != Length)
            throw new ArgumentException($"Cannot reshape {Shape} ({Length} elements) to {shape} ({shape.Length} elements).", nameof(dims));
        return new Tensor(Storage, shape, Offset);
    }

    /// <summary>A view with another shape of the same element count.</summary>
    public Tensor Reshape(Shape shape)
    {
        if (shape.Length != Length)
            throw new ArgumentException($"Cannot reshape {Shape} ({Length} elements) to {shape} ({shape.Length} elements).", nameof(shape));
        return new Tensor(Storage, shape, Offset);
    }

    /// <summary>
    /// The rows <c>[start, start + count)</c> along the first (batch) dimension, as a view that shares the storage.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The range lies outside the first dimension.</exception>
    public Tensor Slice(int start, int count)
    {
        if (Rank == 0) throw new InvalidOperationException("A scalar tensor cannot be sliced.");
        int n = Shape[0];
        if (start < 0 || count < 0 || start + count > n)
            throw new ArgumentOutOfRangeException(nameof(start), $"Rows [{start}, {start + count}) are outside dimension 0 of shape {Shape}.");
        int rowLength = n == 0 ? 0 : Length / n;
        return new Tensor(Storage, Shape.With(0, count), Offset + start * rowLength);
    }

    /// <summary>Copies the numbers to a new managed array (from any backend).</summary>
    public float[] ToArray()
    {
        var result = new float[Length];
        Backend.CopyToHost(this, result);
        return result;
    }

    /// <summary>The single value of a one-element tensor.</summary>
    /// <exception cref="InvalidOperationException">The tensor has more than one element.</exception>
    public float Item()
    {
        if (Length != 1) throw new InvalidOperationException($"Item() needs a one-element tensor; this one has shape {Shape}.");
        Span<float> one = stackalloc float[1];
        Backend.CopyToHost(this, one);
        return one[0];
    }

    /// <summary>The shape and, for small tensors, the values.</summary>
    public override string ToString()
    {
        if (IsEmpty) return "Tensor(empty)";
        var sb = new StringBuilder("Tensor").Append(Shape.ToString());
        if (Length <= 16)
        {
            sb.Append(" [");
            var values = ToArray();
            for (int i = 0; i < values.Length; i++)
            {
                if (i > 0) sb.Append(", ");
                sb.Append(values[i].ToString("G6", CultureInfo.InvariantCulture));
            }
            sb.Append(']');
        }
        return sb.ToString();
    }
}
