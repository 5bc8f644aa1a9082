// Sign in with a token. The token is checked against /v1/me before it is kept (session.js).
import { h } from '../lib/dom.js';

// check(token) -> the user it names (GET /v1/me), or throws; onSignedIn(token, me).
export function renderSignIn({ check, notice, onSignedIn }) {
  const input = h('input', {
    id: 'token', name: 'token', type: 'password', autocomplete: 'off', spellcheck: 'false',
    required: true, 'aria-describedby': 'token-hint', placeholder: 'ast_…',
  });
  const error = h('p', { class: 'form-error', role: 'alert', id: 'signin-error' });
  const button = h('button', { class: 'button button-primary button-wide', type: 'submit' },
                   'Sign in');
  if (notice) error.textContent = notice;

  const form = h('form', { class: 'signin-form', novalidate: true },
    h('label', { for: 'token', class: 'field-label' }, 'Access token'),
    input,
    h('p', { class: 'hint', id: 'token-hint' },
      'Paste the token scripts/run.sh printed, or the one an admin issued you ',
      h('code', {}, 'assent users add'), '. It is kept only for this tab.'),
    error,
    button);

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const token = input.value.trim();
    if (!token) {
      error.textContent = 'Enter your access token.';
      input.focus();
      return;
    }
    button.disabled = true;
    button.textContent = 'Signing in…';
    error.textContent = '';
    try {
      const me = await check(token);
      onSignedIn(token, me);
    } catch (failure) {
      error.textContent = failure.status === 401 ?
        'That token was not accepted: it may be mistyped, revoked or expired.' :
        failure.message;
      button.disabled = false;
      button.textContent = 'Sign in';
      input.select();
    }
  });

  const page = h('main', { class: 'signin' },
    h('div', { class: 'signin-card' },
      h('div', { class: 'brand brand-large' },
        h('span', { class: 'brand-mark', 'aria-hidden': 'true' }),
        'Assent'),
      h('h1', { class: 'signin-title' }, 'Sign in to review'),
      h('p', { class: 'muted' }, 'Approvals wait here for a person to decide.'),
      form));
  queueMicrotask(() => input.focus());
  return page;
}
