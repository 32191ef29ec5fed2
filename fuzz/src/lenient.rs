//! Lenient decoding of inputs: what SCALE decodes, it decodes the same way (the seeds are
//! written with `Encode`), but bytes SCALE refuses still mean something, so that almost every
//! mutation of an input is an input too: a bool is its low bit, an enum's index is taken modulo
//! its number of variants, an `Option` tag is its low bit, a compact length that is not in
//! SCALE's one- or two-byte modes is its first byte's upper six bits. Only the embedded runtime
//! calls (`Action::Signed`, `Gov`) are decoded strictly: a call that does not decode ends the
//! input there. `None` means the input is exhausted.

use crate::{Action, FeedChange, FuzzBlock, Gov, Ord, Skip, DECODE_DEPTH, MAX_ACTIONS};
use codec::DecodeLimit;

type In<'a, 'b> = &'a mut &'b [u8];

fn u8_(i: In) -> Option<u8> {
	let (b, rest) = i.split_first()?;
	*i = rest;
	Some(*b)
}

fn bytes<const N: usize>(i: In) -> Option<[u8; N]> {
	if i.len() < N {
		return None;
	}
	let (head, rest) = i.split_at(N);
	*i = rest;
	head.try_into().ok()
}

fn u16_(i: In) -> Option<u16> {
	bytes::<2>(i).map(u16::from_le_bytes)
}

fn u32_(i: In) -> Option<u32> {
	bytes::<4>(i).map(u32::from_le_bytes)
}

fn i16_(i: In) -> Option<i16> {
	bytes::<2>(i).map(i16::from_le_bytes)
}

fn bool_(i: In) -> Option<bool> {
	u8_(i).map(|b| b & 1 == 1)
}

/// A variant index modulo `n`.
fn tag(i: In, n: u8) -> Option<u8> {
	u8_(i).map(|b| b % n)
}

fn option<T>(i: In, f: impl FnOnce(In) -> Option<T>) -> Option<Option<T>> {
	if bool_(i)? {
		f(i).map(Some)
	} else {
		Some(None)
	}
}

/// A compact length as SCALE writes it (one- and two-byte modes); any other first byte gives
/// its upper six bits.
fn len(i: In) -> Option<usize> {
	let b = u8_(i)?;
	match b & 3 {
		1 => {
			let hi = u8_(i)?;
			Some((usize::from(u16::from_le_bytes([b, hi])) >> 2).min(1 << 14))
		},
		_ => Some(usize::from(b >> 2)),
	}
}

/// A vector of at most `max` items (more are decoded and dropped, as SCALE would keep them).
fn vec<T>(i: In, max: usize, mut f: impl FnMut(In) -> Option<T>) -> Option<Vec<T>> {
	let n = len(i)?;
	let mut v = Vec::with_capacity(n.min(max));
	for _ in 0..n {
		let x = f(i)?;
		if v.len() < max {
			v.push(x);
		}
	}
	Some(v)
}

fn strict<T: DecodeLimit>(i: In) -> Option<T> {
	T::decode_with_depth_limit(DECODE_DEPTH, i).ok()
}

fn skip(i: In) -> Option<Skip> {
	Some(match tag(i, 3)? {
		0 => Skip::Next,
		1 => Skip::Minutes(u8_(i)?),
		_ => Skip::Hours(u8_(i)?),
	})
}

fn feed_change(i: In) -> Option<FeedChange> {
	Some(match tag(i, 6)? {
		0 => FeedChange::Move { underlying: u8_(i)?, permille: i16_(i)? },
		1 => FeedChange::Volatility { underlying: u8_(i)?, percent: u8_(i)? },
		2 => FeedChange::Pause { underlying: u8_(i)? },
		3 => FeedChange::Resume { underlying: u8_(i)? },
		4 => FeedChange::Silence { operator: u8_(i)? },
		_ => FeedChange::Outlier { operator: u8_(i)?, underlying: u8_(i)?, permille: i16_(i)? },
	})
}

fn ord(i: In) -> Option<Ord> {
	Some(Ord {
		series: u8_(i)?,
		buy: bool_(i)?,
		cents: u32_(i)?,
		quantity: u16_(i)?,
		tif: u8_(i)?,
		ahead: u8_(i)?,
		post_only: bool_(i)?,
		reduce_only: bool_(i)?,
	})
}

fn leg(i: In) -> Option<Option<(u32, u16)>> {
	option(i, |i| Some((u32_(i)?, u16_(i)?)))
}

fn gov(i: In) -> Option<Gov> {
	Some(match tag(i, 5)? {
		0 => Gov::Oracle(strict(i)?),
		1 => Gov::Margin(strict(i)?),
		2 => Gov::Options(strict(i)?),
		3 => Gov::ReleaseBreaker { underlying: u8_(i)? },
		_ => Gov::List {
			underlying: u8_(i)?,
			strike_steps: u8_(i)? as i8,
			hours: u8_(i)?,
			put: bool_(i)?,
		},
	})
}

fn action(i: In) -> Option<Action> {
	Some(match tag(i, 18)? {
		0 => Action::Deposit { who: u8_(i)?, usdc: u32_(i)? },
		1 => Action::Withdraw { who: u8_(i)?, usdc: u32_(i)? },
		2 => Action::FundInsurance { who: u8_(i)?, usdc: u32_(i)? },
		3 => {
			Action::Liquidate { who: u8_(i)?, victim: u8_(i)?, series: u8_(i)?, quantity: u16_(i)? }
		},
		4 => Action::Place { who: u8_(i)?, order: ord(i)? },
		5 => Action::Cancel { who: u8_(i)?, order: u8_(i)? },
		6 => Action::CancelAll { who: u8_(i)?, series: option(i, u8_)? },
		7 => Action::Replace { who: u8_(i)?, order: u8_(i)?, new: ord(i)? },
		8 => {
			Action::Quote { who: u8_(i)?, legs: vec(i, 40, |i| Some((u8_(i)?, leg(i)?, leg(i)?)))? }
		},
		9 => Action::Settle { who: u8_(i)?, account: u8_(i)?, series: u8_(i)? },
		10 => Action::Expire { who: u8_(i)?, series: u8_(i)?, limit: u8_(i)? },
		11 => Action::ScheduleCancel { who: u8_(i)?, ahead: option(i, u16_)? },
		12 => Action::SetMmp {
			who: u8_(i)?,
			underlying: u8_(i)?,
			limits: option(i, |i| Some((u8_(i)?, u16_(i)?, u32_(i)?, u32_(i)?, u8_(i)?)))?,
		},
		13 => Action::ResetMmp { who: u8_(i)?, underlying: u8_(i)? },
		14 => Action::VolOrder {
			who: u8_(i)?,
			series: u8_(i)?,
			buy: bool_(i)?,
			vol_percent: u8_(i)?,
			quantity: u16_(i)?,
			tif: u8_(i)?,
		},
		15 => Action::Transfer { who: u8_(i)?, to: u8_(i)?, usdc: u32_(i)? },
		16 => Action::Gov(gov(i)?),
		_ => Action::Signed { who: u8_(i)?, call: strict(i)? },
	})
}

/// One block, or `None` when the input is exhausted (or a runtime call in it does not
/// decode).
pub fn block(i: In) -> Option<FuzzBlock> {
	Some(FuzzBlock {
		skip: skip(i)?,
		feeds: vec(i, 16, feed_change)?,
		actions: vec(i, MAX_ACTIONS, action)?,
	})
}
