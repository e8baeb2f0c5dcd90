/**
 * RabbitMQ: the federation transport (seed 000 §7.5), Debian's `rabbitmq-server` with its Erlang, run as a
 * foreground process of the stack.
 *
 * Installed by unpacking the Debian packages into the cache (`apt-get download` + `dpkg -x`,
 * infra/stack/debian-packages.ts), not by `apt-get install`. Installing would change the system — a
 * `rabbitmq` user, /etc/rabbitmq, /var/lib/rabbitmq, an enabled service that a systemd machine starts at its
 * next boot on every interface — and its postinst starts that service at once unless a policy-rc.d forbids
 * it; a temporary policy-rc.d must then never be left behind or overwrite the machine's own, and the dpkg
 * lock is shared with whatever else runs apt. Unpacked, the broker touches nothing outside the cache and the
 * data folder, needs no service guard, and sits in a versioned cache folder like every other pinned server.
 * The price is one patch: Debian's `erl` scripts hard-code their root folder (ROOTDIR=/usr/lib/erlang).
 *
 * Everything the node keeps lives in `<data>/rabbitmq` (0700): the node's database (mnesia), its own log,
 * its config and enabled-plugins file (none: no management listener), and HOME with the Erlang cookie.
 * Every listener is on 127.0.0.1: AMQP, the Erlang distribution port, and the node's own epmd, which
 * infra/rabbitmq/run.sh runs inside the component's process group (no `epmd -daemon` survives `down`).
 *
 * Users: the ledger and each partner organisation get their own user, with a random password created once
 * (`<data>/rabbitmq/credentials.json`, 0600), in the virtual host `federation`, with the permissions of
 * infra/rabbitmq/permissions.ts. They are a definitions document (passwords hashed) the node loads at every
 * boot, before its listeners open — so it never seeds the default `guest` user — and that `configure`
 * imports again into a node that was already running (rabbitmqctl), deleting `guest` if an older database
 * has it.
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LOCAL_PORTS, rabbitmqAddress, rabbitmqEndpoint } from '../../../config/endpoints.js';
import { CACHE_DIR, DATA_DIR, ROOT } from '../../../config/paths.js';
import {
  FEDERATION_SENDER_ORG,
  LOCAL_FEDERATION_PARTNERS,
  LOCAL_RABBITMQ_CREDENTIALS_FILE,
  readRabbitmqCredentials,
  type RabbitmqCredential,
  type RabbitmqCredentials,
} from '../../../config/rabbitmq-credentials.js';
import { ensurePrivateDir } from '../../../lib/private-files.js';
import { amqpLogin, amqpServes } from '../../rabbitmq/amqp-probe.js';
import { FEDERATION_VHOST, federationPermissions, type Permissions } from '../../rabbitmq/permissions.js';
import { VERSIONS } from '../../versions.js';
import type { Component } from '../component.js';
import { aptCandidate, aptUpdate, dependencyClosure, unpackDebs } from '../debian-packages.js';
import { installOnce, run } from '../install.js';
import { readPid } from '../process.js';

const installDir = join(CACHE_DIR, `rabbitmq-server-${VERSIONS.rabbitmq}`);
const erlangRoot = (tree: string) => join(tree, 'usr', 'lib', 'erlang');
const rabbitBin = join(installDir, 'usr', 'lib', 'rabbitmq', 'bin');

const dataDir = join(DATA_DIR, 'rabbitmq');
const file = (name: string) => join(dataDir, name);
const NODE = 'rabbit@localhost';
/** the organisations the local broker has users for: ours (the sender) and the partners */
const LOCAL_ORGS = [FEDERATION_SENDER_ORG, ...LOCAL_FEDERATION_PARTNERS];

/**
 * Points Debian's Erlang start scripts at `to` instead of `from` (they ignore both ERL_ROOTDIR and their own
 * location). RELEASES names library folders too; only the release handler reads it, but keep it true.
 */
function relocateErlang(tree: string, from: string, to: string): void {
  const root = erlangRoot(tree);
  const erts = readdirSync(root).filter((d) => d.startsWith('erts-'));
  const scripts = [join(root, 'bin', 'erl'), join(root, 'bin', 'start'), ...erts.flatMap((d) => [join(root, d, 'bin', 'erl'), join(root, d, 'bin', 'start')])];
  for (const script of scripts) {
    const text = readFileSync(script, 'utf8');
    if (!text.includes(`ROOTDIR=${from}`)) throw new Error(`${script}: no ROOTDIR=${from} to relocate (has the Debian package changed?)`);
    writeFileSync(script, text.replaceAll(`ROOTDIR=${from}`, `ROOTDIR=${to}`));
  }
  const releases = join(root, 'releases', 'RELEASES');
  if (existsSync(releases)) writeFileSync(releases, readFileSync(releases, 'utf8').replaceAll(`"${from}/`, `"${to}/`));
}

async function install(): Promise<void> {
  await installOnce(installDir, `RabbitMQ ${VERSIONS.rabbitmq} with Erlang (Debian packages, unpacked)`, async (tmp) => {
    let candidate = await aptCandidate('rabbitmq-server');
    if (!candidate) {
      await aptUpdate('apt knows no rabbitmq-server package yet');
      candidate = await aptCandidate('rabbitmq-server');
    }
    if (!candidate?.startsWith(`${VERSIONS.rabbitmq}-`)) {
      throw new Error(`apt offers rabbitmq-server ${candidate ?? '(none)'}, the stack pins ${VERSIONS.rabbitmq} (infra/versions.ts; Debian bookworm ships it)`);
    }
    const packages = await dependencyClosure('rabbitmq-server', /^erlang-/);
    const versions = await unpackDebs(packages, tmp);
    writeFileSync(join(tmp, 'packages.txt'), `${versions.join('\n')}\n`);
    // Check the unpacked Erlang where it is (it loads OpenSSL: a missing system library shows here), then
    // point it at the folder it is about to be moved to.
    relocateErlang(tmp, '/usr/lib/erlang', erlangRoot(tmp));
    await run(join(erlangRoot(tmp), 'bin', 'erl'), ['-noshell', '-eval', 'ok = application:ensure_started(crypto), halt().']);
    relocateErlang(tmp, erlangRoot(tmp), erlangRoot(installDir));
  });
}

/**
 * The environment of the node and of its CLI tools: every path under `<data>/rabbitmq` (none of Debian's
 * defaults under /etc or /var is read or written), every listener on 127.0.0.1, the stack's epmd.
 */
function nodeEnv(): NodeJS.ProcessEnv {
  const onLoopback = '-kernel inet_dist_use_interface {127,0,0,1}';
  return {
    ...process.env,
    PATH: [join(erlangRoot(installDir), 'bin'), rabbitBin, process.env.PATH].join(':'),
    HOME: file('home'), // where Erlang reads its cookie (prepare() writes it), the node's and the CLI's alike
    RABBITMQ_NODENAME: NODE,
    RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
    RABBITMQ_NODE_PORT: String(LOCAL_PORTS.rabbitmq),
    RABBITMQ_DIST_PORT: String(LOCAL_PORTS.rabbitmqDist),
    ERL_EPMD_ADDRESS: '127.0.0.1',
    ERL_EPMD_PORT: String(LOCAL_PORTS.rabbitmqEpmd),
    // no Erlang VM of ours, the node's helpers and the CLI's included, ever starts `epmd -daemon`
    ERL_FLAGS: '-start_epmd false',
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: `-noinput ${onLoopback}`,
    RABBITMQ_CTL_ERL_ARGS: onLoopback,
    RABBITMQ_ALLOW_INPUT: '1', // see infra/rabbitmq/run.sh
    RABBITMQ_CONF_ENV_FILE: file('rabbitmq-env.conf'), // never created: keeps /etc/rabbitmq/rabbitmq-env.conf out
    RABBITMQ_CONFIG_FILE: file('rabbitmq.conf'),
    RABBITMQ_CONFIG_FILES: join(file('conf.d'), '*.conf'),
    RABBITMQ_ADVANCED_CONFIG_FILE: file('advanced.config'),
    RABBITMQ_ENABLED_PLUGINS_FILE: file('enabled_plugins'),
    RABBITMQ_MOTD_FILE: file('motd'),
    RABBITMQ_MNESIA_BASE: file('mnesia'),
    RABBITMQ_LOG_BASE: file('log'),
    RABBITMQ_PID_FILE: file('rabbit.pid'),
    ERL_CRASH_DUMP: join(file('log'), 'erl_crash.dump'),
  };
}

function rabbitmqConf(): string {
  return [
    '# generated by infra/stack/components/rabbitmq.ts at every start',
    `listeners.tcp.default = 127.0.0.1:${LOCAL_PORTS.rabbitmq}`,
    // Users, vhost and permissions at every boot, before the listeners open. A node that boots with
    // definitions also seeds no default user (guest) nor vhost (/).
    `load_definitions = ${file('definitions.json')}`,
    'loopback_users.guest = true',
    'log.console = true',
    'log.console.level = info',
    'log.console.use_colors = off',
    'log.file.level = info',
    '',
  ].join('\n');
}

const secret = () => randomBytes(24).toString('base64url');

/** The users' credentials: created once, random; an organisation added later gets its own without changing the others. */
function ensureCredentials(): RabbitmqCredentials {
  const existing = existsSync(LOCAL_RABBITMQ_CREDENTIALS_FILE) ? readRabbitmqCredentials(LOCAL_RABBITMQ_CREDENTIALS_FILE) : {};
  const missing = LOCAL_ORGS.filter((org) => !Object.hasOwn(existing, org));
  if (missing.length === 0) return existing;
  const all = { ...existing, ...Object.fromEntries(missing.map((org) => [org, { username: org, password: secret() }])) };
  writeFileSync(LOCAL_RABBITMQ_CREDENTIALS_FILE, `${JSON.stringify(all, null, 2)}\n`, { mode: 0o600 });
  return all;
}

/**
 * RabbitMQ's own password hash (rabbit_password_hashing_sha256): base64 of a 4-byte salt followed by
 * SHA-256(salt ‖ password). Definitions carry it instead of the password, so no password is written twice.
 */
function rabbitmqPasswordHash(password: string, salt = randomBytes(4)): string {
  return Buffer.concat([salt, createHash('sha256').update(salt).update(password, 'utf8').digest()]).toString('base64');
}

/** The vhost, the users and their permissions, as a RabbitMQ definitions document. */
function federationDefinitions(credentials: RabbitmqCredentials): { document: string; wanted: Map<string, Permissions> } {
  const wanted = new Map(Object.entries(federationPermissions(LOCAL_FEDERATION_PARTNERS)).map(([org, p]) => [credentials[org]!.username, p]));
  const users = LOCAL_ORGS.map((org) => ({
    name: credentials[org]!.username,
    password_hash: rabbitmqPasswordHash(credentials[org]!.password),
    hashing_algorithm: 'rabbit_password_hashing_sha256',
    tags: '',
  }));
  const permissions = [...wanted].map(([user, p]) => ({ user, vhost: FEDERATION_VHOST, ...p }));
  return { document: `${JSON.stringify({ vhosts: [{ name: FEDERATION_VHOST }], users, permissions }, null, 2)}\n`, wanted };
}

/** rabbitmqctl against the stack's node; `input` goes to its stdin. */
function rabbitmqctl(args: readonly string[], input?: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(join(rabbitBin, 'rabbitmqctl'), ['--node', NODE, ...args], { env: nodeEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolvePromise(out) : reject(new Error(`rabbitmqctl ${args.join(' ')} exited with ${code}:\n${out.slice(-2000)}`))));
    child.stdin.end(input ?? '');
  });
}

const listJson = async <T>(args: readonly string[]): Promise<T[]> => JSON.parse(await rabbitmqctl(['-q', ...args, '--formatter', 'json'])) as T[];

/** What the broker grants in the federation vhost, by user (undefined while the vhost does not exist yet). */
async function grantedPermissions(): Promise<Map<string, Permissions> | undefined> {
  try {
    const rows = await listJson<Permissions & { user: string }>(['list_permissions', '-p', FEDERATION_VHOST]);
    return new Map(rows.map(({ user, configure, write, read }) => [user, { configure, write, read }]));
  } catch {
    return undefined;
  }
}

/**
 * Brings a running node to the definitions (the node also loads them at boot): imported through
 * rabbitmqctl, which the broker applies asynchronously, so this then waits until it grants exactly them.
 * Deletes `guest` if an older database has it. Each rabbitmqctl call boots an Erlang VM (≈0.6 s), and every
 * `up` (each test file's) configures every component: so this runs once per broker process, which
 * `<data>/rabbitmq/applied.json` records with a digest of what was applied.
 */
async function applyDefinitions(): Promise<void> {
  const credentials = readRabbitmqCredentials(LOCAL_RABBITMQ_CREDENTIALS_FILE);
  const broker = readPid('rabbitmq');
  const digest = createHash('sha256').update(JSON.stringify([credentials, federationPermissions(LOCAL_FEDERATION_PARTNERS)])).digest('hex');
  const record = JSON.stringify({ pid: broker?.pid, startTicks: broker?.startTicks, digest });
  if (broker && existsSync(file('applied.json')) && readFileSync(file('applied.json'), 'utf8') === record) return;
  const { document, wanted } = federationDefinitions(credentials);
  await rabbitmqctl(['-q', 'import_definitions', '--format', 'json'], document);
  const users = await listJson<{ user: string }>(['list_users']);
  if (users.some((u) => u.user === 'guest')) await rabbitmqctl(['-q', 'delete_user', 'guest']);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const granted = await grantedPermissions(); // each call boots a CLI VM (≈0.5 s): no pause needed between them
    const pending = [...wanted].filter(([user, p]) => JSON.stringify(granted?.get(user)) !== JSON.stringify(p));
    if (pending.length === 0) return writeFileSync(file('applied.json'), record, { mode: 0o600 });
    if (Date.now() > deadline) throw new Error(`RabbitMQ did not apply the permissions of ${pending.map(([u]) => u).join(', ')} within 30 s (see its log)`);
  }
}

/** Which organisation's user the health check logs in as: ours if the credentials file has it, else any. */
function healthCredential(): RabbitmqCredential | undefined {
  try {
    const all = readRabbitmqCredentials();
    return all[FEDERATION_SENDER_ORG] ?? Object.values(all)[0];
  } catch {
    return undefined;
  }
}

export function rabbitmqComponent(): Component {
  const endpoint = rabbitmqEndpoint();
  return {
    name: 'rabbitmq',
    endpoint,
    ports: [LOCAL_PORTS.rabbitmq, LOCAL_PORTS.rabbitmqDist, LOCAL_PORTS.rabbitmqEpmd],
    startTimeoutMs: 120_000, // an Erlang cold start on a busy 2-core machine
    stopGraceMs: 30_000,
    install,
    async prepare() {
      ensurePrivateDir(dataDir);
      for (const dir of ['home', 'mnesia', 'log']) ensurePrivateDir(file(dir));
      const cookie = join(file('home'), '.erlang.cookie');
      if (!existsSync(cookie)) writeFileSync(cookie, randomBytes(20).toString('hex').toUpperCase(), { mode: 0o600 });
      writeFileSync(file('rabbitmq.conf'), rabbitmqConf(), { mode: 0o600 });
      writeFileSync(file('enabled_plugins'), '[].\n', { mode: 0o600 });
      writeFileSync(file('definitions.json'), federationDefinitions(ensureCredentials()).document, { mode: 0o600 });
    },
    launchSpec() {
      return { command: '/bin/sh', args: [join(ROOT, 'infra', 'rabbitmq', 'run.sh'), file('epmd.guard')], env: nodeEnv(), cwd: dataDir };
    },
    async healthy() {
      // a login with an organisation's credentials, or, where this process has none (an external broker), the
      // broker's first answer on the AMQP port
      const credential = healthCredential();
      return credential ? amqpLogin({ ...rabbitmqAddress(), ...credential }) : amqpServes(rabbitmqAddress());
    },
    async configure() {
      // An external broker's users and permissions are its operators' (docker-compose.temporal.yml: definitions).
      if (endpoint.external) return;
      await applyDefinitions();
    },
  };
}
