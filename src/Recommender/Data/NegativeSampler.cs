using TinyKd.Tensors;

namespace TinyKd.Recommender;

/// <summary>
/// Draws training negatives: items uniform over those a user has not seen in training
/// (<see cref="InteractionData.Seen"/>), by rejection — draw <c>Rng.NextInt(ItemCount)</c> until the item is unseen.
/// Held-out validation and test items are not seen, so they can be drawn, as in the recipe. The draws depend only on
/// the generator's seed and the sequence of calls.
/// </summary>
public sealed class NegativeSampler
{
    private readonly InteractionData _data;
    private readonly Rng _rng;

    /// <summary>A sampler over <paramref name="data"/> with its own generator seeded by <paramref name="seed"/>.</summary>
    public NegativeSampler(InteractionData data, ulong seed) : this(data, new Rng(seed)) { }

    /// <summary>A sampler over <paramref name="data"/> drawing from <paramref name="rng"/>, which it advances.</summary>
    public NegativeSampler(InteractionData data, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(rng);
        _data = data;
        _rng = rng;
    }

    /// <summary>An item in [0, I) that <paramref name="user"/> has not seen in training.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="user"/> is not in [0, U).</exception>
    /// <exception cref="InvalidOperationException">The user has seen every item, so there is no negative to draw.</exception>
    public int Sample(int user)
    {
        ReadOnlySpan<int> seen = CheckUser(user);
        return Draw(seen);
    }

    /// <summary>Fills <paramref name="destination"/> with independent draws of <see cref="Sample"/> for <paramref name="user"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="user"/> is not in [0, U).</exception>
    /// <exception cref="InvalidOperationException">The user has seen every item, so there is no negative to draw.</exception>
    public void Fill(int user, Span<int> destination)
    {
        ReadOnlySpan<int> seen = CheckUser(user);
        for (int k = 0; k < destination.Length; k++) destination[k] = Draw(seen);
    }

    private int Draw(ReadOnlySpan<int> seen)
    {
        while (true)
        {
            int item = _rng.NextInt(_data.ItemCount);
            if (seen.BinarySearch(item) < 0) return item;
        }
    }

    private ReadOnlySpan<int> CheckUser(int user)
    {
        ReadOnlySpan<int> seen = _data.Seen(user);
        if (seen.Length >= _data.ItemCount)
            throw new InvalidOperationException(
                $"User {user} (raw id {_data.RawUserIds[user]}) has seen all {_data.ItemCount} items in training; there is no negative to sample.");
        return seen;
    }
}
