namespace TinyKd.Tensors;

/// <summary>
/// Argument checks shared by every <see cref="ICompute"/> implementation, so each backend rejects the same bad
/// calls with the same message before any kernel runs.
/// </summary>
public static partial class ComputeChecks
{
    /// <summary>Throws unless <paramref name="t"/> is non-empty and owned by <paramref name="backend"/>.</summary>
    public static void Owned(ICompute backend, Tensor t, string name)
    {
        if (t.IsEmpty) throw new ArgumentException($"Tensor '{name}' is empty (default).", name);
        if (!ReferenceEquals(t.Backend, backend))
            throw new ArgumentException(
                $"Tensor '{name}' {t.Shape} lives on backend '{t.Backend.Name}' but the op runs on '{backend.Name}'.", name);
    }

    /// <summary>
    /// Throws unless the int tensor belongs to <paramref name="backend"/>; an empty (default) one passes, standing for
    /// no values (absent bag offsets, zero labels).
    /// </summary>
    public static void Owned(ICompute backend, IntTensor t, string name)
    {
        if (!t.IsEmpty && !ReferenceEquals(t.Backend, backend))
            throw new ArgumentException(
                $"Int tensor '{name}' ({t.Length} ints) lives on backend '{t.Backend.Name}' but the op runs on '{backend.Name}'.", name);
    }

    /// <summary>Throws unless both tensors hold the same number of elements.</summary>
    public static void SameLength(Tensor a, string aName, Tensor b, string bName)
    {
        if (a.Length != b.Length)
            throw new ArgumentException($"Tensors '{aName}' {a.Shape} and '{bName}' {b.Shape} must have the same number of elements.", bName);
    }

    /// <summary>Throws unless both tensors have the same shape.</summary>
    public static void SameShape(Tensor a, string aName, Tensor b, string bName)
    {
        if (a.Shape != b.Shape)
            throw new ArgumentException($"Tensors '{aName}' {a.Shape} and '{bName}' {b.Shape} must have the same shape.", bName);
    }

    /// <summary>
    /// The shape that <paramref name="a"/> and <paramref name="b"/> broadcast to under PyTorch's rule (see
    /// <see cref="Shape.TryBroadcast"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The shapes do not broadcast; the message names both and the conflicting dimension.</exception>
    public static Shape Broadcast(Tensor a, string aName, Tensor b, string bName)
    {
        if (Shape.TryBroadcast(a.Shape, b.Shape, out Shape shape, out int axis)) return shape;
        throw new ArgumentException(
            $"Tensors '{aName}' {a.Shape} and '{bName}' {b.Shape} cannot be broadcast together: dimension {axis} (counted from the end) " +
            $"is {a.Shape[axis]} in '{aName}' and {b.Shape[axis]} in '{bName}'; aligned from the last dimension, sizes must be equal or 1.", bName);
    }

    /// <summary>
    /// Throws unless <paramref name="small"/> broadcasts to exactly the shape of <paramref name="full"/> (each of its
    /// dimensions, aligned from the last, equal to full's or 1; no more dimensions than full).
    /// </summary>
    public static void BroadcastsTo(Tensor small, string smallName, Tensor full, string fullName)
    {
        if (small.Rank <= full.Rank && Shape.TryBroadcast(small.Shape, full.Shape, out Shape shape, out _) && shape == full.Shape) return;
        throw new ArgumentException(
            $"Tensor '{smallName}' {small.Shape} does not broadcast to the shape {full.Shape} of '{fullName}': aligned from the last dimension, " +
            $"each of its sizes must equal {fullName}'s or be 1.", smallName);
    }

    /// <summary>Throws unless the temperature is finite and positive.</summary>
    public static void Temperature(float temperature)
    {
        if (!(temperature > 0f) || float.IsInfinity(temperature))
            throw new ArgumentOutOfRangeException(nameof(temperature), $"The temperature must be finite and > 0; got {temperature}.");
    }

    /// <summary>
    /// The label of a row without one (a transfer-set sample): the cross-entropy primitives skip such rows, like
    /// PyTorch's <c>ignore_index=-1</c>.
    /// </summary>
    public const int Unlabelled = -1;

    /// <summary>
    /// Throws unless there is one label per row, each in [0, classes) or, when <paramref name="allowUnlabelled"/>,
    /// equal to <see cref="Unlabelled"/>.
    /// </summary>
    public static void Labels(ReadOnlySpan<int> labels, int rows, int classes, bool allowUnlabelled = false)
    {
        if (labels.Length != rows)
            throw new ArgumentException($"There are {labels.Length} labels for {rows} rows of logits.", nameof(labels));
        for (int i = 0; i < labels.Length; i++)
            if ((uint)labels[i] >= (uint)classes && !(allowUnlabelled && labels[i] == Unlabelled))
                throw new ArgumentOutOfRangeException(nameof(labels), $"Label {labels[i]} at index {i} is outside [0, {classes}).");
    }

    /// <summary>Throws unless every index lies in [0, <paramref name="rows"/>), naming the first that does not.</summary>
    public static void Indices(ReadOnlySpan<int> indices, int rows, string name)
    {
        for (int i = 0; i < indices.Length; i++)
            if ((uint)indices[i] >= (uint)rows)
                throw new ArgumentOutOfRangeException(name, $"Index {indices[i]} at position {i} of '{name}' is outside [0, {rows}).");
    }

    /// <summary>
    /// Throws unless <paramref name="offsets"/> describes <paramref name="bags"/> bags over <paramref name="count"/>
    /// indices (bags + 1 non-decreasing entries from 0 to count), or is empty and there is one index per bag.
    /// </summary>
    public static void BagOffsets(ReadOnlySpan<int> offsets, int bags, int count)
    {
        if (offsets.IsEmpty)
        {
            if (count != bags)
                throw new ArgumentException($"Without offsets every index is its own bag: {count} indices for {bags} rows.", nameof(offsets));
            return;
        }
        if (offsets.Length != bags + 1 || offsets[0] != 0 || offsets[^1] != count)
            throw new ArgumentException(
                $"Bag offsets must have {bags + 1} entries from 0 to {count}; got {offsets.Length} entries from {(offsets.IsEmpty ? 0 : offsets[0])} to {(offsets.IsEmpty ? 0 : offsets[^1])}.", nameof(offsets));
        for (int b = 0; b < bags; b++)
            if (offsets[b + 1] < offsets[b])
                throw new ArgumentException($"Bag offsets decrease at bag {b}: {offsets[b]} then {offsets[b + 1]}.", nameof(offsets));
    }
}
