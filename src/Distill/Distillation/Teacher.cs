using TinyKd.Autograd.Nn;
using TinyKd.Distill.Data;

namespace TinyKd.Distill.Distillation;

/// <summary>
/// A frozen teacher: either a network (run in evaluation mode) or a file of its precomputed logits, one row per
/// transfer-set sample in the data's order — so a teacher trained anywhere (PyTorch on a cluster) can be distilled
/// here. Several teachers are combined by their <see cref="Weight"/>s.
/// </summary>
public sealed class Teacher
{
    private Teacher(string name, float weight, Mlp? model, float[]? logits, int rows, int classes)
    {
        if (!(weight > 0f) || !float.IsFinite(weight))
            throw new ArgumentOutOfRangeException(nameof(weight), $"Teacher '{name}' needs a finite weight > 0; got {weight}.");
        Name = name;
        Weight = weight;
        Model = model;
        Logits = logits;
        Rows = rows;
        Classes = classes;
    }

    /// <summary>Where the teacher came from (file name or description).</summary>
    public string Name { get; }

    /// <summary>Its weight among several teachers (they are normalised to sum to 1).</summary>
    public float Weight { get; }

    /// <summary>The network, or null for precomputed logits.</summary>
    public Mlp? Model { get; }

    /// <summary>Precomputed logits [Rows, Classes] row-major, or null for a network.</summary>
    public float[]? Logits { get; }

    /// <summary>The number of precomputed rows (0 for a network).</summary>
    public int Rows { get; }

    /// <summary>The number of classes it scores.</summary>
    public int Classes { get; }

    /// <summary>
    /// A network teacher; it runs in evaluation mode (on graphs of its own, so its mode is left as it is) and is never
    /// updated.
    /// </summary>
    public static Teacher FromModel(Mlp model, string name = "teacher", float weight = 1f)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new Teacher(name, weight, model, null, 0, model.Spec.OutputSize);
    }

    /// <summary>A teacher given by its logits for every transfer-set row, [rows, classes] row-major.</summary>
    /// <exception cref="ArgumentException">The array does not hold rows × classes finite values.</exception>
    public static Teacher FromLogits(float[] logits, int rows, int classes, string name, float weight = 1f)
    {
        ArgumentNullException.ThrowIfNull(logits);
        if (rows < 1 || classes < 1 || logits.Length != (long)rows * classes)
            throw new ArgumentException($"Teacher logits '{name}': {logits.Length} values do not make [{rows}, {classes}].", nameof(logits));
        for (int i = 0; i < logits.Length; i++)
            if (!float.IsFinite(logits[i]))
                throw new ArgumentException($"Teacher logits '{name}' hold {logits[i]} at row {i / classes}, column {i % classes}.", nameof(logits));
        return new Teacher(name, weight, null, logits, rows, classes);
    }

    /// <summary>A teacher read from a NumPy file of float32 logits [N, C] (see <see cref="NpyFile"/>).</summary>
    /// <exception cref="InvalidDataException">The file is not a float32 [N, C] array (the message names it).</exception>
    public static Teacher FromNpy(string path, float weight = 1f)
    {
        float[] logits = NpyFile.ReadFloat32Matrix(path, out int rows, out int columns);
        try
        {
            return FromLogits(logits, rows, columns, path, weight);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException(e.Message, e);
        }
    }

    /// <summary>
    /// The teacher on a subset of the rows its logits were computed for, in the order given (a transfer set drawn from
    /// that data); a network teacher scores any rows and is returned as it is.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A row is outside [0, <see cref="Rows"/>).</exception>
    public Teacher SelectRows(IReadOnlyList<int> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (Logits is null) return this;
        var picked = new float[rows.Count * Classes];
        for (int i = 0; i < rows.Count; i++)
        {
            if ((uint)rows[i] >= (uint)Rows)
                throw new ArgumentOutOfRangeException(nameof(rows), $"Row {rows[i]} is outside the {Rows} rows of teacher logits '{Name}'.");
            Logits.AsSpan(rows[i] * Classes, Classes).CopyTo(picked.AsSpan(i * Classes, Classes));
        }
        return new Teacher(Name, Weight, null, picked, rows.Count, Classes);
    }

    /// <summary>"teacher 784-1200-1200-10" or "logits t.npy [60000, 10]".</summary>
    public override string ToString() => Model is not null ? $"{Name} {Model.Spec}" : $"logits {Name} [{Rows}, {Classes}]";
}
