// A living market on the dev chain (issue 18): the feeder moves prices and sets the board's
// listing rules, the chain lists the board, the demo market maker quotes both sides of every
// series, and an order placed from polkadot.js fills against it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import * as c from '../lib/client.js';
import { Node, reportLogs, repoRoot, waitFor } from '../lib/node.js';
import { legs } from '../maker.js';

describe('a living market', () => {
  const node = new Node('market', ['--dev', '--tmp']);
  let api; let failed = false; const helpers = []; let out = '';

  const run = (script, args) => {
    const p = spawn(process.execPath, [path.join(repoRoot, 'tests', 'e2e', script), '--ws', node.wsUrl, ...args],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { out += d; });
    helpers.push(p);
    return p;
  };

  before(async () => {
    await cryptoWaitReady();
    await node.start();
    api = await node.api();
  });

  after(async () => {
    for (const p of helpers) if (p.exitCode === null) p.kill('SIGTERM');
    if (failed) {
      reportLogs([node]);
      console.error(`feeder and maker output:\n${out}`);
    }
    await node.stop();
  });

  const t = (name, fn) => test(name, async () => {
    try { await fn(); } catch (e) { failed = true; throw e; }
  });

  t('the maker quotes both sides of the listed board, and a taker fills', async () => {
    // Bounded: the feeder stops after 90 rounds (3 minutes), the maker after 20 refreshes.
    run('feeder.js', ['--board', '//Alice', '--rounds', '90', '--quiet']);
    const maker = run('maker.js', ['--every', '2', '--rounds', '20']);
    const eve = c.pair('//Eve'); const ferdie = c.pair('//Ferdie');
    const makers = new Set([eve.address, ferdie.address]);
    // The board (84 series listed); every series trading for at least 30 s more (the maker
    // leaves the last 20 s alone) with an ask of the makers, and a bid unless its mark is
    // below two ticks.
    const quoted = await waitFor('the board quoted', async () => {
      const live = (await c.liveSeries(api)).filter((v) => v.info.status.isTrading);
      if (live.length !== 84) return null;
      const now = (await api.query.timestamp.now()).toNumber();
      const books = [];
      for (const v of live.filter((x) => x.info.terms.expiry.toNumber() > now + 30_000)) {
        const d = await c.book(api, v.id.toNumber(), 1);
        if (!d || d.asks.length === 0) return null;
        books.push({ v, d });
      }
      return books.length >= 56 ? books : null;
    }, 150_000, 2_000);
    // Every resting order of the board is one of the makers' (nobody else trades here).
    for (const who of [eve, ferdie]) assert.ok((await c.openOrders(api, who.address)).length > 0);
    let withBid = 0;
    for (const { v, d } of quoted) {
      const bid = d.bids[0]; const ask = d.asks[0];
      if (bid) {
        withBid += 1;
        assert.ok(bid.price.toBigInt() < ask.price.toBigInt(), `series ${v.id}: crossed`);
      }
      assert.ok(ask.quantity.toNumber() >= 5, `series ${v.id}: ask of ${ask.quantity}`);
    }
    assert.ok(withBid * 2 >= quoted.length, `only ${withBid} of ${quoted.length} series have a bid`);
    // Dave deposits first (finalized), then picks a series with both sides and at least
    // 90 s left, so that it still trades when his order arrives.
    const dave = c.pair('//Dave');
    await c.deposit(api, dave, c.usdc('100000'));
    const t0 = (await api.query.timestamp.now()).toNumber();
    const { v: s0 } = quoted.find(({ v, d }) => d.bids.length > 0 && v.info.terms.expiry.toNumber() > t0 + 90_000);
    const d0 = await c.book(api, s0.id.toNumber(), 1);
    // The legs are the maker's rule around the mark.
    const mark = (await api.call.marginApi.seriesQuote(s0.info.terms)).unwrap().mark.toBigInt() / 10n ** 12n;
    const expected = legs(mark, s0.info.priceTick.toBigInt(), 500n);
    const ask0 = d0.asks[0].price.toBigInt();
    // (The mark moves with the index between the quote and this read: within 2 % of it.)
    const near = (a, b) => (a > b ? a - b : b - a) * 50n <= b;
    assert.ok(near(ask0, expected.ask), `ask ${ask0} against ${expected.ask} by the rule`);

    // Dave buys one contract at the best ask: it fills against a maker.
    const r = await c.placeOrder(api, dave, {
      series: s0.id.toNumber(), side: 'Buy', price: ask0 + c.USD * 1000n, quantity: 1, tif: 'ImmediateOrCancel',
    });
    const fills = r.events.filter((e) => api.events.options.OrderFilled.is(e));
    assert.equal(fills.length, 1, `events: ${r.events.map((e) => e.method).join(', ')}`);
    const fill = fills[0].data;
    assert.ok(makers.has(fill.maker.toString()), 'filled against the demo maker');
    assert.equal(fill.quantity.toNumber(), 1);
    assert.ok(fill.price.toBigInt() <= ask0 + c.USD * 1000n);
    assert.deepEqual((await c.positions(api, dave.address)).map((p) => [p.series.toNumber(), p.net.toNumber()]), [[s0.id.toNumber(), 1]]);
    maker.kill('SIGTERM');
    assert.match(out, /maker: block \d+: \d+ series quoted in \d+ calls; 0 calls failed/);
  });
});
