// A deterministic random walk of index prices and implied volatilities for the dev chain's
// operators (issue 18): the value of round `k` (a block number) depends only on the seed, the
// underlying and `k`, so a restarted feeder continues the same path and a test can recompute
// what was fed.
//
// Per round (one 2 s block): ln v moves towards ln v̄ (mean reversion `kappa`) plus
// `volOfVol * z'`; ln S moves by `sigma * z - sigma^2 / 2` with `sigma = v * sqrt(2 s / year) *
// scale`, so that at `scale` 1 the walk's realised volatility is the volatility it feeds. The
// shocks z, z' are standard normals drawn from BLAKE2 of (seed, underlying, k, stream), clamped
// to ±4. Prices are rounded to cents, volatilities to 1e-4; both are decimal strings, as the
// feed call takes them (`lib/oracle.js` `fixed`).

import { blake2AsU8a } from '@polkadot/util-crypto';
import { stringToU8a, u8aConcat } from '@polkadot/util';

const YEAR_S = 365 * 86_400;

/** The defaults of the dev chain's two underlyings (BTC = 0, ETH = 1). */
export const DEFAULTS = {
  0: { start: 60_000, vol: 0.5 },
  1: { start: 3_000, vol: 0.6 },
};

/** A standard normal for (seed, underlying, k, stream), clamped to ±4 (Box-Muller). */
export function shock(seed, underlying, k, stream) {
  const h = blake2AsU8a(u8aConcat(stringToU8a(`${seed}/${underlying}/${k}/${stream}`)), 128);
  const dv = new DataView(h.buffer, h.byteOffset, h.byteLength);
  // Two uniforms in (0, 1) from 52 bits each.
  const u = (o) => ((dv.getUint32(o) * 2 ** 20 + (dv.getUint32(o + 4) >>> 12)) + 0.5) / 2 ** 52;
  const z = Math.sqrt(-2 * Math.log(u(0))) * Math.cos(2 * Math.PI * u(8));
  return Math.max(-4, Math.min(4, z));
}

/**
 * A walk for one underlying. `opts`: { seed, start (USD), vol (fraction a year), scale = 1,
 * blockSeconds = 2, kappa = 0.01, volOfVol = 0.004, minVol = 0.2, maxVol = 2 }. `at(k)` gives
 * round k's { price, volatility } as numbers; `feedEntry(k)` as decimal strings. Rounds are
 * computed incrementally from round 0 (the start values) and cached.
 */
export class Walk {
  constructor(underlying, opts = {}) {
    const d = DEFAULTS[underlying] ?? { start: 100, vol: 0.5 };
    this.underlying = underlying;
    this.seed = opts.seed ?? 'optionchain-dev';
    this.scale = opts.scale ?? 1;
    this.blockSeconds = opts.blockSeconds ?? 2;
    this.kappa = opts.kappa ?? 0.01;
    this.volOfVol = opts.volOfVol ?? 0.004;
    this.minVol = opts.minVol ?? 0.2;
    this.maxVol = opts.maxVol ?? 2;
    this.meanVol = opts.vol ?? d.vol;
    this.path = [{ lnS: Math.log(opts.start ?? d.start), lnV: Math.log(this.meanVol) }];
  }

  /** Round k's state (k >= 0). */
  state(k) {
    if (!Number.isInteger(k) || k < 0) throw new Error(`round ${k}: a block number >= 0`);
    const dt = this.blockSeconds / YEAR_S;
    const lnMean = Math.log(this.meanVol);
    const [lo, hi] = [Math.log(this.minVol), Math.log(this.maxVol)];
    while (this.path.length <= k) {
      const i = this.path.length;
      const prev = this.path[i - 1];
      const v = Math.exp(prev.lnV);
      const sigma = v * Math.sqrt(dt) * this.scale;
      const lnS = prev.lnS + sigma * shock(this.seed, this.underlying, i, 'price') - (sigma * sigma) / 2;
      let lnV = prev.lnV + this.kappa * (lnMean - prev.lnV) + this.volOfVol * shock(this.seed, this.underlying, i, 'vol');
      lnV = Math.max(lo, Math.min(hi, lnV));
      this.path.push({ lnS, lnV });
    }
    return this.path[k];
  }

  /** Round k's price (USD, cents) and volatility (fraction a year, 1e-4) as numbers. */
  at(k) {
    const s = this.state(k);
    return {
      price: Math.round(Math.exp(s.lnS) * 100) / 100,
      volatility: Math.round(Math.exp(s.lnV) * 10_000) / 10_000,
    };
  }

  /** Round k's feed entry: { underlying, price, volatility } as decimal strings. */
  feedEntry(k) {
    const { price, volatility } = this.at(k);
    return { underlying: this.underlying, price: price.toFixed(2), volatility: volatility.toFixed(4) };
  }
}
