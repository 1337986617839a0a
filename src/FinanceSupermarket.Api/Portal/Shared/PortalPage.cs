using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.Http;
using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;

namespace FinanceSupermarket.Api.Portal.Shared;

/// <summary>
/// A portal page: sends the same Mediator messages as the API and turns their refusals into what a person sees — a
/// validation failure beside its field (the form keeps what was typed), a refused step above the form, and another tenant's
/// record or an unknown id as the one "page not found".
/// </summary>
public abstract class PortalPage : ComponentBase
{
    [Inject] protected IMediator Mediator { get; set; } = default!;
    [Inject] protected NavigationManager Navigation { get; set; } = default!;
    [Inject] protected CurrentUser User { get; set; } = default!;
    [CascadingParameter] protected HttpContext HttpContext { get; set; } = default!;

    /// <summary>Why the last step was refused, when not because of one field (shown above the form).</summary>
    protected string? Refusal { get; set; }

    /// <summary>
    /// Whether this request posts the form of that name. A page renders a form it shows only in some states for its own post
    /// too: a tab opened before the state changed then gets the step's refusal in words, where Blazor would answer a form no
    /// longer on the page with a bare 400.
    /// </summary>
    protected bool Posted(string formName) =>
        HttpMethods.IsPost(HttpContext.Request.Method) && HttpContext.Request.HasFormContentType && HttpContext.Request.Form["_handler"] == formName;

    /// <summary>
    /// The id in the name of the row form this request posts (<paramref name="prefix"/> followed by the id), or null. A row
    /// that another tab removed meanwhile is no longer listed: the page renders that row's form alone for this post, so that
    /// the step is sent and its refusal shown, where Blazor would answer a form no longer on the page with a bare 400.
    /// </summary>
    protected string? PostedRow(string prefix) =>
        HttpMethods.IsPost(HttpContext.Request.Method) && HttpContext.Request.HasFormContentType
        && HttpContext.Request.Form["_handler"].ToString() is { } name && name.StartsWith(prefix, StringComparison.Ordinal) && name.Length > prefix.Length
            ? name[prefix.Length..]
            : null;

    /// <summary>
    /// The last change was made from a stale copy of its record (the version its form carried is no longer the stored
    /// one): nothing was saved, and the page says so instead of overwriting what someone else saved.
    /// </summary>
    protected bool Outdated { get; private set; }

    /// <summary>A form over a model, and the store its messages beside the fields come from.</summary>
    protected static (EditContext Form, ValidationMessageStore Messages) FormFor(object model)
    {
        var form = new EditContext(model);
        return (form, new ValidationMessageStore(form));
    }

    /// <summary>
    /// Sends a message; on a validation failure, puts each message beside its field of <paramref name="form"/> (the
    /// message's property names, or <paramref name="fieldOf"/> where the form names a field otherwise) and returns default.
    /// </summary>
    protected async Task<(bool Done, T Result)> SendAsync<T>(IMessage message, Func<IMessage, CancellationToken, ValueTask<T>> send, EditContext? form = null,
        ValidationMessageStore? messages = null, Func<string, string>? fieldOf = null)
    {
        (Refusal, Outdated) = (null, false);
        try
        {
            return (true, await send(message, HttpContext.RequestAborted));
        }
        catch (ValidationException invalid) when (form is not null && messages is not null)
        {
            foreach (var failure in invalid.Errors)
            {
                var field = fieldOf?.Invoke(failure.PropertyName) ?? failure.PropertyName.Split('.', '[')[0];
                messages.Add(form.Field(field), failure.ErrorMessage);
            }
            form.NotifyValidationStateChanged();
        }
        catch (Exception refused) when (refused is ConflictException or UnprocessableException or TooManyRequestsException or ValidationException)
        {
            Refusal = refused.Message;
        }
        catch (Exception stale) when (stale is PreconditionFailedException or PreconditionRequiredException)
        {
            Outdated = true;
        }
        catch (Exception hidden) when (hidden is NotFoundException or ForbiddenException)
        {
            Navigation.NotFound();
        }
        return (false, default!);
    }

    protected Task<(bool Done, T Result)> SendAsync<T>(Mediator.ICommand<T> command, EditContext? form = null, ValidationMessageStore? messages = null,
        Func<string, string>? fieldOf = null) =>
        SendAsync(command, (message, ct) => Mediator.Send((Mediator.ICommand<T>)message, ct), form, messages, fieldOf);

    protected Task<(bool Done, T Result)> SendAsync<T>(IQuery<T> query, EditContext? form = null, ValidationMessageStore? messages = null,
        Func<string, string>? fieldOf = null) =>
        SendAsync(query, (message, ct) => Mediator.Send((IQuery<T>)message, ct), form, messages, fieldOf);
}
