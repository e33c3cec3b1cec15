using TinyKd.Recommender;

namespace TinyKd.Tests.Recommender.Data;

public class NegativeSamplerTests
{
    // User 1 (dense 0) has seen 45 of 50 items; user 2 (dense 1) rated all 50 positively, so items 48 and 49 are held out.
    private static readonly InteractionData Data = LeaveLastOutSplit.Create(RatingsFixtures.MostlySeen(movies: 50, unseen: 5));

    [Fact]
    public void Sampler_draws_only_unseen_items_and_reaches_each_of_them_about_equally()
    {
        var sampler = new NegativeSampler(Data, seed: 11);
        var counts = new int[Data.ItemCount];

        for (int n = 0; n < 10_000; n++) counts[sampler.Sample(0)]++;

        for (int item = 0; item < Data.ItemCount; item++)
        {
            if (Data.IsSeen(0, item)) Assert.True(counts[item] == 0, $"seed 11: seen item {item} drawn {counts[item]} times");
            else Assert.InRange(counts[item], 1_800, 2_200);
        }
    }

    [Fact]
    public void Sampler_can_draw_the_held_out_items_which_are_not_seen()
    {
        var sampler = new NegativeSampler(Data, seed: 3);
        var drawn = new HashSet<int>();

        for (int n = 0; n < 2_000; n++) drawn.Add(sampler.Sample(1));

        Assert.Equal([Data.ValidationItem[1], Data.TestItem[1]], drawn.Order());
    }

    [Fact]
    public void Sampler_repeats_its_draws_for_the_same_seed_and_changes_them_for_another()
    {
        int[] Draws(ulong seed)
        {
            var sampler = new NegativeSampler(Data, seed);
            return Enumerable.Range(0, 64).Select(_ => sampler.Sample(0)).ToArray();
        }

        int[] first = Draws(5), again = Draws(5), otherSeed = Draws(6);
        Assert.Equal(first, again);
        Assert.NotEqual(first, otherSeed);
    }

    [Fact]
    public void Sampler_fill_gives_the_same_draws_as_repeated_samples()
    {
        var one = new NegativeSampler(Data, seed: 9);
        var filled = new NegativeSampler(Data, seed: 9);
        var destination = new int[32];

        int[] expected = Enumerable.Range(0, 32).Select(_ => one.Sample(0)).ToArray();
        filled.Fill(0, destination);

        Assert.Equal(expected, destination);
    }

    [Fact]
    public void Sampler_refuses_a_user_who_has_seen_every_item_naming_the_user()
    {
        InteractionData data = LeaveLastOutSplit.Create(RatingsFixtures.Table([(7, 1, 2f, 1), (7, 2, 3f, 2), (8, 1, 5f, 3)]));
        var sampler = new NegativeSampler(data, seed: 1);

        var error = Assert.Throws<InvalidOperationException>(() => sampler.Sample(0));

        Assert.Contains("User 0 (raw id 7) has seen all 2 items", error.Message);
        Assert.Equal(1, sampler.Sample(1));
    }
}
