// A trading day on the --dev node, driven through the client library (polkadot.js, metadata and
// runtime APIs only): three operators feed BTC every block; sudo lists a call and a put a few
// minutes ahead; Bob and Charlie deposit; Bob writes calls to Charlie through the book; the price
// rises until Bob is liquidatable and the keeper-less on_idle sweep liquidates him; the positions
// expire and settle at the oracle's settlement price. Every step checks events and balances to
// the unit; at the end the settlement asset's total supply and the sum over all holders (escrow,
// fee and insurance included) are unchanged, and the escrow equals the margin ledger.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { stringToU8a, u8aConcat } from '@polkadot/util';
import { encodeAddress } from '@polkadot/util-crypto';
import * as c from '../lib/client.js';
import { Node, repoRoot, reportLogs, waitFor } from '../lib/node.js';

const palletAccount = (id) => encodeAddress(u8aConcat(stringToU8a('modl'), stringToU8a(id), new Uint8Array(20)), 42);
const ESCROW = palletAccount('oc/margn');
const FEES = palletAccount('oc/fees_');
const BTC = 0;
const USD = c.USD;

describe('a trading day', () => {
  const node = new Node('trading-day', ['--dev', '--tmp']);
  let api; let failed = false;
  let alice; let bob; let charlie; let dave;
  let target = '60000'; // the price the operators feed
  let unsubHeads = null; const feedErrors = [];
  const marginEvents = [];

  before(async () => {
    await node.start();
    api = await node.api();
    [alice, bob, charlie, dave] = ['//Alice', '//Bob', '//Charlie', '//Dave'].map(c.pair);
    // Operators feed the current target on every new block (signed, free for operators).
    unsubHeads = await api.rpc.chain.subscribeNewHeads((h) => {
      const at = h.number.toNumber();
      for (const op of [alice, bob, charlie]) {
        c.feed(api, op, [{ underlying: BTC, price: target, volatility: '0.5' }], at).catch((e) => feedErrors.push(e.message));
      }
    });
    await api.query.system.events((events) => {
      for (const { event } of events) if (event.section === 'margin' || event.section === 'options') marginEvents.push(event);
    });
  });

  after(async () => {
    if (unsubHeads) unsubHeads();
    if (failed) reportLogs([node]);
    await node.stop();
  });

  const t = (name, fn) => test(name, async () => {
    try { await fn(); } catch (e) { failed = true; throw e; }
  });

  let ledger0; let expiry; let call; let put;

  t('operators make BTC fresh at 60,000; sudo lists a call and a put', async () => {
    ledger0 = await c.usdcLedger(api);
    assert.equal([...ledger0.holders.values()].reduce((a, b) => a + b, 0n), ledger0.supply);
    await waitFor('fresh BTC index at 60,000', async () => {
      const p = await c.indexPrice(api, BTC);
      return p && p.status.toString() === 'Fresh' && p.price.toBigInt() === 60_000n * 10n ** 18n;
    }, 60_000);
    const now = (await api.query.timestamp.now()).toNumber();
    // Room for every step before the price rises (about 125 s here) and for the rise itself.
    expiry = now + 225_000;
    call = (await c.listSeries(api, alice, { underlying: BTC, strike: '62000', expiry, kind: 'Call' })).series;
    put = (await c.listSeries(api, alice, { underlying: BTC, strike: '58000', expiry, kind: 'Put' })).series;
    const live = (await c.liveSeries(api)).map((s) => s.id.toNumber());
    assert.deepEqual(live.filter((id) => id === call || id === put).sort(), [call, put].sort());
  });

  t('Bob, Charlie and Dave deposit; wallets and margin ledger move to the unit', async () => {
    for (const [who, amount] of [[bob, 8_000n * USD], [charlie, 20_000n * USD], [dave, 5_000n * USD]]) {
      const w0 = await c.usdcBalance(api, who.address);
      const m0 = await c.collateral(api, who.address);
      const r = await c.deposit(api, who, amount);
      const ev = r.events.find((e) => api.events.margin.Deposited.is(e));
      assert.equal(ev.data.amount.toBigInt(), amount);
      const at = await api.at(r.blockHash);
      assert.equal((await at.query.assets.account(c.USDC, who.address)).unwrap().balance.toBigInt(), w0 - amount);
      assert.equal((await at.call.marginApi.collateral(who.address)).toBigInt(), m0 + amount);
    }
  });

  t('Bob writes 10 calls to Charlie; Charlie writes 5 puts to Dave: premiums and fees to the unit', async () => {
    const fee0 = await c.collateral(api, FEES);
    const b0 = await c.collateral(api, bob.address);
    const ch0 = await c.collateral(api, charlie.address);
    const d0 = await c.collateral(api, dave.address);
    await c.placeOrder(api, bob, { series: call, side: 'Sell', price: 150n * USD, quantity: 10 });
    let r = await c.placeOrder(api, charlie, { series: call, side: 'Buy', price: 150n * USD, quantity: 10, tif: 'ImmediateOrCancel' });
    let fill = r.events.find((e) => api.events.options.OrderFilled.is(e));
    assert.equal(fill.data.premium.toBigInt(), 1_500n * USD);
    assert.equal(fill.data.makerFee.toBigInt(), 3n * USD); // 0.30 USDC x 10
    assert.equal(fill.data.takerFee.toBigInt(), 3n * USD);
    await c.placeOrder(api, charlie, { series: put, side: 'Sell', price: 100n * USD, quantity: 5 });
    r = await c.placeOrder(api, dave, { series: put, side: 'Buy', price: 100n * USD, quantity: 5, tif: 'FillOrKill' });
    fill = r.events.find((e) => api.events.options.OrderFilled.is(e));
    assert.equal(fill.data.premium.toBigInt(), 500n * USD);
    assert.equal(await c.collateral(api, bob.address), b0 + 1_500n * USD - 3n * USD);
    assert.equal(await c.collateral(api, charlie.address), ch0 - 1_500n * USD - 3n * USD + 500n * USD - 1_500_000n);
    assert.equal(await c.collateral(api, dave.address), d0 - 500n * USD - 1_500_000n);
    assert.equal(await c.collateral(api, FEES), fee0 + 6n * USD + 3n * USD);
    const pos = await c.positions(api, bob.address);
    assert.deepEqual(pos.map((p) => [p.series.toNumber(), p.net.toNumber()]), [[call, -10]]);
    assert.equal((await c.marginOf(api, bob.address)).state.toString(), 'Healthy');
  });

  t('Dave protects his put bids: the fill that reaches his limit pulls his BTC quotes; frozen, his quote rests nothing; reset', async () => {
    await c.setMmp(api, dave, BTC, { window: 100, contracts: 2, freeze: 0 });
    await c.quote(api, dave, [{ series: put, bid: { price: 90n * USD, quantity: 3 }, ask: null }]);
    const r = await c.placeOrder(api, charlie, { series: put, side: 'Sell', price: 90n * USD, quantity: 2, tif: 'ImmediateOrCancel' });
    const fill = r.events.find((e) => api.events.options.OrderFilled.is(e));
    assert.equal(fill.data.quantity.toNumber(), 2);
    // The trip is an event of the same block (after its transactions, with the fill).
    const all = (await (await api.at(r.blockHash)).query.system.events()).map(({ event }) => event);
    const trip = all.find((e) => api.events.options.MmpTripped.is(e));
    assert.ok(trip, 'MmpTripped in the block of the fill');
    assert.equal(trip.data.who.toString(), dave.address);
    assert.equal(trip.data.counted.contracts.toNumber(), 2);
    assert.ok(trip.data.until.isNone, 'frozen until reset');
    assert.equal((await c.mmpOf(api, dave.address, BTC)).frozenNow, true);
    // The third contract of his bid is void: the book shows no bid.
    assert.equal((await c.book(api, put)).bids.length, 0);
    const q = await c.quote(api, dave, [{ series: put, bid: { price: 90n * USD, quantity: 1 }, ask: null }]);
    assert.ok(q.events.some((e) => api.events.options.QuoteLegSkipped.is(e) && e.data.reason.toString() === 'MmpFrozen'));
    await c.resetMmp(api, dave, BTC);
    assert.equal((await c.mmpOf(api, dave.address, BTC)).frozenNow, false);
    await c.setMmp(api, dave, BTC, null);
    const left = await c.mmpOf(api, dave.address, BTC);
    assert.ok(left === null || left.limits === null);
  });

  t('Dave rests a bid priced at 60 % volatility on a deep call: at its premium in the book and his orders, listed with its volatility, cancelled like any', async () => {
    // A 50,000 call (worth its intrinsic value, about 1,000 USDC a contract, far above the
    // chain's 25 USDC minimum premium for a volatility-priced order).
    const deep = (await c.listSeries(api, alice, { underlying: BTC, strike: '50000', expiry, kind: 'Call' })).series;
    const r = await c.placeVolOrder(api, dave, { series: deep, side: 'Buy', volatility: '0.6', quantity: 1 });
    const placed = r.events.find((e) => api.events.options.VolOrderPlaced.is(e));
    assert.ok(placed, 'VolOrderPlaced');
    const id = placed.data.orderId.toNumber();
    assert.equal(placed.data.volatility.toBigInt(), 6n * 10n ** 17n);
    assert.ok(placed.data.price.toBigInt() > 0n, 'a premium');
    assert.ok(placed.data.price.toBigInt() > 900n * USD, 'about the intrinsic value');
    assert.deepEqual(await c.volOrders(api, deep), [{ id, owner: dave.address, volatility: '0.6' }]);
    // Every block prices it again; the book and his open orders show the same premium.
    const mine = (await c.openOrders(api, dave.address)).find((o) => o.id.toNumber() === id);
    assert.ok(mine, 'in his open orders');
    const bids = (await c.book(api, deep)).bids.map((l) => l.price.toBigInt());
    assert.ok(bids.includes(mine.price.toBigInt()), 'the book shows its premium');
    await c.cancelOrder(api, dave, id);
    assert.deepEqual(await c.volOrders(api, deep), []);
  });

  t("Charlie's trading key (Eve, a Trading proxy) bids and cancels for him, and cannot withdraw his collateral", async () => {
    const eve = c.pair('//Eve');
    await c.send(api, charlie, api.tx.proxy.addProxy(eve.address, 'Trading', 0), 'inBlock');
    const collateral0 = await c.collateral(api, charlie.address);
    const asCharlie = (tx) => api.tx.proxy.proxy(charlie.address, null, tx);
    const executed = (r) => r.events.find((e) => api.events.proxy.ProxyExecuted.is(e)).data.result;
    // A post-only bid of 1 USDC for one 62,000 call, placed by the key: Charlie's order.
    const bid = api.tx.options.placeOrder({
      series: call, side: 'Buy', price: USD, quantity: 1, timeInForce: 'GoodTillCancelled', postOnly: true, reduceOnly: false,
    });
    const placed = await c.send(api, eve, asCharlie(bid), 'inBlock');
    assert.ok(executed(placed).isOk, 'the key placed the order');
    const ev = placed.events.find((e) => api.events.options.OrderPlaced.is(e));
    assert.equal(ev.data.who.toString(), charlie.address, "the order is Charlie's");
    const id = ev.data.orderId.toNumber();
    assert.ok((await c.openOrders(api, charlie.address)).some((o) => o.id.toNumber() === id));
    assert.ok(!(await c.openOrders(api, eve.address)).some((o) => o.id.toNumber() === id));
    // A withdrawal through the key is filtered; Charlie's collateral is unchanged.
    const out = await c.send(api, eve, asCharlie(api.tx.margin.withdraw(USD)), 'inBlock');
    const result = executed(out);
    assert.ok(result.isErr, 'filtered');
    const d = api.registry.findMetaError(result.asErr.asModule);
    assert.equal(`${d.section}.${d.name}`, 'system.CallFiltered');
    // The key cancels the order; then Charlie revokes the key.
    const cancelled = await c.send(api, eve, asCharlie(api.tx.options.cancelOrder(id)), 'inBlock');
    assert.ok(executed(cancelled).isOk, 'the key cancelled the order');
    assert.ok(!(await c.openOrders(api, charlie.address)).some((o) => o.id.toNumber() === id));
    assert.equal(await c.collateral(api, charlie.address), collateral0);
    await c.send(api, charlie, api.tx.proxy.removeProxy(eve.address, 'Trading', 0), 'inBlock');
  });

  t('the price rises until Bob is liquidatable; the on_idle sweep liquidates him without a keeper', async () => {
    let price = 60_000;
    const sweep = await waitFor('Bob swept or liquidated', async () => {
      const swept = marginEvents.find((e) => (api.events.margin.AccountSwept.is(e) || api.events.margin.Liquidated.is(e))
        && e.data[0].toString() === bob.address);
      if (swept) return swept;
      // +1 % per ~2 blocks: below the oracle's 10 %-per-block circuit breaker.
      price = Math.min(Math.round(price * 1.01), 72_000);
      target = String(price);
      return null;
    }, 120_000, 4_000);
    assert.ok(sweep, 'liquidated');
    const held = target;
    target = held; // hold the price from here on
    // The sweep takes only what brings Bob back to maintenance plus buffer; a price fed after
    // it may have made him liquidatable again: at the held price the next sweeps finish.
    const m = await waitFor('Bob back above maintenance (or flat)', async () => {
      const s = await c.marginOf(api, bob.address);
      return (!s || s.state.toString() !== 'Liquidatable') ? (s ?? 'flat') : null;
    }, 60_000, 2_000);
    assert.ok(m, 'back above maintenance (or flat) after the sweeps');
  });

  t('at expiry the oracle fixes the settlement price and every position settles exactly', async () => {
    const settled = await waitFor('settlement price fixed', async () => {
      const s = await api.call.oracleApi.settlementPrice(BTC, expiry);
      return s.isSome ? s.unwrap().toBigInt() : null;
    }, 240_000, 2_000);
    await waitFor('all positions settled', async () => {
      for (const who of [bob, charlie, dave]) if ((await c.positions(api, who.address)).length) return false;
      return true;
    }, 120_000, 2_000);
    // Payout per contract (0.1 BTC): floor((S - K) * 0.1 * 10^6 / 10^18) USDC units for the call.
    const perCall = settled > 62_000n * 10n ** 18n ? ((settled - 62_000n * 10n ** 18n) / 10n * USD) / 10n ** 18n : 0n;
    const paid = marginEvents.filter((e) => api.events.options.PositionSettled.is(e));
    let sum = 0n;
    for (const e of paid) {
      const { series, net, amount } = e.data;
      const per = series.toNumber() === call ? perCall : 0n; // the 58,000 put expires worthless
      assert.equal(amount.toBigInt(), BigInt(net.toNumber()) * per, `settlement of ${e.data.who} in series ${series}`);
      sum += amount.toBigInt();
    }
    assert.equal(sum, 0n, "longs' receipts equal shorts' payments");
    assert.ok(paid.length >= 3);
  });

  t('the settlement asset is conserved to the unit; escrow equals the margin ledger', async () => {
    const ledger1 = await c.usdcLedger(api);
    assert.equal(ledger1.supply, ledger0.supply);
    assert.equal([...ledger1.holders.values()].reduce((a, b) => a + b, 0n), ledger1.supply);
    const accounts = await api.query.margin.accounts.entries();
    const ledgerSum = accounts.reduce((a, [, v]) => a + v.unwrap().collateral.toBigInt(), 0n);
    const clearing = (await api.query.margin.clearingTotal()).toBigInt();
    assert.equal(ledger1.holders.get(ESCROW) ?? 0n, ledgerSum + clearing);
    assert.equal(feedErrors.filter((m) => !/1010|1013|1014|Priority|Stale|already|Future|usurped|Invalid|Dropped/i.test(m)).length, 0, feedErrors.join('\n'));
  });

  t('every block of the day decodes in polkadot.js 16.5 and in substrate-interface 1.8 (Python), which also reads every runtime API', async () => {
    if (unsubHeads) { unsubHeads(); unsubHeads = null; }
    const head = (await api.rpc.chain.getHeader()).number.toNumber();
    const calls = new Map();
    let events = 0;
    for (let n = 0; n <= head; n++) {
      const hash = await api.rpc.chain.getBlockHash(n);
      const { block } = await api.rpc.chain.getBlock(hash);
      for (const ex of block.extrinsics) {
        const key = `${ex.method.section}.${ex.method.method}`;
        calls.set(key, (calls.get(key) ?? 0) + 1);
        assert.ok(ex.toHuman(), `block ${n}: ${key}`);
      }
      const records = await (await api.at(hash)).query.system.events();
      for (const { event } of records) { assert.ok(event.toHuman(), `block ${n}: ${event.section}.${event.method}`); events += 1; }
    }
    for (const k of ['timestamp.set', 'oracle.feed', 'margin.deposit', 'options.placeOrder', 'sudo.sudo']) {
      assert.ok((calls.get(k) ?? 0) > 0, `some block holds ${k}: ${JSON.stringify([...calls])}`);
    }
    assert.ok(events > head, 'events decoded');

    const py = path.join(repoRoot, 'tests', 'e2e', '.venv', 'bin', 'python');
    const script = path.join(repoRoot, 'tests', 'e2e', 'py', 'decode_blocks.py');
    // `--feed`: Alice also signs and sends a feed from Python (after `head`, so the counts compare).
    const { stdout } = await promisify(execFile)(py, [script, node.wsUrl, String(head), '--feed'], { timeout: 600_000, maxBuffer: 16 << 20 });
    const report = JSON.parse(stdout);
    const { included, success, fee_skipped: feeSkipped } = report.feed;
    assert.deepEqual({ included, success, feeSkipped }, { included: true, success: true, feeSkipped: true }, `a feed signed in Python, free: ${JSON.stringify(report.feed)}`);
    assert.ok(Object.keys(report.apis).length >= 16, `every runtime API method read: ${Object.keys(report.apis)}`);
    assert.equal(report.blocks, head + 1, 'Python decoded every block');
    assert.equal(report.calls['Oracle.feed'], calls.get('oracle.feed'), 'the same feeds');
    assert.equal(report.extrinsics, [...calls.values()].reduce((a, b) => a + b, 0), 'the same extrinsics');
    assert.equal(report.events, events, 'the same events');
    assert.deepEqual(report.errors, []);
  });
});
