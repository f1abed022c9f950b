using BenchmarkDotNet.Running;

// Run all: dotnet run -c Release --project tests/Governance.Benchmarks -- --filter '*'
// Quick look: add --job short. Figures quoted in notes come from the default job.
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
