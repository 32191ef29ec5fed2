#!/usr/bin/env node
// The dev chain's price feeder (issue 18): on every new best block, each operator feeds every
// registered underlying the value of a deterministic random walk for that round (`lib/walk.js`),
// so the index price and the implied volatility move by themselves and never go stale while
// the chain runs. `scripts/dev.sh` starts it next to the node and stops it with the node
// (OPTIONCHAIN_FEEDER=0 turns it off, to drive prices by hand).
//
// The operators sign ordinary feed extrinsics (free for operators). Their nonces are this
// process's: another client signing as an operator at the same moment may see its transaction
// refused ("Priority is too low"); trade as another account (the dev chain funds Dave, Eve and
// Ferdie as well).
//
// Usage: node feeder.js [--ws ws://127.0.0.1:9944] [--seed optionchain-dev] [--scale 1]
//                       [--operators //Alice,//Bob,//Charlie] [--rounds N] [--quiet]
//                       [--board //Alice]
// --scale multiplies the walk's per-block volatility (1: realised = fed implied volatility);
// --rounds stops after N rounds fed (default: until the node goes away); --board SUDO sets,
// as sudo, the dev board's listing rules (`options.set_listing_rule`) of every underlying
// that has none: an expiry every 10 minutes, 3 kept listed, 7 strikes around the index (1,000
// USD apart for BTC, 50 for ETH), a call and a put at each, so the chain lists and retires a
// short-dated board by itself.
import * as c from './lib/client.js';
import { Walk } from './lib/walk.js';
import { fixed } from './lib/oracle.js';

function parse(argv) {
  const f = { ws: 'ws://127.0.0.1:9944', seed: 'optionchain-dev', scale: '1', operators: '//Alice,//Bob,//Charlie' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quiet') { f.quiet = true; continue; }
    if (!a.startsWith('--')) throw new Error(`unexpected argument: ${a}`);
    const k = a.slice(2);
    if (!['ws', 'seed', 'scale', 'operators', 'rounds', 'board'].includes(k)) throw new Error(`unknown flag --${k}`);
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new Error(`--${k}: a value is required`);
    f[k] = v; i++;
  }
  const scale = Number(f.scale);
  if (!(scale > 0 && scale <= 50)) throw new Error(`--scale ${f.scale}: a number in (0, 50]`);
  const rounds = f.rounds === undefined ? Infinity : Number(f.rounds);
  if (!(rounds > 0)) throw new Error(`--rounds ${f.rounds}: a positive integer`);
  return { ...f, scale, rounds, operators: f.operators.split(',').filter(Boolean) };
}

async function main() {
  let o;
  try { o = parse(process.argv.slice(2)); } catch (e) {
    console.error(`feeder: ${e.message}`);
    process.exit(2);
  }
  // No reconnection: it lives as long as its node.
  const { api, stop } = await c.connectForLife(o.ws, 'feeder');

  const operators = o.operators.map((uri) => c.pair(uri));
  const registered = (await api.query.oracle.operators()).map((a) => a.toString());
  for (const op of operators) {
    if (!registered.includes(op.address)) stop(2, `${op.address} is not an oracle operator of this chain`);
  }
  const underlyings = (await api.query.oracle.underlyingList()).map((u) => u.toNumber());
  if (underlyings.length === 0) stop(2, 'no underlying is registered');
  const walks = underlyings.map((u) => new Walk(u, { seed: o.seed, scale: o.scale }));
  const say = (m) => { if (!o.quiet) console.log(`feeder: ${m}`); };
  say(`operators ${o.operators.join(', ')}; underlyings ${underlyings.join(', ')}; seed "${o.seed}", scale ${o.scale}`);

  if (o.board) await setBoard(api, c.pair(o.board), underlyings, say);

  let last = -1;
  let fed = 0;
  let errors = 0;
  let lastError = '';
  let done = false;
  await api.rpc.chain.subscribeNewHeads((h) => {
    if (done) return;
    const round = h.number.toNumber();
    if (round <= last) return;
    last = round;
    const entries = walks.map((w) => w.feedEntry(round));
    for (const op of operators) {
      c.feed(api, op, entries, round).catch((e) => { errors += 1; lastError = e.message; });
    }
    fed += 1;
    if (fed === 1 || fed % 30 === 0) {
      const shown = entries.map((e) => `${e.underlying}: ${e.price} USD (vol ${e.volatility})`).join('; ');
      say(`round ${round}: ${shown}; ${errors} feeds refused so far${errors ? ` (last: ${lastError})` : ''}`);
    }
    if (fed >= o.rounds) {
      done = true;
      // Let the last round's feeds reach the pool.
      setTimeout(() => stop(0), 3_000);
    }
  });
}

/** The dev board's strike step per underlying (USD): BTC 1,000, ETH 50 (their strike ticks). */
const BOARD_STEP = { 0: '1000', 1: '50' };

/** Set the dev board's listing rule of every underlying that has none, as sudo `sudoKey`. */
async function setBoard(api, sudoKey, underlyings, say) {
  const have = new Set((await api.query.options.listingRules()).map((r) => r[0].toNumber()));
  const calls = underlyings.filter((u) => !have.has(u) && BOARD_STEP[u]).map((u) => api.tx.sudo.sudo(
    api.tx.options.setListingRule(u, {
      interval: 600_000, offset: 0, expiries: 3, minLead: 60_000, strikesEachSide: 3, strikeStep: fixed(BOARD_STEP[u]),
    }),
  ));
  if (calls.length === 0) return;
  const r = await c.send(api, sudoKey, api.tx.utility.batchAll(calls));
  const set = r.events.filter((e) => api.events.options.ListingRuleSet.is(e)).length;
  if (set !== calls.length) throw new Error(`listing rules: ${set} of ${calls.length} set`);
  say(`listing rules set for ${calls.length} underlying(s): an expiry every 10 minutes, 3 listed, 7 strikes`);
}

main().catch((e) => {
  console.error(`feeder: ${e.message}`);
  process.exit(1);
});
