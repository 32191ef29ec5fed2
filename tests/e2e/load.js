#!/usr/bin/env node
// Load tool (issue 15): starts a dev node (or uses --ws), lists a board, funds market makers and
// takers, then drives two equal-length runs and prints one table:
//   1. trading: every block each maker re-quotes its whole board with one `quote` call (a bid
//      and an ask in every series) and every taker sends immediate-or-cancel orders of one
//      contract that cross the best quote (one fill each);
//   2. transfers: the same takers send plain USDC transfers (pallet-assets `transfer`).
// Per block: fills, quote legs, transfers, extrinsics, the block's weight, the time the author
// took to build it (the node's "Prepared block" log line), submission-to-inclusion latency and
// finality lag. Every transaction of a run is signed before the run starts (signing is the
// client's heaviest work), so a block's transactions are only submitted while it is measured.
// Every request loop is bounded (blocks and transactions per block) and the tool stops by
// itself. With --base-path the node keeps its database there, so that `optionchain-node
// benchmark block --chain dev --base-path DIR --from A --to B` can re-execute the blocks.
// Usage (see scripts/load.sh):
//   node load.js [--blocks 20] [--makers 4] [--takers 8] [--per-taker 40] [--series 16]
//                [--positions 10] [--ws ws://127.0.0.1:9944] [--log node.log] [--base-path DIR]
import fs from 'node:fs';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import * as c from './lib/client.js';
import { Node, sleep, waitFor } from './lib/node.js';

const BTC = 0;
const USD = c.USD;
/** Tip of a maker's quote: 0.001 OPT (12 decimals). */
const QUOTE_TIP = 1_000_000_000n;

function parse(argv) {
  const f = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument: ${a}`);
    const k = a.slice(2);
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new Error(`--${k}: a value is required`);
    f[k] = v; i++;
  }
  const int = (k, d, max) => {
    if (f[k] === undefined) return d;
    const n = Number(f[k]);
    if (!Number.isInteger(n) || n < 1 || n > max) throw new Error(`--${k}: an integer in 1..${max}: ${f[k]}`);
    return n;
  };
  return {
    blocks: int('blocks', 20, 1000),
    makers: int('makers', 4, 32),
    takers: int('takers', 8, 64),
    perTaker: int('per-taker', 40, 2000),
    series: int('series', 16, 16),
    positions: int('positions', 10, 16),
    ws: f.ws,
    log: f.log,
    basePath: f['base-path'],
  };
}

const pct = (xs, p) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const mean = (xs) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);


async function main() {
  const o = parse(process.argv.slice(2));
  await cryptoWaitReady();
  let node = null;
  let logPath = o.log;
  if (!o.ws) {
    const db = o.basePath ? ['--base-path', o.basePath] : ['--tmp'];
    node = new Node('load', ['--dev', ...db, '--pool-limit', '65536', '--pool-kbytes', '262144']);
    await node.start();
    logPath = node.logPath;
  }
  const api = node ? await node.api() : await c.connect(o.ws);
  const [alice, bob, charlie] = ['//Alice', '//Bob', '//Charlie'].map(c.pair);
  const makers = Array.from({ length: o.makers }, (_, i) => c.pair(`//LoadMaker${i}`));
  const takers = Array.from({ length: o.takers }, (_, i) => c.pair(`//LoadTaker${i}`));
  // Nonces are tracked here (loaded once before the measured runs): transactions of one account
  // are signed concurrently.
  const nonces = new Map();
  const loadNonces = async () => {
    for (const p of [...makers, ...takers]) nonces.set(p.address, (await api.rpc.system.accountNextIndex(p.address)).toNumber());
  };
  const nextNonce = (p) => {
    const n = nonces.get(p.address); nonces.set(p.address, n + 1); return n;
  };

  // Operators feed BTC at 60,000 (volatility 50 %) on every block.
  const feedErrors = [];
  const unsubFeeds = await api.rpc.chain.subscribeNewHeads((h) => {
    const at = h.number.toNumber();
    for (const op of [alice, bob, charlie]) {
      c.feed(api, op, [{ underlying: BTC, price: '60000', volatility: '0.5' }], at).catch((e) => feedErrors.push(e.message));
    }
  });
  await waitFor('a fresh BTC index', async () => {
    const p = await c.indexPrice(api, BTC);
    return p && p.status.toString() === 'Fresh';
  }, 120_000);

  // Setup (not measured): a board of calls a day out, money for everybody, and `positions`
  // shorts per maker (sold to the takers) so that a maker's evaluation reads a real portfolio.
  const now = (await api.query.timestamp.now()).toNumber();
  const expiry = now + 86_400_000;
  const strikes = Array.from({ length: o.series }, (_, i) => 52_000 + 1_000 * i);
  const listed = await c.send(api, alice, api.tx.utility.batchAll(strikes.map((k) =>
    api.tx.sudo.sudo(api.tx.options.listSeries(BTC, c.usdc(k) * 10n ** 12n, expiry, 'Call')))));
  const series = listed.events.filter((e) => api.events.options.SeriesListed.is(e)).map((e) => e.data.series.toNumber());
  if (series.length !== o.series) throw new Error(`listed ${series.length} of ${o.series} series`);
  const everybody = [...makers, ...takers];
  await c.send(api, alice, api.tx.utility.batchAll(everybody.flatMap((p) => [
    api.tx.balances.transferKeepAlive(p.address, 1_000n * 10n ** 12n),
    api.tx.assets.mint(c.USDC, p.address, 10_000_000n * USD),
  ])));
  await Promise.all(everybody.map((p) => c.deposit(api, p, 5_000_000n * USD)));
  const marks = [];
  for (const s of series) {
    const info = (await c.liveSeries(api)).find((v) => v.id.toNumber() === s).info;
    const q = await api.call.marginApi.seriesQuote(info.terms);
    // USD per contract (18 decimals) to USDC units (6 decimals).
    marks.push(q.unwrap().mark.toBigInt() / 10n ** 12n);
  }
  // A tick of 0.01 USDC; prices per contract.
  const tick = USD / 100n;
  const round = (x) => (x / tick) * tick;
  const quoteTx = (m, shift) => api.tx.options.quote(series.map((s, i) => {
    const mark = marks[i];
    const spread = round(mark / 20n) + tick * BigInt(m + 1);
    const bid = mark > spread * 2n ? round(mark - spread) + tick * BigInt(shift) : tick;
    const above = round(mark + spread) + tick * BigInt(shift);
    const ask = above > bid ? above : bid + tick;
    return { series: s, bid: { price: bid, quantity: 10 }, ask: { price: ask, quantity: 10 } };
  }));
  await Promise.all(makers.map((m, i) => c.send(api, m, quoteTx(i, 0))));
  // Positions: each taker buys one contract from the makers in the first `positions` series.
  for (let i = 0; i < o.positions; i++) {
    await Promise.all(makers.map((_, j) => c.placeOrder(api, takers[j % takers.length], {
      series: series[i], side: 'Buy', price: round(marks[i] * 2n) + USD, quantity: 1, tif: 'ImmediateOrCancel',
    })));
  }
  const makerPositions = (await c.positions(api, makers[0].address)).length;
  await loadNonces();

  // Measurement: per block, what it held; per transaction, submission to inclusion.
  const submitted = new Map(); // hash -> ms
  const blocks = [];
  let phase = null;
  const unsubHeads = await api.rpc.chain.subscribeNewHeads(async (h) => {
    const seen = Date.now();
    const hash = h.hash.toHex();
    const number = h.number.toNumber();
    const label = phase;
    try {
      const [block, events, weight, finalized] = await Promise.all([
        api.rpc.chain.getBlock(hash),
        api.query.system.events.at(hash),
        api.query.system.blockWeight.at(hash),
        api.rpc.chain.getFinalizedHead().then((f) => api.rpc.chain.getHeader(f)),
      ]);
      const latencies = [];
      for (const x of block.block.extrinsics) {
        const t = submitted.get(x.hash.toHex());
        if (t !== undefined) latencies.push(seen - t);
      }
      let fills = 0; let legs = 0; let transfers = 0; let failed = 0;
      for (const { event } of events) {
        if (api.events.options.OrderFilled.is(event)) fills++;
        else if (api.events.options.Quoted.is(event)) legs += event.data.legs.toNumber();
        else if (api.events.assets.Transferred.is(event)) transfers++;
        else if (api.events.system.ExtrinsicFailed.is(event) || api.events.options.OrderRejected.is(event)) failed++;
      }
      const normal = weight.normal.refTime.toBigInt() + weight.mandatory.refTime.toBigInt() + weight.operational.refTime.toBigInt();
      blocks.push({ number, label, fills, legs, transfers, failed, extrinsics: block.block.extrinsics.length,
        weightMs: Number(normal / 1_000_000_000n), latencies, lag: number - finalized.number.toNumber() });
    } catch (e) { /* a head we could not read (the run is ending) */ }
  });

  /**
   * Signs every block's transactions (`build(b)`: `[tx, pair, tip]`, tip in OPT units, default
   * none) with consecutive nonces.
   */
  async function presign(build) {
    const all = [];
    for (let b = 0; b < o.blocks; b++) {
      const signed = [];
      for (const [tx, p, tip = 0n] of build(b)) signed.push(await tx.signAsync(p, { nonce: nextNonce(p), era: 0, tip }));
      all.push(signed);
    }
    return all;
  }

  async function run(label, signedBlocks) {
    phase = label;
    const start = blocks.length;
    for (let b = 0; b < o.blocks; b++) {
      const head = (await api.rpc.chain.getHeader()).number.toNumber();
      await Promise.all(signedBlocks[b].map(async (x) => {
        submitted.set(x.hash.toHex(), Date.now());
        await api.rpc.author.submitExtrinsic(x);
      }));
      await waitFor(`block after #${head}`, async () => (await api.rpc.chain.getHeader()).number.toNumber() > head, 30_000, 100);
    }
    // Let the pool drain (bounded).
    for (let i = 0; i < 10 && (await api.rpc.author.pendingExtrinsics()).length > 0; i++) await sleep(1000);
    await sleep(2500);
    phase = null;
    return blocks.slice(start).filter((x) => x.label === label);
  }

  const tradingTxs = await presign((b) => {
    const txs = [];
    // Makers tip their quotes: the pool orders a block's transactions by priority, so the
    // quotes apply first and the takers planned after them find the makers warm (a taker
    // planned against a maker not yet evaluated in the block pays for its evaluation).
    makers.forEach((m, i) => txs.push([quoteTx(i, b % 2), m, QUOTE_TIP]));
    takers.forEach((t, j) => {
      for (let k = 0; k < o.perTaker; k++) {
        const i = (j * o.perTaker + k) % series.length;
        const buy = (k + b) % 2 === 0;
        // Crosses the best quote by far: fills at the maker's price.
        const price = buy ? round(marks[i] * 2n) + USD : tick;
        txs.push([api.tx.options.placeOrder({ series: series[i], side: buy ? 'Buy' : 'Sell', price, quantity: 1,
          timeInForce: 'ImmediateOrCancel', postOnly: false, reduceOnly: false }), t]);
      }
    });
    return txs;
  });
  const transferTxs = await presign(() => {
    const txs = [];
    takers.forEach((t, j) => {
      for (let k = 0; k < o.perTaker; k++) {
        txs.push([api.tx.assets.transfer(c.USDC, takers[(j + 1) % takers.length].address, 1_000_000n), t]);
      }
    });
    return txs;
  });
  const trading = await run('trading', tradingTxs);
  const transfers = await run('transfers', transferTxs);
  unsubHeads();
  unsubFeeds();

  // Block production time from the node's log ("Prepared block for proposing at N (X ms)").
  const prepared = new Map();
  if (logPath && fs.existsSync(logPath)) {
    for (const line of fs.readFileSync(logPath, 'utf8').split('\n')) {
      const m = /Prepared block for proposing at (\d+) \((\d+) ms\)/.exec(line);
      if (m) prepared.set(Number(m[1]), Number(m[2]));
    }
  }
  const row = (label, bs, key) => {
    const per = bs.map((x) => x[key]);
    const lat = bs.flatMap((x) => x.latencies);
    const built = bs.map((x) => prepared.get(x.number)).filter((x) => x !== undefined);
    return `| ${label} | ${bs.length} | ${mean(per).toFixed(1)} | ${Math.max(...per)} | ${mean(bs.map((x) => x.extrinsics)).toFixed(0)} | ${mean(bs.map((x) => x.weightMs)).toFixed(0)} | ${pct(built, 50)} / ${pct(built, 99)} | ${pct(lat, 50)} / ${pct(lat, 99)} | ${pct(bs.map((x) => x.lag), 50)} / ${Math.max(...bs.map((x) => x.lag))} | ${bs.reduce((a, x) => a + x.failed, 0)} |`;
  };
  const fillsPerBlock = mean(trading.map((x) => x.fills));
  const transfersPerBlock = mean(transfers.map((x) => x.transfers));
  console.log(`\nload: ${o.makers} makers quoting ${o.series} series (bid and ask, one quote call each per block), ` +
    `${o.takers} takers x ${o.perTaker} one-contract IOC orders per block; makers hold ${makerPositions} positions; ${o.blocks} blocks per run`);
  console.log('| run | blocks | per block (mean) | max | extrinsics | block weight ms | built ms p50 / p99 | inclusion ms p50 / p99 | finality lag p50 / max | failed |');
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  console.log(row('fills', trading, 'fills'));
  console.log(row('quote legs', trading, 'legs'));
  console.log(row('USDC transfers', transfers, 'transfers'));
  console.log(`fills per block / transfers per block: ${(fillsPerBlock / transfersPerBlock).toFixed(2)}`);
  if (feedErrors.length) console.log(`feed errors: ${feedErrors.length} (first: ${feedErrors[0]})`);
  await api.disconnect();
  if (node) await node.stop();
  process.exit(0);
}

main().catch((e) => { console.error(e); process.exit(1); });
