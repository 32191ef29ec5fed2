#!/usr/bin/env python3
"""Decode every block of an optionchain node with substrate-interface 1.8 and read its runtime APIs.

Issue 17: "every block of a trading day decodes in substrate-interface 1.8 (Python)". Python
tooling and the indexers built on substrate-interface / scalecodec must be able to read this
chain: its blocks, extrinsics and events, decoded from the runtime metadata alone, with no custom
type registry. The e2e test `tests/e2e/test/trading-day.test.js` (last test) runs this script
after a trading day,

    tests/e2e/.venv/bin/python tests/e2e/py/decode_blocks.py ws://127.0.0.1:PORT HEAD

and compares its report with what polkadot.js decoded from the same blocks.

What it does:
1. For every block 0..=HEAD: `get_block(block_number=n)` decodes every extrinsic (counted by
   "Module.call", e.g. "Oracle.feed", "Timestamp.set") and `get_events(hash)` decodes the
   block's events. A block that fails (either part) is reported in `errors` and not counted.
2. Reads every method of the chain's own runtime APIs (OracleApi v3, MarginApi v3,
   OptionsApi v3) with `runtime_call` at the state of block HEAD. substrate-interface 1.8 takes
   runtime-API definitions (parameters, return type and the types they use) from its type
   registry (`runtime_config.type_registry["runtime_api"]`), not from the metadata, so the
   definitions are written here, in scalecodec's JSON type-registry format (as its preset
   `scalecodec/type_registry/core.json` defines `TransactionPaymentApi`), from the Rust sources:
   `pallets/{oracle,margin,options}/runtime-api/src/lib.rs`, `primitives/traits/src/`
   (`lib.rs`, `exchange.rs`) and the pallets' `types.rs`. They are registered only for the
   runtime calls, after the blocks are decoded. A change to one of those Rust types must be made
   here too: a wrong definition mostly shows up as a failing call in `errors` (decoding is
   strict about bytes left over), but not always (two fields of one size swapped, enum variants
   reordered decode without error). The metadata V15 (`Metadata_metadata_at_version(15)`) holds
   the runtime APIs' real types to check these definitions against; scalecodec 1.2 cannot read
   V15, which is why it does not use them.
3. With `--feed` (off by default) it first signs and submits one oracle feed as Alice (an
   ordinary signed extrinsic, feeless for an operator) and reports whether it was included,
   succeeded and had its fee skipped (`SkipFeelessPayment.FeeSkipped`).

Output: one JSON object on stdout,
    {"blocks": <blocks decoded without error>, "extrinsics": <total>, "events": <total>,
     "calls": {"Module.call": count}, "apis": {"OracleApi.index_price": <value>, ...},
     "errors": ["block 12: ...", "MarginApi.collateral: ...", ...]}
(plus "feed": {...} with --feed). Scales: prices, volatilities and greeks are FixedU128/FixedI128
(integers with 18 decimals), money is u128 with 6 decimals (USDC units); bytes are hex strings.
Exit status 0 whatever `errors` holds (the caller asserts on it); 2 with a message on stderr if
the node cannot be reached.
"""

import argparse
import json
import sys
import time
from decimal import Decimal

from substrateinterface import Keypair, SubstrateInterface

ALICE = '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY'
BTC = 0
SERIES = 0
TWAP_WINDOW_MS = 60_000
BOOK_LEVELS = 10
FIXED = 10 ** 18  # FixedU128 / FixedI128: 18 decimals


# --- Runtime API definitions (scalecodec type-registry format) -----------------------------------
#
# Aliases are resolved when registered, so each must follow the type it names; struct and enum
# members are resolved when decoding. `AccountId` is the chain's own (32 bytes, from the
# metadata). Struct members are in declaration order (SCALE encodes them in that order).

PRIMITIVE_TYPES = {
    # primitives/traits/src/lib.rs
    'UnderlyingId': 'u32',
    'Moment': 'u64',
    'FixedU128': 'u128',
    'FixedI128': 'i128',
    'Price': 'FixedU128',
    'Volatility': 'FixedU128',
    'PriceStatus': {
        'type': 'enum',
        'value_list': ['Fresh', 'Stale', 'CircuitBreaker'],
    },
    # primitives/traits/src/exchange.rs
    'Balance': 'u128',
    'SignedBalance': 'i128',
    'Contracts': 'i64',
    'SeriesId': 'u32',
    'OptionKind': {
        'type': 'enum',
        'value_list': ['Call', 'Put'],
    },
    'Side': {
        'type': 'enum',
        'value_list': ['Buy', 'Sell'],
    },
    'SeriesTerms': {
        'type': 'struct',
        'type_mapping': [
            ['underlying', 'UnderlyingId'],
            ['strike', 'Price'],
            ['expiry', 'Moment'],
            ['kind', 'OptionKind'],
            ['contract_size', 'Price'],
        ],
    },
    'PositionInfo': {
        'type': 'struct',
        'type_mapping': [
            ['series', 'SeriesId'],
            ['terms', 'SeriesTerms'],
            ['net', 'Contracts'],
        ],
    },
}

ORACLE_TYPES = {
    # primitives/traits/src/lib.rs
    'IndexPrice': {
        'type': 'struct',
        'type_mapping': [
            ['price', 'Price'],
            ['confidence', 'Price'],
            ['status', 'PriceStatus'],
            ['updated_at', 'Moment'],
            ['block', 'u32'],
        ],
    },
    'IndexVolatility': {
        'type': 'struct',
        'type_mapping': [
            ['volatility', 'Volatility'],
            ['confidence', 'Volatility'],
            ['status', 'PriceStatus'],
            ['updated_at', 'Moment'],
            ['block', 'u32'],
        ],
    },
}

MARGIN_TYPES = {
    # pallets/margin/src/types.rs
    'AccountState': {
        'type': 'enum',
        'value_list': ['Healthy', 'Restricted', 'Liquidatable'],
    },
    'MarginSummary': {
        'type': 'struct',
        'type_mapping': [
            ['collateral', 'Balance'],
            ['equity', 'SignedBalance'],
            ['initial_equity', 'SignedBalance'],
            ['initial', 'Balance'],
            ['maintenance', 'Balance'],
            ['state', 'AccountState'],
        ],
    },
    'SeriesQuote': {
        'type': 'struct',
        'type_mapping': [
            ['mark', 'FixedU128'],
            ['delta', 'FixedI128'],
            ['gamma', 'FixedI128'],
            ['vega', 'FixedI128'],
            ['theta', 'FixedI128'],
            ['rho', 'FixedI128'],
            ['index_price', 'Price'],
            ['volatility', 'FixedU128'],
            ['fresh', 'bool'],
        ],
    },
    'SafeRange': {
        'type': 'struct',
        'type_mapping': [
            ['underlying', 'UnderlyingId'],
            ['price_lo', 'Price'],
            ['price_hi', 'Price'],
            ['volatility_lo', 'FixedU128'],
            ['volatility_hi', 'FixedU128'],
        ],
    },
    'TriggerBandView': {
        'type': 'struct',
        'type_mapping': [
            ['until', 'Moment'],
            ['slack', 'Balance'],
            ['underlyings', 'Vec<SafeRange>'],
        ],
    },
}

OPTIONS_TYPES = {
    # pallets/options/src/types.rs
    'OrderId': 'u64',
    'SeriesStatusSettling': {
        'type': 'struct',
        'type_mapping': [
            ['settlement_price', 'Price'],
            ['payout_per_contract', 'Balance'],
            ['unpaid_short_contracts', 'Contracts'],
        ],
    },
    'SeriesStatus': {
        'type': 'enum',
        'type_mapping': [
            ['Trading', 'Null'],
            ['Expired', 'Null'],
            ['Settling', 'SeriesStatusSettling'],
        ],
    },
    'SeriesInfo': {
        'type': 'struct',
        'type_mapping': [
            ['terms', 'SeriesTerms'],
            ['price_tick', 'Balance'],
            ['status', 'SeriesStatus'],
            ['open_interest', 'Contracts'],
            ['resting_orders', 'u32'],
        ],
    },
    'SeriesView': {
        'type': 'struct',
        'type_mapping': [
            ['id', 'SeriesId'],
            ['info', 'SeriesInfo'],
        ],
    },
    'BookLevel': {
        'type': 'struct',
        'type_mapping': [
            ['price', 'Balance'],
            ['quantity', 'Contracts'],
            ['orders', 'u32'],
        ],
    },
    'BookDepth': {
        'type': 'struct',
        'type_mapping': [
            ['bids', 'Vec<BookLevel>'],
            ['asks', 'Vec<BookLevel>'],
        ],
    },
    'GoodTillTime': {
        'type': 'struct',
        'type_mapping': [
            ['until', 'Moment'],
            ['removal_block', 'u32'],
        ],
    },
    'GoodTill': {
        'type': 'enum',
        'type_mapping': [
            ['Block', 'u32'],
            ['Time', 'GoodTillTime'],
        ],
    },
    'OpenOrder': {
        'type': 'struct',
        'type_mapping': [
            ['id', 'OrderId'],
            ['series', 'SeriesId'],
            ['side', 'Side'],
            ['price', 'Balance'],
            ['remaining', 'Contracts'],
            ['reduce_only', 'bool'],
            ['good_till', 'Option<GoodTill>'],
        ],
    },
    'MmpLimits': {
        'type': 'struct',
        'type_mapping': [
            ['window_blocks', 'u32'],
            ['max_contracts', 'u64'],
            ['max_delta', 'Price'],
            ['max_vega', 'Price'],
            ['freeze_blocks', 'u32'],
        ],
    },
    'MmpCounters': {
        'type': 'struct',
        'type_mapping': [
            ['contracts', 'u64'],
            ['delta', 'Price'],
            ['vega', 'Price'],
        ],
    },
    'MmpFreeze': {
        'type': 'enum',
        'type_mapping': [
            ['Until', 'u32'],
            ['UntilReset', 'Null'],
        ],
    },
    'MmpView': {
        'type': 'struct',
        'type_mapping': [
            ['limits', 'Option<MmpLimits>'],
            ['counted', 'MmpCounters'],
            ['window_start', 'u32'],
            ['frozen', 'Option<MmpFreeze>'],
            ['frozen_now', 'bool'],
            ['void_before', 'OrderId'],
        ],
    },
    # VolEntry<AccountId>
    'VolEntry': {
        'type': 'struct',
        'type_mapping': [
            ['id', 'OrderId'],
            ['owner', 'AccountId'],
            ['volatility', 'Price'],
        ],
    },
}


def method(description, params, returns):
    return {
        'description': description,
        'params': [{'name': name, 'type': type_string} for name, type_string in params],
        'type': returns,
    }


RUNTIME_APIS = {
    # pallets/oracle/runtime-api/src/lib.rs (version 3: no type parameters, no feed_payload;
    # the methods below are the same in version 2)
    'OracleApi': {
        'methods': {
            'index_price': method(
                'The canonical index price of an underlying, with its status and confidence band',
                [('id', 'UnderlyingId')], 'Option<IndexPrice>'),
            'volatility': method(
                'The canonical ATM implied volatility of an underlying',
                [('id', 'UnderlyingId')], 'Option<IndexVolatility>'),
            'twap': method(
                'Time-weighted average index price over the last window_ms milliseconds',
                [('id', 'UnderlyingId'), ('window_ms', 'Moment')], 'Option<Price>'),
            'settlement_price': method(
                'The settlement price fixed for (id, expiry)',
                [('id', 'UnderlyingId'), ('expiry', 'Moment')], 'Option<Price>'),
            'underlyings': method(
                'The underlyings registered with the oracle',
                [], 'Vec<UnderlyingId>'),
        },
        'types': {**PRIMITIVE_TYPES, **ORACLE_TYPES},
    },
    # pallets/margin/runtime-api/src/lib.rs (version 3)
    'MarginApi': {
        'methods': {
            'collateral': method(
                'Collateral of an account in the margin ledger',
                [('who', 'AccountId')], 'Balance'),
            'account_margin': method(
                'Collateral, equity, requirements and state of an account',
                [('who', 'AccountId')], 'Option<MarginSummary>'),
            'series_quote': method(
                'Mark price and greeks of one contract of a series with the given terms',
                [('terms', 'SeriesTerms')], 'Option<SeriesQuote>'),
            'insurance_fund': method(
                "The insurance fund's balance",
                [], 'Balance'),
            'trigger_band': method(
                "An account's trigger band (index prices and volatilities it stays safe in)",
                [('who', 'AccountId'), ('horizon_seconds', 'u32'), ('volatility_move_percent', 'u32')],
                'Option<TriggerBandView>'),
        },
        'types': {**PRIMITIVE_TYPES, **MARGIN_TYPES},
    },
    # pallets/options/runtime-api/src/lib.rs (the runtime implements version 3)
    'OptionsApi': {
        'methods': {
            'live_series': method(
                'The listed series not yet fully settled, by expiry',
                [], 'Vec<SeriesView>'),
            'book_depth': method(
                'Aggregated depth of a series, at most max_levels levels per side',
                [('series', 'SeriesId'), ('max_levels', 'u32')], 'Option<BookDepth>'),
            'open_orders': method(
                "An account's resting orders, in placement order",
                [('who', 'AccountId')], 'Vec<OpenOrder>'),
            'positions': method(
                "An account's non-zero net positions",
                [('who', 'AccountId')], 'Vec<PositionInfo>'),
            'mmp': method(
                "An account's market-maker protection on an underlying (version 2)",
                [('who', 'AccountId'), ('underlying', 'UnderlyingId')], 'Option<MmpView>'),
            'vol_orders': method(
                'The volatility-priced orders resting in a series, in id order (version 3)',
                [('series', 'SeriesId')], 'Vec<VolEntry>'),
        },
        'types': {**PRIMITIVE_TYPES, **OPTIONS_TYPES},
    },
}


# --- Helpers ------------------------------------------------------------------------------------

def plain(value):
    """A JSON-serialisable copy of a decoded `.value` (bytes as 0x-hex)."""
    if isinstance(value, (bytes, bytearray)):
        return '0x' + bytes(value).hex()
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def describe(exc):
    text = str(exc) or repr(exc)
    return f'{type(exc).__name__}: {text}'


def fixed(amount):
    """A decimal string or number as an 18-decimal fixed-point integer."""
    return int(Decimal(str(amount)) * FIXED)


def register_runtime_apis(substrate):
    """Make the runtime-API definitions above known to substrate-interface.

    `runtime_call` looks methods up in `runtime_config.type_registry['runtime_api']` (and
    registers their `types` on every call). The entries are added to that dict directly, which is
    what `RuntimeConfigurationObject.update_type_registry` does with a registry's 'runtime_api'
    key, without its resetting of the registry's runtime id and versioning. A runtime change
    reloads the registry (and drops them), so this is called before each API call.
    """
    substrate.init_runtime()
    apis = substrate.runtime_config.type_registry.setdefault('runtime_api', {})
    for name, definition in RUNTIME_APIS.items():
        if apis.get(name) is not definition:
            apis[name] = definition


def submit_feed_once(substrate, price, volatility):
    """Sign and submit one oracle feed as Alice; what happened to it, and why it failed."""
    report = {'included': False, 'success': False, 'fee_skipped': False}
    try:
        best = substrate.get_block_number(substrate.get_chain_head())
        call = substrate.compose_call('Oracle', 'feed', {
            'at': best,
            'observed_at': int(time.time() * 1000),
            # `entries` is a `BoundedVec`, which scalecodec 1.2 encodes as the one-field struct its
            # metadata describes: the list goes inside a one-element list.
            'entries': [[{'underlying': BTC, 'price': fixed(price), 'volatility': fixed(volatility)}]],
        })
        extrinsic = substrate.create_signed_extrinsic(
            call, keypair=Keypair.create_from_uri('//Alice'), era={'period': 8})
        receipt = substrate.submit_extrinsic(extrinsic, wait_for_inclusion=True)
        report['included'] = receipt.block_hash is not None
        report['block_hash'] = receipt.block_hash
        report['success'] = bool(receipt.is_success)
        if not receipt.is_success:
            report['error'] = f'failed in block {receipt.block_hash}: {receipt.error_message}'
        report['fee_skipped'] = any(
            e.value.get('module_id') == 'SkipFeelessPayment' and e.value.get('event_id') == 'FeeSkipped'
            for e in receipt.triggered_events
        )
    except Exception as exc:  # noqa: BLE001 -- everything goes into the report
        report['error'] = describe(exc)
    return report


def submit_feed(substrate, price, volatility, errors, attempts=3):
    """A feed from Python as Alice, at most `attempts` times: the node's own feeders sign as
    Alice too, so a feed can meet one of theirs for the same block (refused as a duplicate or
    outbid in the pool). Each failed attempt is kept in `attempts`; only the last one's failure
    is an error."""
    tried = []
    for _ in range(attempts):
        report = submit_feed_once(substrate, price, volatility)
        if report['included'] and report['success']:
            break
        tried.append(report.get('error', 'not included'))
        time.sleep(3)
    else:
        errors.append(f'feed: {tried[-1]}')
    report['failed_attempts'] = tried
    return report


def decode_blocks(substrate, head, errors):
    """Decode blocks 0..=head; totals over the blocks decoded without error."""
    totals = {'blocks': 0, 'extrinsics': 0, 'events': 0, 'calls': {}}
    for n in range(head + 1):
        try:
            block = substrate.get_block(block_number=n)
            if block is None:
                raise LookupError('no such block')
            calls = []
            for extrinsic in block['extrinsics']:
                call = extrinsic.value['call']
                calls.append(f"{call['call_module']}.{call['call_function']}")
            events = substrate.get_events(block['header']['hash'])
            # Touch every event's value: decoded in full, and serialisable.
            json.dumps(plain([e.value for e in events]))
        except Exception as exc:  # noqa: BLE001 -- reported per block, then on to the next
            errors.append(f'block {n}: {describe(exc)}')
            continue
        totals['blocks'] += 1
        totals['extrinsics'] += len(calls)
        totals['events'] += len(events)
        for name in calls:
            totals['calls'][name] = totals['calls'].get(name, 0) + 1
    return totals


def read_apis(substrate, head, errors):
    """Call every method of OracleApi, MarginApi and OptionsApi at block `head`."""
    apis = {}
    block_hash = substrate.get_block_hash(head)
    if block_hash is None:
        errors.append(f'runtime APIs: block {head} not found')
        return apis

    def call(api, name, params):
        key = f'{api}.{name}'
        try:
            register_runtime_apis(substrate)
            result = substrate.runtime_call(api, name, params, block_hash=block_hash)
            apis[key] = plain(result.value)
        except Exception as exc:  # noqa: BLE001 -- reported per call
            errors.append(f'{key}: {describe(exc)}')
        return apis.get(key)

    # The terms and expiry of series 0: from the API if it is live, else from storage (a settled
    # series may be gone from both), else a BTC call expiring a day after the block (quoted if
    # priced; no settlement price is expected for it).
    live = call('OptionsApi', 'live_series', [])
    terms = next((s['info']['terms'] for s in live or [] if s.get('id') == SERIES), None)
    if terms is None:
        try:
            stored = substrate.query('Options', 'Series', [SERIES], block_hash=block_hash).value
            terms = stored['terms'] if stored else None
        except Exception as exc:  # noqa: BLE001
            errors.append(f'Options.Series({SERIES}): {describe(exc)}')
    if terms is None:
        try:
            now = substrate.query('Timestamp', 'Now', block_hash=block_hash).value
        except Exception as exc:  # noqa: BLE001
            errors.append(f'Timestamp.Now: {describe(exc)}')
            now = int(time.time() * 1000)
        terms = {
            'underlying': BTC,
            'strike': 60_000 * FIXED,
            'expiry': now + 86_400_000,
            'kind': 'Call',
            'contract_size': FIXED // 10,
        }
    kind = terms['kind']
    if isinstance(kind, dict):  # an enum value read back may come as {'Call': None}
        kind = next(iter(kind))
    terms = {**terms, 'kind': kind}

    call('OptionsApi', 'book_depth', [SERIES, BOOK_LEVELS])
    call('OptionsApi', 'open_orders', [ALICE])
    call('OptionsApi', 'positions', [ALICE])
    call('OptionsApi', 'mmp', [ALICE, BTC])
    call('OptionsApi', 'vol_orders', [SERIES])

    call('OracleApi', 'underlyings', [])
    call('OracleApi', 'index_price', [BTC])
    call('OracleApi', 'volatility', [BTC])
    call('OracleApi', 'twap', [BTC, TWAP_WINDOW_MS])
    call('OracleApi', 'settlement_price', [terms['underlying'], terms['expiry']])

    call('MarginApi', 'collateral', [ALICE])
    call('MarginApi', 'account_margin', [ALICE])
    call('MarginApi', 'series_quote', [terms])
    call('MarginApi', 'insurance_fund', [])
    call('MarginApi', 'trigger_band', [ALICE, 3600, 20])
    return apis


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('url', help='node WebSocket URL, e.g. ws://127.0.0.1:9944')
    parser.add_argument('head', type=int, nargs='?',
                        help='last block to decode (default: the best block)')
    parser.add_argument('--feed', action='store_true',
                        help='first sign and submit one oracle feed as Alice (BTC)')
    parser.add_argument('--price', default='60000', help='feed price, USD (default 60000)')
    parser.add_argument('--volatility', default='0.6', help='feed volatility, a fraction (default 0.6)')
    args = parser.parse_args()

    try:
        substrate = SubstrateInterface(url=args.url)
        substrate.init_runtime()
    except Exception as exc:  # noqa: BLE001
        print(f'decode_blocks.py: cannot connect to {args.url}: {describe(exc)}', file=sys.stderr)
        return 2

    errors = []
    feed = submit_feed(substrate, args.price, args.volatility, errors) if args.feed else None

    best = substrate.get_block_number(substrate.get_chain_head())
    head = best if args.head is None else args.head
    if head > best:
        errors.append(f'head {head} is beyond the best block {best}: decoding up to {best}')
        head = best

    report = decode_blocks(substrate, head, errors)
    report['apis'] = read_apis(substrate, head, errors)
    report['errors'] = errors
    if feed is not None:
        report['feed'] = feed

    json.dump(report, sys.stdout)
    sys.stdout.write('\n')
    return 0


if __name__ == '__main__':
    sys.exit(main())
