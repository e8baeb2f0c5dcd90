// Rate limits per source address and per verified subject, with 429 ERR_RATE_LIMITED and Retry-After.
// The limits come from the gateway's build options (low here); the defaults stay far above what the tests
// and benchmarks send.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bearer, fakeGateway, TOKENS } from './fakes.js';
import { DEFAULT_RATE_LIMITS } from '../../../gateway/rate-limits.js';

const ID = 'cmp_01UNITTEST';
const read = (token: string | undefined, remoteAddress: string) => ({ method: 'GET' as const, url: `/compositions/${ID}`, remoteAddress, headers: token ? bearer(token) : {} });

test('per source address: the request over the limit is 429 with Retry-After, token or not', async () => {
  const { app } = await fakeGateway({ rateLimit: { perSource: { max: 3, timeWindowMs: 60_000 }, perSubject: { max: 100, timeWindowMs: 60_000 } } });
  const statuses: number[] = [];
  for (const token of [TOKENS.smith, TOKENS.jones, undefined]) statuses.push((await app.inject(read(token, '10.0.0.1'))).statusCode);
  assert.deepEqual(statuses, [200, 200, 401]);
  const limited = await app.inject(read(TOKENS.smith, '10.0.0.1'));
  assert.equal(limited.statusCode, 429, limited.body);
  assert.equal(limited.json().error.code, 'ERR_RATE_LIMITED');
  const retryAfter = Number(limited.headers['retry-after']);
  assert.ok(retryAfter > 0 && retryAfter <= 60, `Retry-After: ${limited.headers['retry-after']}`);
  assert.equal((await app.inject(read(TOKENS.smith, '10.0.0.2'))).statusCode, 200, 'another source is not limited');
});

test('X-Forwarded-For picks no fresh quota unless it comes from a trusted proxy', async () => {
  const spoofed = (forwardedFor: string, remoteAddress: string) => ({ ...read(TOKENS.smith, remoteAddress), headers: { ...bearer(TOKENS.smith), 'x-forwarded-for': forwardedFor } });
  const limits = { perSource: { max: 1, timeWindowMs: 60_000 }, perSubject: { max: 100, timeWindowMs: 60_000 } };
  const direct = (await fakeGateway({ rateLimit: limits })).app;
  assert.equal((await direct.inject(spoofed('10.9.0.1', '10.0.2.1'))).statusCode, 200);
  assert.equal((await direct.inject(spoofed('10.9.0.2', '10.0.2.1'))).statusCode, 429, 'the header is ignored: same peer, same quota');
  const proxied = (await fakeGateway({ rateLimit: limits, trustedProxies: ['10.0.3.0/24'] })).app;
  assert.equal((await proxied.inject(spoofed('10.9.0.1', '10.0.3.7'))).statusCode, 200);
  assert.equal((await proxied.inject(spoofed('10.9.0.2', '10.0.3.7'))).statusCode, 200, 'behind the trusted proxy each client has its own quota');
  assert.equal((await proxied.inject(spoofed('10.9.0.1', '10.0.3.8'))).statusCode, 429, 'the same client through the proxy again is limited');
  assert.equal((await proxied.inject(spoofed('10.9.0.9', '10.0.4.1'))).statusCode, 200);
  assert.equal((await proxied.inject(spoofed('10.9.0.8', '10.0.4.1'))).statusCode, 429, 'an untrusted peer cannot use the header');
});

test('per subject: one caller over the limit from many addresses is 429; another caller is not', async () => {
  const { app } = await fakeGateway({ rateLimit: { perSource: { max: 100, timeWindowMs: 60_000 }, perSubject: { max: 2, timeWindowMs: 60_000 } } });
  assert.equal((await app.inject(read(TOKENS.smith, '10.0.1.1'))).statusCode, 200);
  assert.equal((await app.inject(read(TOKENS.smith, '10.0.1.2'))).statusCode, 200);
  const limited = await app.inject(read(TOKENS.smith, '10.0.1.3'));
  assert.equal(limited.statusCode, 429, limited.body);
  assert.equal(limited.json().error.code, 'ERR_RATE_LIMITED');
  assert.ok(Number(limited.headers['retry-after']) > 0);
  assert.equal((await app.inject(read(TOKENS.jones, '10.0.1.3'))).statusCode, 200, 'another subject is not limited');
});

test('a token that does not verify does not spend the quota of the subject it claims', async () => {
  const { app } = await fakeGateway({ rateLimit: { perSource: { max: 100, timeWindowMs: 60_000 }, perSubject: { max: 2, timeWindowMs: 60_000 } } });
  for (let i = 0; i < 5; i++) await app.inject(read(TOKENS.forgedAsSmith, `10.0.2.${i}`));
  assert.equal((await app.inject(read(TOKENS.smith, '10.0.2.9'))).statusCode, 200);
});

test('/healthz is not rate limited', async () => {
  const { app } = await fakeGateway({ rateLimit: { perSource: { max: 1, timeWindowMs: 60_000 }, perSubject: { max: 1, timeWindowMs: 60_000 } } });
  for (let i = 0; i < 5; i++) assert.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
});

test('the defaults leave room for the benchmarks (10 concurrent compositions, ~10 requests/s each, from one host)', () => {
  const perSecond = (l: { max: number; timeWindowMs: number }) => l.max / (l.timeWindowMs / 1000);
  assert.ok(perSecond(DEFAULT_RATE_LIMITS.perSource) >= 200, JSON.stringify(DEFAULT_RATE_LIMITS));
  assert.ok(perSecond(DEFAULT_RATE_LIMITS.perSubject) >= 100, JSON.stringify(DEFAULT_RATE_LIMITS));
});
