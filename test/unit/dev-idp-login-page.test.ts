// Proves the dev IdP's sign-in page is a labelled, keyboard-usable form with the ids the browser test targets,
// and that nothing from the request (interaction id, typed user name) reaches it unescaped.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { peopleOf } from '../../infra/idp/directory.js';
import { escapeHtml, renderLoginPage } from '../../infra/idp/login-page.js';

test('the form: a label for #username, a submit button #sign-in, the directory as suggestions, no script', () => {
  const html = renderLoginPage({ org: 'firm', uid: 'abc123', people: peopleOf('firm') });
  assert.match(html, /<label for="username">User name<\/label>/);
  assert.match(html, /<input id="username" name="username" type="text"[^>]* required autofocus value="">/);
  assert.match(html, /<button id="sign-in" type="submit">Sign in<\/button>/);
  assert.match(html, /<form method="post" action="\/interaction\/abc123\/login">/);
  assert.match(html, /<option value="alice">/);
  assert.match(html, /<option value="bob">/);
  assert.match(html, /development identity provider: there is no password/);
  assert.doesNotMatch(html, /sign-in-error|<script/);
});

test('a hostile interaction id and user name are escaped; the error is announced and tied to the field', () => {
  const html = renderLoginPage({ org: 'firm', uid: '"><script>x()</script>', people: [], username: `"><img src=x onerror=alert(1)>`, error: 'No user "<b>"' });
  assert.doesNotMatch(html, /<script>|<img|<b>/);
  assert.match(html, /action="\/interaction\/%22%3E%3Cscript%3Ex\(\)%3C%2Fscript%3E\/login"/);
  assert.match(html, /value="&quot;&gt;&lt;img src=x onerror=alert\(1\)&gt;"/);
  assert.match(html, /<p id="sign-in-error" role="alert">No user &quot;&lt;b&gt;&quot;<\/p>/);
  assert.match(html, /aria-invalid="true" aria-describedby="sign-in-error"/);
});

test('escapeHtml covers the five characters that matter in text and attributes', () => {
  assert.equal(escapeHtml(`&<>"'`), '&amp;&lt;&gt;&quot;&#39;');
});
