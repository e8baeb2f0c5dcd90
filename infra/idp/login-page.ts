/**
 * The dev IdP's sign-in page: a plain form a keyboard and a screen reader can use, with ids the browser
 * test targets (`#username`, `#sign-in`, `#sign-in-error`). Everything it shows is escaped: the
 * interaction id and the user name come from the request.
 */
import type { Person } from './directory.js';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

export interface LoginPage {
  org: string;
  uid: string;
  people: readonly Person[];
  /** what was typed, shown again after an error */
  username?: string;
  error?: string;
}

export function renderLoginPage(page: LoginPage): string {
  const org = escapeHtml(page.org);
  const error = page.error ? `<p id="sign-in-error" role="alert">${escapeHtml(page.error)}</p>` : '';
  const options = page.people.map((p) => `<option value="${escapeHtml(p.username)}">${escapeHtml(p.name)}</option>`).join('');
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Sign in to ${org} (dev IdP)</title></head>
<body>
<main>
<h1>Sign in to ${org}</h1>
<p>This is a development identity provider: there is no password. In production you sign in at your organisation's own IdP.</p>
<form method="post" action="/interaction/${escapeHtml(encodeURIComponent(page.uid))}/login">
${error}
<label for="username">User name</label>
<input id="username" name="username" type="text" list="people" autocomplete="username" required autofocus value="${escapeHtml(page.username ?? '')}"${page.error ? ' aria-invalid="true" aria-describedby="sign-in-error"' : ''}>
<datalist id="people">${options}</datalist>
<button id="sign-in" type="submit">Sign in</button>
</form>
</main>
</body>
</html>
`;
}
