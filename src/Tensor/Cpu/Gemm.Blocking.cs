namespace TinyKd.Tensors.Cpu;

/// <summary>
/// The cache blocking of the GEMM driver (the KC, NC and MC of Gemm's header) for one micro-kernel on one machine,
/// derived from the sizes of its caches rather than tuned constants.
/// </summary>
/// <remarks>
/// What each block must fit, in the driver's loop order (pc → ic → jc → ir → jr: an A micro-panel stays in L1 while
/// the B micro-panels of a B̃ block stream past it from L2):
/// <list type="bullet">
/// <item>KC: the A micro-panel, MR × KC floats, in 3/4 of L1d (the rest holds the B̃ rows streaming through and the
/// C tile), rounded down to 16 and kept within [64, 512]. Above 512 the C-tile traffic a longer K block saves is
/// under 1% of the kernel's time while B̃'s block (below) gets narrower for the same L2: on Zen 4, KC from 256 to
/// 768 measured within 3% at 1024³ on either kernel.</item>
/// <item>NC: the packed B̃ block, KC × NC floats, in half of L2 (the other half holds the Ã micro-panels as they
/// come from L3, and the next block's source being prefetched), rounded down to NR and at least 2·NR. A B̃ block
/// larger than L2 is the failure this rule prevents: KC 384 × NC 384 (576 KiB) fitted Zen 4's 1 MiB L2 but not
/// Zen 3's 512 KiB, where the AVX2 kernel then streamed B̃ from L3.</item>
/// <item>MC: the packed Ã block, MC × KC floats, in half of this thread's share of L3, rounded down to MR and kept
/// within [8·MR, 4096]: while M fits in MC (every MLP shape) each element of A and B is packed once per call.</item>
/// </list>
/// Examples (MR × NR = 12 × 32 AVX-512, 6 × 16 AVX2): Zen 4 (32 KiB, 1 MiB, 32 MiB for 2 threads) → AVX-512 KC 512,
/// NC 256, MC 4092; AVX2 KC 512, NC 256, MC 4092. Zen 3 (32 KiB, 512 KiB) → AVX2 KC 512, NC 128. Sapphire Rapids (48 KiB,
/// 2 MiB) → AVX-512 KC 512, NC 512.
/// </remarks>
/// <param name="KC">Largest K block.</param>
/// <param name="NC">Largest N block (columns of packed B̃).</param>
/// <param name="MC">Largest M block (rows of packed Ã).</param>
internal readonly record struct GemmBlocking(int KC, int NC, int MC)
{
    /// <summary>The blocking for an MR × NR micro-kernel on the given caches (see the remarks for each rule).</summary>
    public static GemmBlocking For(int mr, int nr, CpuCaches caches)
    {
        int kc = Math.Clamp((int)(caches.L1Data * 3 / 4 / (mr * sizeof(float))) / 16 * 16, 64, 512);
        int nc = Math.Max((int)Math.Min(caches.L2 / 2 / (kc * sizeof(float)), 1 << 16) / nr * nr, 2 * nr);
        int mc = Math.Clamp((int)Math.Min(caches.L3PerThread / 2 / (kc * sizeof(float)), 1 << 16) / mr * mr, 8 * mr, 4096 / mr * mr);
        return new GemmBlocking(kc, nc, mc);
    }
}

/// <summary>The blocking of micro-kernel <typeparamref name="TKernel"/> on this machine's caches, computed once.</summary>
internal static class GemmBlocking<TKernel> where TKernel : struct, IGemmKernel
{
    public static readonly GemmBlocking Value = GemmBlocking.For(TKernel.MR, TKernel.NR, CpuCaches.Current);

    /// <summary>E.g. "6×16 tile, KC 512, NC 256, MC 4092".</summary>
    public static string Description => $"{TKernel.MR}×{TKernel.NR} tile, KC {Value.KC}, NC {Value.NC}, MC {Value.MC}";
}
