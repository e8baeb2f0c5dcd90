/**
 * The gateway process. Usage: node --import tsx gateway/main.ts
 * Listens on 127.0.0.1:${COORD_GATEWAY_PORT:-8088} (0 = any free port); prints one JSON line with its URL.
 * Everything it creates on disk (the dev codec key, the ledger store it opens for reads) is owner-only.
 */
import { CerbosUdsClient } from '../activities/abac/cerbos-uds.js';
import { JwtVerifier } from '../activities/jwt/verifier.js';
import { trustedIssuers } from '../activities/jwt/trusted-issuers.js';
import { loadCodecKeys } from '../client/codec-keys.js';
import { CoordinationClient } from '../client/coordination-client.js';
import { encryptedDataConverter } from '../client/data-converter.js';
import { EncryptionCodec } from '../client/payload-codec.js';
import { pdpEndpoint, tokenAudience } from '../config/endpoints.js';
import { configOrExit } from '../config/index.js';
import { type LedgerStore } from '../ledger/store.js';
import { openLedgerStore } from '../ledger/open-store.js';
import { createLogger } from '../lib/logger.js';
import { restrictNewFilesToOwner } from '../lib/private-files.js';
import { buildGateway } from './server.js';

restrictNewFilesToOwner();
const settings = configOrExit();
const logger = createLogger('gateway');
const keys = loadCodecKeys();
const client = await CoordinationClient.connect({ dataConverter: encryptedDataConverter(keys) });
let ledger: Promise<LedgerStore> | undefined;
const app = await buildGateway({
  client,
  jwt: new JwtVerifier({ issuers: trustedIssuers(), audience: tokenAudience() }),
  uds: new CerbosUdsClient(pdpEndpoint().address),
  codec: new EncryptionCodec(keys),
  logger,
  ledger: () => (ledger ??= openLedgerStore()),
}, {
  rateLimit: {
    perSource: { max: settings.COORD_GATEWAY_RATE_LIMIT_PER_SOURCE, timeWindowMs: 10_000 },
    perSubject: { max: settings.COORD_GATEWAY_RATE_LIMIT_PER_SUBJECT, timeWindowMs: 10_000 },
  },
  ...(settings.COORD_GATEWAY_CODEC_HOSTS ? { codecHosts: settings.COORD_GATEWAY_CODEC_HOSTS } : {}),
  ...(settings.COORD_GATEWAY_TRUSTED_PROXIES ? { trustedProxies: settings.COORD_GATEWAY_TRUSTED_PROXIES } : {}),
});
const url = await app.listen({ host: '127.0.0.1', port: settings.COORD_GATEWAY_PORT });
logger.info({ url, openapi: `${url}/openapi.json`, codec: `${url}/codec` }, 'gateway listening');

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    logger.info({ signal }, 'gateway stopping');
    void app
      .close()
      .then(() => ledger?.then((store) => store.close()))
      .then(() => client.close()).finally(() => process.exit(0));
  });
}
