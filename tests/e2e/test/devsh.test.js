// Command 1 (issue 18): `./scripts/dev.sh` opens a living market. Started as a user would
// (free ports instead of 9944 and 8000), it brings up the node, the feeder, the board, the
// demo maker and the trading screen; an order placed from polkadot.js fills; Ctrl-C (SIGINT)
// stops every process it started.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import path from 'node:path';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import * as c from '../lib/client.js';
import { freePort, repoRoot, waitFor } from '../lib/node.js';

describe('command 1: scripts/dev.sh', () => {
  let dev; let out = ''; let api;

  after(async () => {
    if (api) await api.disconnect().catch(() => {});
    if (dev && dev.exitCode === null) {
      try { process.kill(-dev.pid, 'SIGKILL'); } catch { /* gone */ }
    }
  });

  test('opens a living market, and Ctrl-C stops all of it', async () => {
    await cryptoWaitReady();
    const [rpc, p2p, ui] = [await freePort(), await freePort(), await freePort()];
    dev = spawn(path.join(repoRoot, 'scripts', 'dev.sh'), ['--rpc-port', String(rpc), '--port', String(p2p), '--no-prometheus'], {
      env: { ...process.env, OPTIONCHAIN_UI_PORT: String(ui) }, stdio: ['ignore', 'pipe', 'pipe'], detached: true,
    });
    dev.stdout.on('data', (d) => { out += d; });
    dev.stderr.on('data', (d) => { out += d; });
    const exited = new Promise((resolve) => dev.on('exit', (code, signal) => resolve({ code, signal })));
    try {
      await waitFor('the trading screen line', async () => out.includes(`the trading screen: http://127.0.0.1:${ui}/`), 300_000, 1_000);
      api = await c.connect(`ws://127.0.0.1:${rpc}`);
      // The page is served.
      const page = await fetch(`http://127.0.0.1:${ui}/`);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /<title>optionchain · trading screen<\/title>/);
      // Dave's money first; then prices fresh, the board listed and quoted on both sides (a
      // series with at least 90 s left).
      const dave = c.pair('//Dave');
      await c.deposit(api, dave, c.usdc('50000'));
      const s = await waitFor('a quoted board', async () => {
        const p = await c.indexPrice(api, 0);
        if (!p || p.status.toString() !== 'Fresh') return null;
        const live = (await c.liveSeries(api)).filter((v) => v.info.status.isTrading);
        if (live.length !== 84) return null;
        const now = (await api.query.timestamp.now()).toNumber();
        for (const v of live.filter((x) => x.info.terms.expiry.toNumber() > now + 90_000)) {
          const d = await c.book(api, v.id.toNumber(), 1);
          if (d && d.bids.length > 0 && d.asks.length > 0) return { v, ask: d.asks[0].price.toBigInt() };
        }
        return null;
      }, 120_000, 2_000);
      // Dave buys at the ask from polkadot.js: filled against the demo maker.
      const r = await c.placeOrder(api, dave, {
        series: s.v.id.toNumber(), side: 'Buy', price: s.ask * 2n, quantity: 1, tif: 'ImmediateOrCancel',
      });
      const fill = r.events.find((e) => api.events.options.OrderFilled.is(e));
      assert.ok(fill, 'filled');
      assert.ok([c.pair('//Eve').address, c.pair('//Ferdie').address].includes(fill.data.maker.toString()));
      await api.disconnect(); api = null;
    } catch (e) {
      console.error(`dev.sh output:\n${out}`);
      throw e;
    }
    // Ctrl-C: the script stops the node, the feeder, the maker and the page server.
    process.kill(-dev.pid, 'SIGINT');
    const { code, signal } = await exited;
    assert.ok(code !== null || signal !== null);
    await waitFor('every process gone', async () => {
      const left = execFileSync('ps', ['-eo', 'args']).toString().split('\n')
        .filter((l) => l.includes(`--rpc-port ${rpc}`) || l.includes(`127.0.0.1:${rpc}`) || l.includes(`--port ${ui}`));
      return left.length === 0 ? true : null;
    }, 30_000);
  });
});
