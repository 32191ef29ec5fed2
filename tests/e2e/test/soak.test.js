// The four-validator soak, short (issue 19 item 3; the long run is `scripts/soak.sh MINUTES`):
// a `local` network of four validators under trading load (feeder, demo maker, takers, weak
// traders, a short-dated series that expires and settles) for 2.25 minutes, with one fault of
// each kind in turn: Alice (the node the feeder and the maker use: they move first) killed with
// SIGKILL and restarted, Charlie stopped, purged and resynced from genesis, Bob frozen with
// SIGSTOP for 20 s (60 s in the long run) and resumed. The soak's own checks are hard failures
// (finality and block production never stall for 60 s, the nodes agree on the finalized hash
// and state root, supply and escrow == ledger, no panic, every faulted node catches up); this
// test asserts that none failed and that each fault and check really happened. First, the
// checks themselves are shown to fail on bad input.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { StallWatch, agreementErrors, moneyErrors, panicLines, percentile, runSoak } from '../lib/soak.js';

describe('soak checks fail when the property breaks', () => {
  test('panics and failed essential tasks are found in a log', () => {
    const log = [
      '2026-12-06 11:16:42 🏆 Imported #42 (0xc4e2…3208 → 0x5b1a…49c5)',
      "Thread 'tokio-runtime-worker' panicked at pallets/margin/src/ledger.rs:10:5:",
      'This is a bug. Please report it at:',
      '2026-12-06 11:16:51 Essential task `grandpa-voter` failed. Shutting down service.',
      '2026-12-06 11:16:45 💤 Idle (3 peers), best: #43 (0x6bff…f974), finalized #40 (0xd71a…3e86)',
    ].join('\n');
    assert.equal(panicLines(log).length, 3);
    assert.equal(panicLines('2026-12-06 11:16:42 🏆 Imported #42\n💤 Idle (3 peers)').length, 0);
  });

  test('a different finalized hash, state root or common block is an error', () => {
    const canonical = new Map([[10, { hash: '0xa', stateRoot: '0xr' }], [12, { hash: '0xc', stateRoot: '0xs' }]]);
    const good = [{ name: 'alice', number: 12, hash: '0xc', stateRoot: '0xs' }, { name: 'bob', number: 10, hash: '0xa', stateRoot: '0xr' }];
    assert.deepEqual(agreementErrors(good, canonical, [{ name: 'alice', hash: '0xa' }, { name: 'bob', hash: '0xa' }]), []);
    assert.equal(agreementErrors([{ ...good[1], hash: '0xb' }], canonical, []).length, 1);
    assert.equal(agreementErrors([{ ...good[1], stateRoot: '0xq' }], canonical, []).length, 1);
    assert.equal(agreementErrors([{ ...good[1], number: 11 }], canonical, []).length, 1);
    assert.equal(agreementErrors(good, canonical, [{ name: 'alice', hash: '0xa' }, { name: 'bob', hash: '0xb' }]).length, 1);
  });

  test('supply or escrow off by one unit is an error', () => {
    const b = { supply: 6n, genesisSupply: 6n, holdersSum: 6n, escrow: 5n, ledger: 3n, clearing: 2n };
    assert.deepEqual(moneyErrors(b), []);
    assert.equal(moneyErrors({ ...b, supply: 7n, holdersSum: 7n }).length, 1);
    assert.equal(moneyErrors({ ...b, holdersSum: 5n }).length, 1);
    assert.equal(moneyErrors({ ...b, escrow: 6n }).length, 1); // more than the ledger: a donation the soak never makes
    assert.equal(moneyErrors({ ...b, escrow: 4n }).length, 1);
  });

  test('a counter that stops advancing stalls', () => {
    const w = new StallWatch(0);
    w.update(0, 1); w.update(2_000, 2);
    assert.equal(w.update(10_000, 2), 8_000);
    assert.equal(w.update(70_000, 2), 68_000);
    assert.equal(w.update(72_000, 3), 0);
    assert.equal(w.max, 68_000);
    assert.equal(percentile([1, 2, 3, 4, 100], 50), 3);
    assert.equal(percentile([1, 2, 3, 4, 100], 99), 100);
  });
});

describe('four validators under load and faults (2.25 minutes)', () => {
  test('no check failed; one kill, one purge and resync, one freeze; the figures are complete', async () => {
    const { figures: f, failures, out } = await runSoak({
      minutes: 2.25,
      firstFault: 5,
      faultEvery: 30,
      faults: ['kill', 'purge', 'freeze'],
      maxFaults: 3,
      targets: ['alice', 'charlie', 'bob'],
      freezeSeconds: 20,
      killDownSeconds: 5,
      checkEvery: 30,
      weakEvery: 30,
      firstExpiry: 90,
      stallBound: 60,
      catchupTimeout: 180,
    });
    const where = `figures ${out}, logs ${f.runDir}`;
    assert.deepEqual(failures.map((x) => x.message), [], where);
    assert.equal(f.partial, false);
    // Each fault happened and its node caught up.
    assert.equal(f.faults.kill, 1, where);
    assert.equal(f.faults.purge, 1, where);
    assert.equal(f.faults.freeze, 1, where);
    assert.equal(f.faults.list.length, 3, where);
    const [kill, purge, freeze] = f.faults.list;
    assert.equal(kill.exit, 'SIGKILL');
    assert.equal(freeze.state, 'T', 'the frozen node was in the stopped state');
    // Alice, then Bob (frozen while they were on him): the feeder and the maker moved first.
    assert.equal(f.helperMoves, 2, 'the feeder and the maker moved off the faulted node');
    // The purged node really started from genesis and resynced what the others had finalized.
    assert.equal(purge.genesisInitialized, true, where);
    assert.ok(purge.fromFinalized < purge.othersFinalized - 10, JSON.stringify(purge));
    assert.ok(purge.blocksResynced >= purge.othersFinalized - purge.fromFinalized, JSON.stringify(purge));
    assert.equal(f.resyncSeconds.length, 1);
    // Checks ran during the run and at the end, the last over all four nodes.
    assert.ok(f.checks.count >= 3, `checks: ${f.checks.count}`);
    assert.equal(f.checks.last.final, true);
    assert.equal(f.checks.last.nodes.length, 4);
    assert.equal(BigInt(f.checks.last.supply), BigInt(f.genesisSupply));
    // There was load: fills, a weak trader, a settled expiry; finality was sampled.
    assert.ok(f.events.fills > 10, `fills: ${f.events.fills}`);
    assert.ok(f.trading.weakContractsSold > 0, JSON.stringify(f.trading));
    assert.ok(f.events.positionsSettled > 0 && f.events.seriesSettled >= 1, JSON.stringify(f.events));
    assert.ok(f.finality.lagBlocks.samples > 50);
    assert.ok(f.finality.maxStallSeconds < 60);
    assert.ok(f.blocks.finalizedDuringLoad > 40, JSON.stringify(f.blocks));
  });
});
