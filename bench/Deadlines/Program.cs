using BenchmarkDotNet.Running;
using Supervision.Bench.Deadlines;

// Deadline arithmetic on one core. Run: bench/run-deadlines.sh (see docs/benchmarks.md).
BenchmarkSwitcher.FromAssembly(typeof(DeadlineBenchmarks).Assembly).Run(args);
