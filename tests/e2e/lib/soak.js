// The four-validator soak (issue 19, item 3): a `local` network of four validators (Alice, Bob,
// Charlie, Dave) on loopback under continuous trading load, with one validator at a time
// killed (SIGKILL) and restarted, frozen (SIGSTOP) and resumed, or stopped, purged and resynced
// from genesis; hard checks every minute and at the end. Used by `soak.js` (the command line,
// `scripts/soak.sh`) and `test/soak.test.js` (a short run in CI).
//
// Load: the price feeder (`feeder.js`: Bob and Charlie feed a seeded random walk of BTC and ETH
// every block, at `scale` times the fed volatility so that prices move enough to margin-call;
// with `--board //Alice` it sets the listing rules so that the chain lists an expiry every 10
// minutes and settles it), the demo maker (`maker.js`: Eve and Ferdie quote every listed
// series), takers (immediate-or-cancel orders of one contract at the best bid or ask of the
// nearest expiry, through every validator in turn) and weak traders (a new account every
// `weakEvery` s sells at-the-money options up to its initial requirement, so that the walk
// margin-calls it and the chain liquidates or sweeps it). At the start, sudo (Alice) lists a BTC
// call and put expiring `firstExpiry` s later, so that even a short run sees an expiry and
// its settlement. Dave funds the takers and weak traders by transfer (no mint).
//
// Faults: one at a time, every `faultEvery` s from `firstFault` s, the kinds rotating over
// `faults` and the targets over Dave, Charlie, Bob, Alice; a fault ends when the node's
// finalized head has caught up with the others' (bounded by `catchupTimeout`), and only then
// may the next one start, so at least three validators are always up and in sync. Before
// faulting the node the feeder and the maker are connected to, they are moved to another one.
//
// Checks, each a hard failure that stops the run (the figures file says which):
// - finality: the highest finalized block among the running nodes advances at least every
//   `stallBound` s (sampled every `sampleEvery` s), and so does the best block;
// - agreement (every `checkEvery` s and at the end): every running node's finalized block (hash
//   and header state root) is the block of that number on the node with the highest finalized
//   block, and all of them have the same hash at their common finalized height; at least three
//   nodes must answer (all four at the end);
// - money, at that finalized block: the settlement asset's supply equals genesis' and the sum of
//   its holders' balances; the margin escrow's balance equals the ledger (Σ collateral of every
//   margin account + ClearingTotal; `try_state` checks `>=`, equality holds as long as nobody
//   sends the asset to the escrow directly, which the soak never does);
// - logs: no node log line matches /panicked|This is a bug|Essential task .* failed/;
// - processes: no node exits unless the soak stopped it; a node that does not answer RPC
//   for `unresponsiveBound` s while it is up is a failure;
// - recovery: every faulted node catches up (its finalized head reaches the lowest of the
//   others') within `catchupTimeout` s; a purged node must have restarted from genesis.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringToU8a, u8aConcat } from '@polkadot/util';
import { cryptoWaitReady, encodeAddress } from '@polkadot/util-crypto';
import * as c from './client.js';
import { fixed } from './oracle.js';
import { Node, nodeBinary, runDir, sleep } from './node.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const e2eDir = path.resolve(here, '..');

export const NAMES = ['alice', 'bob', 'charlie', 'dave'];
const CHAIN_ID = 'optionchain_local';
const nodeKey = (i) => (i + 1).toString(16).padStart(64, '0');
const palletAccount = (id) => encodeAddress(u8aConcat(stringToU8a('modl'), stringToU8a(id), new Uint8Array(20)), 42);
export const ESCROW = palletAccount('oc/margn');
const OPT = 10n ** 12n;
const USD = c.USD;
export const FAULT_KINDS = ['kill', 'freeze', 'purge'];

export const DEFAULTS = {
  minutes: 30, // load duration (setup and final checks come on top)
  faultEvery: 180, // s between fault starts
  firstFault: 60, // s after the load starts
  faults: ['kill', 'freeze', 'purge'],
  // Fault targets in turn: Dave, Charlie, Bob, then Alice (the first hub: the helpers move).
  targets: ['dave', 'charlie', 'bob', 'alice'],
  maxFaults: 1000, // at most this many faults
  freezeSeconds: 60, // SIGSTOP .. SIGCONT
  killDownSeconds: 10, // SIGKILL .. restart
  stallBound: 60, // s without a new finalized (or best) block: failure
  catchupTimeout: 300, // s for a faulted node to catch up
  unresponsiveBound: 60, // s without an RPC answer from a node that is up: failure
  checkEvery: 60,
  sampleEvery: 2,
  rpcTimeout: 15,
  takers: 3,
  takerEvery: 4, // s between a taker's orders
  weakEvery: 60, // s between weak traders
  weakCollateral: 15_000, // USDC each weak trader deposits
  scale: 25, // the walk's volatility multiplier
  seed: 'optionchain-soak',
  firstExpiry: 150, // s: the short-dated BTC call and put (0: none)
  out: null, // figures file (default: soak.json in the run dir)
  quiet: false,
};

// ---- pure checks (exported for the test's self-checks: each must be able to fail) -----------

/** Lines of `text` that show a panic or a failed essential task. */
export function panicLines(text) {
  return text.split('\n').filter((l) => /panicked|This is a bug\. Please report|Essential task .* failed/.test(l));
}

/**
 * Agreement of finalized views. `views`: [{ name, number, hash, stateRoot }] (each node's
 * finalized block); `canon(number)`: the reference node's { hash, stateRoot } at that number;
 * `common`: [{ name, hash }] each node's hash at the common height. Returns error strings.
 */
export function agreementErrors(views, canonical, common) {
  const errors = [];
  for (const v of views) {
    const r = canonical.get(v.number);
    if (!r) { errors.push(`no reference block #${v.number} for ${v.name}`); continue; }
    if (r.hash !== v.hash) errors.push(`${v.name} finalized #${v.number} ${v.hash}, the reference has ${r.hash}`);
    else if (r.stateRoot !== v.stateRoot) errors.push(`${v.name} #${v.number} state root ${v.stateRoot}, the reference has ${r.stateRoot}`);
  }
  for (const x of common.slice(1)) {
    if (x.hash !== common[0].hash) errors.push(`at the common finalized height: ${x.name} has ${x.hash}, ${common[0].name} ${common[0].hash}`);
  }
  return errors;
}

/** Money checks: `b` = { supply, genesisSupply, holdersSum, escrow, ledger, clearing } (BigInt). */
export function moneyErrors(b) {
  const errors = [];
  if (b.supply !== b.genesisSupply) errors.push(`USDC supply ${b.supply} != genesis ${b.genesisSupply}`);
  if (b.holdersSum !== b.supply) errors.push(`sum of USDC holders ${b.holdersSum} != supply ${b.supply}`);
  if (b.escrow !== b.ledger + b.clearing) {
    errors.push(`escrow ${b.escrow} != ledger collateral ${b.ledger} + clearing ${b.clearing} (diff ${b.escrow - b.ledger - b.clearing})`);
  }
  return errors;
}

/** Tracks how long a counter has not advanced: `update(nowMs, value)` returns the stall in ms. */
export class StallWatch {
  constructor(nowMs) { this.value = -1; this.since = nowMs; this.max = 0; }
  update(nowMs, value) {
    if (value > this.value) { this.value = value; this.since = nowMs; }
    const stall = nowMs - this.since;
    if (stall > this.max) this.max = stall;
    return stall;
  }
}

export function percentile(xs, p) {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

/** A small deterministic generator (mulberry32). */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `p` or a rejection after `ms`. */
function within(p, ms, what) {
  let timer;
  return Promise.race([
    p,
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms); }),
  ]).finally(() => clearTimeout(timer));
}

function decodeError(api, err) {
  if (err && err.isModule) {
    try { const d = api.registry.findMetaError(err.asModule); return `${d.section}.${d.name}`; } catch { /* fall through */ }
  }
  return String(err);
}

/**
 * Sign with the node's next nonce (one transaction in flight per account), send, resolve at
 * inclusion in a best block with { blockHash, events }; reject on a dispatch error, a pool
 * refusal or after `ms`. No retries: the caller's loop is the retry, bounded.
 */
function submit(api, pair, tx, ms) {
  return new Promise((resolve, reject) => {
    let unsub = null; let done = false;
    const finish = (err, val) => {
      if (done) return;
      done = true; clearTimeout(timer);
      if (unsub) { try { unsub(); } catch { /* gone */ } }
      if (err) reject(err); else resolve(val);
    };
    const timer = setTimeout(() => finish(new Error(`not in a block within ${ms} ms`)), ms);
    (async () => {
      const nonce = (await api.rpc.system.accountNextIndex(pair.address)).toNumber();
      const u = await tx.signAndSend(pair, { nonce }, (r) => {
        if (r.dispatchError) finish(new Error(`extrinsic failed: ${decodeError(api, r.dispatchError)}`));
        else if (r.status.isInBlock) finish(null, { blockHash: r.status.asInBlock, events: r.events.map((e) => e.event) });
        else if (r.status.isDropped || r.status.isInvalid || r.status.isUsurped) finish(new Error(`extrinsic ${r.status.type}`));
      });
      if (done) { try { u(); } catch { /* gone */ } } else unsub = u;
    })().catch((e) => finish(e));
  });
}

/** An order through `submit`: { filled (contracts), rejected (error name or null) }. */
async function order(api, pair, req, ms) {
  const { blockHash, events } = await submit(api, pair, api.tx.options.placeOrder(req), ms);
  const placed = events.find((e) => api.events.options.OrderPlaced.is(e));
  if (!placed) return { filled: 0, rejected: 'no OrderPlaced' };
  const id = placed.data.orderId.toString();
  const all = await within(api.query.system.events.at(blockHash), ms, 'events');
  let filled = 0; let rejected = null;
  for (const { phase, event } of all) {
    if (!phase.isFinalization) continue;
    if (api.events.options.OrderFilled.is(event) && event.data.takerOrder.toString() === id) filled += event.data.quantity.toNumber();
    if (api.events.options.OrderRejected.is(event) && event.data.orderId.toString() === id) rejected = decodeError(api, event.data.error);
  }
  return { filled, rejected };
}

// ---- the soak -------------------------------------------------------------------------------

/** Run the soak; resolves with { figures, failures } (never throws for a failed check). */
export async function runSoak(options = {}) {
  const o = { ...DEFAULTS, ...options };
  for (const k of o.faults) if (!FAULT_KINDS.includes(k)) throw new Error(`unknown fault kind ${k}`);
  const TARGETS = o.targets.map((name) => {
    if (!NAMES.includes(name)) throw new Error(`unknown target ${name}`);
    return NAMES.indexOf(name);
  });
  await cryptoWaitReady();
  const out = o.out ?? path.join(runDir, 'soak.json');
  const t0 = Date.now();
  const logFile = path.join(runDir, 'soak.log');
  const stamp = () => {
    const s = Math.floor((Date.now() - t0) / 1000);
    return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
  };
  const say = (m) => {
    const line = `[soak ${stamp()}] ${m}`;
    fs.appendFileSync(logFile, `${line}\n`);
    if (!o.quiet) console.log(line);
  };
  const rpcMs = o.rpcTimeout * 1000;

  const failures = [];
  let stopping = false;
  let onFailure;
  const failed = new Promise((r) => { onFailure = r; });
  const fail = (m) => {
    failures.push({ at: stamp(), message: m });
    say(`FAILURE: ${m}`);
    stopping = true;
    onFailure();
  };
  // Sleep in steps so that a failure (and, for the load's loops, the load's end) ends waits
  // early; bounded by `ms`. A fault's own waits (down time, freeze) end only on a failure.
  const sleepUnless = async (ms, untilLoadOver = true) => {
    const end = Date.now() + ms;
    while (!stopping && !(untilLoadOver && loadOver) && Date.now() < end) await sleep(Math.min(500, end - Date.now()));
  };

  const fig = {
    startedAt: new Date(t0).toISOString(),
    options: { ...o, out },
    nodeBinary: nodeBinary(),
    runDir,
    partial: true,
    minutesPlanned: o.minutes,
    minutesRun: 0,
    blocks: {},
    events: {},
    eventCounts: {},
    authored: Object.fromEntries(NAMES.map((n) => [n, 0])),
    trading: { takerOrders: 0, takerFilled: 0, takerRefused: 0, takerErrors: 0, takerRefusals: {}, weakTraders: 0, weakContractsSold: 0, weakRefusals: {} },
    finality: { stallBoundSeconds: o.stallBound },
    faults: { kill: 0, freeze: 0, purge: 0, list: [] },
    resyncSeconds: [],
    helperMoves: 0,
    helperExits: { feeder: 0, maker: 0 },
    checks: { count: 0, last: null },
    nodeErrorLines: {},
    failures,
  };
  const writeFigures = () => {
    try {
      fs.mkdirSync(path.dirname(out), { recursive: true });
      fs.writeFileSync(out, `${JSON.stringify(fig, (k, v) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`);
    } catch (e) { say(`could not write ${out}: ${e.message}`); }
  };

  // Nodes: { i, name, node (lib/node.js Node), api, status: up | recovering | frozen | down, lastAnswer }.
  const nodes = NAMES.map((name, i) => ({ i, name, node: null, api: null, status: 'down', lastAnswer: Date.now(), peerId: null, logOffset: 0 }));
  const baseArgs = (i) => ['--chain', 'local', `--${NAMES[i]}`, '--base-path', path.join(runDir, NAMES[i]),
    '--node-key', nodeKey(i), '--rpc-max-connections', '200'];
  const multiaddr = (n) => `/ip4/127.0.0.1/tcp/${n.node.p2pPort}/p2p/${n.peerId}`;
  const inService = () => nodes.filter((n) => n.status === 'up');
  const running = () => nodes.filter((n) => n.status === 'up' || n.status === 'recovering');
  let hub = 0; // the node the feeder, the maker and the weak traders use

  const connect = async (n) => {
    n.api = await within(n.node.api(), 60_000, `${n.name} api`);
    n.lastAnswer = Date.now();
  };
  const disconnect = async (n) => {
    n.api = null;
    for (const api of n.node.apis.splice(0)) {
      try { await within(api.disconnect(), 5_000, 'disconnect'); } catch { /* gone */ }
    }
  };
  const finalizedOf = async (n) => {
    const api = n.api;
    const hash = await within(api.rpc.chain.getFinalizedHead(), rpcMs, `${n.name} finalized head`);
    const header = await within(api.rpc.chain.getHeader(hash), rpcMs, `${n.name} header`);
    return { name: n.name, number: header.number.toNumber(), hash: hash.toHex(), stateRoot: header.stateRoot.toHex() };
  };

  // ---- helper processes (feeder, maker) ----
  const helpers = new Map(); // name -> { child, expected, exited }
  const killHelpers = () => {
    for (const h of helpers.values()) { try { process.kill(-h.child.pid, 'SIGKILL'); } catch { /* gone */ } }
  };
  process.on('exit', killHelpers);
  const helperArgs = {
    feeder: (ws) => [path.join(e2eDir, 'feeder.js'), '--ws', ws, '--board', '//Alice', '--operators', '//Bob,//Charlie',
      '--seed', o.seed, '--scale', String(o.scale)],
    maker: (ws) => [path.join(e2eDir, 'maker.js'), '--ws', ws],
  };
  const startHelper = (name) => {
    const ws = nodes[hub].node.wsUrl;
    const log = fs.openSync(path.join(runDir, `${name}.log`), 'a');
    fs.writeSync(log, `\n=== ${new Date().toISOString()} ${name} on ${nodes[hub].name} (${ws})\n`);
    const child = spawn(process.execPath, helperArgs[name](ws), { stdio: ['ignore', log, log], detached: true, cwd: e2eDir });
    fs.closeSync(log);
    const h = { child, expected: false };
    h.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    helpers.set(name, h);
    h.exited.then(({ code, signal }) => {
      if (h.expected || stopping || monitorOver) return;
      fig.helperExits[name] += 1;
      say(`${name} exited (code ${code}, signal ${signal}) without being stopped: restarting it on ${nodes[hub].name}`);
      if (fig.helperExits[name] > 10) { fail(`${name} exited more than 10 times; see ${path.join(runDir, `${name}.log`)}`); return; }
      setTimeout(() => { if (!stopping && !monitorOver && helpers.get(name) === h) startHelper(name); }, 3_000);
    });
  };
  const stopHelper = async (name) => {
    const h = helpers.get(name);
    if (!h) return;
    h.expected = true;
    try { process.kill(-h.child.pid, 'SIGTERM'); } catch { /* gone */ }
    try { await within(h.exited, 10_000, `${name} exit`); } catch {
      try { process.kill(-h.child.pid, 'SIGKILL'); } catch { /* gone */ }
      await within(h.exited, 5_000, `${name} exit`).catch(() => {});
    }
    helpers.delete(name);
  };

  let monitorOver = false;
  let loadOver = false;
  const loops = [];

  // ---- counting finalized blocks (events, authors) ----
  let walked = 0; // last finalized block counted
  const bump = (k, n = 1) => { fig.eventCounts[k] = (fig.eventCounts[k] ?? 0) + n; };
  const walkSome = async (max) => {
    const refNode = nodes[hub].status === 'up' ? nodes[hub] : inService()[0];
    if (!refNode || !refNode.api) return 0;
    const api = refNode.api;
    const fin = (await finalizedOf(refNode)).number;
    let k = 0;
    while (walked < fin && k < max && !monitorOver) {
      const n = walked + 1;
      const hash = await within(api.rpc.chain.getBlockHash(n), rpcMs, 'block hash');
      const [header, events] = await Promise.all([
        within(api.rpc.chain.getHeader(hash), rpcMs, 'header'),
        within(api.query.system.events.at(hash), rpcMs, 'events'),
      ]);
      for (const log of header.digest.logs) {
        if (log.isPreRuntime && log.asPreRuntime[0].toString() === 'aura') {
          const slot = api.registry.createType('u64', log.asPreRuntime[1].toU8a(true)).toBigInt();
          fig.authored[NAMES[Number(slot % 4n)]] += 1;
          if (fig.blocks.firstSlot === undefined) fig.blocks.firstSlot = slot.toString();
          fig.blocks.lastSlot = slot.toString();
        }
      }
      for (const { event } of events) bump(`${event.section}.${event.method}`);
      walked = n;
      k += 1;
    }
    return k;
  };

  // ---- checks ----
  const genesis = {};
  // A check and the step of a fault that takes a node down never overlap (so no node goes away
  // under a check); a check uses the API objects it started with.
  let lock = Promise.resolve();
  const exclusive = (fn) => { const r = lock.then(fn); lock = r.catch(() => {}); return r; };
  const check = (final) => exclusive(() => checkNow(final));
  const checkNow = async (final) => {
    const all = (final ? nodes : running()).filter((n) => n.api).map((n) => ({ name: n.name, api: n.api }));
    const apiOf = new Map(all.map((x) => [x.name, x.api]));
    const views = (await Promise.all(all.map((x) => finalizedOf(x).catch(() => null)))).filter(Boolean);
    const need = final ? 4 : 3;
    if (views.length < need) {
      fail(`agreement check: only ${views.length} node(s) answered (${views.map((v) => v.name).join(', ')}), ${need} needed`);
      return;
    }
    const ref = views.reduce((a, b) => (b.number > a.number ? b : a));
    const refApi = apiOf.get(ref.name);
    const canonical = new Map();
    for (const num of new Set(views.map((v) => v.number))) {
      const hash = await within(refApi.rpc.chain.getBlockHash(num), rpcMs, 'reference hash');
      const header = await within(refApi.rpc.chain.getHeader(hash), rpcMs, 'reference header');
      canonical.set(num, { hash: hash.toHex(), stateRoot: header.stateRoot.toHex() });
    }
    const commonHeight = Math.min(...views.map((v) => v.number));
    const common = await Promise.all(views.map(async (v) => {
      const api = apiOf.get(v.name);
      return { name: v.name, hash: (await within(api.rpc.chain.getBlockHash(commonHeight), rpcMs, 'common hash')).toHex() };
    }));
    const errors = agreementErrors(views, canonical, common);
    // Money at the reference's finalized block.
    const at = ref.hash;
    const [asset, holders, accounts, clearing] = await Promise.all([
      within(refApi.query.assets.asset.at(at, c.USDC), rpcMs, 'asset'),
      within(refApi.query.assets.account.entriesAt(at, c.USDC), rpcMs, 'holders'),
      within(refApi.query.margin.accounts.entriesAt(at), rpcMs, 'margin accounts'),
      within(refApi.query.margin.clearingTotal.at(at), rpcMs, 'clearing total'),
    ]);
    const balances = new Map(holders.map(([k, v]) => [k.args[1].toString(), v.unwrap().balance.toBigInt()]));
    const books = {
      supply: asset.unwrap().supply.toBigInt(),
      genesisSupply: genesis.supply,
      holdersSum: [...balances.values()].reduce((a, b) => a + b, 0n),
      escrow: balances.get(ESCROW) ?? 0n,
      ledger: accounts.reduce((a, [, v]) => a + v.unwrap().collateral.toBigInt(), 0n),
      clearing: clearing.toBigInt(),
    };
    errors.push(...moneyErrors(books));
    // Logs.
    for (const n of nodes) errors.push(...scanLog(n));
    fig.checks.count += 1;
    fig.checks.last = {
      at: stamp(), final, nodes: views.map((v) => `${v.name}#${v.number}`), reference: `${ref.name}#${ref.number} ${ref.hash}`,
      commonHeight, supply: books.supply, escrow: books.escrow, ledger: books.ledger, clearing: books.clearing,
    };
    if (errors.length) fail(`${final ? 'final' : 'periodic'} check at ${ref.name}#${ref.number}: ${errors.join('; ')}`);
    else say(`check ${fig.checks.count}${final ? ' (final)' : ''}: ${views.map((v) => `${v.name}#${v.number}`).join(' ')} agree (common #${commonHeight}); supply ${c.scaled(books.supply, 6)} USDC; escrow ${c.scaled(books.escrow, 6)} = ledger + clearing`);
  };

  /**
   * The new lines of `n`'s log: panics and failed essential tasks are errors. `shutdown`: the
   * lines written while the soak stopped the node with SIGINT, where the fork-aware pool's
   * background task ending is logged as "Essential task `txpool-background` failed" on every
   * graceful stop (polkadot-sdk stable2609): only that line is tolerated there.
   */
  const scanLog = (n, shutdown = false) => {
    // While the soak stops a node, its stop scans the lines (the periodic check must not).
    if (n.inShutdown && !shutdown) return [];
    let text = '';
    try {
      const fd = fs.openSync(n.node.logPath, 'r');
      const size = fs.fstatSync(fd).size;
      const buf = Buffer.alloc(Math.max(0, size - n.logOffset));
      fs.readSync(fd, buf, 0, buf.length, n.logOffset);
      fs.closeSync(fd);
      text = buf.toString('utf8');
      // A partial last line waits for the next scan (all of it after a stop).
      if (!shutdown) text = text.slice(0, text.lastIndexOf('\n') + 1);
      n.logOffset += Buffer.byteLength(text);
    } catch { return []; }
    const errors = [];
    const bad = panicLines(text).filter((l) => !(shutdown && /Essential task `txpool-background` failed/.test(l)));
    if (bad.length) errors.push(`${n.name} log: ${bad.slice(0, 3).map((l) => l.trim()).join(' | ')}`);
    if (shutdown && /Essential task `txpool-background` failed/.test(text)) fig.shutdownTxpoolLines = (fig.shutdownTxpoolLines ?? 0) + 1;
    const errs = text.split('\n').filter((l) => / ERROR /.test(l) || /Essential task/.test(l));
    if (errs.length) {
      const e = (fig.nodeErrorLines[n.name] ??= { count: 0, samples: [] });
      e.count += errs.length;
      for (const l of errs) {
        const short = l.replace(/^\S+ \S+ /, '').trim().slice(0, 200);
        if (e.samples.length < 5 && !e.samples.includes(short)) e.samples.push(short);
      }
    }
    return errors;
  };
  /** Stop `n` with SIGINT (lib/node.js), its log scanned strictly up to the signal. */
  const gracefulStop = async (n) => {
    const before = scanLog(n);
    if (before.length) fail(before.join('; '));
    n.inShutdown = true;
    try {
      await n.node.stop();
      const after = scanLog(n, true);
      if (after.length) fail(after.join('; '));
    } finally { n.inShutdown = false; }
  };

  // ---- start the network ----
  const startNode = async (i) => {
    const n = nodes[i];
    const others = nodes.filter((x) => x.i !== i && x.peerId);
    const args = [...baseArgs(i)];
    if (others.length) args.push('--bootnodes', ...others.map(multiaddr));
    if (!n.node) n.node = new Node(NAMES[i], args);
    else n.node.args = args;
    n.status = 'recovering';
    const at = Date.now();
    await n.node.start();
    await connect(n);
    return at;
  };

  const lagSamples = [];
  const finWatch = new StallWatch(Date.now());
  const bestWatch = new StallWatch(Date.now());

  const sampler = async () => {
    const max = Math.ceil(((o.minutes * 60) + 3_600) / o.sampleEvery);
    for (let k = 0; k < max && !monitorOver && !stopping; k++) {
      const tick = Date.now();
      // Processes: a node exits only when the soak stops it.
      for (const n of nodes) {
        if (n.status === 'down' || !n.node || !n.node.child) continue;
        const ch = n.node.child;
        if (ch.exitCode !== null || ch.signalCode !== null) {
          fail(`${n.name} exited unexpectedly (code ${ch.exitCode}, signal ${ch.signalCode}); log ${n.node.logPath}:\n${n.node.tail(30)}`);
        }
      }
      const views = await Promise.all(running().map(async (n) => {
        if (!n.api) return null;
        try {
          const [best, fin] = await Promise.all([
            within(n.api.rpc.chain.getHeader(), rpcMs, 'best'),
            finalizedOf(n),
          ]);
          n.lastAnswer = Date.now();
          return { n, best: best.number.toNumber(), fin: fin.number };
        } catch { return null; }
      }));
      const ok = views.filter(Boolean);
      const now = Date.now();
      for (const n of inService()) {
        if (now - n.lastAnswer > o.unresponsiveBound * 1000) fail(`${n.name} is up but has not answered RPC for ${Math.round((now - n.lastAnswer) / 1000)} s`);
      }
      if (ok.length) {
        const finStall = finWatch.update(now, Math.max(...ok.map((v) => v.fin)));
        const bestStall = bestWatch.update(now, Math.max(...ok.map((v) => v.best)));
        for (const v of ok) if (v.n.status === 'up') lagSamples.push(v.best - v.fin);
        if (finStall > o.stallBound * 1000) fail(`finality stalled: no new finalized block for ${Math.round(finStall / 1000)} s (bound ${o.stallBound} s) with ${inService().length} nodes up`);
        if (bestStall > o.stallBound * 1000) fail(`block production stalled: no new best block for ${Math.round(bestStall / 1000)} s`);
      } else {
        const finStall = finWatch.update(now, finWatch.value);
        if (finStall > o.stallBound * 1000) fail(`finality stalled: no node answered for ${Math.round(finStall / 1000)} s`);
      }
      await sleep(Math.max(0, o.sampleEvery * 1000 - (Date.now() - tick)));
    }
  };

  const walker = async () => {
    const max = Math.ceil(((o.minutes * 60) + 3_600) / 2);
    let failedAt = -1; let misses = 0;
    for (let k = 0; k < max && !monitorOver && !stopping; k++) {
      try { await walkSome(30); misses = 0; } catch {
        // A node going away: next tick, on another. A block that keeps failing (its state
        // pruned on every node answering) is skipped and counted, not retried for ever.
        misses = failedAt === walked + 1 ? misses + 1 : 1;
        failedAt = walked + 1;
        if (misses >= 10) { fig.blocks.walkSkipped = (fig.blocks.walkSkipped ?? 0) + 1; walked += 1; misses = 0; }
      }
      await sleep(2_000);
    }
  };

  const checker = async () => {
    const max = Math.ceil((o.minutes * 60 + 3_600) / o.checkEvery);
    for (let k = 0; k < max && !loadOver && !stopping; k++) {
      await sleepUnless(o.checkEvery * 1000);
      if (loadOver || stopping) break;
      try { await check(false); } catch (e) { fail(`periodic check could not run: ${e.message}`); }
      fig.minutesRun = loadStart ? (Date.now() - loadStart) / 60_000 : 0;
      summarise();
      writeFigures();
    }
  };

  // ---- faults ----
  const waitCaughtUp = async (n, since) => {
    const deadline = since + o.catchupTimeout * 1000;
    while (Date.now() < deadline && !stopping) {
      try {
        const mine = await finalizedOf(n);
        const others = (await Promise.all(inService().filter((x) => x !== n).map((x) => finalizedOf(x).catch(() => null)))).filter(Boolean);
        if (others.length >= 2 && mine.number >= Math.min(...others.map((x) => x.number))) return { seconds: (Date.now() - since) / 1000, at: mine.number };
      } catch { /* still starting */ }
      await sleep(1_000);
    }
    if (!stopping) fail(`${n.name} did not catch up with the others within ${o.catchupTimeout} s; log ${n.node.logPath}`);
    return null;
  };

  const moveHelpers = async (from) => {
    const to = [1, 2, 3].map((d) => (from + d) % 4).find((i) => nodes[i].status === 'up');
    say(`moving the feeder and the maker from ${nodes[from].name} to ${nodes[to].name}`);
    hub = to;
    await stopHelper('feeder');
    await stopHelper('maker');
    startHelper('feeder');
    startHelper('maker');
    fig.helperMoves += 1;
    // Let the weak trader's transaction in flight on the old hub end (each is bounded).
    await sleepUnless(3_000, false);
  };

  const runFault = async (kind, i) => {
    const n = nodes[i];
    if (i === hub) await moveHelpers(i);
    const othersAt = Math.max(...(await Promise.all(inService().filter((x) => x !== n).map((x) => finalizedOf(x).then((v) => v.number).catch(() => 0)))));
    const rec = { kind, node: n.name, at: stamp(), othersFinalized: othersAt };
    fig.faults[kind] += 1;
    let since;
    const pid = n.node.child.pid;
    if (kind === 'kill') {
      await exclusive(async () => {
        n.status = 'down';
        await disconnect(n);
        process.kill(-pid, 'SIGKILL');
      });
      const ex = await within(n.node.exited, 15_000, `${n.name} exit after SIGKILL`);
      rec.exit = ex.signal;
      await n.node.stop();
      say(`fault: ${n.name} killed (SIGKILL, ${ex.signal}); restarting in ${o.killDownSeconds} s`);
      await sleepUnless(o.killDownSeconds * 1000, false);
      if (stopping) return;
      since = await startNode(i);
    } else if (kind === 'freeze') {
      await exclusive(async () => {
        n.status = 'frozen';
        await disconnect(n);
        process.kill(-pid, 'SIGSTOP');
      });
      await sleep(300);
      try { rec.state = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1][0]; } catch { rec.state = '?'; }
      if (rec.state !== 'T') fail(`${n.name} is not stopped after SIGSTOP (state ${rec.state})`);
      say(`fault: ${n.name} frozen (SIGSTOP, state ${rec.state}) for ${o.freezeSeconds} s`);
      await sleepUnless(o.freezeSeconds * 1000, false);
      process.kill(-pid, 'SIGCONT');
      n.status = 'recovering';
      since = Date.now();
      await connect(n);
      say(`${n.name} resumed (SIGCONT)`);
    } else {
      await exclusive(async () => {
        n.status = 'down';
        await disconnect(n);
      });
      await gracefulStop(n);
      const db = path.join(runDir, n.name, 'chains', CHAIN_ID);
      const dbDirs = fs.existsSync(db) ? fs.readdirSync(db).filter((d) => d !== 'keystore' && d !== 'network') : [];
      await new Promise((resolve, reject) => {
        const p = spawn(nodeBinary(), ['purge-chain', '--chain', 'local', '--base-path', path.join(runDir, n.name), '-y'], { stdio: ['ignore', 'pipe', 'pipe'] });
        let outText = '';
        p.stdout.on('data', (d) => { outText += d; });
        p.stderr.on('data', (d) => { outText += d; });
        const timer = setTimeout(() => { p.kill('SIGKILL'); reject(new Error('purge-chain took more than 60 s')); }, 60_000);
        p.on('exit', (code) => { clearTimeout(timer); if (code === 0) resolve(outText); else reject(new Error(`purge-chain exited ${code}: ${outText}`)); });
      });
      const left = fs.existsSync(db) ? fs.readdirSync(db).filter((d) => d !== 'keystore' && d !== 'network') : [];
      rec.purged = dbDirs.filter((d) => !left.includes(d));
      if (left.length || rec.purged.length === 0) fail(`purge of ${n.name}: database dirs before ${dbDirs.join(',')} after ${left.join(',')}`);
      say(`fault: ${n.name} stopped and its database purged (${rec.purged.join(', ')}); restarting`);
      const logFrom = fs.statSync(n.node.logPath).size;
      since = await startNode(i);
      const first = await finalizedOf(n).catch(() => null);
      rec.fromFinalized = first ? first.number : null;
      // It starts from an empty database: it builds the genesis block again and is far behind.
      const fd = fs.openSync(n.node.logPath, 'r');
      const buf = Buffer.alloc(fs.fstatSync(fd).size - logFrom);
      fs.readSync(fd, buf, 0, buf.length, logFrom);
      fs.closeSync(fd);
      rec.genesisInitialized = /Initializing Genesis block\/state/.test(buf.toString('utf8'));
      if (!rec.genesisInitialized) fail(`${n.name} restarted after the purge without initializing the genesis block (log ${n.node.logPath})`);
      if (!first || first.number > othersAt - 10) fail(`${n.name} restarted after the purge at finalized #${first ? first.number : '?'}, the others at #${othersAt}: not a resync`);
    }
    const caught = await waitCaughtUp(n, since);
    if (!caught) return;
    rec.catchupSeconds = Math.round(caught.seconds * 10) / 10;
    rec.caughtUpAt = caught.at;
    if (kind === 'purge') {
      rec.resyncSeconds = rec.catchupSeconds;
      rec.blocksResynced = caught.at - (rec.fromFinalized ?? 0);
      fig.resyncSeconds.push(rec.resyncSeconds);
    }
    n.status = 'up';
    n.lastAnswer = Date.now();
    fig.faults.list.push(rec);
    say(`${n.name} caught up in ${rec.catchupSeconds} s (finalized #${caught.at})`);
  };

  const expected = { kill: () => o.killDownSeconds + 40, freeze: () => o.freezeSeconds + 30, purge: () => 60 };
  let loadStart = 0; let loadEnd = 0;
  const faultLoop = async () => {
    const max = Math.min(o.maxFaults, Math.ceil((o.minutes * 60) / Math.max(1, o.faultEvery)) + 1);
    for (let k = 0; k < max && !loadOver && !stopping; k++) {
      const at = loadStart + (o.firstFault + k * o.faultEvery) * 1000;
      while (Date.now() < at && !loadOver && !stopping) await sleep(Math.min(500, at - Date.now()));
      if (loadOver || stopping) break;
      const kind = o.faults[k % o.faults.length];
      if (Date.now() + expected[kind]() * 1000 > loadEnd) { say(`no time left for another fault (${kind})`); break; }
      try { await runFault(kind, TARGETS[k % TARGETS.length]); } catch (e) { fail(`fault ${kind} on ${NAMES[TARGETS[k % TARGETS.length]]}: ${e.message}`); }
    }
  };

  // ---- load ----
  let board = []; // [{ id, underlying, strike (USD), expiry, kind, trading }]
  const refreshBoard = async () => {
    const n = nodes[hub].status === 'up' ? nodes[hub] : inService()[0];
    const live = await within(n.api.call.optionsApi.liveSeries(), rpcMs, 'live series');
    board = live.toArray().map((v) => ({
      id: v.id.toNumber(),
      underlying: v.info.terms.underlying.toNumber(),
      strike: Number(v.info.terms.strike.toBigInt() / 10n ** 12n) / 1e6,
      expiry: v.info.terms.expiry.toNumber(),
      kind: v.info.terms.kind.toString(),
      tick: v.info.priceTick.toBigInt(),
      trading: v.info.status.isTrading,
    }));
  };
  const boardLoop = async () => {
    const max = Math.ceil((o.minutes * 60 + 600) / 10);
    for (let k = 0; k < max && !loadOver && !stopping; k++) {
      try { await refreshBoard(); } catch { /* next time */ }
      await sleepUnless(10_000);
    }
  };
  const nearest = (minLeftMs, filter = () => true) => {
    const now = Date.now();
    const ok = board.filter((s) => s.trading && s.expiry > now + minLeftMs && filter(s));
    if (!ok.length) return [];
    const e = Math.min(...ok.map((s) => s.expiry));
    return ok.filter((s) => s.expiry === e);
  };

  const takers = Array.from({ length: o.takers }, (_, k) => c.pair(`//SoakTaker${k}`));
  const weakMax = Math.max(0, Math.min(Math.ceil((o.minutes * 60) / o.weakEvery) + 1,
    Math.floor((900_000 - 60_000 * o.takers) / (o.weakCollateral + 200))));
  const weaks = Array.from({ length: weakMax }, (_, k) => c.pair(`//SoakWeak${k}`));
  // Limits 10 % through the displayed level (on the tick grid): the maker re-quotes every
  // other block around a fast-moving mark, so a limit at exactly the level often misses; the
  // fill is at the resting order's price anyway.
  const buyLimit = (ask, tick) => (((ask * 11n) / 10n + tick - 1n) / tick) * tick;
  const sellLimit = (bid, tick) => { const p = (((bid * 9n) / 10n) / tick) * tick; return p > 0n ? p : tick; };
  const countRefusal = (m, e) => { const k = e.replace(/^extrinsic failed: /, '').slice(0, 60); m[k] = (m[k] ?? 0) + 1; };

  const takerLoop = async (k) => {
    const rand = rng(1000 + k);
    const max = Math.ceil((o.minutes * 60) / o.takerEvery) + 5;
    for (let it = 0; it < max && !loadOver && !stopping; it++) {
      const tick = Date.now();
      const live = inService();
      const n = live[(k + it) % live.length];
      const choice = nearest(30_000);
      if (n && n.api && choice.length) {
        const s = choice[Math.floor(rand() * choice.length)];
        const buy = rand() < 0.5;
        try {
          const depth = await within(n.api.call.optionsApi.bookDepth(s.id, 1), rpcMs, 'book');
          const d = depth.isSome ? depth.unwrap() : null;
          const level = d && (buy ? d.asks : d.bids)[0];
          if (level) {
            fig.trading.takerOrders += 1;
            const px = level.price.toBigInt();
            const r = await order(n.api, takers[k], {
              series: s.id, side: buy ? 'Buy' : 'Sell', price: buy ? buyLimit(px, s.tick) : sellLimit(px, s.tick), quantity: 1,
              timeInForce: 'ImmediateOrCancel', postOnly: false, reduceOnly: false,
            }, 30_000);
            if (r.rejected) { fig.trading.takerRefused += 1; countRefusal(fig.trading.takerRefusals, r.rejected); } else fig.trading.takerFilled += r.filled;
          }
        } catch (e) {
          fig.trading.takerErrors += 1;
          countRefusal(fig.trading.takerRefusals, e.message);
        }
      }
      await sleepUnless(Math.max(0, o.takerEvery * 1000 - (Date.now() - tick)));
    }
  };

  const weakTrader = async (k) => {
    // Through the hub of the moment (it moves before a fault on it).
    const hubApi = () => {
      const n = nodes[hub];
      if (n.status !== 'up' || !n.api) throw new Error(`the hub ${n.name} is ${n.status}`);
      return n.api;
    };
    let api = hubApi();
    const who = weaks[k];
    await submit(api, who, api.tx.margin.deposit(BigInt(o.weakCollateral) * USD), 30_000);
    fig.trading.weakTraders += 1;
    const u = k % 2; // BTC, ETH, ...
    const kind = Math.floor(k / 2) % 2 === 0 ? 'Call' : 'Put';
    const p = await within(c.indexPrice(api, u), rpcMs, 'index');
    if (!p) return;
    const index = Number(p.price.toBigInt() / 10n ** 12n) / 1e6;
    // The nearest expiry with 4 minutes left at least, the strike nearest the index.
    const choice = nearest(240_000, (s) => s.underlying === u && s.kind === kind);
    if (!choice.length) return;
    const s = choice.reduce((a, b) => (Math.abs(b.strike - index) < Math.abs(a.strike - index) ? b : a));
    let q = 1; let sold = 0; let per = null;
    for (let attempt = 0; attempt < 10 && q > 0 && !stopping && !loadOver; attempt++) {
      try {
        api = hubApi();
        const depth = await within(api.call.optionsApi.bookDepth(s.id, 1), rpcMs, 'book');
        const bid = depth.isSome ? depth.unwrap().bids[0] : null;
        if (!bid) { await sleepUnless(2_000); continue; }
        const qty = Math.min(q, bid.quantity.toNumber());
        const r = await order(api, who, {
          series: s.id, side: 'Sell', price: sellLimit(bid.price.toBigInt(), s.tick), quantity: qty, timeInForce: 'ImmediateOrCancel', postOnly: false, reduceOnly: false,
        }, 30_000);
        if (r.rejected) { countRefusal(fig.trading.weakRefusals, r.rejected); if (/InsufficientMargin/.test(r.rejected)) break; continue; }
        sold += r.filled;
        const m = await within(c.marginOf(api, who.address), rpcMs, 'margin');
        if (!m || sold === 0) continue;
        per ??= m.initial.toBigInt() / BigInt(sold);
        const spare = m.initialEquity.toBigInt() - m.initial.toBigInt();
        q = per > 0n && spare > 0n ? Number(spare / per) : 0;
      } catch (e) {
        // The hub moving or going away under an order: counted, and the next attempt goes on.
        countRefusal(fig.trading.weakRefusals, e.message);
        await sleepUnless(2_000);
      }
    }
    fig.trading.weakContractsSold += sold;
    say(`weak trader ${k}: sold ${sold} ${s.kind}s of series ${s.id} (strike ${s.strike}, index ${index.toFixed(2)})`);
  };
  const weakLoop = async () => {
    for (let k = 0; k < weaks.length && !loadOver && !stopping; k++) {
      const tick = Date.now();
      try { await weakTrader(k); } catch (e) { countRefusal(fig.trading.weakRefusals, e.message); }
      await sleepUnless(Math.max(0, o.weakEvery * 1000 - (Date.now() - tick)));
    }
  };

  const summarise = () => {
    fig.finality.lagBlocks = { p50: percentile(lagSamples, 50), p99: percentile(lagSamples, 99), max: lagSamples.length ? Math.max(...lagSamples) : null, samples: lagSamples.length };
    fig.finality.maxStallSeconds = Math.round(finWatch.max / 100) / 10;
    fig.restarts = fig.faults.kill + fig.faults.purge; // processes started again (a freeze resumes the same one)
    fig.finality.maxBestStallSeconds = Math.round(bestWatch.max / 100) / 10;
    const ec = fig.eventCounts;
    fig.events = {
      fills: ec['options.OrderFilled'] ?? 0,
      marginCalls: ec['margin.MarginCalled'] ?? 0,
      liquidations: ec['margin.Liquidated'] ?? 0,
      sweeps: ec['margin.AccountSwept'] ?? 0,
      positionsSettled: ec['options.PositionSettled'] ?? 0,
      seriesSettled: ec['options.SeriesSettled'] ?? 0,
      seriesExpired: ec['options.SeriesExpired'] ?? 0,
      seriesListed: ec['options.SeriesListed'] ?? 0,
      badDebtCovered: ec['margin.BadDebtCovered'] ?? 0,
      lossSocialised: ec['margin.LossSocialised'] ?? 0,
      circuitBreakerTripped: (ec['oracle.CircuitBreakerTripped'] ?? 0) + (ec['oracle.VolatilityBreakerTripped'] ?? 0),
      extrinsicsFailed: ec['system.ExtrinsicFailed'] ?? 0,
      blocksCounted: walked,
    };
  };

  // ---- the run ----
  try {
    say(`run dir ${runDir}; node ${nodeBinary()}`);
    // Alice first (the others' boot node), then the three others together.
    const started = async (i) => {
      await startNode(i);
      nodes[i].peerId = (await within(nodes[i].api.rpc.system.localPeerId(), rpcMs, 'peer id')).toString();
    };
    await started(0);
    await Promise.all([1, 2, 3].map(started));
    const deadline = Date.now() + 180_000;
    for (;;) {
      const ok = await Promise.all(nodes.map(async (n) => {
        const h = await within(n.api.rpc.system.health(), rpcMs, 'health');
        return h.peers.toNumber() >= 3 && (await finalizedOf(n)).number >= 1;
      }));
      if (ok.every(Boolean)) break;
      if (Date.now() > deadline) throw new Error('the four validators did not connect and finalize within 180 s');
      await sleep(1_000);
    }
    for (const n of nodes) { n.status = 'up'; n.lastAnswer = Date.now(); }
    say('four validators connected and finalizing');
    const api = nodes[0].api;
    const g = await api.rpc.chain.getBlockHash(0);
    genesis.supply = (await api.query.assets.asset.at(g, c.USDC)).unwrap().supply.toBigInt();
    fig.genesisSupply = genesis.supply;
    loops.push(sampler(), walker());

    // Feeder (sets the board's listing rules as Alice), then the first index.
    startHelper('feeder');
    const until = async (what, fn, ms) => {
      const end = Date.now() + ms;
      while (Date.now() < end && !stopping) {
        try { const v = await fn(); if (v) return v; } catch { /* not yet */ }
        await sleep(1_000);
      }
      throw new Error(`timed out waiting for ${what}`);
    };
    await until('the listing rules and a fresh BTC and ETH index', async () => {
      const a = nodes[hub].api;
      const rules = (await a.query.options.listingRules()).length;
      const p0 = await c.indexPrice(a, 0); const p1 = await c.indexPrice(a, 1);
      return rules >= 2 && p0 && p1 && p0.status.isFresh && p1.status.isFresh;
    }, 180_000);
    say('listing rules set; BTC and ETH indexes fresh');
    startHelper('maker');

    const alice = c.pair('//Alice');
    const dave = c.pair('//Dave');
    if (o.firstExpiry > 0) {
      const a = nodes[hub].api;
      const p = await c.indexPrice(a, 0);
      const strike = BigInt(Math.round(Number(p.price.toBigInt() / 10n ** 18n) / 1000) * 1000);
      const now = (await a.query.timestamp.now()).toNumber();
      const expiry = now + o.firstExpiry * 1000;
      const r = await submit(a, alice, a.tx.utility.batchAll(['Call', 'Put'].map((kind) =>
        a.tx.sudo.sudo(a.tx.options.listSeries(0, fixed(String(strike)), expiry, kind)))), 60_000);
      const listed = r.events.filter((e) => a.events.options.SeriesListed.is(e)).length;
      if (listed !== 2) throw new Error(`short-dated series: ${listed} of 2 listed`);
      say(`listed a BTC ${strike} call and put expiring in ${o.firstExpiry} s`);
    }
    {
      const a = nodes[hub].api;
      const calls = [];
      for (const p of takers) calls.push(a.tx.balances.transferKeepAlive(p.address, 1_000n * OPT), a.tx.assets.transfer(c.USDC, p.address, 60_000n * USD));
      for (const p of weaks) calls.push(a.tx.balances.transferKeepAlive(p.address, 100n * OPT), a.tx.assets.transfer(c.USDC, p.address, BigInt(o.weakCollateral + 200) * USD));
      const r = await submit(a, dave, a.tx.utility.batchAll(calls), 60_000);
      if (!r.events.some((e) => a.events.utility.BatchCompleted.is(e))) throw new Error('funding batch did not complete');
      say(`Dave funded ${takers.length} takers and ${weaks.length} weak traders`);
      await Promise.all(takers.map((p) => submit(a, p, a.tx.margin.deposit(50_000n * USD), 60_000)));
    }
    await until('a listed series with a quoted ask', async () => {
      await refreshBoard();
      const a = nodes[hub].api;
      for (const s of nearest(30_000)) {
        const d = await a.call.optionsApi.bookDepth(s.id, 1);
        if (d.isSome && d.unwrap().asks.length) return true;
      }
      return false;
    }, 180_000);
    const startFin = (await finalizedOf(nodes[hub])).number;
    loadStart = Date.now();
    loadEnd = loadStart + o.minutes * 60_000;
    fig.blocks.finalizedAtLoadStart = startFin;
    fig.loadStartedAt = new Date(loadStart).toISOString();
    say(`load starts: ${o.takers} takers, a weak trader every ${o.weakEvery} s (${weaks.length} at most), faults every ${o.faultEvery} s from ${o.firstFault} s (${o.faults.join(', ')}), ${o.minutes} min`);
    const load = [boardLoop(), weakLoop(), ...takers.map((_, k) => takerLoop(k))];
    const faults = faultLoop();
    const checks = checker();
    let endTimer;
    await Promise.race([new Promise((r) => { endTimer = setTimeout(r, o.minutes * 60_000); }), failed]);
    clearTimeout(endTimer);
    loadOver = true;
    say(stopping ? 'stopping after a failure' : 'load time over: waiting for the current fault to end');
    await within(faults, (o.catchupTimeout + o.freezeSeconds + 180) * 1000, 'the last fault').catch((e) => fail(e.message));
    await within(Promise.all([...load, checks]), 120_000, 'the load loops').catch((e) => fail(e.message));
    fig.minutesRun = (Date.now() - loadStart) / 60_000;
    if (!stopping) {
      // Final: all four up, finalizing past the highest finalized block seen now, in agreement.
      const target = Math.max(...(await Promise.all(nodes.map((n) => finalizedOf(n).then((v) => v.number)))));
      await until(`all four nodes finalizing #${target + 2}`, async () => {
        const v = await Promise.all(nodes.map((n) => finalizedOf(n)));
        return v.every((x) => x.number >= target + 2);
      }, 120_000).catch((e) => fail(e.message));
      if (!stopping) await check(true).catch((e) => fail(`final check could not run: ${e.message}`));
      const endFin = (await finalizedOf(nodes[hub])).number;
      // Count the events of every finalized block (bounded).
      for (let k = 0; k < 200 && walked < endFin; k++) await walkSome(50).catch(() => sleep(1_000));
      const best = (await within(nodes[hub].api.rpc.chain.getHeader(), rpcMs, 'best')).number.toNumber();
      fig.blocks.bestAtEnd = best;
      fig.blocks.finalizedAtEnd = endFin;
      fig.blocks.finalizedDuringLoad = endFin - startFin;
      fig.blocks.slotsInWalkedRange = fig.blocks.lastSlot && fig.blocks.firstSlot ? Number(BigInt(fig.blocks.lastSlot) - BigInt(fig.blocks.firstSlot)) + 1 : null;
      fig.blocks.missedSlots = fig.blocks.slotsInWalkedRange ? fig.blocks.slotsInWalkedRange - walked : null;
      if (o.faults.includes('purge') && fig.faults.purge > 0 && fig.resyncSeconds.length < fig.faults.purge) fail('a purged node did not catch up');
    }
  } catch (e) {
    fail(`driver error: ${e.stack || e.message}`);
  } finally {
    loadOver = true;
    monitorOver = true;
    stopping = true;
    await Promise.race([Promise.allSettled(loops), sleep(30_000)]);
    summarise();
    fig.partial = false;
    fig.endedAt = new Date().toISOString();
    await stopHelper('feeder').catch(() => {});
    await stopHelper('maker').catch(() => {});
    for (const n of nodes) {
      if (!n.node || !n.node.child) continue;
      try { process.kill(-n.node.child.pid, 'SIGCONT'); } catch { /* gone */ }
      await gracefulStop(n).catch(() => {});
    }
    process.removeListener('exit', killHelpers);
    writeFigures();
    say(`figures written to ${out}`);
  }
  return { figures: fig, failures, out };
}
