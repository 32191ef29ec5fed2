// The optionchain client library: everything a trader, an operator or a keeper does, through
// @polkadot/api and the chain's metadata and runtime APIs only (no custom types). Used by the
// command-line client (client.js) and by the end-to-end tests.
import { ApiPromise, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady, decodeAddress } from '@polkadot/util-crypto';
import { feedTx, fixed } from './oracle.js';
import { sendAndFinalize } from './node.js';

export const USDC = 1; // SETTLEMENT_ASSET_ID
export const USD = 1_000_000n; // 6 decimals

/** Parse a decimal USDC amount ("310", "0.3") into settlement-asset units. */
export function usdc(value) {
  const [int, frac = ''] = String(value).split('.');
  return BigInt(int) * USD + BigInt((frac + '000000').slice(0, 6));
}

/** An integer scaled by 10^decimals as a decimal string, trailing zeros dropped (at least `keep` decimals kept). */
export function scaled(v, decimals, keep = 0) {
  const n = BigInt(v);
  const neg = n < 0n;
  const a = neg ? -n : n;
  const base = 10n ** BigInt(decimals);
  let frac = (a % base).toString().padStart(decimals, '0').replace(/0+$/, '');
  if (frac.length < keep) frac = frac.padEnd(keep, '0');
  return `${neg ? '-' : ''}${a / base}${frac ? `.${frac}` : ''}`;
}

/** Format a FixedU128 / FixedI128 (18 decimals) as a decimal string. */
export const fmtFixed = (inner) => scaled(inner, 18);

export async function connect(ws = 'ws://127.0.0.1:9944') {
  await cryptoWaitReady();
  return ApiPromise.create({ provider: new WsProvider(ws), noInitWarn: true, throwOnConnect: true });
}

/**
 * For a helper process that lives as long as its node (the feeder, the demo maker): connect to
 * `ws` without reconnecting, and exit (0) when the node goes away or on SIGTERM/SIGINT.
 * Returns the API and `stop(code, why)`, which prints `name: why` and exits.
 */
export async function connectForLife(ws, name) {
  await cryptoWaitReady();
  const provider = new WsProvider(ws, false);
  await provider.connect();
  await provider.isReady;
  const api = await ApiPromise.create({ provider, noInitWarn: true, throwOnConnect: true });
  const stop = (code, why) => {
    if (why) console.error(`${name}: ${why}`);
    process.exit(code);
  };
  provider.on('disconnected', () => stop(0, 'the node went away: stopping'));
  process.on('SIGTERM', () => stop(0));
  process.on('SIGINT', () => stop(0));
  return { api, stop };
}

const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
/** A key pair from a secret URI (`//Alice`, a mnemonic, ...). */
export function pair(uri) { return keyring.addFromUri(uri); }
/** An address from a secret URI or an SS58 address. */
export function address(who) {
  if (who.startsWith('//') || who.includes(' ')) return pair(who).address;
  decodeAddress(who); // throws on a bad address
  return who;
}

/** Sign and send, wait for finality, return the events (throws with the decoded error). */
/** The ids of the orders an options event is about (a fill: the taker's order). */
function orderIdsOf(api, event) {
  const o = api.events.options;
  if (o.OrderFilled.is(event)) return [event.data.takerOrder.toString()];
  if (o.OrderRested.is(event) || o.OrderCancelled.is(event) || o.OrderRejected.is(event)) {
    return [event.data.orderId.toString()];
  }
  return [];
}

/**
 * Sign, send and wait for finality (or, with `until = 'inBlock'`, inclusion in a best block);
 * returns the block and the extrinsic's events. An order that
 * may take liquidity is queued and matched after the block's transactions: its fills, rest,
 * cancellation or rejection are finalization events of the same block, appended here; a
 * rejected order throws like a failed extrinsic (`extrinsic failed: options.<Error>`).
 */
export async function send(api, signer, tx, until = 'finalized') {
  const { events, blockHash } = await sendAndFinalize(api, tx, signer, until);
  const own = events.map(({ event }) => event);
  const placed = own
    .filter((e) => api.events.options.OrderPlaced.is(e) && !e.data.request.postOnly.isTrue)
    .map((e) => e.data.orderId.toString());
  if (placed.length === 0) return { blockHash, events: own };
  const all = await (await api.at(blockHash)).query.system.events();
  const later = all
    .filter(({ phase, event }) => phase.isFinalization && orderIdsOf(api, event).some((id) => placed.includes(id)))
    .map(({ event }) => event);
  const rejected = later.find((e) => api.events.options.OrderRejected.is(e));
  if (rejected) {
    const error = rejected.data.error;
    let msg = error.toString();
    if (error.isModule) {
      const d = api.registry.findMetaError(error.asModule);
      msg = `${d.section}.${d.name}`;
    }
    throw new Error(`extrinsic failed: ${msg}`);
  }
  return { blockHash, events: [...own, ...later] };
}

// ---- operator --------------------------------------------------------------------------------

/**
 * Feed prices as operator `operator` (a signed extrinsic, free for operators); resolves with the
 * hash of the block that includes it. `entries`: [{ underlying, price, volatility }] as decimal
 * strings (USD per unit; volatility as a fraction a year, "0.5" = 50 %). `at`: the round, by
 * default the best block's number.
 */
export async function feed(api, operator, entries, at) {
  const round = at ?? (await api.rpc.chain.getHeader()).number.toNumber();
  const e = entries.map((x) => ({ underlying: x.underlying, price: fixed(x.price), volatility: fixed(x.volatility) }));
  const { blockHash } = await sendAndFinalize(api, feedTx(api, round, e), operator, 'inBlock');
  return blockHash;
}

// ---- governance ------------------------------------------------------------------------------

/** List a series (sudo). `expiry` in ms since the epoch; `kind`: 'Call' | 'Put'. */
export async function listSeries(api, sudoKey, { underlying, strike, expiry, kind }) {
  const call = api.tx.options.listSeries(underlying, fixed(strike), expiry, kind);
  const r = await send(api, sudoKey, api.tx.sudo.sudo(call));
  const listed = r.events.find((e) => api.events.options.SeriesListed.is(e));
  if (!listed) {
    const sudid = r.events.find((e) => api.events.sudo.Sudid.is(e));
    throw new Error(`series not listed: ${sudid ? sudid.data.toString() : 'no Sudid event'}`);
  }
  return { ...r, series: listed.data.series.toNumber() };
}

// ---- trader ----------------------------------------------------------------------------------

export const deposit = (api, who, amount) => send(api, who, api.tx.margin.deposit(amount));
export const withdraw = (api, who, amount) => send(api, who, api.tx.margin.withdraw(amount));

/** Place an order. `side`: 'Buy' | 'Sell'; `price` in USDC units per contract; `tif`: GoodTillCancelled | ImmediateOrCancel | FillOrKill, `{ GoodTillBlock: n }` or `{ GoodTillTime: ms }`. */
export function placeOrder(api, who, { series, side, price, quantity, tif = 'GoodTillCancelled', postOnly = false, reduceOnly = false }) {
  return send(api, who, api.tx.options.placeOrder({
    series, side, price, quantity, timeInForce: tif, postOnly, reduceOnly,
  }));
}
/**
 * Place an order priced in implied volatility: `volatility` a decimal string ('0.6' is 60 % a
 * year). It rests at that volatility's premium (the chain's Black-Scholes at the block's index
 * price, rounded to the tick in the owner's favour) and follows the index every block with no
 * requote; it never takes liquidity. `tif` as `placeOrder`'s, one that rests.
 */
export function placeVolOrder(api, who, { series, side, volatility, quantity, tif = 'GoodTillCancelled', reduceOnly = false }) {
  return send(api, who, api.tx.options.placeVolOrder({
    series, side, volatility: fixed(volatility), quantity, timeInForce: tif, reduceOnly,
  }));
}
export const cancelOrder = (api, who, orderId) => send(api, who, api.tx.options.cancelOrder(orderId));
/** Dead-man's switch: unless renewed before block `at`, every resting order of `who` is cancelled at its start; `null` disarms it. */
export const scheduleCancel = (api, who, at) => send(api, who, api.tx.options.scheduleCancel(at));
export const cancelAll = (api, who, series = null) => send(api, who, api.tx.options.cancelAll(series));
/** Mass quote: `quotes` = [{ series, bid: { price, quantity } | null, ask: ... }] (USDC units per contract, contracts). */
export const quote = (api, who, quotes) => send(api, who, api.tx.options.quote(quotes));

/**
 * Market-maker protection on `underlying`: limits in human units (`delta` in units of the
 * underlying and `vega` in USD per 1.00 of volatility, decimal strings; 0 or absent: no limit),
 * `window` and `freeze` in blocks (`freeze` 0: until reset). `null` removes them.
 */
export function setMmp(api, who, underlying, limits) {
  const l = limits && {
    windowBlocks: limits.window,
    maxContracts: limits.contracts ?? 0,
    maxDelta: fixed(limits.delta ?? '0'),
    maxVega: fixed(limits.vega ?? '0'),
    freezeBlocks: limits.freeze ?? 0,
  };
  return send(api, who, api.tx.options.setMmp(underlying, l));
}
export const resetMmp = (api, who, underlying) => send(api, who, api.tx.options.resetMmp(underlying));

// ---- keeper ----------------------------------------------------------------------------------

export const liquidate = (api, keeper, account, series, quantity) =>
  send(api, keeper, api.tx.margin.liquidate(account, series, quantity));
export const settleAccount = (api, keeper, account, series) =>
  send(api, keeper, api.tx.options.settleAccount(account, series));

// ---- reads (runtime APIs and storage) --------------------------------------------------------

export async function indexPrice(api, underlying) {
  const p = await api.call.oracleApi.indexPrice(underlying);
  return p.isSome ? p.unwrap() : null;
}
export async function liveSeries(api) { return (await api.call.optionsApi.liveSeries()).toArray(); }
export async function book(api, series, levels = 10) {
  const d = await api.call.optionsApi.bookDepth(series, levels);
  return d.isSome ? d.unwrap() : null;
}
export async function openOrders(api, who) { return (await api.call.optionsApi.openOrders(who)).toArray(); }
/** The volatility-priced orders resting in `series`: [{ id, owner, volatility }] (volatility a decimal string). */
export async function volOrders(api, series) {
  return (await api.call.optionsApi.volOrders(series)).toArray()
    .map((e) => ({ id: e.id.toNumber(), owner: e.owner.toString(), volatility: fmtFixed(e.volatility.toBigInt()) }));
}
export async function positions(api, who) { return (await api.call.optionsApi.positions(who)).toArray(); }
export async function marginOf(api, who) {
  const m = await api.call.marginApi.accountMargin(who);
  return m.isSome ? m.unwrap() : null;
}
/** `who`'s market-maker protection on `underlying` in human units, or null. */
export async function mmpOf(api, who, underlying) {
  const v = await api.call.optionsApi.mmp(who, underlying);
  if (v.isNone) return null;
  const m = v.unwrap();
  const limits = m.limits.isSome ? m.limits.unwrap() : null;
  const counts = (k) => ({ contracts: k.contracts.toNumber(), delta: fmtFixed(k.delta.toBigInt()), vega: fmtFixed(k.vega.toBigInt()) });
  return {
    limits: limits && {
      windowBlocks: limits.windowBlocks.toNumber(), contracts: limits.maxContracts.toNumber(),
      delta: fmtFixed(limits.maxDelta.toBigInt()), vega: fmtFixed(limits.maxVega.toBigInt()),
      freezeBlocks: limits.freezeBlocks.toNumber(),
    },
    counted: counts(m.counted),
    windowStart: m.windowStart.toNumber(),
    frozen: m.frozen.isSome ? m.frozen.unwrap().toJSON() : null,
    frozenNow: m.frozenNow.isTrue,
    voidBefore: m.voidBefore.toString(),
  };
}
export async function collateral(api, who) { return (await api.call.marginApi.collateral(who)).toBigInt(); }
export async function usdcBalance(api, who) {
  const a = await api.query.assets.account(USDC, who);
  return a.isSome ? a.unwrap().balance.toBigInt() : 0n;
}
/** Every holder of the settlement asset with its balance, and the asset's total supply. */
export async function usdcLedger(api) {
  const entries = await api.query.assets.account.entries(USDC);
  const holders = new Map(entries.map(([k, v]) => [k.args[1].toString(), v.unwrap().balance.toBigInt()]));
  const supply = (await api.query.assets.asset(USDC)).unwrap().supply.toBigInt();
  return { holders, supply };
}
