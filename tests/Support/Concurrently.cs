namespace TinyKd.Tests.Support;

/// <summary>Runs one body on several dedicated threads released together, so that their calls really overlap.</summary>
internal static class Concurrently
{
    /// <summary>
    /// Runs <paramref name="body"/>(thread index) on <paramref name="threads"/> threads at once and waits for all of them.
    /// </summary>
    /// <exception cref="AggregateException">A thread threw; every thread's exception is inside.</exception>
    public static void Run(int threads, Action<int> body)
    {
        var failures = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        using var start = new Barrier(threads);
        var workers = Enumerable.Range(0, threads).Select(index => new Thread(() =>
        {
            start.SignalAndWait();
            try
            {
                body(index);
            }
            catch (Exception e)
            {
                failures.Enqueue(e);
            }
        })).ToList();
        workers.ForEach(t => t.Start());
        workers.ForEach(t => t.Join());
        if (!failures.IsEmpty) throw new AggregateException(failures);
    }
}
