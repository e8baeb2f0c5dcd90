// The auditor's timeline page on the real stack, in headless chromium: sign in through the firm's IdP as
// alice (an auditor), open the §7b screening and see its nine events verified in the browser; on a second
// composition a transition made while the page is open shows up within two seconds without a reload; a
// signed export, downloaded from the page and edited at event 5, is shown broken at that event when loaded
// back. Screenshots of each step go to .data/test-output/<test name>/. Plus: the page is served with its CSP,
// and the export route refuses a caller without a token (401) and an agent (403).
//
// The gateway listens on a free port: the dev IdPs accept the page's callback at any loopback port.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { canonicalJson } from '../../audit/canonical.js';
import { vrsScreeningSteps } from '../../audit/examples/vrs-screening.js';
import { generateCosignerKey } from '../../audit/tlog/cosignature.js';
import { runStep, runVrsScreening } from '../../cli/demo/vrs-over-http.js';
import { mintVrsTokens, type VrsTokens } from '../../cli/demo/vrs-tokens.js';
import { newCompositionId } from '../../client/coordination-client.js';
import { GatewayHttp } from '../../client/gateway-http.js';
import { ROOT } from '../../config/paths.js';
import { mintToken } from '../../infra/idp/client.js';
import { devLogVerifierKeyFile } from '../../ledger/log/log-key.js';
import { Services } from '../../workers/services.js';
import { launchBrowser, openPage, step } from '../helpers/browser.js';
import { scratchTopic } from '../helpers/ledger.js';
import { stackReady } from '../helpers/stack.js';
import { waitFor } from '../helpers/wait.js';

// the page's own global, as far as this test uses it (the project compiles without the DOM library)
declare const location: { hash: string };
const work = mkdtempSync(join(tmpdir(), 'coord-timeline-'));
const witness = generateCosignerKey(`it-timeline-${randomUUID().slice(0, 8)}`);
const witnessKeyFile = join(work, 'witness.key');
const screening = newCompositionId();
const live = newCompositionId();
let services: Services;
let env: NodeJS.ProcessEnv;
let ledgerUrl: string;
let tokens: VrsTokens;
let http: GatewayHttp;

function coord(...args: string[]): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'cli/main.ts'), ...args], { cwd: ROOT, env, encoding: 'utf8' });
  return { status: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

/** The size of the ledger's newest checkpoint (witnessed: one our witness cosigned). */
async function checkpointSize(witnessed: boolean): Promise<number> {
  const res = await fetch(`${ledgerUrl}/log/checkpoint${witnessed ? '?witnessed=1' : ''}`);
  return res.ok ? Number((await res.text()).split('\n')[1]) : 0;
}

before(async () => {
  await stackReady();
  writeFileSync(witnessKeyFile, `${witness.signerKey}\n`, { mode: 0o600 });
  writeFileSync(join(work, 'witnesses'), `${witness.verifierKey}\n`);
  const taskQueue = `it-timeline-${randomUUID().slice(0, 8)}`;
  env = {
    ...process.env,
    COORD_AUDIT_TOPIC: await scratchTopic('timeline'),
    COORD_LEDGER_URL: `sqlite:${join(work, 'ledger.db')}`,
    COORD_TASK_QUEUE: taskQueue,
    COORD_LOG_WITNESSES_FILE: join(work, 'witnesses'),
    COORD_LOG_CHECKPOINT_SECONDS: '0.5',
  };
  services = await Services.start({ taskQueue, tag: 'test-timeline', env, ledger: true });
  env = services.env;
  ledgerUrl = `http://${env.COORD_LEDGER_METRICS_ADDRESS}`;
  tokens = await mintVrsTokens();
  http = new GatewayHttp(services.gatewayUrl);
  const steps = await runVrsScreening(http, tokens, screening);
  assert.ok(steps.every((s) => s.status < 300), JSON.stringify(steps.at(-1)));
  // the screening's nine events in a checkpoint our witness cosigned: the export then proves each one
  await waitFor(
    async () => {
      const r = coord('witness', '--org', 'it-timeline', '--ledger', ledgerUrl, '--key', witnessKeyFile, '--state', join(work, 'witness-state.json'), '--log-key', devLogVerifierKeyFile(), '--once', '--json');
      if (r.status !== 0) throw new Error(r.stderr || r.stdout);
      return (await checkpointSize(true)) >= 9;
    },
    { what: 'a witnessed checkpoint covering the screening', timeoutMs: 60_000, intervalMs: 500 },
  );
});
after(async () => services?.stop());

test('the page is served with its CSP; the export route refuses no token (401) and an agent (403)', async () => {
  const page = await fetch(`${services.gatewayUrl}/ui/`);
  assert.equal(page.status, 200);
  assert.match(String(page.headers.get('content-security-policy')), /^default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self' http:\/\/127\.0\.0\.1:\d+/);
  const script = await fetch(`${services.gatewayUrl}/ui/app.js`);
  assert.equal(script.status, 200);
  assert.match(String(script.headers.get('content-security-policy')), /frame-ancestors 'none'; base-uri 'none'$/);
  const none = await http.get(`/audit/compositions/${screening}/export`, undefined);
  assert.equal(none.status, 401);
  const agent = await http.get<{ error: { code: string } }>(`/audit/compositions/${screening}/export`, tokens.agent);
  assert.equal(agent.status, 403, JSON.stringify(agent.body));
});

test('alice signs in at the firm IdP, sees the screening verified, a live transition, and a tampered export broken at event 5', async (t) => {
  const browser = await launchBrowser(t);
  const page = await openPage(browser, t.name);
  const base = `${services.gatewayUrl}/ui/`;

  // a deep link, signed out: sign in, come back to it
  await page.goto(`${base}#/compositions/${screening}`);
  await page.getByRole('button', { name: 'Sign in with firm' }).click();
  await page.locator('#username').fill('alice');
  await step(page, 'idp-sign-in');
  await page.locator('#sign-in').click();
  await page.waitForURL(`${base}#/compositions/${screening}`);
  const verdict = page.locator('#verdict');
  await verdict.and(page.locator('[data-status]')).waitFor();
  await step(page, 'screening-verified');
  assert.equal(await verdict.getAttribute('data-status'), 'verified', (await verdict.textContent()) ?? '');
  assert.match((await verdict.textContent()) ?? '', /verified/i);
  assert.equal(await page.locator('#event-rows tr').count(), 9);
  assert.equal(await page.locator('#current-state').textContent(), 'closed');

  // a second composition, opened while it is live: its next transition appears without a reload
  const [request, claim] = vrsScreeningSteps();
  assert.ok((await runStep(http, request!, tokens, live)).status < 300);
  await waitFor(async () => (await checkpointSize(false)) >= 10, { what: 'the ledger admitting the live composition\'s first event' });
  await page.evaluate((id) => (location.hash = `#/compositions/${id}`), live);
  await page.locator('#event-rows tr').first().waitFor();
  await page.getByText('live: connected').waitFor();
  await step(page, 'live-before');
  const claimed = await runStep(http, claim!, tokens, live);
  assert.equal(claimed.status, 200, JSON.stringify(claimed.body));
  await page.locator('#event-rows tr').nth(1).waitFor({ timeout: 2000 }); // the assertion: within 2 s
  await step(page, 'live-after');
  assert.equal(await page.locator('#current-state').textContent(), 'leased');
  assert.equal(await page.locator('#event-rows tr').count(), 2);

  // a correction of the opening event (a mistyped customer reference) arrives live; the two views say it
  const opening = (await page.locator('#event-1').getAttribute('data-event-id'))!;
  const corrector = await mintToken('firm', { sub: 'auditor@citi.example', actor_type: 'human', scope: ['audit_correct', 'audit_read'] });
  const recorded = await http.get<{ events: { event_id: string; this_hash: string; payload: { customer_internal_ref: string } }[] }>(`/audit/events?event_id=${opening}`, corrector);
  const target = recorded.body.events[0]!;
  const correction = await http.post<{ event_id: string }>(`/compositions/${live}/corrections`, corrector, {
    payload: { supersedes: opening, supersedes_hash: target.this_hash, reason: 'customer reference mistyped', corrected: { customer_internal_ref: 'FIRM-CUST-789013' } },
  });
  assert.equal(correction.status, 200, JSON.stringify(correction.body));
  await page.locator('#event-rows tr').nth(2).waitFor();
  assert.match((await page.locator('#event-3').textContent()) ?? '', new RegExp(`corrects ${opening}: customer reference mistyped`));
  assert.match((await page.locator('#event-1').textContent()) ?? '', new RegExp(`superseded by ${correction.body.event_id}`));
  await page.locator('#view-current').click();
  assert.equal(await page.locator('#view-current').getAttribute('aria-pressed'), 'true');
  assert.match((await page.locator('#event-1').textContent()) ?? '', /corrected by .*: customer reference mistyped — now customer_internal_ref = FIRM-CUST-789013/);
  await step(page, 'current-view');
  await page.locator('#view-historical').click();
  assert.doesNotMatch((await page.locator('#event-1').textContent()) ?? '', /now customer_internal_ref/);
  assert.equal(target.payload.customer_internal_ref, 'FIRM-CUST-789012', 'the record itself is unchanged');

  // download the screening's signed export, edit event 5's payload, load it back
  await page.evaluate((id) => (location.hash = `#/compositions/${id}`), screening);
  await page.locator('#verdict[data-status="verified"]').waitFor();
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#download-export').click()]);
  const saved = JSON.parse(readFileSync((await download.path())!, 'utf8')) as { composition_id: string; files: Record<string, string> };
  assert.equal(saved.composition_id, screening);
  const lines = saved.files['events.jsonl']!.trimEnd().split('\n');
  assert.equal(lines.length, 9);
  const fifth = JSON.parse(lines[4]!) as { event_id: string; payload: Record<string, unknown> };
  fifth.payload = { ...fifth.payload, tampered: 'yes' };
  lines[4] = canonicalJson(fifth);
  saved.files['events.jsonl'] = `${lines.join('\n')}\n`;
  const tampered = join(work, 'tampered.export.json');
  writeFileSync(tampered, JSON.stringify(saved));
  await page.locator('#load-export').setInputFiles(tampered);
  await page.locator('#verdict[data-status="broken"]').waitFor();
  await step(page, 'tampered-broken');
  assert.match((await verdict.textContent()) ?? '', new RegExp(`broken at event 5 \\(${fifth.event_id}\\)`));
  assert.equal(await page.locator('#event-5').getAttribute('class').then((c) => c?.includes('first-break')), true);
});
