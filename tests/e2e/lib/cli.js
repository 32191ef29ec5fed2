// The optionchain command-line client: commands, their flags and their checks, and the human
// formatting of what the chain returns. `client.js` runs it; `test/cli.test.js` tests it.
//
// What it promises:
// - Inputs and outputs in human units: prices in USD, amounts in USDC (6 decimals), volatility
//   as a fraction a year (0.5 = 50 %), times as ISO dates, durations in seconds.
// - Every flag value is checked before anything is signed; a bad one names its flag
//   (`--amount: not a number: abc`) and the command exits with code 2 having sent nothing.
//   Ticks, zero amounts and unknown ids (series, underlying, order) are checked against the
//   chain before signing. `--as` takes only a secret: a secret URI (//Alice) or a mnemonic.
// - A transaction that fails names the pallet error and its doc, whether it fails in the pool
//   (`1010: Invalid Transaction: Custom error: N`), in its block, or under sudo (`Sudid`); exit 1.
// - A transaction returns when a best block includes it (`--finalized`: when finalized).
// - One connection per command; the chain's metadata is cached on disk per genesis and runtime
//   version (`$OPTIONCHAIN_CLI_CACHE`, default ~/.cache/optionchain/cli).
// - `--json` prints one JSON document (the same human units, as strings) for scripts.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApiPromise, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady, decodeAddress, mnemonicValidate } from '@polkadot/util-crypto';
import * as c from './client.js';
import { feedTx } from './oracle.js';

/** A bad input: the message names the flag; nothing was sent. Exit code 2. */
export class InputError extends Error {
  constructor(message) { super(message); this.exitCode = 2; }
}
/** The chain refused or failed the transaction. Exit code 1. */
export class ChainError extends Error {
  constructor(message) { super(message); this.exitCode = 1; }
}

// ---- values -----------------------------------------------------------------------------------

const FIXED = 10n ** 18n;
const USD = 1_000_000n;
const DECIMAL = /^\d+(\.\d+)?$/;
const U32_MAX = 4_294_967_295;
const U128_MAX = 2n ** 128n - 1n;
function bounded(flag, raw, value) {
  if (value > U128_MAX) throw new InputError(`--${flag}: too large: ${raw}`);
  return value;
}

/** A non-negative decimal string with at most `decimals` decimals, as an integer scaled by 10^decimals. */
function decimal(flag, raw, decimals) {
  const s = String(raw);
  if (/^-\d/.test(s)) throw new InputError(`--${flag}: must not be negative: ${s}`);
  if (!DECIMAL.test(s)) throw new InputError(`--${flag}: not a number: ${s}`);
  const [int, frac = ''] = s.split('.');
  if (frac.length > decimals) throw new InputError(`--${flag}: at most ${decimals} decimals: ${s}`);
  return BigInt(int) * 10n ** BigInt(decimals) + BigInt((frac + '0'.repeat(decimals)).slice(0, decimals) || '0');
}
function positive(flag, raw, value) {
  if (value === 0n) throw new InputError(`--${flag}: must be more than 0: ${raw}`);
  return value;
}
function whole(flag, raw, max) {
  const s = String(raw);
  if (/^-\d/.test(s)) throw new InputError(`--${flag}: must not be negative: ${s}`);
  if (!/^\d+$/.test(s)) throw new InputError(`--${flag}: not a whole number: ${s}`);
  const n = BigInt(s);
  if (n > BigInt(max)) throw new InputError(`--${flag}: at most ${max}: ${s}`);
  return Number(n);
}
function oneOf(flag, raw, values) {
  const v = values.find((x) => x.toLowerCase() === String(raw).toLowerCase());
  if (!v) throw new InputError(`--${flag}: one of ${values.join(', ')}: ${raw}`);
  return v;
}

const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
/** A secret URI: `//Alice`, a mnemonic optionally followed by `//hard/soft` paths and `///password`, or a 32-byte hex seed. */
function secret(flag, raw) {
  const s = String(raw).trim();
  const [phrase] = s.split('//');
  const isUri = s.startsWith('//') || /^0x[0-9a-fA-F]{64}(\/\/?.*)?$/.test(s);
  const isMnemonic = phrase.trim().includes(' ') && mnemonicValidate(phrase.trim());
  if (!isUri && !isMnemonic) {
    let isAddress = false;
    try { decodeAddress(s); isAddress = true; } catch { /* not an address */ }
    if (isAddress) throw new InputError(`--${flag}: an address cannot sign: give its secret URI (//Alice) or mnemonic`);
    if (phrase.trim().includes(' ')) throw new InputError(`--${flag}: not a valid mnemonic (checksum or word list)`);
    throw new InputError(`--${flag}: not a secret URI (//Alice) or a mnemonic`);
  }
  try { return keyring.addFromUri(s); } catch (e) { throw new InputError(`--${flag}: not a usable secret: ${e.message}`); }
}
/** An account: an SS58 address, or a secret URI / mnemonic (its address). */
function account(flag, raw) {
  const s = String(raw).trim();
  if (s.startsWith('//') || s.includes(' ')) return secret(flag, s).address;
  // A 0x hex string could be a public key or a seed: refused rather than guessed.
  if (/^0x/i.test(s)) throw new InputError(`--${flag}: give an SS58 address or a secret URI, not hex`);
  try { decodeAddress(s); } catch { throw new InputError(`--${flag}: not an address or a secret URI: ${s}`); }
  return keyring.encodeAddress(decodeAddress(s));
}
const MAX_MS = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z
function date(flag, raw) {
  const s = String(raw);
  const bad = () => new InputError(`--${flag}: not a date (ISO 8601 with Z or an offset, such as 2026-12-31T08:00:00Z, or ms since the epoch): ${s}`);
  if (/^\d+$/.test(s)) {
    const ms = Number(s);
    if (ms > MAX_MS) throw bad();
    return ms;
  }
  // A date with a time must say its zone (no local time); a bare date is midnight UTC.
  const m = /^(\d{4})-(\d{2})-(\d{2})(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/.exec(s);
  if (!m) throw bad();
  const ms = Date.parse(m[4] ? s : `${s}T00:00:00Z`);
  // No rolled-over dates (2026-02-31).
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  if (Number.isNaN(ms) || d.getUTCMonth() !== Number(m[2]) - 1 || d.getUTCDate() !== Number(m[3])) throw bad();
  return ms;
}

/** Flag types: each turns the raw string into the value a call takes, or throws an InputError naming the flag. */
const TYPES = {
  key: { value: '<secret URI or mnemonic>', parse: secret },
  account: { value: '<address or secret URI>', parse: account },
  usdc: { value: '<USDC>', parse: (f, r) => bounded(f, r, positive(f, r, decimal(f, r, 6))) },
  usd: { value: '<USD>', parse: (f, r) => bounded(f, r, positive(f, r, decimal(f, r, 18))) },
  fraction: { value: '<fraction, 0.5 = 50 %>', parse: (f, r) => bounded(f, r, positive(f, r, decimal(f, r, 18))) },
  decimal0: { value: '<decimal, 0: none>', parse: (f, r) => bounded(f, r, decimal(f, r, 18)) },
  percent: {
    value: '<percent>',
    parse: (f, r) => {
      const parts = positive(f, r, decimal(f, r, 4));
      if (parts > 1_000_000n) throw new InputError(`--${f}: at most 100: ${r}`);
      return Number(parts); // Permill
    },
  },
  id: { value: '<id>', parse: (f, r) => whole(f, r, U32_MAX) },
  order: { value: '<order id>', parse: (f, r) => whole(f, r, Number.MAX_SAFE_INTEGER) },
  block: { value: '<block>', parse: (f, r) => whole(f, r, U32_MAX) },
  count: {
    value: '<n>',
    parse: (f, r) => {
      const n = whole(f, r, U32_MAX);
      if (n === 0) throw new InputError(`--${f}: must be more than 0: ${r}`);
      return n;
    },
  },
  count0: { value: '<n, 0: none>', parse: (f, r) => whole(f, r, U32_MAX) },
  seconds: {
    value: '<seconds>',
    parse: (f, r) => {
      const n = whole(f, r, 10 * 365 * 86_400);
      if (n === 0) throw new InputError(`--${f}: must be more than 0: ${r}`);
      return n;
    },
  },
  date: { value: '<date>', parse: date },
  window: {
    value: '<seconds>',
    parse: (f, r) => {
      const n = whole(f, r, 86_400);
      if (n === 0) throw new InputError(`--${f}: must be more than 0: ${r}`);
      return n;
    },
  },
  side: { value: 'Buy|Sell', parse: (f, r) => oneOf(f, r, ['Buy', 'Sell']) },
  kind: { value: 'Call|Put', parse: (f, r) => oneOf(f, r, ['Call', 'Put']) },
  tif: { value: 'GoodTillCancelled|ImmediateOrCancel|FillOrKill', parse: (f, r) => oneOf(f, r, ['GoodTillCancelled', 'ImmediateOrCancel', 'FillOrKill']) },
  proxyType: { value: 'Trading|Any', parse: (f, r) => oneOf(f, r, ['Trading', 'Any']) },
  flag: { value: '', bool: true },
};

/** Flags every command takes. */
const GLOBAL = {
  ws: { type: 'string', doc: 'node endpoint (default ws://127.0.0.1:9944)' },
  json: { type: 'flag', doc: 'print one JSON document' },
  finalized: { type: 'flag', doc: 'a transaction: wait for finality, not only inclusion in a best block' },
};
const PROXY = { for: { type: 'account', doc: 'act for this account as its Trading proxy (pallet-proxy)' } };

// ---- parsing ----------------------------------------------------------------------------------

/** Split argv into the command and its raw flags; refuses unknown, repeated and valueless flags. */
export function parseArgs(argv) {
  const cmdAt = argv.findIndex((a, i) => !a.startsWith('--') && (i === 0 || !needsValue(argv[i - 1])));
  const cmd = cmdAt >= 0 ? argv[cmdAt] : undefined;
  if (cmd === 'help') {
    const topic = argv.slice(cmdAt + 1).find((a, i, rest) => !a.startsWith('--') && (i === 0 || !needsValue(rest[i - 1])));
    return { cmd, raw: { json: argv.includes('--json') || undefined }, topic };
  }
  // Nothing of an unknown command's line is echoed (a flag's value may be a secret).
  if (cmd !== undefined && !COMMANDS[cmd]) throw new InputError(`unknown command: ${cmd} (node client.js help)`);
  const spec = cmd && COMMANDS[cmd] ? { ...GLOBAL, ...COMMANDS[cmd].flags } : GLOBAL;
  const raw = {};
  for (let i = 0; i < argv.length; i++) {
    if (i === cmdAt) continue;
    const a = argv[i];
    if (!a.startsWith('--')) throw new InputError(`unexpected argument after ${cmd}: give every value after its flag`);
    let [name, value] = a.slice(2).split(/=(.*)/s);
    const f = spec[name];
    if (!f) throw new InputError(`--${name}: not a flag of ${cmd ?? 'the client'} (node client.js help${cmd ? ` ${cmd}` : ''})`);
    if (name in raw) throw new InputError(`--${name}: given twice`);
    if (TYPES[f.type]?.bool) {
      if (value !== undefined) throw new InputError(`--${name}: takes no value`);
      raw[name] = true;
      continue;
    }
    if (value === undefined) {
      if (i + 1 >= argv.length || argv[i + 1].startsWith('--')) throw new InputError(`--${name}: needs a value`);
      value = argv[++i];
    }
    raw[name] = value;
  }
  return { cmd, raw };
}
function needsValue(prev) {
  if (!prev || !prev.startsWith('--') || prev.includes('=')) return false;
  const name = prev.slice(2);
  for (const spec of [GLOBAL, ...Object.values(COMMANDS).map((x) => x.flags)]) {
    if (spec[name]) return !TYPES[spec[name].type]?.bool;
  }
  return true;
}

/** Check every flag of `cmd` (types, required, exclusive groups); the values the command uses. */
export function checkFlags(cmd, raw) {
  const spec = { ...GLOBAL, ...COMMANDS[cmd].flags };
  const out = {};
  for (const [name, f] of Object.entries(spec)) {
    if (raw[name] === undefined) {
      if (f.required) throw new InputError(`--${name}: missing (${f.doc})`);
      if (f.default !== undefined) out[name] = f.default;
      continue;
    }
    const t = TYPES[f.type];
    out[name] = t?.bool ? true : t ? t.parse(name, raw[name]) : raw[name];
  }
  for (const group of COMMANDS[cmd].oneOf ?? []) {
    const given = group.filter((n) => raw[n] !== undefined);
    if (given.length > 1) throw new InputError(`--${given[1]}: not with --${given[0]}`);
    if (given.length === 0 && !group.optional) throw new InputError(`--${group[0]}: missing (one of ${group.map((n) => `--${n}`).join(', ')})`);
  }
  return out;
}

// ---- formatting -------------------------------------------------------------------------------

const { scaled } = c;
export const usdc = (v) => `${scaled(v, 6, 2)} USDC`;
export const usd = (v) => `${scaled(v, 18, 2)} USD`;
/** A FixedU128 fraction as a percentage ("0.5" -> "50 %"). */
export const pct = (v) => `${scaled(BigInt(v) * 100n, 18)} %`;
export const fixedStr = c.fmtFixed;
export const when = (ms) => new Date(Number(ms)).toISOString().replace('.000Z', 'Z');
/** A duration in ms as "1d 2h 3m 4s". */
export function duration(ms) {
  let s = Math.round(Number(ms) / 1000);
  const neg = s < 0; s = Math.abs(s);
  const parts = [[86_400, 'd'], [3600, 'h'], [60, 'm'], [1, 's']].flatMap(([u, l]) => {
    const n = Math.floor(s / u); s -= n * u; return n ? [`${n}${l}`] : [];
  });
  return `${neg ? '-' : ''}${parts.join(' ') || '0s'}`;
}
/** A FixedI128/FixedU128 divided by `d`, rounded to 6 decimals (half away from zero). */
function fixedOver(v, d) {
  const n = BigInt(v) * 1_000_000n;
  const den = FIXED * BigInt(d);
  const q = (n + (n >= 0n ? den / 2n : -den / 2n)) / den;
  return scaled(q, 6);
}

/** Print `value` for a person (aligned lines and tables) or as JSON. */
export function print(value, json, out = console.log) {
  if (json) { out(JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? v.toString() : v), 2)); return; }
  out(human(value));
}
function human(v, indent = '') {
  if (v === null || v === undefined) return `${indent}none`;
  if (typeof v !== 'object') return `${indent}${v}`;
  if (Array.isArray(v)) {
    if (v.length === 0) return `${indent}(none)`;
    if (v.every((x) => x && typeof x === 'object' && !Array.isArray(x))) return table(v, indent);
    return v.map((x) => human(x, indent)).join('\n');
  }
  const keys = Object.keys(v);
  const w = Math.max(...keys.map((k) => k.length));
  return keys.map((k) => {
    const x = v[k];
    if (x && typeof x === 'object' && !(Array.isArray(x) && x.length === 0)) return `${indent}${k}:\n${human(x, `${indent}  `)}`;
    return `${indent}${k.padEnd(w)}  ${x === null || x === undefined ? 'none' : Array.isArray(x) ? '(none)' : x}`;
  }).join('\n');
}
function table(rows, indent) {
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (x) => (x === null || x === undefined ? '-' : typeof x === 'object' ? JSON.stringify(x) : String(x));
  const w = cols.map((k) => Math.max(k.length, ...rows.map((r) => cell(r[k]).length)));
  const line = (xs) => indent + xs.map((x, i) => x.padEnd(w[i])).join('  ').trimEnd();
  return [line(cols), ...rows.map((r) => line(cols.map((k) => cell(r[k]))))].join('\n');
}

/** Human value of one event field from its metadata type name, per pallet. */
function eventField(api, section, name, typeName, value) {
  const t = String(typeName ?? '');
  const big = () => value.toBigInt();
  try {
    if (['oracle', 'margin', 'options'].includes(section)) {
      // Volatilities are typed `Price` (FixedU128) in some events: the name tells.
      if (/volatility/i.test(name) && ['Price', 'Volatility', 'FixedU128'].includes(t)) return pct(big());
      if (t === 'Balance' || t === 'SignedBalance' || t === 'i128' || t === 'u128') return usdc(big());
      if (name === 'contract_size') return `${fixedStr(big())} units`;
      if (/delta/i.test(name) && ['Price', 'FixedU128', 'FixedI128'].includes(t)) return `${fixedStr(big())} units of the underlying`;
      if (t === 'Price') return usd(big());
      if (t === 'Volatility') return pct(big());
      // A Moment named as a span (a settlement window, a heartbeat) is a duration.
      if (t === 'Moment') return /window|heartbeat|delay|age|duration/i.test(name) ? duration(value.toNumber()) : when(value.toNumber());
      if (t === 'FixedU128' || t === 'FixedI128') return fixedStr(big());
    }
    if (section === 'assets' && /Balance/.test(t)) return usdc(big());
    if (['balances', 'transactionPayment', 'skipFeelessPayment'].includes(section) && /Balance/.test(t)) {
      return `${scaled(big(), api.registry.chainDecimals[0])} ${api.registry.chainTokens[0]}`;
    }
  } catch { /* not a number: fall through */ }
  // Integers as plain digits (toHuman adds thousands separators).
  if (/^[ui](8|16|32|64|128)$/.test(value.toRawType?.() ?? '')) return value.toString();
  const h = value.toHuman();
  return typeof h === 'string' ? h : JSON.stringify(h);
}
/** A value in human units, structs field by field (from the metadata's type of each field). */
function humanValue(api, section, name, typeName, typeId, value) {
  try {
    const si = api.registry.lookup.getSiType(typeId);
    // An Option: none, or its value in human units.
    if (si.path.length === 1 && si.path[0].toString() === 'Option' && typeof value.unwrap === 'function') {
      if (value.isNone) return null;
      return humanValue(api, section, name, typeName, si.params[0].type.unwrap(), value.unwrap());
    }
    const def = si.def;
    const fields = def.isComposite ? def.asComposite.fields : [];
    if (fields.length > 0 && fields.every((f) => f.name.isSome) && typeof value.get === 'function') {
      const out = {};
      for (const f of fields) {
        const n = f.name.unwrap().toString();
        const v = value.get(n.replace(/_([a-z])/g, (_, x) => x.toUpperCase())) ?? value.get(n);
        if (v !== undefined) out[n] = humanValue(api, section, n, f.typeName.isSome ? f.typeName.unwrap().toString() : '', f.type, v);
      }
      return out;
    }
  } catch { /* not in the registry: as is */ }
  return eventField(api, section, name, typeName, value);
}
/** One event in human units: { event: 'margin.Deposited', who: ..., amount: '10000.00 USDC' }. */
export function describeEvent(api, event) {
  const out = { event: `${event.section}.${event.method}` };
  event.meta.fields.forEach((f, i) => {
    const name = f.name.isSome ? f.name.unwrap().toString() : String(i);
    out[name] = humanValue(api, event.section, name, f.typeName.isSome ? f.typeName.unwrap().toString() : '', f.type, event.data[i]);
  });
  return out;
}
/** Events a person does not need to read after a transaction (the fee is in TransactionFeePaid). */
const ROUTINE = new Set(['balances.Withdraw', 'balances.Deposit', 'balances.BurnedDebt', 'system.ExtrinsicSuccess']);

// ---- errors -----------------------------------------------------------------------------------

/** `section.Name: doc` of a module error. */
export function moduleError(api, mod) {
  const d = api.registry.findMetaError(mod);
  const doc = d.docs.join(' ').replace(/\s+/g, ' ').trim();
  return `${d.section}.${d.name}${doc ? `: ${doc}` : ''}`;
}
/** The message of a `DispatchError`: the pallet error and its doc, or the error's kind. */
export function dispatchErrorText(api, err) {
  if (err.isModule) return moduleError(api, err.asModule);
  if (err.isToken) return `token error: ${err.asToken.type}`;
  if (err.isArithmetic) return `arithmetic error: ${err.asArithmetic.type}`;
  return err.type;
}
/** The innermost call of proxy / sudo / utility wrappers (the one a pool error is about). */
function innerCall(call) {
  const m = `${call.section}.${call.method}`;
  if (['sudo.sudo', 'sudo.sudoUncheckedWeight'].includes(m)) return innerCall(call.args[0]);
  if (m === 'proxy.proxy') return innerCall(call.args[call.args.length - 1]);
  return call;
}
/** Turn an error of `send` into the message a person reads (the pallet error and its doc). */
export function explain(api, tx, e) {
  const msg = String(e?.message ?? e);
  const custom = /1010: Invalid Transaction: Custom error: (\d+)/.exec(msg);
  if (custom) {
    // The only extension that refuses with a custom code is the oracle's feed check: the code
    // is the index of the oracle error.
    const call = innerCall(tx.method);
    if (call.section === 'oracle') {
      const index = api.registry.metadata.pallets.find((p) => p.name.toString() === 'Oracle').index.toNumber();
      return new ChainError(`refused by the pool, nothing charged: ${moduleError(api, new Uint8Array([index, Number(custom[1])]))}`);
    }
  }
  const pool = /^(1010|1011|1012|1013|1014): (.*)$/s.exec(msg);
  if (pool) return new ChainError(`refused by the pool, nothing charged: ${pool[2]} (${pool[1]})`);
  const failed = /^extrinsic failed: (\w+)\.(\w+)$/.exec(msg);
  if (failed) {
    const doc = api.errors[failed[1]]?.[failed[2]]?.meta.docs.join(' ').replace(/\s+/g, ' ').trim();
    return new ChainError(`failed in its block: ${failed[1]}.${failed[2]}${doc ? `: ${doc}` : ''}`);
  }
  const other = /^extrinsic failed: (.*)$/s.exec(msg);
  if (other) return new ChainError(`failed in its block: ${other[1]}`);
  return new ChainError(msg);
}

// ---- the chain --------------------------------------------------------------------------------

function cacheDir() {
  return process.env.OPTIONCHAIN_CLI_CACHE || path.join(os.homedir(), '.cache', 'optionchain', 'cli');
}
/**
 * One connection; the metadata from the cache when this genesis and runtime version were seen
 * before (two small RPC calls instead of the metadata download), else fetched and cached.
 */
export async function connect(ws = 'ws://127.0.0.1:9944') {
  await cryptoWaitReady();
  const provider = new WsProvider(ws, false);
  const connected = await new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), 10_000);
    provider.on('connected', () => { clearTimeout(timer); resolve(true); });
    provider.on('error', () => { clearTimeout(timer); resolve(false); });
    provider.connect().catch(() => { clearTimeout(timer); resolve(false); });
  });
  if (!connected) {
    await provider.disconnect().catch(() => {});
    throw new ChainError(`cannot connect to ${ws} (is the node running? ./scripts/dev.sh)`);
  }
  const genesis = await provider.send('chain_getBlockHash', [0]);
  const version = await provider.send('state_getRuntimeVersion', []);
  // polkadot.js looks the metadata up by genesis and spec version; the file name also carries
  // the hash of the runtime code, so an upgrade that kept the spec version is not served stale
  // metadata.
  const code = await provider.send('state_getStorageHash', ['0x3a636f6465']);
  const key = `${genesis}-${version.specVersion}`;
  const file = path.join(cacheDir(), `metadata-${key}-${code}.hex`);
  let metadata;
  try { metadata = { [key]: fs.readFileSync(file, 'utf8').trim() }; } catch { /* not cached */ }
  let api;
  try {
    api = await ApiPromise.create({ provider, noInitWarn: true, throwOnConnect: true, metadata });
  } catch (e) {
    await provider.disconnect().catch(() => {});
    if (metadata) fs.rmSync(file, { force: true });
    throw new ChainError(`cannot load the chain's metadata from ${ws}: ${e.message}`);
  }
  if (api.runtimeVersion.specVersion.toString() !== String(version.specVersion)) {
    // Upgraded meanwhile: nothing is cached under the old key.
    metadata = true;
  }
  if (!metadata) {
    try {
      fs.mkdirSync(cacheDir(), { recursive: true });
      fs.writeFileSync(`${file}.tmp`, api.runtimeMetadata.toHex());
      fs.renameSync(`${file}.tmp`, file);
    } catch { /* a cache is an optimisation */ }
  }
  return api;
}

/** Sign and send (as `--for`'s Trading proxy when given); the events in human units. */
async function submit(ctx, tx) {
  if (ctx.flags.for) {
    const [list] = await ctx.api.query.proxy.proxies(ctx.flags.for);
    const mine = list.filter((p) => p.delegate.toString() === ctx.flags.as.address);
    if (mine.length === 0) throw new InputError(`--for: ${ctx.flags.as.address} is not a proxy of ${ctx.flags.for}`);
    if (mine.every((p) => p.delay.toNumber() > 0)) throw new InputError(`--for: the proxy of ${ctx.flags.for} has an announcement delay (announce first)`);
  }
  const call = ctx.flags.for ? ctx.api.tx.proxy.proxy(ctx.flags.for, null, tx) : tx;
  let r;
  try { r = await c.send(ctx.api, ctx.flags.as, call, ctx.flags.finalized ? 'finalized' : 'inBlock'); } catch (e) { throw explain(ctx.api, call, e); }
  for (const e of r.events) {
    if (ctx.api.events.sudo.Sudid.is(e) && e.data.sudoResult.isErr) {
      throw new ChainError(`failed under sudo: ${dispatchErrorText(ctx.api, e.data.sudoResult.asErr)}`);
    }
    if (ctx.api.events.proxy.ProxyExecuted.is(e) && e.data.result.isErr) {
      throw new ChainError(`failed as proxy: ${dispatchErrorText(ctx.api, e.data.result.asErr)}`);
    }
  }
  return { block: r.blockHash.toHex(), events: r.events.map((e) => describeEvent(ctx.api, e)) };
}
const sudo = (ctx, call) => submit(ctx, ctx.api.tx.sudo.sudo(call));
/** Whose account a trading command acts on: `--for`'s, else the signer's. */
const actor = (ctx) => ctx.flags.for ?? ctx.flags.as.address;

async function seriesOf(api, id, { trading = false } = {}) {
  const s = await api.query.options.series(id);
  if (s.isNone) {
    if (id < (await api.query.options.nextSeriesId()).toNumber()) throw new InputError(`--series: series ${id} is settled (its record is removed)`);
    throw new InputError(`--series: no such series: ${id}`);
  }
  const info = s.unwrap();
  if (trading && !info.status.isTrading) throw new InputError(`--series: series ${id} is not trading (${info.status.type})`);
  return info;
}
function onTick(flag, raw, value, tick, what) {
  if (tick > 0n && value % tick !== 0n) throw new InputError(`--${flag}: not on ${what}: ${raw}`);
}
async function optionsUnderlying(api, id) {
  const cfg = await api.query.options.underlyingConfigs(id);
  if (cfg.isNone) throw new InputError(`--underlying: no such underlying: ${id}`);
  return cfg.unwrap();
}
async function oracleUnderlying(api, id) {
  const ids = (await api.call.oracleApi.underlyings()).map((x) => x.toNumber());
  if (!ids.includes(id)) throw new InputError(`--underlying: no such underlying: ${id}`);
}
async function ownOrder(ctx, id) {
  const who = actor(ctx);
  const o = (await c.openOrders(ctx.api, who)).find((x) => x.id.toBigInt() === BigInt(id));
  if (!o) throw new InputError(`--order: no open order ${id} of ${who}`);
  return o;
}
async function checkQuantity(api, qty) {
  const max = api.consts.options.maxOrderQuantity?.toNumber?.();
  if (max && qty > max) throw new InputError(`--qty: at most ${max} contracts: ${qty}`);
}
function goodTill(ctx, f, now) {
  if (f['good-till-block'] !== undefined) return { GoodTillBlock: f['good-till-block'] };
  if (f['good-till-time'] !== undefined) return { GoodTillTime: f['good-till-time'] };
  if (f['good-till-in'] !== undefined) return { GoodTillTime: now + 1000 * f['good-till-in'] };
  return null;
}

// ---- views ------------------------------------------------------------------------------------

function seriesView(id, info) {
  const t = info.terms;
  const status = info.status;
  return {
    series: id,
    underlying: t.underlying.toNumber(),
    kind: t.kind.type,
    strike: usd(t.strike.toBigInt()),
    expiry: when(t.expiry.toNumber()),
    contract: `${fixedStr(t.contractSize.toBigInt())} units`,
    tick: usdc(info.priceTick.toBigInt()),
    status: status.isSettling
      ? `Settling at ${usd(status.asSettling.settlementPrice.toBigInt())} (${usdc(status.asSettling.payoutPerContract.toBigInt())} a contract)`
      : status.type,
    openInterest: info.openInterest.toNumber(),
    restingOrders: info.restingOrders.toNumber(),
  };
}
function goodTillView(g) {
  if (g.isNone) return 'cancelled';
  const x = g.unwrap();
  return x.isBlock ? `block ${x.asBlock.toNumber()}` : when(x.asTime.until.toNumber());
}

// ---- commands ---------------------------------------------------------------------------------

const AS = { as: { type: 'key', required: true, doc: 'the signing key' } };
const AS_SUDO = { as: { type: 'key', required: true, doc: 'the sudo key' } };
const SERIES = { series: { type: 'id', required: true, doc: 'series id' } };
const UNDERLYING = { underlying: { type: 'id', required: true, doc: 'underlying id (0 BTC, 1 ETH on the dev chain)' } };
const WHO = { who: { type: 'account', required: true, doc: 'the account' } };

export const COMMANDS = {
  // chain
  block: { group: 'chain', doc: "the best block's number (a bare number, for $(oc block) in a shell)", flags: {},
    run: async ({ api }) => (await api.rpc.chain.getHeader()).number.toNumber() },
  balance: { group: 'chain', doc: 'wallet (OPT, USDC) and margin collateral', flags: { ...WHO }, run: async ({ api, flags }) => {
    const a = await api.query.system.account(flags.who);
    return {
      account: flags.who,
      opt: `${scaled(a.data.free.toBigInt(), api.registry.chainDecimals[0])} ${api.registry.chainTokens[0]}`,
      usdcWallet: usdc(await c.usdcBalance(api, flags.who)),
      marginCollateral: usdc(await c.collateral(api, flags.who)),
    };
  } },
  // oracle
  feed: { group: 'operator', doc: 'feed a price and a volatility (free for operators)',
    flags: { ...AS, ...UNDERLYING, price: { type: 'usd', required: true, doc: 'USD per unit' }, vol: { type: 'fraction', required: true, doc: 'a fraction a year' } },
    run: async (ctx) => {
      const { api, flags } = ctx;
      await oracleUnderlying(api, flags.underlying);
      const round = (await api.rpc.chain.getHeader()).number.toNumber();
      const tx = feedTx(api, round, [{ underlying: flags.underlying, price: flags.price, volatility: flags.vol }]);
      return submit(ctx, tx);
    } },
  price: { group: 'operator', doc: 'the canonical index price', flags: { ...UNDERLYING }, run: async ({ api, flags }) => {
    await oracleUnderlying(api, flags.underlying);
    const p = await c.indexPrice(api, flags.underlying);
    return p && { price: usd(p.price.toBigInt()), confidence: `± ${usd(p.confidence.toBigInt())}`, status: p.status.type, updated: when(p.updatedAt.toNumber()), block: p.block.toNumber() };
  } },
  vol: { group: 'operator', doc: 'the canonical ATM implied volatility', flags: { ...UNDERLYING }, run: async ({ api, flags }) => {
    await oracleUnderlying(api, flags.underlying);
    const v = await api.call.oracleApi.volatility(flags.underlying);
    if (v.isNone) return null;
    const x = v.unwrap();
    return { volatility: pct(x.volatility.toBigInt()), confidence: `± ${pct(x.confidence.toBigInt())}`, status: x.status.type, updated: when(x.updatedAt.toNumber()), block: x.block.toNumber() };
  } },
  twap: { group: 'operator', doc: 'time-weighted average index price over the last --window seconds', flags: { ...UNDERLYING, window: { type: 'window', required: true, doc: 'seconds, at most 86400' } },
    run: async ({ api, flags }) => {
      await oracleUnderlying(api, flags.underlying);
      const p = await api.call.oracleApi.twap(flags.underlying, flags.window * 1000);
      return { underlying: flags.underlying, window: duration(flags.window * 1000), twap: p.isSome ? usd(p.unwrap().toBigInt()) : null };
    } },
  'settlement-price': { group: 'operator', doc: 'the settlement price of an expiry (none until fixed)', flags: { ...UNDERLYING, expiry: { type: 'date', required: true, doc: 'ISO date or ms' } },
    run: async ({ api, flags }) => {
      await oracleUnderlying(api, flags.underlying);
      const p = await api.call.oracleApi.settlementPrice(flags.underlying, flags.expiry);
      return { underlying: flags.underlying, expiry: when(flags.expiry), price: p.isSome ? usd(p.unwrap().toBigInt()) : null };
    } },
  operators: { group: 'operator', doc: 'the oracle operators', flags: {}, run: async ({ api }) => (await api.query.oracle.operators()).map((a) => ({ operator: a.toString() })) },
  // governance
  'list-series': { group: 'governance (sudo)', doc: 'list a series',
    flags: { ...AS_SUDO, ...UNDERLYING, strike: { type: 'usd', required: true, doc: 'USD' }, kind: { type: 'kind', required: true, doc: 'Call or Put' },
      expiry: { type: 'date', doc: 'ISO date or ms' }, 'expiry-in': { type: 'seconds', doc: 'seconds from now' } },
    oneOf: [['expiry', 'expiry-in']],
    run: async (ctx) => {
      const { api, flags, raw } = ctx;
      const cfg = await optionsUnderlying(api, flags.underlying);
      onTick('strike', raw.strike, flags.strike, cfg.strikeTick.toBigInt(), `the strike tick of underlying ${flags.underlying} (${usd(cfg.strikeTick.toBigInt())})`);
      const now = (await api.query.timestamp.now()).toNumber();
      const expiry = flags.expiry ?? now + 1000 * flags['expiry-in'];
      if (expiry <= now) throw new InputError(`--expiry: not in the future (chain time ${when(now)}): ${raw.expiry}`);
      const r = await sudo(ctx, api.tx.options.listSeries(flags.underlying, flags.strike, expiry, flags.kind));
      const listed = r.events.find((e) => e.event === 'options.SeriesListed');
      return { series: listed ? Number(listed.series) : null, expiry: when(expiry), ...r };
    } },
  'underlying-setup': { group: 'governance (sudo)', doc: 'register (or update) an underlying with the oracle and set its trading parameters, in one batch; an existing underlying keeps every parameter not given',
    flags: {
      ...AS_SUDO, ...UNDERLYING,
      'strike-tick': { type: 'usd', doc: 'USD (required for a new underlying)' }, 'contract-size': { type: 'fraction', doc: 'units of the underlying per contract (required for a new underlying)' },
      'price-tick': { type: 'usdc', doc: 'USDC per contract (required for a new underlying)' },
      'max-series-oi': { type: 'count', doc: 'contracts (new: 100000)' }, 'max-underlying-oi': { type: 'count', doc: 'contracts (new: 1000000)' },
      quorum: { type: 'count', doc: 'operators (new: 2)' }, heartbeat: { type: 'seconds', doc: 'seconds (new: 60)' },
      'max-move': { type: 'percent', doc: '% a round (new: 10)' }, confirmations: { type: 'count', doc: 'rounds (new: 3)' },
      'settlement-window': { type: 'seconds', doc: 'seconds (new: 1800)' }, 'max-price': { type: 'usd', doc: 'USD (new: 10000000)' },
      'max-vol': { type: 'fraction', doc: 'fraction a year (new: 10)' }, 'max-dispersion': { type: 'percent', doc: '% (new: 2)' },
      'max-vol-dispersion': { type: 'percent', doc: '% (new: 10)' }, 'max-vol-move': { type: 'percent', doc: '% (new: 25)' },
    },
    run: async (ctx) => {
      const { api, flags: f } = ctx;
      const old = await api.query.oracle.underlyings(f.underlying);
      const o = old.isSome ? old.unwrap() : null;
      const pick = (flag, current, fresh) => f[flag] ?? (o ? current(o) : fresh);
      const params = {
        quorum: pick('quorum', (x) => x.quorum.toNumber(), 2),
        heartbeat: f.heartbeat !== undefined ? f.heartbeat * 1000 : o ? o.heartbeat.toNumber() : 60_000,
        maxMove: pick('max-move', (x) => x.maxMove.toNumber(), 100_000),
        confirmations: pick('confirmations', (x) => x.confirmations.toNumber(), 3),
        settlementWindow: f['settlement-window'] !== undefined ? f['settlement-window'] * 1000 : o ? o.settlementWindow.toNumber() : 1_800_000,
        maxPrice: pick('max-price', (x) => x.maxPrice.toBigInt(), 10_000_000n * FIXED),
        maxVolatility: pick('max-vol', (x) => x.maxVolatility.toBigInt(), 10n * FIXED),
        maxDispersion: pick('max-dispersion', (x) => x.maxDispersion.toNumber(), 20_000),
        maxVolatilityDispersion: pick('max-vol-dispersion', (x) => x.maxVolatilityDispersion.toNumber(), 100_000),
        maxVolatilityMove: pick('max-vol-move', (x) => x.maxVolatilityMove.toNumber(), 250_000),
      };
      const cfgOld = await api.query.options.underlyingConfigs(f.underlying);
      const c0 = cfgOld.isSome ? cfgOld.unwrap() : null;
      for (const flag of ['strike-tick', 'contract-size', 'price-tick']) {
        if (!c0 && f[flag] === undefined) throw new InputError(`--${flag}: missing (a new underlying needs --strike-tick, --contract-size and --price-tick)`);
      }
      const keep = (flag, current, fresh) => f[flag] ?? (c0 ? current(c0) : fresh);
      const config = {
        strikeTick: keep('strike-tick', (x) => x.strikeTick.toBigInt()), contractSize: keep('contract-size', (x) => x.contractSize.toBigInt()),
        priceTick: keep('price-tick', (x) => x.priceTick.toBigInt()),
        maxSeriesOpenInterest: keep('max-series-oi', (x) => x.maxSeriesOpenInterest.toNumber(), 100_000),
        maxUnderlyingOpenInterest: keep('max-underlying-oi', (x) => x.maxUnderlyingOpenInterest.toNumber(), 1_000_000),
      };
      const oracle = o ? api.tx.oracle.updateUnderlying(f.underlying, params) : api.tx.oracle.registerUnderlying(f.underlying, params);
      const options = api.tx.options.configureUnderlying(f.underlying, config);
      return { underlying: f.underlying, oracle: o ? 'updated' : 'registered', ...(await sudo(ctx, api.tx.utility.batchAll([oracle, options]))) };
    } },
  'operator-add': { group: 'governance (sudo)', doc: 'add an oracle operator', flags: { ...AS_SUDO, operator: { type: 'account', required: true, doc: 'the operator' } },
    run: async (ctx) => sudo(ctx, ctx.api.tx.oracle.addOperator(ctx.flags.operator)) },
  'operator-remove': { group: 'governance (sudo)', doc: 'remove an oracle operator', flags: { ...AS_SUDO, operator: { type: 'account', required: true, doc: 'the operator' } },
    run: async (ctx) => {
      const ops = (await ctx.api.query.oracle.operators()).map((a) => a.toString());
      if (!ops.includes(ctx.flags.operator)) throw new InputError(`--operator: not an operator: ${ctx.flags.operator}`);
      return sudo(ctx, ctx.api.tx.oracle.removeOperator(ctx.flags.operator));
    } },
  // trader
  deposit: { group: 'trader', doc: 'move USDC from the wallet into the margin account', flags: { ...AS, amount: { type: 'usdc', required: true, doc: 'USDC' } },
    run: async (ctx) => submit(ctx, ctx.api.tx.margin.deposit(ctx.flags.amount)) },
  withdraw: { group: 'trader', doc: 'move USDC from the margin account to the wallet', flags: { ...AS, amount: { type: 'usdc', required: true, doc: 'USDC' } },
    run: async (ctx) => submit(ctx, ctx.api.tx.margin.withdraw(ctx.flags.amount)) },
  place: { group: 'trader', doc: 'place a limit order',
    flags: { ...AS, ...PROXY, ...SERIES, side: { type: 'side', required: true, doc: 'Buy or Sell' }, price: { type: 'usdc', required: true, doc: 'USDC per contract' },
      qty: { type: 'count', required: true, doc: 'contracts' }, tif: { type: 'tif', doc: 'time in force (default GoodTillCancelled)' },
      'good-till-block': { type: 'block', doc: 'last block it may fill in' }, 'good-till-time': { type: 'date', doc: 'last moment it may fill' },
      'good-till-in': { type: 'seconds', doc: 'seconds from now' }, 'post-only': { type: 'flag', doc: 'rest or fail, never take' }, 'reduce-only': { type: 'flag', doc: 'only reduce the position' } },
    oneOf: [Object.assign(['tif', 'good-till-block', 'good-till-time', 'good-till-in'], { optional: true })],
    run: async (ctx) => {
      const { api, flags: f, raw } = ctx;
      const info = await seriesOf(api, f.series, { trading: true });
      onTick('price', raw.price, f.price, info.priceTick.toBigInt(), `the tick of series ${f.series} (${usdc(info.priceTick.toBigInt())})`);
      await checkQuantity(api, f.qty);
      const tif = goodTill(ctx, f, (await api.query.timestamp.now()).toNumber()) ?? f.tif ?? 'GoodTillCancelled';
      return submit(ctx, api.tx.options.placeOrder({ series: f.series, side: f.side, price: f.price, quantity: f.qty, timeInForce: tif, postOnly: !!f['post-only'], reduceOnly: !!f['reduce-only'] }));
    } },
  replace: { group: 'trader', doc: 'cancel an order and place another atomically (same series and side unless given)',
    flags: { ...AS, ...PROXY, order: { type: 'order', required: true, doc: 'the order to replace' }, price: { type: 'usdc', required: true, doc: 'USDC per contract' },
      qty: { type: 'count', required: true, doc: 'contracts' }, side: { type: 'side', doc: 'default: the old order\'s' },
      'good-till-block': { type: 'block', doc: 'last block it may fill in' }, 'good-till-in': { type: 'seconds', doc: 'seconds from now' },
      'post-only': { type: 'flag', doc: 'rest or fail, never take' }, 'reduce-only': { type: 'flag', doc: 'only reduce the position' } },
    oneOf: [Object.assign(['good-till-block', 'good-till-in'], { optional: true })],
    run: async (ctx) => {
      const { api, flags: f, raw } = ctx;
      const old = await ownOrder(ctx, f.order);
      const series = old.series.toNumber();
      const info = await seriesOf(api, series, { trading: true });
      onTick('price', raw.price, f.price, info.priceTick.toBigInt(), `the tick of series ${series} (${usdc(info.priceTick.toBigInt())})`);
      await checkQuantity(api, f.qty);
      // The old order's good-till and reduce-only carry over unless given.
      const kept = old.goodTill.isNone ? 'GoodTillCancelled'
        : old.goodTill.unwrap().isBlock ? { GoodTillBlock: old.goodTill.unwrap().asBlock.toNumber() }
          : { GoodTillTime: old.goodTill.unwrap().asTime.until.toNumber() };
      const tif = goodTill(ctx, f, (await api.query.timestamp.now()).toNumber()) ?? kept;
      return submit(ctx, api.tx.options.replaceOrder(f.order, { series, side: f.side ?? old.side.type, price: f.price, quantity: f.qty, timeInForce: tif, postOnly: !!f['post-only'], reduceOnly: !!f['reduce-only'] || old.reduceOnly.isTrue }));
    } },
  'vol-order': { group: 'trader', doc: 'an order priced in implied volatility, re-priced every block',
    flags: { ...AS, ...PROXY, ...SERIES, side: { type: 'side', required: true, doc: 'Buy or Sell' }, vol: { type: 'fraction', required: true, doc: 'a fraction a year' },
      qty: { type: 'count', required: true, doc: 'contracts' }, 'good-till-block': { type: 'block', doc: 'last block it may fill in' },
      'good-till-in': { type: 'seconds', doc: 'seconds from now' }, 'reduce-only': { type: 'flag', doc: 'only reduce the position' } },
    oneOf: [Object.assign(['good-till-block', 'good-till-in'], { optional: true })],
    run: async (ctx) => {
      const { api, flags: f } = ctx;
      await seriesOf(api, f.series, { trading: true });
      await checkQuantity(api, f.qty);
      const tif = goodTill(ctx, f, (await api.query.timestamp.now()).toNumber()) ?? 'GoodTillCancelled';
      return submit(ctx, api.tx.options.placeVolOrder({ series: f.series, side: f.side, volatility: f.vol, quantity: f.qty, timeInForce: tif, reduceOnly: !!f['reduce-only'] }));
    } },
  cancel: { group: 'trader', doc: 'cancel one order', flags: { ...AS, ...PROXY, order: { type: 'order', required: true, doc: 'order id' } },
    run: async (ctx) => { await ownOrder(ctx, ctx.flags.order); return submit(ctx, ctx.api.tx.options.cancelOrder(ctx.flags.order)); } },
  'cancel-all': { group: 'trader', doc: 'cancel every order (of one series)', flags: { ...AS, ...PROXY, series: { type: 'id', doc: 'only this series' } },
    run: async (ctx) => {
      if (ctx.flags.series !== undefined) await seriesOf(ctx.api, ctx.flags.series);
      return submit(ctx, ctx.api.tx.options.cancelAll(ctx.flags.series ?? null));
    } },
  'schedule-cancel': { group: 'trader', doc: "dead-man's switch: cancel every order at a block unless renewed",
    flags: { ...AS, ...PROXY, in: { type: 'count', doc: 'blocks from now' }, at: { type: 'block', doc: 'block' }, off: { type: 'flag', doc: 'disarm' } },
    oneOf: [['in', 'at', 'off']],
    run: async (ctx) => {
      const { api, flags: f } = ctx;
      const best = (await api.rpc.chain.getHeader()).number.toNumber();
      const at = f.off ? null : f.at ?? best + f.in;
      if (at !== null && at <= best) throw new InputError(`--at: not after the best block ${best}: ${f.at}`);
      return submit(ctx, api.tx.options.scheduleCancel(at));
    } },
  'mmp-set': { group: 'trader', doc: 'market-maker protection on an underlying',
    flags: { ...AS, ...PROXY, ...UNDERLYING, window: { type: 'count', required: true, doc: 'blocks' }, contracts: { type: 'count0', default: 0, doc: 'contracts' },
      delta: { type: 'decimal0', default: 0n, doc: 'units of the underlying' }, vega: { type: 'decimal0', default: 0n, doc: 'USD per 1.00 of volatility' },
      freeze: { type: 'count0', default: 0, doc: 'blocks; 0: until mmp-reset' } },
    run: async (ctx) => {
      const { api, flags: f } = ctx;
      await optionsUnderlying(api, f.underlying);
      if (f.contracts === 0 && f.delta === 0n && f.vega === 0n) throw new InputError('--contracts: give at least one limit (--contracts, --delta or --vega)');
      return submit(ctx, api.tx.options.setMmp(f.underlying, { windowBlocks: f.window, maxContracts: f.contracts, maxDelta: f.delta, maxVega: f.vega, freezeBlocks: f.freeze }));
    } },
  'mmp-off': { group: 'trader', doc: 'remove market-maker protection', flags: { ...AS, ...PROXY, ...UNDERLYING },
    run: async (ctx) => { await optionsUnderlying(ctx.api, ctx.flags.underlying); return submit(ctx, ctx.api.tx.options.setMmp(ctx.flags.underlying, null)); } },
  'mmp-reset': { group: 'trader', doc: 'thaw a tripped protection', flags: { ...AS, ...PROXY, ...UNDERLYING },
    run: async (ctx) => { await optionsUnderlying(ctx.api, ctx.flags.underlying); return submit(ctx, ctx.api.tx.options.resetMmp(ctx.flags.underlying)); } },
  'proxy-add': { group: 'trader', doc: 'give a key trading rights (never withdraw or transfer)',
    flags: { ...AS, delegate: { type: 'account', required: true, doc: 'the trading key' }, type: { type: 'proxyType', default: 'Trading', doc: 'Trading (default) or Any' } },
    run: async (ctx) => {
      if (ctx.flags.delegate === ctx.flags.as.address) throw new InputError('--delegate: cannot be the signer itself');
      return submit(ctx, ctx.api.tx.proxy.addProxy(ctx.flags.delegate, ctx.flags.type, 0));
    } },
  'proxy-remove': { group: 'trader', doc: 'take trading rights back',
    flags: { ...AS, delegate: { type: 'account', required: true, doc: 'the trading key' }, type: { type: 'proxyType', default: 'Trading', doc: 'Trading (default) or Any' } },
    run: async (ctx) => submit(ctx, ctx.api.tx.proxy.removeProxy(ctx.flags.delegate, ctx.flags.type, 0)) },
  proxies: { group: 'trader', doc: "an account's proxies", flags: { ...WHO }, run: async ({ api, flags }) => {
    const [list] = await api.query.proxy.proxies(flags.who);
    return list.map((p) => ({ delegate: p.delegate.toString(), type: p.proxyType.type, delay: p.delay.toNumber() }));
  } },
  // reads
  series: { group: 'market', doc: 'the live series', flags: {}, run: async ({ api }) => (await c.liveSeries(api)).map((s) => seriesView(s.id.toNumber(), s.info)) },
  quote: { group: 'market', doc: "a series' mark price and greeks (one contract)", flags: { ...SERIES }, run: async ({ api, flags }) => {
    const info = await seriesOf(api, flags.series);
    const q = await api.call.marginApi.seriesQuote(info.terms);
    if (q.isNone) return null;
    const x = q.unwrap();
    return {
      series: flags.series,
      mark: `${fixedOver(x.mark.toBigInt(), 1)} USD`,
      delta: `${fixedOver(x.delta.toBigInt(), 1)} units of the underlying`,
      gamma: `${fixedOver(x.gamma.toBigInt(), 1)} delta per USD of the index`,
      vega: `${fixedOver(x.vega.toBigInt(), 100)} USD per volatility point (1 %)`,
      theta: `${fixedOver(x.theta.toBigInt(), 365)} USD a day`,
      rho: `${fixedOver(x.rho.toBigInt(), 100)} USD per rate point (1 %)`,
      index: usd(x.indexPrice.toBigInt()),
      volatility: pct(x.volatility.toBigInt()),
      fresh: x.fresh.isTrue,
    };
  } },
  book: { group: 'market', doc: 'depth of a series', flags: { ...SERIES, levels: { type: 'count', default: 10, doc: 'levels a side' } }, run: async ({ api, flags }) => {
    await seriesOf(api, flags.series);
    const d = await c.book(api, flags.series, flags.levels);
    const side = (levels) => levels.map((l) => ({ price: usdc(l.price.toBigInt()), qty: l.quantity.toNumber(), orders: l.orders.toNumber() }));
    return d && { bids: side(d.bids), asks: side(d.asks) };
  } },
  orders: { group: 'market', doc: "an account's open orders", flags: { ...WHO }, run: async ({ api, flags }) => (await c.openOrders(api, flags.who)).map((o) => ({
    order: o.id.toNumber(), series: o.series.toNumber(), side: o.side.type, price: usdc(o.price.toBigInt()), remaining: o.remaining.toNumber(),
    reduceOnly: o.reduceOnly.isTrue, goodTill: goodTillView(o.goodTill),
  })) },
  'vol-orders': { group: 'market', doc: "a series' volatility-priced orders", flags: { ...SERIES }, run: async ({ api, flags }) => {
    await seriesOf(api, flags.series);
    return (await api.call.optionsApi.volOrders(flags.series)).map((e) => ({ order: e.id.toNumber(), owner: e.owner.toString(), volatility: pct(e.volatility.toBigInt()) }));
  } },
  positions: { group: 'market', doc: "an account's positions", flags: { ...WHO }, run: async ({ api, flags }) => (await c.positions(api, flags.who)).map((p) => ({
    series: p.series.toNumber(), net: p.net.toNumber(), kind: p.terms.kind.type, strike: usd(p.terms.strike.toBigInt()), expiry: when(p.terms.expiry.toNumber()),
  })) },
  margin: { group: 'market', doc: "an account's margin", flags: { ...WHO }, run: async ({ api, flags }) => {
    const m = await c.marginOf(api, flags.who);
    return m && {
      collateral: usdc(m.collateral.toBigInt()), equity: usdc(m.equity.toBigInt()), initialEquity: usdc(m.initialEquity.toBigInt()),
      initial: usdc(m.initial.toBigInt()), maintenance: usdc(m.maintenance.toBigInt()), state: m.state.type,
    };
  } },
  mmp: { group: 'market', doc: "an account's market-maker protection", flags: { ...WHO, ...UNDERLYING }, run: async ({ api, flags }) => c.mmpOf(api, flags.who, flags.underlying) },
  'insurance-fund': { group: 'market', doc: "the insurance fund's balance", flags: {}, run: async ({ api }) => ({ insuranceFund: usdc((await api.call.marginApi.insuranceFund()).toBigInt()) }) },
  // keeper
  liquidate: { group: 'keeper', doc: 'take over contracts of a liquidatable account', flags: { ...AS, account: { type: 'account', required: true, doc: 'the account' }, ...SERIES, qty: { type: 'count', required: true, doc: 'contracts' } },
    run: async (ctx) => { await seriesOf(ctx.api, ctx.flags.series); return submit(ctx, ctx.api.tx.margin.liquidate(ctx.flags.account, ctx.flags.series, ctx.flags.qty)); } },
  settle: { group: 'keeper', doc: "settle an account's position in an expired series", flags: { ...AS, account: { type: 'account', required: true, doc: 'the account' }, ...SERIES },
    run: async (ctx) => { await seriesOf(ctx.api, ctx.flags.series); return submit(ctx, ctx.api.tx.options.settleAccount(ctx.flags.account, ctx.flags.series)); } },
};

/** The help text: every command, or one command's flags. */
export function help(cmd) {
  if (cmd && COMMANDS[cmd]) {
    const x = COMMANDS[cmd];
    const entries = Object.entries({ ...x.flags, ...GLOBAL }).map(([n, f]) =>
      [`--${n}${TYPES[f.type]?.value ? ` ${TYPES[f.type].value}` : f.type === 'string' ? ' <url>' : ''}`, `${f.required ? '' : '(optional) '}${f.doc}`]);
    const w = Math.max(...entries.map(([a]) => a.length));
    const lines = entries.map(([a, b]) => `  ${a.padEnd(w)}  ${b}`);
    const groups = (x.oneOf ?? []).map((g) => `  one of: ${g.map((n) => `--${n}`).join(', ')}${g.optional ? ' (or none)' : ''}`);
    return `${cmd}: ${x.doc}\n${[...lines, ...groups].join('\n')}`;
  }
  const byGroup = {};
  for (const [n, x] of Object.entries(COMMANDS)) (byGroup[x.group] ??= []).push(`  ${n.padEnd(18)}${x.doc}`);
  return `optionchain client: node client.js <command> [--flag value ...] [--json] [--ws ws://127.0.0.1:9944]
Amounts in USDC, prices in USD, volatility as a fraction a year (0.5 = 50 %), times as ISO dates
or ms, durations in seconds. \`node client.js help <command>\` lists a command's flags.
Exit codes: 0 done, 1 refused or failed on chain (the pallet error and its doc), 2 bad input
(nothing sent).

${Object.entries(byGroup).map(([g, l]) => `${g}\n${l.join('\n')}`).join('\n\n')}`;
}

/** Run one command line; returns the exit code. `out`/`err` print a line. */
export async function run(argv, { out = console.log, err = console.error } = {}) {
  let api;
  const json = argv.includes('--json');
  try {
    const { cmd, raw, topic } = parseArgs(argv);
    if (!cmd || cmd === 'help') {
      if (topic && !COMMANDS[topic]) throw new InputError(`unknown command: ${topic} (node client.js help)`);
      out(help(topic));
      return 0;
    }
    if (!COMMANDS[cmd]) throw new InputError(`unknown command: ${cmd} (node client.js help)`);
    const flags = checkFlags(cmd, raw);
    api = await connect(flags.ws);
    const result = await COMMANDS[cmd].run({ api, flags, raw });
    if (!json && result && Array.isArray(result.events)) {
      result.events = result.events.filter(({ event }) => !ROUTINE.has(event)).map(({ event, ...fields }) =>
        `${event}${Object.entries(fields).map(([k, v]) => ` ${k}=${typeof v === 'object' ? JSON.stringify(v) : v}`).join('')}`);
    }
    print(result, json, out);
    return 0;
  } catch (e) {
    const code = e.exitCode ?? 1;
    if (json) err(JSON.stringify({ error: e.message, exitCode: code }));
    else err(`Error: ${e.message}`);
    return code;
  } finally {
    if (api) await api.disconnect().catch(() => {});
  }
}
