// The portal's only script: small conveniences on top of pages that work without it. Listens on the document, so it
// keeps working across Blazor's enhanced navigation.
(() => {
  // The skip link puts the keyboard in the page's content. Left to the browser, "#main" would resolve against <base href="/">
  // to the home page, and Blazor's enhanced navigation only scrolls to a fragment: neither moves the focus. Capture phase,
  // so that Blazor's own click handler sees the click as handled.
  document.addEventListener('click', event => {
    const main = event.target.closest('a.skip-link') && document.getElementById('main');
    if (!main) return;
    event.preventDefault();
    main.focus();
  }, true);

  // A list that depends on another (counties under a province) is re-listed as soon as the parent changes.
  document.addEventListener('change', event => {
    const source = event.target.closest('[data-refresh-on-change]');
    const button = source && source.form && source.form.querySelector('[data-refresh-button]');
    if (button) source.form.requestSubmit(button);
  });

  // 统一社会信用代码 checked as typed (GB 32100-2015: 18 characters, the last a check character over the first 17).
  const alphabet = '0123456789ABCDEFGHJKLMNPQRTUWXY';
  const weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
  const creditCodeFits = code => {
    if (!/^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$/.test(code)) return false;
    const sum = weights.reduce((total, weight, i) => total + alphabet.indexOf(code[i]) * weight, 0);
    return alphabet[(31 - (sum % 31)) % 31] === code[17];
  };
  document.addEventListener('input', event => {
    const input = event.target.closest('[data-credit-code]');
    if (!input) return;
    const message = document.getElementById('credit-code-check');
    const code = input.value.trim().toUpperCase();
    const wrong = code.length === 18 && !creditCodeFits(code);
    message.textContent = wrong ? message.dataset.creditCodeMessage : '';
    input.setAttribute('aria-invalid', wrong ? 'true' : 'false');
  });
})();

// The request form's preview follows what is typed: each change asks the server what the terms would match and puts the
// answer in place of the panel alone, so that nothing being typed is overwritten. The newest answer wins.
let previewAsked = 0;
document.addEventListener('change', async event => {
  const form = event.target.closest('form[data-preview-on-change]');
  const panel = document.querySelector('[data-preview-panel]');
  if (!form || !panel) return;
  const asked = ++previewAsked;
  // The page's fields are named for its form model ("Input.Amount"); the panel's endpoint takes them plain ("Amount").
  const body = new FormData();
  for (const [name, value] of new FormData(form)) body.append(name.replace(/^Input\./, ''), value);
  const response = await fetch(form.dataset.previewOnChange, { method: 'POST', body });
  if (response.ok && asked === previewAsked) panel.innerHTML = await response.text();
});
