using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Governance.Cli.Scanning;

/// <summary>
/// The <c>.editorconfig</c> and <c>.globalconfig</c> files of the scanned tree, applied as the compiler would: analyzer
/// options (<c>governance.*</c>) per file, and <c>dotnet_diagnostic.ID.severity</c> per file.
/// </summary>
internal sealed class EditorConfigOptions
{
    private readonly AnalyzerConfigSet _set;

    private EditorConfigOptions(AnalyzerConfigSet set) => _set = set;

    internal static EditorConfigOptions Load(string root) =>
        new(AnalyzerConfigSet.Create(FindFiles(root).Select(file => AnalyzerConfig.Parse(File.ReadAllText(file), file)).ToList()));

    /// <summary>
    /// Every <c>.editorconfig</c> and <c>.globalconfig</c> in the tree (outside build output), and the <c>.editorconfig</c>
    /// files above the root, which still apply to it (the usual repository-root file when scanning a subfolder).
    /// </summary>
    internal static List<string> FindFiles(string root)
    {
        var files = new List<string>();
        // Hidden files included: on Unix a dot-file counts as hidden, and every .editorconfig is a dot-file.
        foreach (var file in SourceFiles.Enumerate(root, "*config", includeHidden: true))
        {
            var name = Path.GetFileName(file);
            if (name.Equals(".editorconfig", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".globalconfig", StringComparison.OrdinalIgnoreCase))
            {
                files.Add(file);
            }
        }

        for (var dir = Directory.GetParent(root); dir is not null; dir = dir.Parent)
        {
            var file = Path.Combine(dir.FullName, ".editorconfig");
            if (File.Exists(file))
            {
                files.Add(file);
            }
        }

        return files;
    }

    /// <summary>
    /// The severity a diagnostic ends up with after <c>dotnet_diagnostic.ID.severity</c> for its file (or the global
    /// configuration); <see langword="null"/> when it is turned off.
    /// </summary>
    internal DiagnosticSeverity? EffectiveSeverity(Diagnostic diagnostic)
    {
        var path = diagnostic.Location.SourceTree?.FilePath;
        var configured = ReportDiagnostic.Default;

        if (path is not null && _set.GetOptionsForSourcePath(path).TreeOptions.TryGetValue(diagnostic.Id, out var perFile))
        {
            configured = perFile;
        }
        else if (_set.GlobalConfigOptions.TreeOptions.TryGetValue(diagnostic.Id, out var global))
        {
            configured = global;
        }

        return configured switch
        {
            ReportDiagnostic.Suppress or ReportDiagnostic.Hidden => null,
            ReportDiagnostic.Error => DiagnosticSeverity.Error,
            ReportDiagnostic.Warn => DiagnosticSeverity.Warning,
            ReportDiagnostic.Info => DiagnosticSeverity.Info,
            _ => diagnostic.Severity == DiagnosticSeverity.Hidden ? null : diagnostic.Severity,
        };
    }

    internal (AnalyzerConfigOptionsProvider Analyzer, SyntaxTreeOptionsProvider Tree) ProvidersFor(IEnumerable<SyntaxTree> trees)
    {
        var perTree = trees.ToDictionary(t => t, t => _set.GetOptionsForSourcePath(t.FilePath));
        return (new AnalyzerProvider(perTree, _set.GlobalConfigOptions), new TreeProvider(perTree, _set.GlobalConfigOptions));
    }

    private sealed class AnalyzerProvider(Dictionary<SyntaxTree, AnalyzerConfigOptionsResult> perTree, AnalyzerConfigOptionsResult global) : AnalyzerConfigOptionsProvider
    {
        public override AnalyzerConfigOptions GlobalOptions { get; } = new DictionaryOptions(global.AnalyzerOptions);

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) =>
            perTree.TryGetValue(tree, out var result) ? new DictionaryOptions(result.AnalyzerOptions) : GlobalOptions;

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => GlobalOptions;
    }

    private sealed class DictionaryOptions(ImmutableDictionary<string, string> options) : AnalyzerConfigOptions
    {
        public override bool TryGetValue(string key, [NotNullWhen(true)] out string? value) => options.TryGetValue(key, out value);

        public override IEnumerable<string> Keys => options.Keys;
    }

    private sealed class TreeProvider(Dictionary<SyntaxTree, AnalyzerConfigOptionsResult> perTree, AnalyzerConfigOptionsResult global) : SyntaxTreeOptionsProvider
    {
        public override GeneratedKind IsGenerated(SyntaxTree tree, CancellationToken cancellationToken) =>
            perTree.TryGetValue(tree, out var result) && result.AnalyzerOptions.TryGetValue("generated_code", out var generated) &&
            generated.Equals("true", StringComparison.OrdinalIgnoreCase)
                ? GeneratedKind.MarkedGenerated
                : GeneratedKind.Unknown;

        public override bool TryGetDiagnosticValue(SyntaxTree tree, string diagnosticId, CancellationToken cancellationToken, out ReportDiagnostic severity)
        {
            if (perTree.TryGetValue(tree, out var result) && result.TreeOptions.TryGetValue(diagnosticId, out severity))
            {
                return true;
            }

            severity = ReportDiagnostic.Default;
            return false;
        }

        public override bool TryGetGlobalDiagnosticValue(string diagnosticId, CancellationToken cancellationToken, out ReportDiagnostic severity) =>
            global.TreeOptions.TryGetValue(diagnosticId, out severity);
    }
}
