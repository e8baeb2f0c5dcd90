/**
 * The usual setup of an HTTP integration test file: the stack, a worker and a gateway of its own, the §7b
 * cast's tokens. Registers its own before/after hooks; fields are filled once `before` has run.
 */
import { after, before } from 'node:test';
import { mintVrsTokens, type VrsTokens } from '../../cli/demo/vrs-tokens.js';
import { GatewayHttp } from '../../client/gateway-http.js';
import type { Services } from '../../workers/services.js';
import { startServices } from './services.js';
import { stackReady } from './stack.js';

export interface GatewayFixture {
  services: Services;
  http: GatewayHttp;
  tokens: VrsTokens;
}

export function gatewayFixture(name: string, setup?: (fx: GatewayFixture) => Promise<void>): GatewayFixture {
  const fx = {} as GatewayFixture;
  before(async () => {
    await stackReady();
    fx.services = await startServices(name);
    fx.tokens = await mintVrsTokens();
    // reads need a token too: the firm's human reads
    fx.http = new GatewayHttp(fx.services.gatewayUrl, fx.tokens.human);
    await setup?.(fx);
  });
  after(async () => fx.services?.stop());
  return fx;
}
