/**
 * Signing keys of a dev IdP, persisted as private JWKs in the data folder (never in the repository) so
 * tokens stay verifiable across restarts. Rotation adds a key and makes it current; the previous keys stay
 * published in the JWKS until they age out, so tokens already issued keep verifying (kid rotation).
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';

export type SigningAlg = 'RS256' | 'ES256' | 'EdDSA';

interface StoredKey {
  kid: string;
  alg: SigningAlg;
  createdAt: string;
  privateJwk: JWK;
}

interface KeyFile {
  current: string;
  keys: StoredKey[];
}

/** How many keys stay published: the current one and the ones it replaced most recently. */
const PUBLISHED_KEYS = 3;

export class IdpKeyStore {
  private constructor(
    private readonly file: string,
    private data: KeyFile,
  ) {}

  static async open(dir: string, alg: SigningAlg): Promise<IdpKeyStore> {
    const file = join(dir, 'keys.json');
    if (existsSync(file)) return new IdpKeyStore(file, JSON.parse(readFileSync(file, 'utf8')) as KeyFile);
    const store = new IdpKeyStore(file, { current: '', keys: [] });
    await store.rotate(alg);
    return store;
  }

  /** Creates a new signing key and makes it current. Returns its kid. */
  async rotate(alg: SigningAlg = this.currentKey().alg): Promise<string> {
    const { privateKey } = await generateKeyPair(alg, { extractable: true, ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}) });
    const privateJwk = await exportJWK(privateKey);
    const kid = await calculateJwkThumbprint(privateJwk);
    this.data = {
      current: kid,
      keys: [...this.data.keys, { kid, alg, createdAt: new Date().toISOString(), privateJwk: { ...privateJwk, kid, alg } }].slice(-PUBLISHED_KEYS),
    };
    writeFileSync(this.file, JSON.stringify(this.data, null, 2), { mode: 0o600 });
    chmodSync(this.file, 0o600);
    return kid;
  }

  currentKey(): StoredKey {
    const key = this.data.keys.find((k) => k.kid === this.data.current);
    if (!key) throw new Error(`key store ${this.file} has no current key`);
    return key;
  }

  async signingKey(): Promise<{ key: CryptoKey; kid: string; alg: SigningAlg }> {
    const { kid, alg, privateJwk } = this.currentKey();
    return { key: (await importJWK(privateJwk, alg)) as CryptoKey, kid, alg };
  }

  /** The private JWKs for the OpenID provider, the current key first (it signs ID tokens with the first of its algorithm). */
  signingJwks(): JWK[] {
    const current = this.currentKey();
    return [current, ...this.data.keys.filter((k) => k !== current)].map(({ privateJwk, kid, alg }) => ({ ...privateJwk, kid, alg, use: 'sig' }));
  }

  /** The public JWKS: private members stripped, `kid`, `alg` and `use` set. */
  publicJwks(): { keys: JWK[] } {
    return {
      keys: this.data.keys.map(({ privateJwk, kid, alg }) => {
        const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...pub } = privateJwk;
        return { ...pub, kid, alg, use: 'sig' };
      }),
    };
  }
}
