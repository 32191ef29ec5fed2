//! Weights measured on this chain's own node, by `scripts/bench.sh` (production profile):
//! `paritydb_weights` from `benchmark storage` (ParityDB holding the development genesis plus
//! 100,000 accounts with native and USDC balances): the runtime's `DbWeight`;
//! `block_weights` and `extrinsic_weights` from `benchmark overhead` (an empty block, and blocks
//! of `System::remark`): the base weights of a block and of an extrinsic.

// Generated files, kept as the CLI wrote them (except `sp_weights` paths written as
// `frame_support::weights`).
#[rustfmt::skip]
#[allow(unused_doc_comments)]
pub mod block_weights;
#[rustfmt::skip]
#[allow(unused_doc_comments)]
pub mod extrinsic_weights;
#[rustfmt::skip]
#[allow(unused_doc_comments)]
pub mod paritydb_weights;
