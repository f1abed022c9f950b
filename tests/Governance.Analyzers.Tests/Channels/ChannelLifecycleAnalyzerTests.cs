using Governance.Analyzers.Channels;
using Governance.Analyzers.Tests.Verifiers;

namespace Governance.Analyzers.Tests.Channels;

/// <summary>GOV3001 and GOV3003 come from one analyzer, one walk: both are reported in the same run.</summary>
public sealed class ChannelLifecycleAnalyzerTests
{
    [Fact]
    public Task Reports_BothRulesFromOneAnalyzer() => Verify<ChannelLifecycleAnalyzer>.AnalyzerAsync("""
        using System.Threading.Channels;
        using System.Threading.Tasks;

        sealed class Worker
        {
            private readonly Channel<int> _unread = {|GOV3001:Channel.CreateUnbounded<int>()|};
            private readonly Channel<int> _jobs = Channel.CreateUnbounded<int>();

            public void Add(int job)
            {
                _unread.Writer.TryWrite(job);
                _jobs.Writer.TryWrite(job);
            }

            public async Task RunAsync()
            {
                await foreach (var job in {|GOV3003:_jobs.Reader.ReadAllAsync()|}) { }
            }
        }
        """);
}
