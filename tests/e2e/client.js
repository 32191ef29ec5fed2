#!/usr/bin/env node
// optionchain command-line client. Usage: node client.js [--ws URL] <command> [--flag value ...]
// Run `node client.js help` for the commands. Accounts are secret URIs (//Alice) or addresses.
import * as c from './lib/client.js';

const HELP = `optionchain client (polkadot.js, metadata and runtime APIs only)

  node client.js [--ws ws://127.0.0.1:9944] <command> [flags]

chain
  block       (the best block's number)
operator
  feed        --as //Alice --underlying 0 --price 64000 --vol 0.55
  price       --underlying 0
governance (sudo)
  list-series --as //Alice --underlying 0 --strike 65000 --kind Call|Put (--expiry MS | --expiry-in SECONDS)
trader
  deposit     --as //Bob --amount 10000          (USDC)
  withdraw    --as //Bob --amount 100
  place       --as //Bob --series 0 --side Sell --price 310 --qty 10 [--tif GoodTillCancelled|ImmediateOrCancel|FillOrKill] [--good-till-block N | --good-till-time MS | --good-till-in SECONDS] [--post-only] [--reduce-only]
  vol-order   --as //Bob --series 0 --side Sell --vol 0.6 --qty 5 [--good-till-block N | --good-till-in SECONDS] [--reduce-only]
                (priced in implied volatility: rests at the premium of --vol, 0.6 = 60 % a year,
                 and follows the index every block)
  vol-orders  --series 0
  cancel      --as //Bob --order 3
  schedule-cancel --as //Bob (--in BLOCKS | --at BLOCK | --off)   (dead-man's switch)
  cancel-all  --as //Bob [--series 0]
  mmp-set     --as //Bob --underlying 0 --window 30 [--contracts 50] [--delta 2.5] [--vega 5000] [--freeze 15]
                (market-maker protection: delta in units of the underlying, vega in USD per 1.00 of
                 volatility; freeze in blocks, 0 or absent: until mmp-reset)
  mmp-off     --as //Bob --underlying 0
  mmp-reset   --as //Bob --underlying 0
  mmp         --who //Bob --underlying 0
  series
  book        --series 0
  orders      --who //Bob
  positions   --who //Bob
  margin      --who //Bob
keeper
  liquidate   --as //Dave --account //Bob --series 0 --qty 5
  settle      --as //Dave --account //Bob --series 0
`;

function parse(argv) {
  const flags = {}; const rest = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('--')) {
      const k = a.slice(2);
      if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) flags[k] = argv[++i]; else flags[k] = true;
    } else rest.push(a);
  }
  return { flags, cmd: rest[0] };
}

function need(flags, k) {
  if (flags[k] === undefined || flags[k] === true) throw new Error(`missing --${k}`);
  return flags[k];
}

const show = (x) => console.log(JSON.stringify(x, (_, v) => (typeof v === 'bigint' ? v.toString() : v), 2));
const eventsOf = (r) => r.events.map((e) => `${e.section}.${e.method} ${JSON.stringify(e.data.toHuman())}`);

async function main() {
  const { flags, cmd } = parse(process.argv.slice(2));
  if (!cmd || cmd === 'help') { console.log(HELP); return; }
  const api = await c.connect(flags.ws);
  try {
    switch (cmd) {
      case 'feed': {
        const block = await c.feed(api, c.pair(need(flags, 'as')), [{ underlying: Number(need(flags, 'underlying')), price: need(flags, 'price'), volatility: need(flags, 'vol') }]);
        console.log(`included in ${block}`); break;
      }
      case 'price': {
        const p = await c.indexPrice(api, Number(need(flags, 'underlying')));
        show(p ? { price: c.fmtFixed(p.price.toBigInt()), confidence: c.fmtFixed(p.confidence.toBigInt()), status: p.status.toString(), block: p.block.toNumber() } : null); break;
      }
      case 'list-series': {
        const expiry = flags.expiry ? Number(flags.expiry) : Date.now() + 1000 * Number(need(flags, 'expiry-in'));
        const r = await c.listSeries(api, c.pair(need(flags, 'as')), { underlying: Number(need(flags, 'underlying')), strike: need(flags, 'strike'), expiry, kind: need(flags, 'kind') });
        console.log(`series ${r.series} expiring ${new Date(expiry).toISOString()}`); break;
      }
      case 'deposit': console.log(eventsOf(await c.deposit(api, c.pair(need(flags, 'as')), c.usdc(need(flags, 'amount')))).join('\n')); break;
      case 'withdraw': console.log(eventsOf(await c.withdraw(api, c.pair(need(flags, 'as')), c.usdc(need(flags, 'amount')))).join('\n')); break;
      case 'place': console.log(eventsOf(await c.placeOrder(api, c.pair(need(flags, 'as')), {
        series: Number(need(flags, 'series')), side: need(flags, 'side'), price: c.usdc(need(flags, 'price')), quantity: Number(need(flags, 'qty')),
        tif: flags['good-till-block'] !== undefined ? { GoodTillBlock: Number(flags['good-till-block']) }
          : flags['good-till-time'] !== undefined ? { GoodTillTime: Number(flags['good-till-time']) }
          : flags['good-till-in'] !== undefined ? { GoodTillTime: (await api.query.timestamp.now()).toNumber() + 1000 * Number(flags['good-till-in']) }
          : (flags.tif || 'GoodTillCancelled'),
        postOnly: !!flags['post-only'], reduceOnly: !!flags['reduce-only'],
      })).join('\n')); break;
      case 'vol-order': console.log(eventsOf(await c.placeVolOrder(api, c.pair(need(flags, 'as')), {
        series: Number(need(flags, 'series')), side: need(flags, 'side'), volatility: need(flags, 'vol'), quantity: Number(need(flags, 'qty')),
        tif: flags['good-till-block'] !== undefined ? { GoodTillBlock: Number(flags['good-till-block']) }
          : flags['good-till-in'] !== undefined ? { GoodTillTime: (await api.query.timestamp.now()).toNumber() + 1000 * Number(flags['good-till-in']) }
          : 'GoodTillCancelled',
        reduceOnly: !!flags['reduce-only'],
      })).join('\n')); break;
      case 'vol-orders': show(await c.volOrders(api, Number(need(flags, 'series')))); break;
      case 'block': console.log((await api.rpc.chain.getHeader()).number.toNumber()); break;
      case 'schedule-cancel': {
        let at = null;
        if (flags.at !== undefined) at = Number(flags.at);
        else if (flags.in !== undefined) at = (await api.rpc.chain.getHeader()).number.toNumber() + Number(flags.in);
        else if (!flags.off) throw new Error('one of --in, --at or --off');
        console.log(eventsOf(await c.scheduleCancel(api, c.pair(need(flags, 'as')), at)).join('\n')); break;
      }
      case 'mmp-set': console.log(eventsOf(await c.setMmp(api, c.pair(need(flags, 'as')), Number(need(flags, 'underlying')), {
        window: Number(need(flags, 'window')), contracts: Number(flags.contracts ?? 0), delta: flags.delta, vega: flags.vega, freeze: Number(flags.freeze ?? 0),
      })).join('\n')); break;
      case 'mmp-off': console.log(eventsOf(await c.setMmp(api, c.pair(need(flags, 'as')), Number(need(flags, 'underlying')), null)).join('\n')); break;
      case 'mmp-reset': console.log(eventsOf(await c.resetMmp(api, c.pair(need(flags, 'as')), Number(need(flags, 'underlying')))).join('\n')); break;
      case 'mmp': show(await c.mmpOf(api, c.address(need(flags, 'who')), Number(need(flags, 'underlying')))); break;
      case 'cancel': console.log(eventsOf(await c.cancelOrder(api, c.pair(need(flags, 'as')), Number(need(flags, 'order')))).join('\n')); break;
      case 'cancel-all': console.log(eventsOf(await c.cancelAll(api, c.pair(need(flags, 'as')), flags.series !== undefined ? Number(flags.series) : null)).join('\n')); break;
      case 'series': show((await c.liveSeries(api)).map((s) => s.toHuman())); break;
      case 'book': show((await c.book(api, Number(need(flags, 'series'))))?.toHuman() ?? null); break;
      case 'orders': show((await c.openOrders(api, c.address(need(flags, 'who')))).map((o) => o.toHuman())); break;
      case 'positions': show((await c.positions(api, c.address(need(flags, 'who')))).map((p) => p.toHuman())); break;
      case 'margin': show((await c.marginOf(api, c.address(need(flags, 'who'))))?.toHuman() ?? null); break;
      case 'liquidate': console.log(eventsOf(await c.liquidate(api, c.pair(need(flags, 'as')), c.address(need(flags, 'account')), Number(need(flags, 'series')), Number(need(flags, 'qty')))).join('\n')); break;
      case 'settle': console.log(eventsOf(await c.settleAccount(api, c.pair(need(flags, 'as')), c.address(need(flags, 'account')), Number(need(flags, 'series')))).join('\n')); break;
      default: throw new Error(`unknown command ${cmd} (try: node client.js help)`);
    }
  } finally {
    await api.disconnect();
  }
}

main().catch((e) => { console.error(`Error: ${e.message}`); process.exit(1); });
