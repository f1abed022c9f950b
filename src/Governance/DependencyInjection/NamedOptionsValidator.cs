using Microsoft.Extensions.Options;

namespace Governance;

/// <summary>
/// Validates the options registered under one name with the primitive's own rules, so that a bad configuration
/// fails at start-up (with <c>ValidateOnStart</c>) with the same message the constructor would throw.
/// </summary>
internal sealed class NamedOptionsValidator<TOptions>(string name, Func<TOptions, ArgumentException?> validate) : IValidateOptions<TOptions>
    where TOptions : class
{
    public ValidateOptionsResult Validate(string? optionsName, TOptions options) =>
        optionsName != name
            ? ValidateOptionsResult.Skip
            : validate(options) is { } invalid
                ? ValidateOptionsResult.Fail($"{typeof(TOptions).Name} '{name}': {invalid.Message}")
                : ValidateOptionsResult.Success;
}
