#!/usr/bin/env node
// The dev chain's demo market maker (issue 18): keeps two-sided post-only quotes around the
// mark (the margin engine's Black-Scholes price at the index and the implied volatility) on
// every listed series that trades, re-quoting with `options.quote` (16 series, 32 legs, a
// call, one margin check each) every `--every` blocks, so a newcomer can trade at once.
// `scripts/dev.sh` starts it next to the feeder (OPTIONCHAIN_MAKER=0 turns it off).
//
// Each maker account quotes at most 64 series (both sides: the 128 orders an account may
// rest), dealt by series id (`id % accounts`, so a series keeps its maker), nearest expiry
// and strike first. A leg is `mark ∓ max(spread × mark, 2 ticks)`, rounded away from the mark
// to the series' tick; a bid at or below zero is pulled (size 0), and so are both sides of a
// series the maker stops quoting (20 s before its expiry, or beyond its 64). Before quoting, each account tops its margin collateral
// up to `--collateral` USDC from its wallet.
//
// Usage: node maker.js [--ws ws://127.0.0.1:9944] [--as //Eve,//Ferdie] [--spread 0.05]
//                      [--size 5] [--every 2] [--collateral 400000] [--rounds N] [--quiet]
import fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import * as c from './lib/client.js';

const USD = c.USD;
/** Most series an account quotes (two orders each, `MaxOrdersPerAccount` = 128). */
const PER_ACCOUNT = 64;
/** Series of one `quote` call: two legs each, `MaxQuoteLegs` = 32 legs. */
const PER_CALL = 16;
/** A series expiring sooner than this (ms) is not quoted. */
const MIN_LEFT = 20_000;

function parse(argv) {
  const f = { ws: 'ws://127.0.0.1:9944', as: '//Eve,//Ferdie', spread: '0.05', size: '5', every: '2', collateral: '400000' };
  const known = ['ws', 'as', 'spread', 'size', 'every', 'collateral', 'rounds'];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quiet') { f.quiet = true; continue; }
    if (!a.startsWith('--') || !known.includes(a.slice(2))) throw new Error(`unknown argument: ${a}`);
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new Error(`${a}: a value is required`);
    f[a.slice(2)] = v; i++;
  }
  const num = (k, ok) => {
    const n = Number(f[k]);
    if (!ok(n)) throw new Error(`--${k} ${f[k]}: out of range`);
    return n;
  };
  return {
    ws: f.ws,
    accounts: f.as.split(',').filter(Boolean),
    // Basis points of the mark, so that legs are computed in integers.
    spreadBp: BigInt(Math.round(num('spread', (n) => n > 0 && n < 1) * 10_000)),
    size: num('size', (n) => Number.isInteger(n) && n > 0 && n <= 1_000),
    every: num('every', (n) => Number.isInteger(n) && n > 0 && n <= 100),
    collateral: c.usdc(f.collateral),
    rounds: f.rounds === undefined ? Infinity : num('rounds', (n) => Number.isInteger(n) && n > 0),
    quiet: !!f.quiet,
  };
}

/** The two legs around `mark` (USDC units per contract) on a `tick` grid. */
export function legs(mark, tick, spreadBp) {
  const half = (mark * spreadBp) / 10_000n > 2n * tick ? (mark * spreadBp) / 10_000n : 2n * tick;
  const bid = ((mark - half) / tick) * tick;
  const up = mark + half;
  const ask = ((up + tick - 1n) / tick) * tick;
  return { bid: bid > 0n ? bid : null, ask };
}

async function main() {
  let o;
  try { o = parse(process.argv.slice(2)); } catch (e) {
    console.error(`maker: ${e.message}`);
    process.exit(2);
  }
  // No reconnection: it lives as long as its node.
  const { api, stop } = await c.connectForLife(o.ws, 'maker');
  const say = (m) => { if (!o.quiet) console.log(`maker: ${m}`); };
  const makers = o.accounts.map((uri) => c.pair(uri));

  // Collateral: top up from the wallet. A refusal can be passing (a node that has just
  // resynced refuses a transaction whose era it cannot check yet, "ancient birth block"; a
  // full pool): five tries, six seconds apart, before giving up.
  for (const m of makers) {
    for (let attempt = 1; ; attempt++) {
      try {
        const have = await c.collateral(api, m.address);
        if (have < o.collateral) await c.deposit(api, m, o.collateral - have);
        break;
      } catch (e) {
        if (attempt >= 5) throw e;
        say(`top-up of ${m.address} refused (${e.message}); retrying in 6 s`);
        await new Promise((r) => setTimeout(r, 6_000));
      }
    }
  }
  say(`accounts ${o.accounts.join(', ')} with ${c.scaled(o.collateral, 6)} USDC of collateral each; spread ${Number(o.spreadBp) / 100} %, size ${o.size}`);

  // The series each account quoted in its last refresh (to pull what it stops quoting).
  const quotedBy = makers.map(() => new Set());
  /** `send` bounded in time: a transaction that never reaches a block frees the maker. */
  const sendWithin = (who, tx, ms) => Promise.race([
    c.send(api, who, tx, 'inBlock'),
    new Promise((_, reject) => setTimeout(() => reject(new Error(`not in a block within ${ms} ms`)), ms)),
  ]);
  let busy = false;
  let rounds = 0;
  let failures = 0;
  let lastFailure = '';
  await api.rpc.chain.subscribeNewHeads(async (h) => {
    const n = h.number.toNumber();
    if (busy || n % o.every !== 0 || rounds >= o.rounds) return;
    busy = true;
    try {
      const now = (await api.query.timestamp.now()).toNumber();
      const trading = (await api.call.optionsApi.liveSeries()).toArray().filter((v) => v.info.status.isTrading);
      const live = trading.filter((v) => v.info.terms.expiry.toNumber() > now + MIN_LEFT)
        .sort((a, b) => {
          const de = a.info.terms.expiry.toNumber() - b.info.terms.expiry.toNumber();
          if (de !== 0) return de;
          const sa = a.info.terms.strike.toBigInt(); const sb = b.info.terms.strike.toBigInt();
          return sa < sb ? -1 : sa > sb ? 1 : a.id.toNumber() - b.id.toNumber();
        });
      const requests = makers.map(() => []);
      let quoted = 0;
      for (const v of live) {
        const who = v.id.toNumber() % makers.length;
        if (requests[who].length >= PER_ACCOUNT) continue;
        const q = await api.call.marginApi.seriesQuote(v.info.terms);
        if (q.isNone) continue;
        // USD per contract (18 decimals) to USDC units (6 decimals).
        const mark = q.unwrap().mark.toBigInt() / 10n ** 12n;
        const { bid, ask } = legs(mark, v.info.priceTick.toBigInt(), o.spreadBp);
        const tick = v.info.priceTick.toBigInt();
        requests[who].push({
          series: v.id.toNumber(),
          bid: bid === null ? { price: tick, quantity: 0 } : { price: bid, quantity: o.size },
          ask: { price: ask, quantity: o.size },
        });
        quoted += 1;
      }
      // Pull both sides of what an account quoted last time and does not now (a series still
      // listed; an expired one's orders are removed by the chain).
      const listed = new Map(trading.filter((v) => v.info.terms.expiry.toNumber() > now).map((v) => [v.id.toNumber(), v]));
      for (const [who, reqs] of requests.entries()) {
        const now = new Set(reqs.map((r) => r.series));
        for (const id of quotedBy[who]) {
          const v = listed.get(id);
          if (now.has(id) || !v) continue;
          const tick = v.info.priceTick.toBigInt();
          reqs.push({ series: id, bid: { price: tick, quantity: 0 }, ask: { price: tick * 2n, quantity: 0 } });
        }
        quotedBy[who] = now;
      }
      const calls = [];
      for (const [who, reqs] of requests.entries()) {
        for (let k = 0; k < reqs.length; k += PER_CALL) {
          calls.push(sendWithin(makers[who], api.tx.options.quote(reqs.slice(k, k + PER_CALL)), 60_000)
            .catch((e) => { failures += 1; lastFailure = e.message; }));
        }
      }
      await Promise.all(calls);
      rounds += 1;
      if (rounds === 1 || rounds % 30 === 0) {
        say(`block ${n}: ${quoted} series quoted in ${calls.length} calls; ${failures} calls failed so far${failures ? ` (last: ${lastFailure})` : ''}`);
      }
      if (rounds >= o.rounds) setTimeout(() => stop(0), 1_000);
    } catch (e) {
      failures += 1; lastFailure = e.message;
    } finally {
      busy = false;
    }
  });
}

// Run as a program (not when a test imports `legs`), whatever the path's spelling.
if (process.argv[1] && import.meta.url === pathToFileURL(fs.realpathSync(process.argv[1])).href) {
  main().catch((e) => {
    console.error(`maker: ${e.message}`);
    process.exit(1);
  });
}
