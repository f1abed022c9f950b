namespace Governance.Analyzers;

/// <summary>Rule IDs. An ID is never reused or renumbered; the families are described in docs/rules.</summary>
public static class DiagnosticIds
{
    public const string UnboundedSpawnInLoop = "GOV1001";
    public const string UnboundedFanOut = "GOV1002";
    public const string BackgroundLoopWithoutExit = "GOV1003";
    public const string PollingWithDelay = "GOV1004";
    public const string TimerNeverDisposed = "GOV2001";
    public const string TimerNotReferenced = "GOV2002";
    public const string ChannelNeverRead = "GOV3001";
    public const string UnboundedChannel = "GOV3002";
    public const string ChannelNeverCompleted = "GOV3003";
    public const string HttpClientPerOperation = "GOV4001";
    public const string HttpCallWithoutTimeout = "GOV4002";
    public const string LinkedSourceNeverDisposed = "GOV5001";
    public const string TimerSourceNeverDisposed = "GOV5002";
}
