#!/usr/bin/env node
// The four-validator soak (issue 19, item 3; `scripts/soak.sh MINUTES` runs it): a `local`
// network of four validators on loopback under trading load while one validator at a time is
// killed and restarted, frozen and resumed, or purged and resynced; hard checks every minute and
// at the end (see lib/soak.js). Prints the figures and writes them as JSON; exits 1 when a
// check failed (the failures are in the file and the node logs stay in the run dir).
//
// Usage: node soak.js [--minutes 30] [--out FILE] [--fault-every 180] [--first-fault 60]
//                     [--faults kill,freeze,purge] [--targets dave,charlie,bob,alice]
//                     [--max-faults N] [--freeze 60] [--kill-down 10]
//                     [--stall-bound 60] [--catchup-timeout 300] [--check-every 60]
//                     [--takers 3] [--taker-every 4] [--weak-every 60] [--weak-collateral 15000]
//                     [--scale 25] [--seed optionchain-soak] [--first-expiry 150] [--quiet]
import fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import { DEFAULTS, FAULT_KINDS, NAMES, runSoak } from './lib/soak.js';

const FLAGS = {
  minutes: ['minutes', (v) => Number(v), (n) => n > 0 && n <= 1440],
  out: ['out', (v) => v, () => true],
  'fault-every': ['faultEvery', Number, (n) => n >= 10 && n <= 3600],
  'first-fault': ['firstFault', Number, (n) => n >= 0 && n <= 3600],
  faults: ['faults', (v) => v.split(',').filter(Boolean), (a) => a.length > 0 && a.every((k) => FAULT_KINDS.includes(k))],
  targets: ['targets', (v) => v.split(',').filter(Boolean), (a) => a.length > 0 && a.every((k) => NAMES.includes(k))],
  'max-faults': ['maxFaults', Number, (n) => Number.isInteger(n) && n >= 0 && n <= 1000],
  freeze: ['freezeSeconds', Number, (n) => n >= 1 && n <= 600],
  'kill-down': ['killDownSeconds', Number, (n) => n >= 0 && n <= 600],
  'stall-bound': ['stallBound', Number, (n) => n >= 5 && n <= 3600],
  'catchup-timeout': ['catchupTimeout', Number, (n) => n >= 10 && n <= 7200],
  'check-every': ['checkEvery', Number, (n) => n >= 5 && n <= 3600],
  takers: ['takers', Number, (n) => Number.isInteger(n) && n >= 0 && n <= 8],
  'taker-every': ['takerEvery', Number, (n) => n >= 1 && n <= 600],
  'weak-every': ['weakEvery', Number, (n) => n >= 10 && n <= 3600],
  'weak-collateral': ['weakCollateral', Number, (n) => Number.isInteger(n) && n >= 100 && n <= 100_000],
  scale: ['scale', Number, (n) => n > 0 && n <= 50],
  seed: ['seed', (v) => v, (v) => v.length > 0],
  'first-expiry': ['firstExpiry', Number, (n) => Number.isInteger(n) && n >= 0 && n <= 3600],
};

export function parse(argv) {
  const o = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quiet') { o.quiet = true; continue; }
    const k = a.startsWith('--') ? a.slice(2) : null;
    if (!k || !FLAGS[k]) throw new Error(`unknown argument: ${a}`);
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new Error(`${a}: a value is required`);
    const [name, conv, ok] = FLAGS[k];
    const x = conv(v);
    if (!ok(x)) throw new Error(`${a} ${v}: out of range`);
    o[name] = x; i++;
  }
  return o;
}

export function summary(f) {
  const lag = f.finality.lagBlocks ?? {};
  const b = Object.fromEntries(['bestAtEnd', 'finalizedAtEnd', 'finalizedDuringLoad', 'missedSlots', 'slotsInWalkedRange'].map((k) => [k, f.blocks[k] ?? '-']));
  const faults = f.faults.list.map((r) => `${r.kind} ${r.node} @${r.at} (caught up in ${r.catchupSeconds} s${r.kind === 'purge' ? `, ${r.blocksResynced} blocks from #${r.fromFinalized}` : ''})`);
  return [
    `minutes run        ${f.minutesRun.toFixed(1)} (planned ${f.minutesPlanned})`,
    `blocks             best #${b.bestAtEnd}, finalized #${b.finalizedAtEnd} (${b.finalizedDuringLoad} during the load); missed slots ${b.missedSlots} of ${b.slotsInWalkedRange}`,
    `authored           ${Object.entries(f.authored).map(([k, v]) => `${k} ${v}`).join(', ')}`,
    `fills              ${f.events.fills} (taker orders ${f.trading.takerOrders}, ${f.trading.takerRefused} refused, ${f.trading.takerErrors} errors)`,
    `weak traders       ${f.trading.weakTraders}, ${f.trading.weakContractsSold} contracts sold`,
    `margin calls       ${f.events.marginCalls}; liquidations ${f.events.liquidations}; sweeps ${f.events.sweeps}; bad debt covered ${f.events.badDebtCovered}`,
    `settlements        ${f.events.positionsSettled} positions in ${f.events.seriesSettled} series; ${f.events.seriesListed} series listed; breaker trips ${f.events.circuitBreakerTripped}`,
    `finality lag       p50 ${lag.p50} p99 ${lag.p99} max ${lag.max} blocks (${lag.samples} samples); longest stall ${f.finality.maxStallSeconds} s (bound ${f.finality.stallBoundSeconds} s)`,
    `faults             kill ${f.faults.kill}, freeze ${f.faults.freeze}, purge ${f.faults.purge} (${f.restarts} restarts); helpers moved ${f.helperMoves} times`,
    ...faults.map((x) => `                   ${x}`),
    `resync             ${f.resyncSeconds.length ? f.resyncSeconds.map((s) => `${s} s`).join(', ') : 'none'}`,
    `checks             ${f.checks.count} (last: ${f.checks.last ? f.checks.last.nodes.join(' ') : '-'})`,
    `failures           ${f.failures.length ? f.failures.map((x) => `[${x.at}] ${x.message}`).join('\n                   ') : 'none'}`,
  ].join('\n');
}

async function main() {
  let o;
  try { o = parse(process.argv.slice(2)); } catch (e) {
    console.error(`soak: ${e.message}`);
    process.exit(2);
  }
  const { figures, failures, out } = await runSoak({ ...DEFAULTS, ...o });
  console.log(summary(figures));
  console.log(`figures: ${out}; logs: ${figures.runDir}`);
  if (!fs.existsSync(out)) console.error(`soak: ${out} was not written`);
  process.exit(failures.length ? 1 : 0);
}

if (process.argv[1] && import.meta.url === pathToFileURL(fs.realpathSync(process.argv[1])).href) {
  main().catch((e) => {
    console.error(`soak: ${e.stack || e.message}`);
    process.exit(1);
  });
}
