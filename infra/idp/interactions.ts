/**
 * The dev IdP's own interaction routes (not oidc-provider's devInteractions): oidc-provider sends the
 * browser to `/interaction/<uid>` whenever it needs the user.
 * - login: the sign-in form; a user name from the directory signs in, any other shows the form again with
 *   an error (no session, no code).
 * - consent: granted at once for the registered first-party page, limited to what the directory gives the
 *   person: requested scopes they do not hold are recorded as rejected, so they never reach a token.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import type { IdpName } from '../../config/endpoints.js';
import { peopleOf, personBySub, personByUsername } from './directory.js';
import { renderLoginPage } from './login-page.js';
import { TIMELINE_CLIENT_ID } from './provider.js';

/** A sign-in form is a user name; anything much larger is not one. */
const MAX_FORM_BYTES = 4096;

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_FORM_BYTES) throw new RangeError('the form is too large');
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function sendPage(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    // no scripts, no framing (clickjacking); no form-action: the sign-in redirects on to the page's origin
    'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
    'x-content-type-options': 'nosniff',
  });
  res.end(html);
}

type Details = { missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]> };

/** Grants the first-party page what the person holds of what it asked for, and rejects the rest. */
async function autoConsent(provider: Provider, org: IdpName, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const interaction = await provider.interactionDetails(req, res);
  const { prompt, params, session } = interaction;
  const person = session ? personBySub(org, session.accountId) : undefined;
  if (params.client_id !== TIMELINE_CLIENT_ID || !person) {
    return provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'consent is only given to the registered page' }, { mergeWithLastSubmission: false });
  }
  const grant = interaction.grantId ? await provider.Grant.find(interaction.grantId) : new provider.Grant({ accountId: person.sub, clientId: TIMELINE_CLIENT_ID });
  if (!grant) throw new Error(`grant ${interaction.grantId} of interaction ${interaction.uid} is gone`);
  const details = prompt.details as Details;
  if (details.missingOIDCScope?.length) grant.addOIDCScope(details.missingOIDCScope.join(' '));
  if (details.missingOIDCClaims?.length) grant.addOIDCClaims(details.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(details.missingResourceScopes ?? {})) {
    const held = scopes.filter((s) => person.scopes.includes(s));
    const notHeld = scopes.filter((s) => !person.scopes.includes(s));
    if (held.length) grant.addResourceScope(indicator, held.join(' '));
    if (notHeld.length) grant.rejectResourceScope(indicator, notHeld.join(' '));
  }
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
}

export async function handleInteraction(provider: Provider, org: IdpName, req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  const [, , uid, action] = path.split('/'); // '', 'interaction', uid, action?
  const interaction = await provider.interactionDetails(req, res);
  if (interaction.uid !== uid) return sendPage(res, 400, '<!doctype html><title>Bad request</title><p>This sign-in does not match its cookie.</p>');
  const people = peopleOf(org);

  if (req.method === 'GET' && action === undefined) {
    if (interaction.prompt.name === 'login') return sendPage(res, 200, renderLoginPage({ org, uid, people }));
    if (interaction.prompt.name === 'consent') return autoConsent(provider, org, req, res);
    return sendPage(res, 400, '<!doctype html><title>Bad request</title><p>Unknown sign-in step.</p>');
  }
  if (req.method === 'POST' && action === 'login' && interaction.prompt.name === 'login') {
    const username = ((await readForm(req)).get('username') ?? '').trim();
    const person = personByUsername(org, username);
    if (!person) return sendPage(res, 401, renderLoginPage({ org, uid, people, username, error: `No user "${username}" in ${org}.` }));
    return provider.interactionFinished(req, res, { login: { accountId: person.sub } }, { mergeWithLastSubmission: false });
  }
  sendPage(res, 404, '<!doctype html><title>Not found</title><p>Not found.</p>');
}
