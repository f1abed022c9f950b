using BenchmarkDotNet.Running;

// Run all: dotnet run -c Release --project tests/Governance.Benchmarks -- --filter '*'
// Quick look: add --job short. Figures quoted in notes come from the default job.
// The cluster-wide limiter (Governance.Redis) against a local redis-server: ... -- redis-cluster (see RedisClusterHarness).
if (args.Length > 0 && args[0] == "redis-cluster")
{
    return await RedisClusterHarness.RunAsync(args);
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
