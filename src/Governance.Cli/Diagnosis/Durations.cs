using System.Globalization;

namespace Governance.Cli.Diagnosis;

/// <summary>Parses the durations the command line takes: a positive number with <c>ms</c>, <c>s</c>, <c>m</c> or <c>h</c> (<c>500ms</c>, <c>5s</c>, <c>2m</c>, <c>1.5s</c>).</summary>
internal static class Durations
{
    internal static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        text = text.Trim();
        var split = 0;
        while (split < text.Length && (char.IsAsciiDigit(text[split]) || text[split] == '.'))
        {
            split++;
        }

        if (split == 0 || !double.TryParse(text.AsSpan(0, split), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
        {
            return false;
        }

        double? seconds = text[split..].ToLowerInvariant() switch
        {
            "ms" => number / 1000,
            "s" => number,
            "m" => number * 60,
            "h" => number * 3600,
            _ => null,
        };
        if (seconds is not { } s || s <= 0 || s > TimeSpan.MaxValue.TotalSeconds / 2)
        {
            return false;
        }

        duration = TimeSpan.FromSeconds(s);
        return true;
    }

    /// <summary>Milliseconds with the digits a reader needs: 912, 45.6, 2.35, 0.012.</summary>
    internal static string Milliseconds(double ms) => Math.Abs(ms) switch
    {
        >= 100 => ms.ToString("0", CultureInfo.InvariantCulture),
        >= 10 => ms.ToString("0.#", CultureInfo.InvariantCulture),
        >= 1 => ms.ToString("0.##", CultureInfo.InvariantCulture),
        _ => ms.ToString("0.###", CultureInfo.InvariantCulture),
    };

    /// <summary>A duration as people write it: 250 ms, 1.5 s, 2 min.</summary>
    internal static string Format(TimeSpan duration) => duration.TotalMilliseconds switch
    {
        < 1000 => string.Create(CultureInfo.InvariantCulture, $"{duration.TotalMilliseconds:0} ms"),
        < 60_000 => string.Create(CultureInfo.InvariantCulture, $"{duration.TotalSeconds:0.#} s"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{duration.TotalMinutes:0.#} min"),
    };
}
