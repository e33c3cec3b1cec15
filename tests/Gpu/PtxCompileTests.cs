using System.Reflection;
using ILGPU;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using TinyKd.Gpu;
using TinyKd.Tests.Support;

namespace TinyKd.Tests.Gpu;

/// <summary>
/// Every kernel of the ILGPU backend compiled to PTX for an H100/H200 (compute capability 9.0) by ILGPU's own PTX
/// backend, which needs no GPU and no CUDA driver: a kernel the CUDA backend cannot compile fails here, in CI, and
/// not first on a lent GPU. The PTX also shows what the GPU will run: the GEMMs' shared-memory tiles and their
/// accumulators in registers (no local-memory arrays), the reductions' warp shuffles.
/// </summary>
public sealed class PtxCompileTests
{
    private static readonly Lazy<Dictionary<string, string>> Ptx = new(CompileAll);

    /// <summary>Every kernel method of src/Kernels.Gpu/Kernels, by "Class.Method".</summary>
    public static TheoryData<string> KernelNames()
    {
        var data = new TheoryData<string>();
        foreach (MethodInfo kernel in KernelMethods()) data.Add(NameOf(kernel));
        return data;
    }

    [Theory]
    [MemberData(nameof(KernelNames))]
    public void Every_kernel_compiles_to_ptx_for_compute_capability_9_without_local_memory(string kernel)
    {
        string ptx = Ptx.Value[kernel];
        Assert.Contains(".entry", ptx);
        Assert.DoesNotContain(".local", ptx);
        // scripts/device/prepare.sh keeps the PTX for ptxas on a CUDA machine (registers and spills per kernel).
        if (Environment.GetEnvironmentVariable("TINYKD_PTX_OUT") is { Length: > 0 } folder)
            File.WriteAllText(Path.Combine(folder, kernel + ".ptx"), ptx);
    }

    [Fact]
    public void Every_kernel_the_backend_loads_is_compiled()
    {
        // The kernels GpuKernels loads, named in its source by their methods; a kernel added outside the Kernels
        // classes (or not public static) would escape the theory above.
        string source = File.ReadAllText(Path.Combine(Repository.Root, "src", "Kernels.Gpu", "GpuKernels.cs"));
        var loaded = System.Text.RegularExpressions.Regex.Matches(source, @"\b(\w+Kernels\.\w+)\)")
            .Select(m => m.Groups[1].Value).Distinct().ToArray();
        Assert.True(loaded.Length >= 30, $"found only {loaded.Length} kernels loaded in GpuKernels.cs");
        Assert.All(loaded, name => Assert.True(Ptx.Value.ContainsKey(name), $"{name} is loaded but was not compiled to PTX"));
    }

    [Theory]
    [InlineData("GemmKernels.Tiled")]
    [InlineData("GemmKernels.RegisterBlocked")]
    [InlineData("GemmKernels.RegisterBlocked8")]
    public void The_gemm_kernels_stage_tiles_in_shared_memory_and_keep_their_accumulators_in_registers(string kernel)
    {
        string ptx = Ptx.Value[kernel];
        Assert.Contains("ld.shared.", ptx);
        Assert.Contains("bar.sync", ptx);
        Assert.DoesNotContain(".local", ptx);
        // mul/add without a rounding modifier may be fused into FFMA by ptxas; .rn would forbid it and halve the rate.
        Assert.DoesNotContain("mul.rn.f32", ptx);
        Assert.DoesNotContain("add.rn.f32", ptx);
    }

    [Theory]
    [InlineData("ReductionKernels.Sum")]
    [InlineData("ReductionKernels.NllLoss")]
    [InlineData("RowKernels.Softmax")]
    [InlineData("RowKernels.SoftmaxBackward")]
    [InlineData("RowKernels.KlDivergenceRows")]
    [InlineData("AxisKernels.ReduceWarp")]
    public void The_row_reductions_use_warp_shuffles(string kernel) => Assert.Contains("shfl.sync", Ptx.Value[kernel]);

    [Fact]
    public void A_kernel_with_an_indexed_local_array_is_seen_in_local_memory()
    {
        // The check above can fail: an array indexed by a run-time value cannot live in registers.
        MethodInfo kernel = typeof(PtxCompileTests).GetMethod(nameof(LocalArrayKernel), BindingFlags.NonPublic | BindingFlags.Static)!;
        using Context context = Context.Create(builder => builder.EnableAlgorithms());
        Assert.Contains(".local", Compile(NewBackend(context), kernel));
    }

    private static void LocalArrayKernel(Index1D i, ArrayView<float> y, int pick)
    {
        var acc = new float[8];
        for (int k = 0; k < 8; k++) acc[k] = y[i] * k;
        y[i] = acc[pick & 7];
    }

    private static Dictionary<string, string> CompileAll()
    {
        using Context context = Context.Create(builder => builder.EnableAlgorithms());
        PTXBackend backend = NewBackend(context);
        return KernelMethods().ToDictionary(NameOf, kernel => Compile(backend, kernel));
    }

    // Compute capability 9.0 (Hopper: H100, H200) and PTX ISA 8.0, the first to know it. ILGPU 1.5.3 writes
    // `.target sm_80` for it (the highest target it emits); the driver compiles that for the device.
    private static PTXBackend NewBackend(Context context)
    {
        var architecture = new CudaArchitecture(9, 0);
        return new PTXBackend(context, new CudaCapabilityContext(architecture), architecture, new CudaInstructionSet(8, 0), null);
    }

    private static string Compile(PTXBackend backend, MethodInfo kernel)
    {
        // Index1D first: ILGPU groups it (LoadAutoGroupedStreamKernel); otherwise the kernel is explicitly grouped.
        EntryPointDescription entry = kernel.GetParameters()[0].ParameterType == typeof(Index1D)
            ? EntryPointDescription.FromImplicitlyGroupedKernel(kernel)
            : EntryPointDescription.FromExplicitlyGroupedKernel(kernel);
        KernelSpecialization specialization = KernelSpecialization.Empty;
        try
        {
            return ((PTXCompiledKernel)backend.Compile(entry, specialization)).PTXAssembly;
        }
        catch (Exception e)
        {
            throw new InvalidOperationException($"{NameOf(kernel)} does not compile to PTX: {e.Message}", e);
        }
    }

    private static IEnumerable<MethodInfo> KernelMethods() =>
        typeof(GpuCompute).Assembly.GetTypes()
            .Where(t => t.Namespace == "TinyKd.Gpu.Kernels")
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Where(m => m.ReturnType == typeof(void) && m.GetParameters().Any(p => HoldsViews(p.ParameterType)))
            .OrderBy(NameOf, StringComparer.Ordinal);

    // An ArrayView, or a struct with one among its fields (a multi-tensor kernel's argument).
    private static bool HoldsViews(Type type) =>
        type.Name.StartsWith("ArrayView", StringComparison.Ordinal) ||
        (type.IsValueType && !type.IsPrimitive && type.Namespace == "TinyKd.Gpu.Kernels" &&
         type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic).Any(f => HoldsViews(f.FieldType)));

    private static string NameOf(MethodInfo kernel) => $"{kernel.DeclaringType!.Name}.{kernel.Name}";
}
