// Start and stop optionchain nodes for end-to-end tests: free ports, logs in a temp dir,
// every node killed when the test ends (or the process exits), log paths printed on failure.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApiPromise, WsProvider } from '@polkadot/api';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '..', '..', '..');

/** Path of the node binary: $OPTIONCHAIN_NODE, else the dev build in the shared target dir. */
export function nodeBinary() {
  if (process.env.OPTIONCHAIN_NODE) return process.env.OPTIONCHAIN_NODE;
  const target = process.env.CARGO_TARGET_DIR || path.join(os.homedir(), '.cache', 'optionchain', 'target');
  const bin = path.join(target, 'debug', 'optionchain-node');
  if (!fs.existsSync(bin)) {
    throw new Error(`node binary not found at ${bin}: build it with 'cargo build -p optionchain-node' or set OPTIONCHAIN_NODE`);
  }
  return bin;
}

/** A free TCP port on loopback. */
/** Ports handed out by `freePort` in this run (the OS may offer a just-closed port again). */
const handedOut = new Set();

export async function freePort() {
  // A node given the same port for RPC and p2p (two calls in a row can get the same free
  // port) starts its RPC server elsewhere and the tests talk to its p2p port: never hand a
  // port out twice.
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = await new Promise((resolve, reject) => {
      const srv = net.createServer();
      srv.unref();
      srv.on('error', reject);
      srv.listen(0, '127.0.0.1', () => {
        const { port } = srv.address();
        srv.close(() => resolve(port));
      });
    });
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error('no free port not handed out before');
}

const running = new Set();
function killAll() {
  for (const n of running) {
    try { process.kill(-n.child.pid, 'SIGKILL'); } catch { /* already gone */ }
  }
}
process.on('exit', killAll);
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => { killAll(); process.exit(130); });
}

/** Directory for this run's logs and node databases. */
export const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'optionchain-e2e-'));

/**
 * A running node. `args` are the node's CLI arguments; `name` labels the log file.
 * The RPC and p2p ports are chosen free unless given.
 */
export class Node {
  constructor(name, args, { rpcPort, p2pPort } = {}) {
    this.name = name;
    this.args = args;
    this.rpcPort = rpcPort;
    this.p2pPort = p2pPort;
    this.logPath = path.join(runDir, `${name}.log`);
    this.child = null;
    this.apis = [];
  }

  /** Start the node and wait for its RPC port (unless `waitRpc` is false). */
  async start({ waitRpc = true } = {}) {
    this.rpcPort ??= await freePort();
    this.p2pPort ??= await freePort();
    const log = fs.openSync(this.logPath, 'a');
    const args = [...this.args, '--rpc-port', String(this.rpcPort), '--port', String(this.p2pPort),
      '--no-prometheus', '--no-telemetry', '--no-mdns'];
    fs.writeSync(log, `\n=== ${new Date().toISOString()} ${nodeBinary()} ${args.join(' ')}\n`);
    this.child = spawn(nodeBinary(), args, { stdio: ['ignore', log, log], detached: true });
    fs.closeSync(log);
    this.exited = new Promise((resolve) => this.child.on('exit', (code, signal) => resolve({ code, signal })));
    running.add(this);
    if (waitRpc) await this.waitForRpc();
    return this;
  }

  get wsUrl() { return `ws://127.0.0.1:${this.rpcPort}`; }

  async waitForRpc(timeoutMs = 120_000) {
    const deadline = Date.now() + timeoutMs;
    let exited = false;
    this.exited.then(() => { exited = true; });
    while (Date.now() < deadline) {
      if (exited) throw new Error(`${this.name} exited during startup; log: ${this.logPath}\n${this.tail()}`);
      const ok = await new Promise((resolve) => {
        const s = net.connect(this.rpcPort, '127.0.0.1', () => { s.destroy(); resolve(true); });
        s.on('error', () => resolve(false));
      });
      if (ok) return;
      await sleep(250);
    }
    throw new Error(`${this.name} RPC not ready after ${timeoutMs} ms; log: ${this.logPath}\n${this.tail()}`);
  }

  /** A connected polkadot.js API (no custom types). */
  async api() {
    const api = await ApiPromise.create({ provider: new WsProvider(this.wsUrl, 1000), noInitWarn: true, throwOnConnect: true });
    this.apis.push(api);
    return api;
  }

  /** Stop cleanly (SIGINT, then SIGKILL after a grace period). */
  async stop() {
    for (const api of this.apis.splice(0)) {
      try { await api.disconnect(); } catch { /* ignore */ }
    }
    if (!this.child || this.child.exitCode !== null || this.child.signalCode !== null) {
      running.delete(this);
      return;
    }
    try { process.kill(-this.child.pid, 'SIGINT'); } catch { /* gone */ }
    const timer = setTimeout(() => { try { process.kill(-this.child.pid, 'SIGKILL'); } catch { /* gone */ } }, 20_000);
    await this.exited;
    clearTimeout(timer);
    running.delete(this);
  }

  tail(lines = 40) {
    try {
      return fs.readFileSync(this.logPath, 'utf8').split('\n').slice(-lines).join('\n');
    } catch { return ''; }
  }
}

export function sleep(ms) { return new Promise((r) => setTimeout(r, ms)); }

/** Poll `fn` until it returns a truthy value, or fail with `what` after `timeoutMs`. */
export async function waitFor(what, fn, timeoutMs = 120_000, everyMs = 500) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) { last = e; }
    await sleep(everyMs);
  }
  throw new Error(`timed out waiting for ${what} (last: ${last})`);
}

/** Print where the logs are: call from a test's failure path. */
export function reportLogs(nodes) {
  console.error(`node logs in ${runDir}:`);
  for (const n of nodes) console.error(`  ${n.name}: ${n.logPath}`);
}

// Nonces. An operator (Alice, Bob, Charlie on the dev chain) feeds every block and also sends
// other transactions; two of them with the same nonce collide in the pool, and the feed's
// priority wins (`1014: Priority is too low`). So one submission at a time per signer, with
// nonce max(node's `system_accountNextIndex`, the last one this process submitted + 1): the
// node's count can lag the pool right after a block is imported, when the feeds are sent. A
// submission that still collides is retried with the next nonce; a transaction the pool
// drops or finds invalid clears the local count, so a gap left by a dropped feed is filled by
// the next transaction (the next block's feed at the latest).
const submitting = new Map();
const nextNonce = new Map();
function inTurn(address, submit) {
  const turn = (submitting.get(address) ?? Promise.resolve()).then(submit);
  submitting.set(address, turn.catch(() => {}));
  return turn;
}
async function submitWithNonce(api, tx, signer, callback) {
  for (let attempt = 0; ; attempt++) {
    const node = (await api.rpc.system.accountNextIndex(signer.address)).toNumber();
    const nonce = Math.max(node, nextNonce.get(signer.address) ?? 0);
    try {
      const unsub = await tx.signAndSend(signer, { nonce }, callback);
      nextNonce.set(signer.address, nonce + 1);
      return unsub;
    } catch (e) {
      if (attempt >= 8 || !/1014|Priority is too low/.test(String(e && e.message))) throw e;
      nextNonce.set(signer.address, nonce + 1);
    }
  }
}

/**
 * Sign and send `tx` as `signer`, resolve when it is finalized (or, with `until = 'inBlock'`,
 * included in a best block) with its events; reject with the decoded module error when it
 * fails, or with the pool's error when it is refused.
 */
export function sendAndFinalize(api, tx, signer, until = 'finalized') {
  return new Promise((resolve, reject) => {
    let unsub;
    inTurn(signer.address, () => submitWithNonce(api, tx, signer, (result) => {
      const { status, events, dispatchError } = result;
      if (dispatchError) {
        let msg = dispatchError.toString();
        if (dispatchError.isModule) {
          const d = api.registry.findMetaError(dispatchError.asModule);
          msg = `${d.section}.${d.name}`;
        }
        if (unsub) unsub();
        reject(new Error(`extrinsic failed: ${msg}`));
        return;
      }
      if (status.isFinalized || (until === 'inBlock' && status.isInBlock)) {
        if (unsub) unsub();
        resolve({ blockHash: status.isFinalized ? status.asFinalized : status.asInBlock, events });
      } else if (status.isDropped || status.isInvalid || status.isUsurped) {
        if (unsub) unsub();
        nextNonce.delete(signer.address);
        reject(new Error(`extrinsic ${status.type}`));
      }
    })).then((u) => { unsub = u; }, reject);
  });
}
