namespace FinanceSupermarket.Api.Portal;

/// <summary>
/// The portal's texts: Text.resx in Chinese (the default, zh-CN), Text.en.resx in English. Every text a page shows comes
/// from them through IStringLocalizer&lt;Text&gt;.
/// </summary>
public sealed class Text;
