// The trading screen of the optionchain dev chain (issue 18): @polkadot/api in the browser,
// bundled by esbuild (`ui/build.js`), served by `ui/serve.js` next to the node. Everything is
// read through the runtime APIs (optionsApi, marginApi, oracleApi) on every new block, and
// signed with the dev accounts (`//Dave` and the others; their keys are public).
//
// Units: prices of the underlying in USD; option prices, collateral and fees in USDC (6
// decimals on chain); volatility in % a year; greeks per contract (delta in units of the
// underlying, gamma per USD, vega in USD per volatility point, theta in USD per day).

import { ApiPromise, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { web3Accounts, web3Enable, web3FromAddress } from '@polkadot/extension-dapp';

const params = new URLSearchParams(location.search);
const WS = params.get('ws') || `ws://${location.hostname || '127.0.0.1'}:9944`;
const ACCOUNTS = ['Dave', 'Alice', 'Bob', 'Charlie', 'Eve', 'Ferdie'];
const NAMES = { 0: 'BTC', 1: 'ETH' };
const E18 = 10n ** 18n;
const E12 = 10n ** 12n;

const $ = (id) => document.getElementById(id);
const el = (tag, attrs = {}, ...kids) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v; else if (k.startsWith('on')) e[k] = v; else e.setAttribute(k, v);
  }
  for (const k of kids) e.append(k instanceof Node ? k : document.createTextNode(String(k)));
  return e;
};

// ---- number formatting: exact BigInt arithmetic, rounded for display only ----
/** A fixed-point integer (`decimals`) as a decimal string with `keep` decimals (half up). */
export function fmt(v, decimals, keep = 2) {
  let n = BigInt(v);
  const neg = n < 0n; if (neg) n = -n;
  const scale = 10n ** BigInt(decimals - keep);
  const r = decimals >= keep ? (n + scale / 2n) / scale : n * 10n ** BigInt(keep - decimals);
  const s = r.toString().padStart(keep + 1, '0');
  const int = s.slice(0, s.length - keep).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${neg && r !== 0n ? '-' : ''}${int}${keep ? `.${s.slice(-keep)}` : ''}`;
}
const usd = (fixed18, keep = 2) => fmt(fixed18, 18, keep);
const usdc = (units, keep = 2) => fmt(units, 6, keep);
/** A decimal string of USDC to on-chain units (6 decimals); throws on anything else. */
export function parseUsdc(text) {
  const t = String(text).trim();
  if (!/^\d+(\.\d{1,6})?$/.test(t)) throw new Error(`not a USDC amount (up to 6 decimals): "${t}"`);
  const [i, f = ''] = t.split('.');
  return BigInt(i) * 1_000_000n + BigInt((f + '000000').slice(0, 6));
}
const date = (ms) => new Date(Number(ms)).toISOString().replace('.000Z', 'Z').replace('T', ' ');

// ---- state ----
const state = {
  api: null, keyring: null, account: 'Dave', underlying: 0, expiry: null, selected: null,
  series: [], quotes: new Map(), tops: new Map(), busy: false, feed: [], refreshes: [], renders: [],
};

/** The selected account: a dev account (`//Dave`: a key pair) or an extension's (`ext:ADDRESS`,
 * signed by the browser extension). */
function account() {
  if (state.account.startsWith('ext:')) return { address: state.account.slice(4), external: true };
  const pair = state.keyring.addFromUri(`//${state.account}`);
  return { address: pair.address, pair };
}
function signer() { return account(); }

/** The pallet error of a failed dispatch as "pallet.Error: its documentation". */
function explain(api, dispatchError) {
  if (dispatchError.isModule) {
    const d = api.registry.findMetaError(dispatchError.asModule);
    return `${d.section}.${d.name}: ${d.docs.join(' ').trim()}`;
  }
  return dispatchError.toString();
}

/** Sign and send; resolves with the block's events of the transaction (and, for a queued
 * order, its finalization events); rejects with the pallet error and its doc text. */
function send(tx) {
  const api = state.api;
  return new Promise((resolve, reject) => {
    const a = account();
    const go = async () => {
      if (!a.external) return [a.pair, { nonce: -1 }];
      const injected = await web3FromAddress(a.address);
      return [a.address, { nonce: -1, signer: injected.signer }];
    };
    go().then(([who, opts]) => tx.signAndSend(who, opts, async ({ status, events, dispatchError }) => {
      if (dispatchError) { reject(new Error(explain(api, dispatchError))); return; }
      if (status.isInBlock) {
        const hash = status.asInBlock;
        const all = await (await api.at(hash)).query.system.events();
        const own = events.map((e) => e.event);
        const rejected = all.find(({ phase, event }) => phase.isFinalization && api.events.options.OrderRejected.is(event)
          && own.some((o) => api.events.options.OrderPlaced.is(o) && o.data.orderId.eq(event.data.orderId)));
        if (rejected) { reject(new Error(explain(api, rejected.event.data.error))); return; }
        resolve({ hash, events: own, later: all.filter(({ phase }) => phase.isFinalization).map(({ event }) => event) });
      } else if (status.isDropped || status.isInvalid || status.isUsurped) {
        reject(new Error(`transaction ${status.type}`));
      }
    })).catch((e) => reject(new Error(e.message)));
  });
}

function say(ok, msg) {
  $('error').textContent = ok ? '' : msg;
  $('ok').textContent = ok ? msg : '';
}

// ---- the chain view ----
function seriesOf(u) {
  return state.series.filter((v) => v.info.terms.underlying.toNumber() === u && v.info.status.isTrading);
}

function renderTabs() {
  const us = $('underlyings'); us.replaceChildren();
  for (const u of [...new Set(state.series.map((v) => v.info.terms.underlying.toNumber())), 0, 1].filter((x, i, a) => a.indexOf(x) === i).sort()) {
    us.append(el('button', { class: u === state.underlying ? 'on' : '', onclick: () => { state.underlying = u; state.expiry = null; clearSelection(); refresh(); } }, NAMES[u] ?? `#${u}`));
  }
  const ex = $('expiries'); ex.replaceChildren();
  const expiries = [...new Set(seriesOf(state.underlying).map((v) => v.info.terms.expiry.toNumber()))].sort((a, b) => a - b);
  if (!expiries.includes(state.expiry)) state.expiry = expiries[0] ?? null;
  for (const e of expiries) {
    ex.append(el('button', { class: e === state.expiry ? 'on' : '', 'data-expiry': e, onclick: () => { state.expiry = e; render(); } }, date(e).slice(5, 16)));
  }
  return expiries;
}

const SIDE_COLS = ['bid', 'ask', 'size', 'mark', 'IV %', 'Δ', 'Γ', 'vega', 'θ/day', 'OI'];

function renderChain() {
  const table = $('chain-table');
  const head = el('tr');
  for (const c of SIDE_COLS) head.append(el('th', {}, c));
  head.append(el('th', { style: 'text-align:center' }, 'strike'));
  for (const c of [...SIDE_COLS].reverse()) head.append(el('th', {}, c));
  table.tHead.replaceChildren(el('tr', {}, el('th', { colspan: SIDE_COLS.length, style: 'text-align:center' }, 'CALLS'), el('th'), el('th', { colspan: SIDE_COLS.length, style: 'text-align:center' }, 'PUTS')), head);
  const rows = seriesOf(state.underlying).filter((v) => v.info.terms.expiry.toNumber() === state.expiry);
  const strikes = [...new Set(rows.map((v) => v.info.terms.strike.toBigInt()))].sort((a, b) => (a < b ? -1 : 1));
  const index = state.index?.get(state.underlying);
  let atm = null;
  if (index) for (const k of strikes) if (atm === null || abs(k - index) < abs(atm - index)) atm = k;
  const body = [];
  for (const k of strikes) {
    const tr = el('tr', { class: k === atm ? 'atm' : '' });
    const call = rows.find((v) => v.info.terms.strike.toBigInt() === k && v.info.terms.kind.isCall);
    const put = rows.find((v) => v.info.terms.strike.toBigInt() === k && v.info.terms.kind.isPut);
    const cells = (v) => {
      if (!v) return SIDE_COLS.map(() => el('td', { class: 'dim' }, ''));
      const id = v.id.toNumber();
      const q = state.quotes.get(id); const top = state.tops.get(id);
      const pick = (side) => () => select(id, side);
      const sel = state.selected === id ? ' selected' : '';
      const bid = top?.bids[0]; const ask = top?.asks[0];
      const size = `${bid ? bid.quantity.toString() : '–'} / ${ask ? ask.quantity.toString() : '–'}`;
      return [
        el('td', { class: `cell bid${sel}`, 'data-series': id, 'data-side': 'bid', onclick: pick('Sell') }, bid ? usdc(bid.price.toBigInt()) : '–'),
        el('td', { class: `cell ask${sel}`, 'data-series': id, 'data-side': 'ask', onclick: pick('Buy') }, ask ? usdc(ask.price.toBigInt()) : '–'),
        el('td', {}, size),
        el('td', {}, q ? usdc(q.mark.toBigInt() / E12) : '–'),
        el('td', {}, q ? fmt(q.volatility.toBigInt() * 100n, 18, 1) : '–'),
        el('td', {}, q ? fmt(q.delta.toBigInt(), 18, 3) : '–'),
        el('td', {}, q ? fmt(q.gamma.toBigInt(), 18, 6) : '–'),
        el('td', {}, q ? fmt(q.vega.toBigInt() / 100n, 18, 2) : '–'),
        el('td', {}, q ? fmt(q.theta.toBigInt() / 365n, 18, 2) : '–'),
        el('td', {}, v.info.openInterest.toString()),
      ];
    };
    tr.append(...cells(call), el('td', { class: 'strike' }, usd(k, 0)), ...cells(put).reverse());
    body.push(tr);
  }
  table.tBodies[0].replaceChildren(...body);
  $('chain-note').textContent = rows.length ? `${rows.length} series · expiry ${date(state.expiry)} · prices in USDC per contract` : 'no series listed for this underlying yet';
}
const abs = (x) => (x < 0n ? -x : x);

/** Select series `id`; a click on a bid sells into it, on an ask buys at it (the form takes that
 * side and that price; a new selection always replaces the form's price). */
function select(id, side) {
  state.selected = id;
  if (side) $('side').value = side;
  const v = state.series.find((s) => s.id.toNumber() === id);
  if (v) {
    const t = v.info.terms;
    $('form-series').textContent = `#${id} ${NAMES[t.underlying.toNumber()] ?? ''} ${usd(t.strike.toBigInt(), 0)} ${t.kind.toString()} ${date(t.expiry.toNumber())}`;
    $('depth-title').textContent = `#${id}`;
    const top = state.tops.get(id);
    const price = $('side').value === 'Buy' ? top?.asks[0]?.price : top?.bids[0]?.price;
    $('price').value = price ? usdc(price.toBigInt()).replace(/,/g, '') : '';
  }
  render();
  refreshDepth();
}

function clearSelection() {
  state.selected = null;
  $('form-series').textContent = '–';
  $('depth-title').textContent = '(select a cell)';
  $('price').value = '';
  $('depth').tBodies[0].replaceChildren();
}

async function refreshDepth() {
  const id = state.selected;
  if (id === null) return;
  const d = await state.api.call.optionsApi.bookDepth(id, 10);
  // Another series was selected meanwhile: its own request draws it.
  if (id !== state.selected) return;
  const rows = [];
  if (d.isSome) {
    const { bids, asks } = d.unwrap();
    for (let i = 0; i < Math.max(bids.length, asks.length); i++) {
      const b = bids[i]; const a = asks[i];
      rows.push(el('tr', {},
        el('td', { class: 'bid' }, b ? b.quantity.toString() : ''), el('td', { class: 'bid' }, b ? usdc(b.price.toBigInt()) : ''),
        el('td', { class: 'ask' }, a ? usdc(a.price.toBigInt()) : ''), el('td', { class: 'ask' }, a ? a.quantity.toString() : '')));
    }
  }
  if (!rows.length) rows.push(el('tr', {}, el('td', { colspan: 4, class: 'dim', style: 'text-align:center' }, 'empty book')));
  $('depth').tBodies[0].replaceChildren(...rows);
}

// ---- the account view ----
async function refreshAccount() {
  const api = state.api; const who = signer().address;
  const [m, positions, orders] = await Promise.all([
    api.call.marginApi.accountMargin(who), api.call.optionsApi.positions(who), api.call.optionsApi.openOrders(who),
  ]);
  // The account was switched meanwhile: the next refresh draws the new one.
  if (signer().address !== who) return;
  if (m.isSome) {
    const s = m.unwrap();
    const eq = s.equity.toBigInt(); const im = s.initial.toBigInt(); const mm = s.maintenance.toBigInt();
    $('margin-line').textContent = `collateral ${usdc(s.collateral.toBigInt())} USDC · equity ${usdc(eq)} · initial ${usdc(im)} · maintenance ${usdc(mm)} · ${s.state.toString()}${mm > 0n ? ` · equity / maintenance ${fmt((eq * 100n) / mm, 2, 2)} ×` : ''}`;
    const top = [eq, im, mm].reduce((a, b) => (b > a ? b : a), 1n) * 5n / 4n;
    const pct = (x) => `${Number((x > 0n ? x : 0n) * 10_000n / top) / 100}%`;
    $('gauge').querySelector('.fill').style.width = pct(eq);
    $('gauge').querySelector('.im').style.left = pct(im);
    $('gauge').querySelector('.mm').style.left = pct(mm);
    $('gauge').dataset.state = s.state.toString();
    $('distance').textContent = positions.length ? await distance(who, s.state.toString()) : 'no positions';
  } else {
    $('margin-line').textContent = 'no margin account yet: deposit USDC to trade';
    for (const k of ['.fill', '.im', '.mm']) $('gauge').querySelector(k).style[k === '.fill' ? 'width' : 'left'] = '0%';
    $('distance').textContent = '–';
  }
  $('positions').tBodies[0].replaceChildren(...positions.map((p) => {
    const q = state.quotes.get(p.series.toNumber());
    return el('tr', {}, el('td', { style: 'text-align:left' }, label(p.series.toNumber(), p.terms)), el('td', {}, p.net.toString()), el('td', {}, q ? usdc(q.mark.toBigInt() / E12) : '–'));
  }));
  $('orders').tBodies[0].replaceChildren(...orders.map((o) => el('tr', {},
    el('td', { style: 'text-align:left' }, label(o.series.toNumber())), el('td', { class: o.side.isBuy ? 'bid' : 'ask' }, o.side.toString()),
    el('td', {}, usdc(o.price.toBigInt())), el('td', {}, o.remaining.toString()),
    el('td', {}, el('span', { class: 'row' },
      el('button', { onclick: () => act(state.api.tx.options.cancelOrder(o.id), `order ${o.id} cancelled`) }, 'cancel'),
      el('button', {
        title: 'replace with the trade form\'s price, quantity and flags (same series and side)',
        onclick: () => {
          let tx;
          try {
            tx = state.api.tx.options.replaceOrder(o.id, { ...orderRequest(o.series.toNumber()), side: o.side.toString() });
          } catch (e) { say(false, e.message); return; }
          act(tx, `order ${o.id} replaced`);
        },
      }, 'replace'))))));
}

/** The distance to liquidation: how far each underlying's index may move (in % of it, either
 * way) before the account could fall below maintenance within the next hour at today's
 * volatility (the margin engine's proven trigger band: a conservative bound). */
async function distance(who, accountState) {
  const band = await state.api.call.marginApi.triggerBand(who, 3_600, 0);
  if (band.isNone) {
    return accountState === 'Liquidatable'
      ? 'below maintenance: being liquidated'
      : 'no proven safe range now (at the edge of maintenance, an expired position not settled yet, or a price missing)';
  }
  const parts = [];
  for (const r of band.unwrap().underlyings) {
    const u = r.underlying.toNumber();
    const index = state.index?.get(u);
    if (!index) continue;
    const lo = r.priceLo.toBigInt(); const hi = r.priceHi.toBigInt();
    const down = index > lo ? ((index - lo) * 10_000n) / index : 0n;
    const up = hi > index ? ((hi - index) * 10_000n) / index : 0n;
    const pct = (x) => (x >= 10_000n ? '> 100 %' : `${fmt(x, 2, 1)} %`);
    parts.push(`${NAMES[u] ?? u}: down ${pct(down)}, up ${pct(up)}`);
  }
  const until = new Date(band.unwrap().until.toNumber()).toISOString().slice(11, 19);
  return `distance to liquidation (until ${until} UTC, index moves): ${parts.join(' · ') || '–'}`;
}

function orderRequest(series) {
  const price = parseUsdc($('price').value);
  const quantity = Number($('qty').value);
  if (!Number.isInteger(quantity) || quantity <= 0) throw new Error('quantity: a whole number of contracts above 0');
  return {
    series, side: $('side').value, price, quantity, timeInForce: $('tif').value,
    postOnly: $('post-only').checked, reduceOnly: $('reduce-only').checked,
  };
}

function label(id, terms) {
  const t = terms ?? state.series.find((s) => s.id.toNumber() === id)?.info.terms;
  return t ? `#${id} ${NAMES[t.underlying.toNumber()] ?? ''} ${usd(t.strike.toBigInt(), 0)} ${t.kind.toString()[0]} ${date(t.expiry.toNumber()).slice(5, 16)}` : `#${id}`;
}

async function act(tx, done) {
  say(true, 'sending…');
  try {
    const r = await send(tx);
    const fills = [...r.events, ...r.later].filter((e) => state.api.events.options.OrderFilled.is(e));
    say(true, `${done}${fills.length ? ` · ${fills.length} fill(s)` : ''}`);
  } catch (e) {
    say(false, e.message);
  }
  refresh();
}

// ---- the header, oracle and feed ----
async function refreshOracle() {
  const api = state.api;
  const us = (await api.call.oracleApi.underlyings()).map((u) => u.toNumber());
  state.index = new Map();
  const rows = [];
  for (const u of us) {
    const [p, v] = await Promise.all([api.call.oracleApi.indexPrice(u), api.call.oracleApi.volatility(u)]);
    if (p.isNone) { rows.push(el('tr', {}, el('td', { style: 'text-align:left' }, NAMES[u] ?? u), el('td', { colspan: 5, class: 'dim' }, 'no price yet'))); continue; }
    const ip = p.unwrap();
    state.index.set(u, ip.price.toBigInt());
    rows.push(el('tr', {}, el('td', { style: 'text-align:left' }, NAMES[u] ?? u), el('td', {}, usd(ip.price.toBigInt())),
      el('td', { class: `status-${ip.status.toString()}` }, ip.status.toString()), el('td', {}, usd(ip.confidence.toBigInt())),
      el('td', {}, v.isSome ? `${fmt(v.unwrap().volatility.toBigInt() * 100n, 18, 1)} %` : '–'),
      el('td', { class: 'dim' }, date(ip.updatedAt.toNumber()).slice(11))));
    if (u === state.underlying) {
      $('index').textContent = `${usd(ip.price.toBigInt())} USD`;
      $('index-status').textContent = ip.status.toString();
      $('index-status').className = `status-${ip.status.toString()}`;
      $('vol').textContent = v.isSome ? `${fmt(v.unwrap().volatility.toBigInt() * 100n, 18, 1)} %` : '–';
      const tw = await api.call.oracleApi.twap(u, 600_000);
      $('twap').textContent = tw.isSome ? `${usd(tw.unwrap().toBigInt())} USD` : '–';
    }
  }
  $('oracle').tBodies[0].replaceChildren(...rows);
}

function feedEvents(events, number) {
  const api = state.api;
  for (const { event } of events) {
    let line = null;
    const d = event.data;
    if (api.events.options.OrderFilled.is(event)) line = `fill ${label(d.series.toNumber())}: ${d.quantity} @ ${usdc(d.price.toBigInt())} USDC (taker ${d.takerSide})`;
    else if (api.events.margin.MarginCalled.is(event)) line = `margin call: ${d.who.toString().slice(0, 8)}…`;
    else if (api.events.margin.Liquidated.is(event)) line = `liquidation: ${d.account.toString().slice(0, 8)}…`;
    else if (api.events.margin.AccountSwept.is(event)) line = `swept to the insurance fund: ${d.account.toString().slice(0, 8)}… (${d.positions} positions)`;
    else if (api.events.options.PositionSettled.is(event)) line = `settled: ${d.who?.toString().slice(0, 8) ?? ''}… in #${d.series}`;
    else if (api.events.options.SeriesSettled.is(event)) line = `series #${d.series} settled`;
    else if (api.events.options.ExpiryListed?.is(event)) line = `listed ${NAMES[d.underlying.toNumber()] ?? d.underlying} ${date(d.expiry.toNumber())}: ${d.series} series around ${usd(d.atTheMoney.toBigInt(), 0)}`;
    if (line) state.feed.unshift(`#${number} ${line}`);
  }
  state.feed.length = Math.min(state.feed.length, 200);
  $('feed').replaceChildren(...state.feed.slice(0, 100).map((l) => el('div', {}, l)));
}

// ---- refresh per block ----
async function refresh() {
  if (state.busy) { state.pending = true; return; }
  state.busy = true;
  state.pending = false;
  const t0 = performance.now();
  try {
    const api = state.api;
    state.series = (await api.call.optionsApi.liveSeries()).toArray();
    await refreshOracle();
    const visible = seriesOf(state.underlying);
    const [quotes, tops] = await Promise.all([
      Promise.all(visible.map((v) => api.call.marginApi.seriesQuote(v.info.terms))),
      Promise.all(visible.map((v) => api.call.optionsApi.bookDepth(v.id, 1))),
    ]);
    visible.forEach((v, i) => {
      const id = v.id.toNumber();
      if (quotes[i].isSome) state.quotes.set(id, quotes[i].unwrap()); else state.quotes.delete(id);
      if (tops[i].isSome) state.tops.set(id, tops[i].unwrap()); else state.tops.delete(id);
    });
    const t1 = performance.now();
    render();
    state.renders.push(performance.now() - t1);
    await Promise.all([refreshDepth(), refreshAccount()]);
    // How long a block's data took to arrive and show (the last 100, for the browser test).
    state.refreshes.push(performance.now() - t0);
    if (state.refreshes.length > 100) state.refreshes.shift();
    if (state.renders.length > 100) state.renders.shift();
  } catch (e) {
    console.error(e);
  } finally {
    state.busy = false;
    if (state.pending) refresh();
  }
}

function render() {
  renderTabs();
  renderChain();
}

async function main() {
  await cryptoWaitReady();
  state.keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  const acc = $('account');
  for (const a of ACCOUNTS) acc.append(el('option', { value: a }, `//${a}`));
  acc.append(el('option', { value: 'extension' }, 'browser extension…'));
  acc.onchange = async () => {
    if (acc.value === 'extension') {
      // Accounts of a browser extension (polkadot.js, Talisman, SubWallet...).
      const exts = await web3Enable('optionchain');
      const accounts = exts.length ? await web3Accounts() : [];
      if (!accounts.length) { say(false, 'no browser extension account: install one and allow this page'); acc.value = state.account; return; }
      for (const a of accounts) {
        if (![...acc.options].some((o) => o.value === `ext:${a.address}`)) {
          acc.insertBefore(el('option', { value: `ext:${a.address}` }, `${a.meta.name ?? 'extension'} ${a.address.slice(0, 6)}…`), acc.lastChild);
        }
      }
      acc.value = `ext:${accounts[0].address}`;
    }
    state.account = acc.value;
    refresh();
  };
  $('side').onchange = () => { if (state.selected !== null) select(state.selected); };
  $('order-form').onsubmit = (ev) => {
    ev.preventDefault();
    if (state.selected === null) { say(false, 'select a series in the chain first'); return; }
    let tx;
    try { tx = state.api.tx.options.placeOrder(orderRequest(state.selected)); } catch (e) { say(false, e.message); return; }
    act(tx, 'order placed');
  };
  const money = (call, what) => () => {
    let amount; let tx;
    try { amount = parseUsdc($('amount').value); tx = call(amount); } catch (e) { say(false, e.message); return; }
    act(tx, `${what} ${usdc(amount, 6).replace(/\.?0+$/, '')} USDC`);
  };
  $('deposit').onclick = money((a) => state.api.tx.margin.deposit(a), 'deposited');
  $('withdraw').onclick = money((a) => state.api.tx.margin.withdraw(a), 'withdrew');

  const api = await ApiPromise.create({ provider: new WsProvider(WS), noInitWarn: true });
  state.api = api;
  $('conn').textContent = `${(await api.rpc.system.chain()).toString()} · ${WS}`;
  window.optionchain = { state, ready: true };
  await api.rpc.chain.subscribeFinalizedHeads((h) => { $('final').textContent = h.number.toNumber(); });
  await api.rpc.chain.subscribeNewHeads(async (h) => {
    $('block').textContent = h.number.toNumber();
    try { feedEvents(await (await api.at(h.hash)).query.system.events(), h.number.toNumber()); } catch (e) { console.error(e); }
    refresh();
  });
  document.body.dataset.ready = '1';
}

main().catch((e) => { $('conn').textContent = `error: ${e.message}`; console.error(e); });
