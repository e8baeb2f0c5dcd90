/**
 * Debian's chromium, driven by playwright-core, can do what a browser-side verifier needs: WebCrypto's
 * SHA-256, and Ed25519 verification of an emitter signature made in Node (audit/emitter-signature.ts) — a
 * good one accepted, one with a flipped byte refused. The page comes from a local HTTP server on
 * 127.0.0.1 (a potentially trustworthy origin, so a secure context: crypto.subtle exists only there).
 */
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { EMITTER_SIGNATURE_CONTEXT, EmitterSigner } from '../../audit/emitter-signature.js';
import { launchBrowser, openPage, step } from '../helpers/browser.js';

const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>browser smoke</title></head>
<body><h1>coordination-ledger browser smoke</h1><pre id="log"></pre></body></html>`;

// The page's own globals, as far as this test uses them (the project compiles without the DOM library).
declare const window: { readonly isSecureContext: boolean };
declare const document: { getElementById(id: string): { textContent: string | null } | null };

/** SHA-256 of "abc" (FIPS 180-2, appendix B.1) */
const ABC_SHA256 = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';

async function servePage(): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.url !== '/') return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

test('chromium verifies SHA-256 and an Ed25519 emitter signature made in Node, and refuses a flipped byte', async (t) => {
  const server = await servePage();
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.address() as AddressInfo;

  const browser = await launchBrowser(t);
  const page = await openPage(browser, t.name);
  await page.goto(`http://127.0.0.1:${port}/`);
  assert.equal(await page.evaluate(() => window.isSecureContext), true, 'http://127.0.0.1 is a secure context');
  await step(page, 'loaded');

  const digest = await page.evaluate(async (text) => {
    const bytes = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
    return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  }, 'abc');
  assert.equal(digest, ABC_SHA256);

  const signer = EmitterSigner.ephemeral();
  const thisHash = digest;
  const { sig } = signer.sign(thisHash);
  const flipped = Buffer.from(sig, 'base64url');
  flipped.writeUInt8(flipped.readUInt8(17) ^ 0x01, 17);

  // The page's verifier: import the emitter's public JWK, verify over the signed message (context + hash).
  const verdicts = await page.evaluate(
    async ({ jwk, message, signatures }) => {
      const fromBase64url = (s: string) => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
      const key = await crypto.subtle.importKey('jwk', jwk, { name: 'Ed25519' }, false, ['verify']);
      const data = new TextEncoder().encode(message);
      const results: boolean[] = [];
      for (const s of signatures) results.push(await crypto.subtle.verify({ name: 'Ed25519' }, key, fromBase64url(s), data));
      document.getElementById('log')!.textContent = `SHA-256("abc") ok\nemitter signature: ${results[0]}\nflipped byte: ${results[1]}`;
      return results;
    },
    { jwk: { ...signer.publicJwk }, message: EMITTER_SIGNATURE_CONTEXT + thisHash, signatures: [sig, flipped.toString('base64url')] },
  );
  assert.deepEqual(verdicts, [true, false], 'the good signature verifies, the one with a flipped byte does not');

  const shot = await step(page, 'verified');
  assert.ok(existsSync(shot) && statSync(shot).size > 0, `a screenshot at ${shot}`);
  assert.match(shot, /\/02-verified\.png$/);
});
