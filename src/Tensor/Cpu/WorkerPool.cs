namespace TinyKd.Tensors.Cpu;

/// <summary>A unit of parallel work: <see cref="Execute"/> is called once for every task index.</summary>
/// <remarks>
/// Kernels keep one job object per call site and set its fields before each run, so a parallel kernel call
/// allocates nothing. Tasks must write disjoint outputs; which thread runs which task is not fixed, so a task must
/// not depend on it (results then do not depend on the thread count).
/// </remarks>
internal abstract class ParallelJob
{
    /// <summary>Runs task <paramref name="task"/>.</summary>
    public abstract void Execute(int task);
}

/// <summary>
/// A small fixed pool of worker threads for the CPU kernels: the caller and up to <see cref="CpuKernels.Threads"/>
/// − 1 workers take task indices from a shared counter until none remain. Workers are started on first use and
/// park on an event between runs. One run at a time (callers are serialised by a lock); a run issued from inside a
/// task executes inline. Tasks must not throw: kernels run on inputs validated at the public boundary.
/// </summary>
internal static class WorkerPool
{
    private static readonly object Gate = new();
    private static readonly List<Worker> Workers = [];
    [ThreadStatic] private static bool t_insideRun;

    private static ParallelJob? s_job;
    private static int s_taskCount;
    private static int s_nextTask;
    private static int s_pending;

    /// <summary>Runs <paramref name="job"/> for tasks 0 … <paramref name="taskCount"/> − 1 and returns when all are done.</summary>
    public static void Run(ParallelJob job, int taskCount)
    {
        int threads = Math.Min(CpuKernels.Threads, taskCount);
        if (threads <= 1 || t_insideRun)
        {
            for (int t = 0; t < taskCount; t++) job.Execute(t);
            return;
        }
        lock (Gate)
        {
            while (Workers.Count < threads - 1) Workers.Add(new Worker());
            s_job = job;
            s_taskCount = taskCount;
            s_nextTask = 0;
            s_pending = threads - 1;
            for (int w = 0; w < threads - 1; w++) Workers[w].Wake();
            t_insideRun = true;
            try
            {
                Drain(job);
            }
            finally
            {
                t_insideRun = false;
                var spin = new SpinWait();
                while (Volatile.Read(ref s_pending) > 0) spin.SpinOnce(sleep1Threshold: -1);
                s_job = null;
            }
        }
    }

    private static void Drain(ParallelJob job)
    {
        int task;
        while ((task = Interlocked.Increment(ref s_nextTask) - 1) < s_taskCount) job.Execute(task);
    }

    private sealed class Worker
    {
        private readonly ManualResetEventSlim _wake = new(false, spinCount: 2000);

        public Worker()
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = "TinyKd kernel worker" };
            thread.Start();
        }

        public void Wake() => _wake.Set();

        private void Loop()
        {
            t_insideRun = true;
            while (true)
            {
                _wake.Wait();
                _wake.Reset();
                try
                {
                    Drain(s_job!);
                }
                finally
                {
                    Interlocked.Decrement(ref s_pending);
                }
            }
        }
    }
}
