using TinyKd.Tensors;

namespace TinyKd.Recommender;

/// <summary>
/// Which genres each item has, in compressed rows: item i's genres are Indices[Offsets[i] .. Offsets[i + 1]). This is
/// the multi-hot feature a NeuMF model averages with an embedding bag.
/// </summary>
public sealed class ItemGenres
{
    /// <summary>Wraps the compressed rows after checking them.</summary>
    /// <exception cref="ArgumentException">The offsets do not start at 0, decrease, or do not end at the index count; or a genre is out of range.</exception>
    public ItemGenres(int[] offsets, int[] indices, int genreCount)
    {
        ArgumentNullException.ThrowIfNull(offsets);
        ArgumentNullException.ThrowIfNull(indices);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(genreCount);
        if (offsets.Length < 1 || offsets[0] != 0 || offsets[^1] != indices.Length)
            throw new ArgumentException($"Genre offsets must run from 0 to {indices.Length} (the genre count).", nameof(offsets));
        for (int i = 0; i + 1 < offsets.Length; i++)
            if (offsets[i + 1] < offsets[i]) throw new ArgumentException($"Genre offsets decrease at item {i}.", nameof(offsets));
        for (int j = 0; j < indices.Length; j++)
            if ((uint)indices[j] >= (uint)genreCount)
                throw new ArgumentException($"Genre {indices[j]} at position {j} is outside [0, {genreCount}).", nameof(indices));
        Offsets = offsets;
        Indices = indices;
        GenreCount = genreCount;
    }

    /// <summary>Item count + 1 offsets into <see cref="Indices"/>.</summary>
    public int[] Offsets { get; }

    /// <summary>The genre numbers of every item, item after item.</summary>
    public int[] Indices { get; }

    /// <summary>The number of distinct genres.</summary>
    public int GenreCount { get; }

    /// <summary>The number of items.</summary>
    public int ItemCount => Offsets.Length - 1;

    /// <summary>The genres of <paramref name="item"/>.</summary>
    public ReadOnlySpan<int> Of(int item) => Indices.AsSpan(Offsets[item], Offsets[item + 1] - Offsets[item]);

    /// <summary>
    /// <see cref="Indices"/> and <see cref="Offsets"/> as int tensors of <paramref name="backend"/>: views of the arrays on
    /// the CPU, one upload on a device. The last backend's pair is kept, so a model that recomputes its genre features
    /// uploads them once.
    /// </summary>
    public (IntTensor Indices, IntTensor Offsets) On(ICompute backend)
    {
        ArgumentNullException.ThrowIfNull(backend);
        if (Volatile.Read(ref _onBackend) is { } kept && ReferenceEquals(kept.Indices.Backend, backend) && kept.Indices.Storage is not { IsDisposed: true })
            return (kept.Indices, kept.Offsets);
        var made = backend is CpuCompute
            ? new GenreTensors(IntTensor.FromArray(Indices), IntTensor.FromArray(Offsets))
            : new GenreTensors(IntTensor.Upload(Indices, backend), IntTensor.Upload(Offsets, backend));
        Volatile.Write(ref _onBackend, made);
        return (made.Indices, made.Offsets);
    }

    // Releases the kept copy if it lives on `backend` (a disposed model's); the next On uploads again.
    internal void ReleaseDeviceCopy(ICompute backend)
    {
        if (Volatile.Read(ref _onBackend) is { } kept && ReferenceEquals(kept.Indices.Backend, backend)
            && Interlocked.CompareExchange(ref _onBackend, null, kept) == kept)
        {
            DeviceMemory.Release(kept.Indices);
            DeviceMemory.Release(kept.Offsets);
        }
    }

    private GenreTensors? _onBackend;

    private sealed record GenreTensors(IntTensor Indices, IntTensor Offsets);
}
