using TinyKd.Distill.Data;
using TinyKd.Tests.Support;

namespace TinyKd.Tests.Data;

public class BatchLoaderTests
{
    [Fact]
    public void Same_seed_gives_the_same_order()
    {
        var data = DataFixtures.Indexed(50);

        Assert.Equal(EpochOrders(new BatchLoader(data, 8, seed: 3), 2), EpochOrders(new BatchLoader(data, 8, seed: 3), 2));
    }

    [Fact]
    public void Different_seeds_give_different_orders()
    {
        var data = DataFixtures.Indexed(50);

        Assert.NotEqual(EpochOrders(new BatchLoader(data, 8, seed: 3), 1), EpochOrders(new BatchLoader(data, 8, seed: 4), 1));
    }

    [Fact]
    public void Each_epoch_has_a_new_order()
    {
        var orders = EpochOrders(new BatchLoader(DataFixtures.Indexed(50), 8, seed: 3), 2);

        Assert.NotEqual(orders[0], orders[1]);
    }

    [Fact]
    public void Every_example_appears_exactly_once_per_epoch_with_its_own_label()
    {
        var data = DataFixtures.Indexed(37);
        var loader = new BatchLoader(data, 5, seed: 9);

        for (int epoch = 0; epoch < 3; epoch++)
        {
            loader.StartEpoch();
            var seen = new List<int>();
            while (loader.Next(out var batch))
            {
                for (int i = 0; i < batch.Count; i++)
                {
                    int row = (int)batch.Features.Span[i * data.FeatureCount];
                    Assert.Equal(data.Labels[row], batch.Labels.Span[i]);
                    Assert.Equal(data.Row(row).ToArray(), batch.Features.Span.Slice(i * data.FeatureCount, data.FeatureCount).ToArray());
                    seen.Add(row);
                }
            }
            Assert.Equal(Enumerable.Range(0, 37), seen.Order());
        }
    }

    [Fact]
    public void Last_partial_batch_holds_the_remainder()
    {
        var loader = new BatchLoader(DataFixtures.Indexed(23), 10, seed: 1);

        Assert.Equal([10, 10, 3], BatchSizes(loader));
        Assert.Equal(3, loader.BatchesPerEpoch);
    }

    [Fact]
    public void Drop_last_skips_the_partial_batch()
    {
        var loader = new BatchLoader(DataFixtures.Indexed(23), 10, seed: 1, dropLast: true);

        Assert.Equal([10, 10], BatchSizes(loader));
        Assert.Equal(2, loader.BatchesPerEpoch);
    }

    [Fact]
    public void Without_shuffle_batches_follow_the_dataset_order()
    {
        var orders = EpochOrders(new BatchLoader(DataFixtures.Indexed(12), 5, seed: 1, shuffle: false), 1);

        Assert.Equal(Enumerable.Range(0, 12), orders[0]);
    }

    [Fact]
    public void Starting_epoch_e_directly_reproduces_the_order_of_an_uninterrupted_run()
    {
        var data = DataFixtures.Indexed(30);
        var uninterrupted = EpochOrders(new BatchLoader(data, 4, seed: 5), 3);
        var resumed = new BatchLoader(data, 4, seed: 5);

        resumed.StartEpoch(2);

        Assert.Equal(uninterrupted[2], Drain(resumed));
    }

    [Fact]
    public void Next_before_the_first_epoch_yields_nothing()
    {
        var loader = new BatchLoader(DataFixtures.Indexed(5), 2, seed: 1);

        Assert.False(loader.Next(out _));
    }

    [Fact]
    public void Constructor_rejects_a_batch_size_below_one()
    {
        var e = Assert.Throws<ArgumentException>(() => new BatchLoader(DataFixtures.Indexed(5), 0, seed: 1));

        Assert.Equal("batchSize", e.ParamName);
    }

    private static List<int> Drain(BatchLoader loader)
    {
        var rows = new List<int>();
        while (loader.Next(out var batch))
        {
            int d = batch.Features.Shape[1];
            for (int i = 0; i < batch.Count; i++) rows.Add((int)batch.Features.Span[i * d]);
        }
        return rows;
    }

    private static List<List<int>> EpochOrders(BatchLoader loader, int epochs)
    {
        var orders = new List<List<int>>();
        for (int e = 0; e < epochs; e++)
        {
            loader.StartEpoch();
            orders.Add(Drain(loader));
        }
        return orders;
    }

    private static List<int> BatchSizes(BatchLoader loader)
    {
        var sizes = new List<int>();
        loader.StartEpoch();
        while (loader.Next(out var batch))
        {
            Assert.Equal(batch.Count, batch.Features.Shape[0]);
            sizes.Add(batch.Count);
        }
        return sizes;
    }
}

[Collection(AllocationCollection.Name)]
public class BatchLoaderAllocationTests
{
    [Fact]
    public void Batches_allocate_nothing_in_steady_state()
    {
        var loader = new BatchLoader(DataFixtures.Indexed(103, features: 16), 10, seed: 2);
        float sink = 0;

        Allocations.AssertNone(() => sink += RunEpochs(loader, 2), "2 epochs of batches");

        Assert.True(sink > 0);
    }

    // Reads every batch of the epochs (their first feature and last label), so none can be skipped unseen.
    private static float RunEpochs(BatchLoader loader, int epochs)
    {
        float sum = 0;
        for (int e = 0; e < epochs; e++)
        {
            loader.StartEpoch();
            while (loader.Next(out var batch)) sum += batch.Features.Span[0] + batch.Labels.Span[batch.Count - 1];
        }
        return sum;
    }
}
