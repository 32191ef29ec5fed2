// The dev chain's price feeder (issue 18): a seeded random walk that every operator feeds every
// block, so the index and the implied volatility move by themselves and stay fresh.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { Node, reportLogs, repoRoot, waitFor } from '../lib/node.js';
import { Walk, shock } from '../lib/walk.js';
import { fixed } from '../lib/oracle.js';

describe('the walk', () => {
  test('is a function of the seed, the underlying and the round', async () => {
    await cryptoWaitReady();
    const a = new Walk(0);
    const b = new Walk(0);
    // Computed from round 0 straight to 500, or step by step: the same path.
    const far = a.at(500);
    for (let k = 0; k <= 500; k++) b.at(k);
    assert.deepEqual(b.at(500), far);
    assert.deepEqual(a.at(0), { price: 60_000, volatility: 0.5 });
    assert.deepEqual(new Walk(1).at(0), { price: 3_000, volatility: 0.6 });
    // Another seed, or another underlying's shocks, give another path.
    assert.notEqual(new Walk(0, { seed: 'other' }).at(500).price, far.price);
    assert.notEqual(shock('optionchain-dev', 0, 7, 'price'), shock('optionchain-dev', 1, 7, 'price'));
    // Decimal strings for the feed call (cents, 1e-4).
    assert.match(a.feedEntry(3).price, /^\d+\.\d{2}$/);
    assert.match(a.feedEntry(3).volatility, /^\d+\.\d{4}$/);
  });

  test('moves within the oracle\'s limits: a step below the circuit breaker, volatility bounded', async () => {
    await cryptoWaitReady();
    for (const u of [0, 1]) {
      for (const scale of [1, 20]) {
        const w = new Walk(u, { scale });
        let maxStep = 0;
        let window = 0; // the largest move over 30 blocks (the breaker's 60 s window)
        for (let k = 1; k <= 2_000; k++) {
          const { price, volatility } = w.at(k);
          maxStep = Math.max(maxStep, Math.abs(Math.log(price / w.at(k - 1).price)));
          if (k >= 30) window = Math.max(window, Math.abs(Math.log(price / w.at(k - 30).price)));
          assert.ok(volatility >= 0.2 && volatility <= 2, `volatility ${volatility}`);
          // At most 4 % a step for the volatility (its breaker holds 25 %).
          assert.ok(Math.abs(Math.log(volatility / w.at(k - 1).volatility)) < 0.04);
        }
        // A step's shock is clamped to 4 sigma: at scale 1 and 50 % a year, 0.05 % a block.
        assert.ok(maxStep < 4 * 2 * Math.sqrt(2 / (365 * 86_400)) * scale, `step ${maxStep}`);
        assert.ok(window < 0.1, `a 60 s move of ${window}: the breaker would hold it`);
        assert.ok(maxStep > 0, 'the price moves');
      }
    }
  });
});

describe('the feeder on a dev node', () => {
  const node = new Node('feeder', ['--dev', '--tmp']);
  let api; let failed = false; let feeder; let feederOut = '';

  before(async () => {
    await cryptoWaitReady();
    await node.start();
    api = await node.api();
  });

  after(async () => {
    if (feeder && feeder.exitCode === null) feeder.kill('SIGTERM');
    if (failed) {
      reportLogs([node]);
      console.error(`feeder output:\n${feederOut}`);
    }
    await node.stop();
  });

  const t = (name, fn) => test(name, async () => {
    try { await fn(); } catch (e) { failed = true; throw e; }
  });

  t('keeps BTC and ETH fresh and moving with the walk\'s values', async () => {
    const rounds = 15;
    feeder = spawn(process.execPath, [path.join(repoRoot, 'tests', 'e2e', 'feeder.js'), '--ws', node.wsUrl, '--rounds', String(rounds), '--board', '//Alice'],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    feeder.stdout.on('data', (d) => { feederOut += d; });
    feeder.stderr.on('data', (d) => { feederOut += d; });
    const exited = new Promise((resolve) => feeder.on('exit', (code) => resolve(code)));
    const first = (await api.rpc.chain.getHeader()).number.toNumber();
    assert.equal(await exited, 0, 'the feeder stops by itself after --rounds');
    await waitFor('both indexes fresh', async () => {
      const s = await Promise.all([0, 1].map((u) => api.call.oracleApi.indexPrice(u)));
      return s.every((p) => p.isSome && p.unwrap().status.toString() === 'Fresh');
    }, 30_000);
    const head = (await api.rpc.chain.getHeader()).number.toNumber();
    const walks = [new Walk(0), new Walk(1)];
    const prices = [new Set(), new Set()];
    for (let b = first; b <= head; b++) {
      const events = await (await api.at(await api.rpc.chain.getBlockHash(b))).query.system.events();
      for (const { event } of events) {
        assert.ok(!api.events.oracle.CircuitBreakerTripped.is(event), `breaker tripped in block ${b}`);
        assert.ok(!api.events.oracle.InputsDisagree.is(event), `inputs disagree in block ${b}`);
        if (!api.events.oracle.IndexPriceUpdated.is(event)) continue;
        const u = event.data.underlying.toNumber();
        const price = event.data.price.toBigInt();
        prices[u].add(price);
        // The median of the operators' latest inputs: the walk's value of a round fed in the
        // blocks before (a feed's round is at most 5 blocks old), or with an even number of
        // inputs the mean of two such values (rounded either way).
        const recent = [];
        for (let r = Math.max(0, b - 12); r < b; r++) recent.push(fixed(walks[u].feedEntry(r).price));
        const candidates = new Set(recent);
        for (const x of recent) for (const y of recent) { candidates.add((x + y) / 2n); candidates.add((x + y + 1n) / 2n); }
        assert.ok(candidates.has(price), `block ${b}, underlying ${u}: ${price} is not a recent round's walk value`);
        assert.ok(event.data.sources.toNumber() >= 2);
      }
    }
    for (const u of [0, 1]) assert.ok(prices[u].size >= 5, `underlying ${u}: only ${prices[u].size} distinct prices`);
    assert.match(feederOut, /round \d+: 0: \d+\.\d{2} USD/);
  });

  // (After the test above: its feeder was started with --board.)
  t('with --board, the chain lists a rolling board of both underlyings by itself', async () => {
    // The dev board: an expiry every 10 minutes, 3 kept listed (each at least a minute ahead),
    // 7 strikes (1,000 USD apart for BTC, 50 for ETH), a call and a put at each.
    const rules = (await api.query.options.listingRules()).map((r) => [r[0].toNumber(), r[1].toJSON()]);
    assert.deepEqual(rules.map(([u]) => u), [0, 1]);
    assert.equal(rules[0][1].interval, 600_000);
    const series = await waitFor('42 series of each underlying', async () => {
      const live = (await api.call.optionsApi.liveSeries()).toArray().map((v) => v.info.terms);
      const per = [0, 1].map((u) => live.filter((t) => t.underlying.toNumber() === u));
      return per.every((p) => p.length === 42) ? per : null;
    }, 60_000);
    // The time of the block that listed each expiry (its ExpiryListed event).
    const listedAt = new Map();
    const head = (await api.rpc.chain.getHeader()).number.toNumber();
    for (let b = 1; b <= head; b++) {
      const at = await api.at(await api.rpc.chain.getBlockHash(b));
      for (const { event } of await at.query.system.events()) {
        if (api.events.options.ExpiryListed.is(event)) {
          listedAt.set(`${event.data.underlying}/${event.data.expiry}`, (await at.query.timestamp.now()).toNumber());
        }
      }
    }
    for (const [u, terms] of series.entries()) {
      const expiries = [...new Set(terms.map((t) => t.expiry.toNumber()))].sort((a, b) => a - b);
      assert.equal(expiries.length, 3, `underlying ${u}: ${expiries}`);
      for (const e of expiries) assert.equal(e % 600_000, 0, 'on the 10-minute calendar');
      for (const e of expiries) {
        const when = listedAt.get(`${u}/${e}`);
        assert.ok(when !== undefined, `underlying ${u}: expiry ${e} has its ExpiryListed`);
        assert.ok(e > when + 60_000 && e <= when + 3 * 600_000, 'listed at least a minute and at most 3 intervals ahead');
      }
      assert.deepEqual(expiries.slice(1).map((e, i) => e - expiries[i]), [600_000, 600_000]);
      // Per expiry: 7 strikes one step apart, centred on the index (within a step of it).
      const step = u === 0 ? 1_000n : 50n;
      const one = 10n ** 18n;
      const index = (await api.call.oracleApi.indexPrice(u)).unwrap().price.toBigInt();
      for (const e of expiries) {
        const strikes = [...new Set(terms.filter((t) => t.expiry.toNumber() === e).map((t) => t.strike.toBigInt()))].sort((a, b) => (a < b ? -1 : 1));
        assert.equal(strikes.length, 7);
        for (let i = 1; i < 7; i++) assert.equal(strikes[i] - strikes[i - 1], step * one);
        const atm = strikes[3];
        const gap = atm > index ? atm - index : index - atm;
        assert.ok(gap <= step * one, `underlying ${u}: at-the-money ${atm} far from the index ${index}`);
      }
    }
  });
});
