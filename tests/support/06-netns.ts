/**
 * Lesson 06's second host: a Linux network namespace joined to this one by a veth pair.
 *
 * Only the suite for lesson 06 uses this. It needs root and iproute2 (`ip`). Everything it makes
 * carries a unique name (prefix, process id, random part) and is removed by `teardown`, which is
 * safe to call more than once and after a half-finished setup.
 *
 * Addresses: a private /29 in 10.200.X.0 (X random, skipped when this machine already uses it).
 *   .1  the host side of the link (in this namespace): servers here are what the other host calls
 *   .2  the other host: nothing listens there, so connections to it are refused
 *   .3  also the other host, but it never answers (its replies are routed into a blackhole), to
 *       show a probe's timeout
 * Only these addresses are ever contacted.
 *
 * Making one takes several processes, so the guide keeps one from run to run (06-netns.kept.ts):
 * a run only connects through it, and its connections die with the run's processes.
 */
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { promisify } from 'node:util';

const run = promisify(execFile);
const PREFIX = 'wb06';

export interface SecondHost {
  /** The namespace's name (for `ip netns exec`). */
  ns: string;
  /** The veth end that stays in this (the host's) namespace. */
  hostLink: string;
  /** The veth end inside the namespace. */
  nsLink: string;
  /** The host's address on the link: what the other host connects to. */
  hostAddress: string;
  /** The other host's address: refuses connections (nothing listens). */
  otherAddress: string;
  /** Another address of the other host that never answers. */
  silentAddress: string;
}

/** The second host the guide keeps (06-netns.kept.ts), as JSON; set in its spare test worker only. */
export const KEPT_SECOND_HOST = 'WORKBOOK_KEPT_SECOND_HOST';

/** The guide's kept second host, when this run has one: made, checked and removed by the guide's helper. */
export function keptSecondHost(): SecondHost | undefined {
  const kept = process.env[KEPT_SECOND_HOST];
  return kept ? (JSON.parse(kept) as SecondHost) : undefined;
}

async function ip(...args: string[]): Promise<string> {
  const { stdout } = await run('ip', args, { timeout: 10_000 });
  return stdout;
}

/**
 * Several `ip` commands in one process (`ip -batch -`, a line each), stopping at the first that
 * fails; `namespace` runs them all inside it. One process instead of one per command: each costs
 * a few milliseconds to start, more on a busy machine.
 */
function ipBatch(commands: string[][], namespace?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = execFile('ip', [...(namespace ? ['-n', namespace] : []), '-batch', '-'], { timeout: 10_000 }, (error) =>
      error ? reject(error) : resolve(),
    );
    child.stdin?.on('error', () => undefined); // no `ip` at all: the callback says so
    child.stdin?.end(`${commands.map((words) => words.join(' ')).join('\n')}\n`);
  });
}

/** Why the namespace tests cannot run here, or null when they can. */
export async function whyNoSecondHost(): Promise<string | null> {
  if (process.platform !== 'linux') return `network namespaces are a Linux feature (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'creating a network namespace needs root (CI runs this suite as root)';
  // Creating and removing one is the only reliable test (containers may forbid it even to root).
  const probeName = `${PREFIX}-check-${process.pid}-${randomBytes(2).toString('hex')}`;
  try {
    await ipBatch([['netns', 'add', probeName], ['netns', 'del', probeName]]);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'the `ip` command (iproute2) is not installed';
    await ip('netns', 'del', probeName).catch(() => undefined);
    return `this machine refuses to create a network namespace (${firstLine(error)})`;
  }
  return null;
}

/** Creates the namespace, the veth pair and the addresses. On failure, removes what it made and throws. */
export async function createSecondHost(): Promise<SecondHost> {
  const [subnet] = await Promise.all([freeSubnet(), removeStale()]);
  const tag = randomBytes(3).toString('hex');
  const host: SecondHost = {
    ns: `${PREFIX}-${process.pid}-${tag}`,
    // Interface names are limited to 15 characters.
    hostLink: `${PREFIX}h${tag}`,
    nsLink: `${PREFIX}n${tag}`,
    hostAddress: `${subnet}.1`,
    otherAddress: `${subnet}.2`,
    silentAddress: `${subnet}.3`,
  };
  try {
    await ipBatch([
      ['netns', 'add', host.ns],
      ['link', 'add', host.hostLink, 'type', 'veth', 'peer', 'name', host.nsLink, 'netns', host.ns],
      ['addr', 'add', `${host.hostAddress}/29`, 'dev', host.hostLink],
      ['link', 'set', host.hostLink, 'up'],
    ]);
    await ipBatch(
      [
        ['addr', 'add', `${host.otherAddress}/29`, 'dev', host.nsLink],
        ['addr', 'add', `${host.silentAddress}/29`, 'dev', host.nsLink],
        ['link', 'set', host.nsLink, 'up'],
        ['link', 'set', 'lo', 'up'],
        // Replies sent from the silent address go nowhere: a connection to it gets no answer at all.
        ['rule', 'add', 'from', host.silentAddress, 'lookup', '100'],
        ['route', 'add', 'blackhole', 'default', 'table', '100'],
      ],
      host.ns,
    );
    return host;
  } catch (error) {
    await teardown(host);
    throw new Error(`could not set up the second host (${firstLine(error)})`, { cause: error });
  }
}

/**
 * Throws unless a server bound to the host's own link address is reachable from the other side:
 * the link must work before "unreachable" can mean anything.
 */
export async function checkLink(host: SecondHost): Promise<void> {
  const server = net.createServer((socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: host.hostAddress, port: 0 }, resolve);
  });
  const { port } = server.address() as net.AddressInfo;
  const seen = await connectFromSecondHost(host, host.hostAddress, port).finally(() => server.close());
  if (seen !== 'connected') throw new Error(`the second host cannot reach ${host.hostAddress}:${port} (${seen}); the link is broken`);
}

/** Removes the namespace (which takes its veth end, and so the pair, with it) and the host link. */
export async function teardown(host: Pick<SecondHost, 'ns' | 'hostLink'>): Promise<void> {
  await ip('netns', 'del', host.ns).catch(() => undefined);
  await ip('link', 'del', host.hostLink).catch(() => undefined);
}

/** What is still there of `host`: an empty list when teardown left nothing behind. */
export async function leftovers(host: Pick<SecondHost, 'ns' | 'hostLink' | 'nsLink'>): Promise<string[]> {
  const [namespaceList, links] = await Promise.all([ip('netns', 'list'), ip('-o', 'link', 'show')]);
  const namespaces = namespaceList.split('\n').map((line) => line.split(' ')[0]);
  const found: string[] = [];
  if (namespaces.includes(host.ns)) found.push(`namespace ${host.ns} (ip netns list)`);
  for (const link of [host.hostLink, host.nsLink]) {
    if (new RegExp(`^\\d+: ${link}[@:]`, 'm').test(links)) found.push(`link ${link} (ip link)`);
  }
  return found;
}

/** Synchronous last resort for an interrupted run (process exit): same as teardown. */
export function teardownSync(host: Pick<SecondHost, 'ns' | 'hostLink'>): void {
  for (const args of [['netns', 'del', host.ns], ['link', 'del', host.hostLink]]) {
    try {
      execFileSync('ip', args, { stdio: 'ignore', timeout: 5_000 });
    } catch {
      // already gone
    }
  }
}

/**
 * From inside the namespace, tries a TCP connection to address:port with plain Node.
 * @returns "connected", or the error code ("ECONNREFUSED", ...), or "ETIMEDOUT"
 */
export async function connectFromSecondHost(host: SecondHost, address: string, port: number): Promise<string> {
  const script = `
    const net = require('node:net');
    const [address, port] = process.argv.slice(1);
    const socket = net.connect({ host: address, port: Number(port) });
    const done = (what) => { clearTimeout(timer); socket.destroy(); process.stdout.write(what); };
    const timer = setTimeout(() => done('ETIMEDOUT'), 3000);
    socket.once('connect', () => done('connected'));
    socket.once('error', (error) => done(error.code ?? String(error)));
  `;
  const { stdout } = await run('ip', ['netns', 'exec', host.ns, process.execPath, '-e', script, address, String(port)], {
    timeout: 10_000,
  });
  return stdout.trim();
}

/** Removes namespaces (and their links) left by an earlier run of this suite that was killed. */
async function removeStale(): Promise<void> {
  const names = (await ip('netns', 'list')).split('\n').map((line) => line.split(' ')[0] ?? '');
  for (const name of names) {
    const match = new RegExp(`^${PREFIX}-(\\d+)-([0-9a-f]{6})$`).exec(name);
    if (!match || alive(Number(match[1]))) continue;
    await teardown({ ns: name, hostLink: `${PREFIX}h${match[2]}` });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A 10.200.X prefix that no address or route on this machine uses yet. */
async function freeSubnet(): Promise<string> {
  const used = (await Promise.all([ip('-4', 'addr', 'show'), ip('-4', 'route', 'show', 'table', 'all')])).join('');
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const candidate = `10.200.${randomBytes(1)[0]}`;
    if (!used.includes(`${candidate}.`)) return candidate;
  }
  throw new Error('no free 10.200.X.0/29 subnet found');
}

function firstLine(error: unknown): string {
  const text = (error as { stderr?: string }).stderr?.trim() || (error as Error).message || String(error);
  return text.split('\n')[0] ?? text;
}
