namespace TinyKd.Recommender;

/// <summary>The loss a recommender learns its training interactions with.</summary>
public enum RankingLoss
{
    /// <summary>Binary cross-entropy on logits: the positive's target is 1, each sampled negative's 0.</summary>
    Bce,
    /// <summary>Bayesian personalised ranking: −log σ(s_pos − s_neg) for each sampled negative.</summary>
    Bpr,
    /// <summary>Sampled softmax: cross-entropy of the list [positive, negatives…] with the positive as the class.</summary>
    SampledSoftmax,
}

/// <summary>How a student learns from a teacher's scores on top of its own loss.</summary>
public enum RankingDistillation
{
    /// <summary>No teacher: the student alone.</summary>
    None,
    /// <summary>Soft-label BCE: σ(t/T) as the target of every candidate of the list, scaled by T².</summary>
    SoftBce,
    /// <summary>Ranking distillation (Tang &amp; Wang, KDD 2018): the teacher's top-K unseen items as weighted extra positives.</summary>
    RankDistill,
    /// <summary>Listwise distillation: KL(softmax(t/T) ‖ softmax(s/T)) over a candidate list, scaled by T².</summary>
    Listwise,
}

/// <summary>The command-line and report names of the losses.</summary>
public static class RankingLossNames
{
    /// <summary>"bce", "bpr", "softmax".</summary>
    public static string Name(RankingLoss loss) => loss switch
    {
        RankingLoss.Bce => "bce",
        RankingLoss.Bpr => "bpr",
        _ => "softmax",
    };

    /// <summary>"none", "soft-bce", "rank-distill", "listwise".</summary>
    public static string Name(RankingDistillation kind) => kind switch
    {
        RankingDistillation.None => "none",
        RankingDistillation.SoftBce => "soft-bce",
        RankingDistillation.RankDistill => "rank-distill",
        _ => "listwise",
    };

    /// <summary>Parses a name of <see cref="Name(RankingLoss)"/>.</summary>
    /// <exception cref="ArgumentException">Unknown name (the message lists the valid ones).</exception>
    public static RankingLoss ParseLoss(string name) =>
        Enum.GetValues<RankingLoss>().FirstOrDefault(l => Name(l) == name, (RankingLoss)(-1)) is var l && l >= 0
            ? l
            : throw new ArgumentException($"Unknown ranking loss '{name}'; use bce, bpr or softmax.", nameof(name));

    /// <summary>Parses a name of <see cref="Name(RankingDistillation)"/>.</summary>
    /// <exception cref="ArgumentException">Unknown name (the message lists the valid ones).</exception>
    public static RankingDistillation ParseDistillation(string name) =>
        Enum.GetValues<RankingDistillation>().FirstOrDefault(k => Name(k) == name, (RankingDistillation)(-1)) is var k && k >= 0
            ? k
            : throw new ArgumentException($"Unknown ranking distillation '{name}'; use none, soft-bce, rank-distill or listwise.", nameof(name));
}
