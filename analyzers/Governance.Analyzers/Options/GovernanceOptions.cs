using System;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Governance.Analyzers.Options;

/// <summary>
/// The <c>governance.*</c> keys of <c>.editorconfig</c> / <c>.globalconfig</c> that apply to one syntax tree.
/// </summary>
/// <remarks>
/// Options are per tree because an <c>.editorconfig</c> section can differ per folder; a <c>.globalconfig</c>
/// shows up in every tree's options. Malformed values fall back to the default rather than failing the build.
/// </remarks>
internal readonly struct GovernanceOptions
{
    public const string LimiterTypesKey = "governance.limiter_types";
    public const string MaxConstantIterationsKey = "governance.GOV1001.max_constant_iterations";
    public const string FanOutMaxConstantIterationsKey = "governance.GOV1002.max_constant_iterations";
    public const string RequireLimitBeforeSpawnKey = "governance.GOV1001.require_limit_before_spawn";
    public const string SpawnsInTestProjectsKey = "governance.GOV1001.include_test_projects";
    public const string FanOutInTestProjectsKey = "governance.GOV1002.include_test_projects";
    public const string LoopsInTestProjectsKey = "governance.GOV1003.include_test_projects";
    public const string PollingInTestProjectsKey = "governance.GOV1004.include_test_projects";
    public const string HttpClientInTestCodeKey = "governance.GOV4001.include_test_projects";
    public const string LinkedSourceInTestProjectsKey = "governance.GOV5001.include_test_projects";
    public const string TimerSourceInTestProjectsKey = "governance.GOV5002.include_test_projects";
    public const int DefaultMaxConstantIterations = 16;

    private static readonly char[] s_listSeparators = { ',', ';' };

    private readonly AnalyzerConfigOptions? _options;

    private GovernanceOptions(AnalyzerConfigOptions? options) => _options = options;

    public static GovernanceOptions For(AnalyzerOptions options, SyntaxTree tree)
        => new(options.AnalyzerConfigOptionsProvider.GetOptions(tree));

    /// <summary>Loops with a constant bound at or below this are "small" and not reported (GOV1001, GOV1002).</summary>
    public int MaxConstantIterations
        => _options is not null
            && _options.TryGetValue(MaxConstantIterationsKey, out var text)
            && int.TryParse(text.Trim(), out var value)
            && value >= 0
                ? value
                : DefaultMaxConstantIterations;

    /// <summary>GOV1002's own constant bound; GOV1001's when not set.</summary>
    public int FanOutMaxConstantIterations
        => _options is not null
            && _options.TryGetValue(FanOutMaxConstantIterationsKey, out var text)
            && int.TryParse(text.Trim(), out var value)
            && value >= 0
                ? value
                : MaxConstantIterations;

    /// <summary>Whether GOV1001 also reports in test and benchmark projects (default false: their spawns are sized by the test).</summary>
    public bool SpawnsInTestProjects => Flag(SpawnsInTestProjectsKey);

    /// <summary>Whether GOV1002 also reports in test and benchmark projects (default false: their fan-out is sized by the test).</summary>
    public bool FanOutInTestProjects => Flag(FanOutInTestProjectsKey);

    /// <summary>Whether GOV1003 also reports in test and benchmark projects (default false: a test's loops end with the test host).</summary>
    public bool LoopsInTestProjects => Flag(LoopsInTestProjectsKey);

    /// <summary>Whether GOV1004 also reports in test and benchmark projects (default false: a test's polling ends with the test).</summary>
    public bool PollingInTestProjects => Flag(PollingInTestProjectsKey);

    /// <summary>Whether GOV4001 also reports in test projects and test code (default false: a test's client never meets production load).</summary>
    public bool HttpClientInTestCode => Flag(HttpClientInTestCodeKey);

    /// <summary>Whether GOV5001 also reports in test and benchmark projects (default false: their parent tokens live as long as one test).</summary>
    public bool LinkedSourceInTestProjects => Flag(LinkedSourceInTestProjectsKey);

    /// <summary>Whether GOV5002 also reports in test and benchmark projects (default false: a test's timeout timer lives as long as the test).</summary>
    public bool TimerSourceInTestProjects => Flag(TimerSourceInTestProjectsKey);

    /// <summary>
    /// When true, a limiter acquired as the first step inside the spawned delegate does not make a spawn bounded:
    /// the tasks are still all created at once and park on the limiter.
    /// </summary>
    public bool RequireLimitBeforeSpawn => Flag(RequireLimitBeforeSpawnKey);

    /// <summary>The fully qualified metadata names of user-defined limiter types.</summary>
    public ImmutableArray<string> LimiterTypeNames
    {
        get
        {
            if (_options is null || !_options.TryGetValue(LimiterTypesKey, out var text) || string.IsNullOrWhiteSpace(text))
            {
                return ImmutableArray<string>.Empty;
            }

            var builder = ImmutableArray.CreateBuilder<string>();
            foreach (var part in text.Split(s_listSeparators, StringSplitOptions.RemoveEmptyEntries))
            {
                var name = part.Trim();
                if (name.Length > 0)
                {
                    builder.Add(name);
                }
            }

            return builder.ToImmutable();
        }
    }

    /// <summary>The raw option text, used as a cache key for the resolved limiter types.</summary>
    public string LimiterTypesText
        => _options is not null && _options.TryGetValue(LimiterTypesKey, out var text) ? text : string.Empty;

    /// <summary>A boolean option: true only when set and parsed as true.</summary>
    private bool Flag(string key)
        => _options is not null
            && _options.TryGetValue(key, out var text)
            && bool.TryParse(text.Trim(), out var value)
            && value;
}
