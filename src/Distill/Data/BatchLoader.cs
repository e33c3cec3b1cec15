using TinyKd.Tensors;

namespace TinyKd.Distill.Data;

/// <summary>
/// Yields a <see cref="Dataset"/> as mini-batches, reshuffled every epoch. The order of epoch e depends only on the
/// seed and e (the generator is reseeded from both), so a run resumed at epoch e sees the same batches.
/// Rows are gathered into one feature buffer [B, D] and one label buffer allocated at construction: nothing is
/// allocated per batch, and each <see cref="Batch"/> is a view that the next call overwrites.
/// </summary>
/// <example>
/// <code>
/// var loader = new BatchLoader(train, batchSize: 128, seed: 42);
/// for (int epoch = 0; epoch &lt; epochs; epoch++)
/// {
///     loader.StartEpoch();
///     while (loader.Next(out var batch)) Step(batch.Features, batch.Labels.Span);
/// }
/// </code>
/// </example>
public sealed class BatchLoader
{
    private readonly Dataset _dataset;
    private readonly ulong _seed;
    private readonly Rng _rng;
    private readonly int[] _order;
    private readonly Tensor _features;
    private readonly int[] _labels;
    private int _cursor;

    /// <summary>Creates a loader; call <see cref="StartEpoch()"/> before the first <see cref="Next"/>.</summary>
    /// <param name="dataset">The examples; the loader reads its features and labels but never changes them.</param>
    /// <param name="batchSize">Examples per batch, at least 1 (capped at N when larger).</param>
    /// <param name="seed">Seeds the shuffle; equal seeds give equal orders.</param>
    /// <param name="shuffle">False keeps the dataset's order (for evaluation).</param>
    /// <param name="dropLast">True skips the last batch when it would be smaller than <paramref name="batchSize"/>.</param>
    /// <exception cref="ArgumentException">The batch size is below 1.</exception>
    public BatchLoader(Dataset dataset, int batchSize, ulong seed, bool shuffle = true, bool dropLast = false)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        if (batchSize < 1) throw new ArgumentException($"The batch size must be at least 1; got {batchSize}.", nameof(batchSize));
        _dataset = dataset;
        _seed = seed;
        _rng = new Rng(seed);
        _order = new int[dataset.Count];
        int capacity = Math.Max(1, Math.Min(batchSize, dataset.Count));
        _features = Tensor.Zeros(capacity, dataset.FeatureCount);
        _labels = new int[capacity];
        BatchSize = batchSize;
        Shuffle = shuffle;
        DropLast = dropLast;
        Epoch = -1;
        _cursor = _order.Length;
    }

    /// <summary>The requested number of examples per batch.</summary>
    public int BatchSize { get; }

    /// <summary>Whether each epoch is shuffled.</summary>
    public bool Shuffle { get; }

    /// <summary>Whether a last batch smaller than <see cref="BatchSize"/> is skipped.</summary>
    public bool DropLast { get; }

    /// <summary>The current epoch, counted from 0; -1 before the first <see cref="StartEpoch()"/>.</summary>
    public int Epoch { get; private set; }

    /// <summary>The number of batches each epoch yields.</summary>
    public int BatchesPerEpoch => DropLast ? _order.Length / BatchSize : (_order.Length + BatchSize - 1) / BatchSize;

    /// <summary>Starts the next epoch: a fresh order of all N examples, from the first batch.</summary>
    public void StartEpoch() => StartEpoch(Epoch + 1);

    /// <summary>Starts epoch <paramref name="epoch"/> (to resume a run): its order is the one an uninterrupted run would see.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The epoch is negative.</exception>
    public void StartEpoch(int epoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        Epoch = epoch;
        _cursor = 0;
        for (int i = 0; i < _order.Length; i++) _order[i] = i;
        if (!Shuffle) return;
        Span<ulong> state = stackalloc ulong[4];
        for (int i = 0; i < state.Length; i++) state[i] = Rng.Hash(_seed, (ulong)epoch, (ulong)i);
        if ((state[0] | state[1] | state[2] | state[3]) == 0) state[0] = 1;
        _rng.SetState(state);
        _rng.Shuffle<int>(_order);
    }

    /// <summary>
    /// Gathers the next batch of this epoch into the loader's buffers. Returns false, with a default batch, once the
    /// epoch is exhausted (or before the first <see cref="StartEpoch()"/>).
    /// </summary>
    public bool Next(out Batch batch)
    {
        int remaining = _order.Length - _cursor;
        int count = Math.Min(BatchSize, remaining);
        if (count == 0 || (DropLast && count < BatchSize))
        {
            _cursor = _order.Length;
            batch = default;
            return false;
        }
        int d = _dataset.FeatureCount;
        var source = _dataset.Features.Span;
        var destination = _features.Span;
        var labels = _dataset.Labels;
        for (int i = 0; i < count; i++)
        {
            int row = _order[_cursor + i];
            source.Slice(row * d, d).CopyTo(destination.Slice(i * d, d));
            _labels[i] = labels[row];
        }
        var features = count == _labels.Length ? _features : _features.Slice(0, count);
        batch = new Batch(features, new ReadOnlyMemory<int>(_labels, 0, count), new ReadOnlyMemory<int>(_order, _cursor, count));
        _cursor += count;
        return true;
    }
}
