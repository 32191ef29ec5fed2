//! Units a person can read (issue 17, item 3): the runtime metadata documents every field of the
//! chain's own types, and every price, amount, volatility, greek, time or count of contracts in
//! them says its unit and scale. Tools that read the metadata (polkadot.js, subxt,
//! substrate-interface) can show these docs next to the raw integers (a `Balance` of `1_500_000`
//! is 1.5 USDC; a `Price` of `60_000 × 10^18` is 60,000 USD); without them a field is a number
//! nobody can read.
//!
//! What is checked, in the metadata the node serves (`Metadata_metadata_at_version(16)`):
//! - every struct and enum variant whose path starts with one of [`OUR_CRATES`] (storage values,
//!   call arguments, events and runtime-API types alike): every named field has a doc, and a
//!   field whose declared type matches [`UNIT_RULES`] (`Balance`, `Price`, `Moment`, ...) says
//!   its unit in it; an unnamed field's unit must be in its variant's (or type's) doc;
//! - the pallets' calls: a call's arguments have no docs of their own (Rust has no doc comments
//!   on function parameters), so an argument with a unit must be named in the call's doc
//!   (`` `amount` ``, usually in a `- `amount`: ...` line) and the doc must say the unit;
//! - the runtime-API methods listed in [`API_METHODS`] (those returning figures for people) say
//!   the scale of what they return.
//!
//! The field docs reach the metadata only because the runtime enables `frame-support`'s
//! `full-metadata-docs` (that is `scale-info/docs`): without it every type and field doc here is
//! empty, and the test says so.

use codec::Decode;
use frame_support::__private::{
	metadata::{v16::RuntimeMetadataV16, RuntimeMetadata, RuntimeMetadataPrefixed},
	scale_info::{form::PortableForm, Field, TypeDef, Variant},
};
use optionchain_runtime::Runtime;

/// The crates whose types must be documented: the first segment of a type's path in the registry
/// (its module path).
const OUR_CRATES: [&str; 4] =
	["pallet_oracle", "pallet_margin", "pallet_options", "optionchain_primitives"];

/// Field types that carry a unit, and what the doc of such a field must mention. A field matches
/// when its declared type (the metadata's `type_name`, e.g. `Balance`, `Option<(Price, Price)>`,
/// `BoundedVec<(OrderId, Balance), ...>`) contains one of the type names. Each inner list is one
/// requirement, met by any of its words (case-insensitive; `ms` only as a whole word, as it is in
/// "terms").
const UNIT_RULES: &[(&[&str], &[&[&str]])] = &[
	// Money: settlement-asset units, USDC with 6 decimals.
	(
		&["Balance", "SignedBalance"],
		&[&["USDC", "settlement-asset", "settlement asset", "settlement unit"]],
	),
	// Times: ms since the Unix epoch (or a duration in ms).
	(&["Moment"], &[&["ms", "millisecond"]]),
	// Fixed point: the scale (18 decimals) and the unit (USD, a fraction, units of the
	// underlying, a rate).
	(
		&["Price", "Volatility", "FixedU128", "FixedI128"],
		&[&["decimal"], &["USD", "fraction", "%", "underlying", "rate"]],
	),
	// Quantities: whole contracts.
	(&["Contracts"], &[&["contract"]]),
];

/// Runtime-API methods returning figures for people: `(API, method)`. Each doc must mention a
/// unit or scale (one of [`API_UNIT_WORDS`]).
const API_METHODS: &[(&str, &str)] = &[
	("OracleApi", "index_price"),
	("OracleApi", "volatility"),
	("OracleApi", "twap"),
	("OracleApi", "settlement_price"),
	("MarginApi", "collateral"),
	("MarginApi", "account_margin"),
	("MarginApi", "series_quote"),
	("MarginApi", "insurance_fund"),
	("MarginApi", "trigger_band"),
	("OptionsApi", "live_series"),
	("OptionsApi", "book_depth"),
	("OptionsApi", "open_orders"),
	("OptionsApi", "positions"),
	("OptionsApi", "mmp"),
	("OptionsApi", "vol_orders"),
];

/// Words that name a unit or a scale in a runtime-API method's doc.
const API_UNIT_WORDS: &[&str] =
	&["USDC", "USD", "decimal", "ms", "fraction", "%", "settlement-asset"];

/// Types that must be among those checked, so that the test cannot pass by finding nothing
/// (e.g. after a crate or module is renamed): `(first path segment, last path segment)`.
const MUST_SEE: &[(&str, &str)] = &[
	("pallet_oracle", "Event"),
	("pallet_oracle", "Call"),
	("pallet_oracle", "UnderlyingParams"),
	("pallet_margin", "Event"),
	("pallet_margin", "Call"),
	("pallet_margin", "SeriesQuote"),
	("pallet_margin", "MarginSummary"),
	("pallet_options", "Event"),
	("pallet_options", "Call"),
	("pallet_options", "BookLevel"),
	("pallet_options", "OpenOrder"),
	("optionchain_primitives", "IndexPrice"),
	("optionchain_primitives", "SeriesTerms"),
];

/// The metadata as the node serves it (`Metadata_metadata_at_version(16)`), decoded.
fn metadata_v16() -> RuntimeMetadataV16 {
	// Built from the runtime's types and constants; externalities only in case a constant reads
	// storage.
	let opaque = sp_io::TestExternalities::default()
		.execute_with(|| Runtime::metadata_at_version(16))
		.expect("the runtime serves metadata v16");
	let mut bytes: &[u8] = &opaque;
	let prefixed = RuntimeMetadataPrefixed::decode(&mut bytes).expect("the metadata decodes");
	match prefixed.1 {
		RuntimeMetadata::V16(metadata) => metadata,
		other => panic!("asked for metadata v16, got v{}", other.version()),
	}
}

/// Whether `doc` mentions `word` (case-insensitive; a word of at most two letters, such as `ms`,
/// only as a whole word).
fn mentions(doc: &str, word: &str) -> bool {
	let (doc, word) = (doc.to_lowercase(), word.to_lowercase());
	if word.len() <= 2 && word.chars().all(|c| c.is_ascii_alphanumeric()) {
		doc.split(|c: char| !c.is_ascii_alphanumeric()).any(|w| w == word)
	} else {
		doc.contains(&word)
	}
}

/// The unit requirements `doc` fails for a field declared as `type_name` (empty: none, or all
/// met).
fn missing_units(type_name: &str, doc: &str) -> Vec<String> {
	let idents: Vec<&str> = type_name
		.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
		.filter(|s| !s.is_empty())
		.collect();
	let mut missing = Vec::new();
	for (types, requirements) in UNIT_RULES {
		if !idents.iter().any(|i| types.contains(i)) {
			continue;
		}
		for any_of in *requirements {
			if !any_of.iter().any(|w| mentions(doc, w)) {
				missing.push(format!("`{type_name}` needs one of {any_of:?}"));
			}
		}
	}
	missing
}

/// Whether a field declared as `type_name` carries a unit (matches a rule of [`UNIT_RULES`]).
fn has_unit(type_name: &str) -> bool {
	!missing_units(type_name, "").is_empty()
}

/// Checks the fields of a struct or of one enum variant (`owner` names it in failures); an
/// unnamed field's unit is looked for in `owner_doc`.
fn check_fields(
	owner: &str,
	owner_doc: &str,
	fields: &[Field<PortableForm>],
	failures: &mut Vec<String>,
) {
	for field in fields {
		let type_name = field.type_name.as_deref().unwrap_or("");
		match &field.name {
			Some(name) => {
				let doc = field.docs.join(" ");
				if doc.trim().is_empty() {
					failures.push(format!("{owner}.{name}: no doc"));
				}
				for m in missing_units(type_name, &doc) {
					failures.push(format!("{owner}.{name}: {m} in its doc"));
				}
			},
			None => {
				for m in missing_units(type_name, owner_doc) {
					failures.push(format!("{owner} (unnamed field): {m} in the doc of {owner}"));
				}
			},
		}
	}
}

/// Checks one pallet `Call` enum: every call has a doc, and every argument with a unit is named
/// in it (`` `name` ``) and its unit said.
fn check_call(owner: &str, calls: &[Variant<PortableForm>], failures: &mut Vec<String>) {
	for call in calls {
		let doc = call.docs.join(" ");
		let here = format!("{owner}::{}", call.name);
		if doc.trim().is_empty() {
			failures.push(format!("{here}: no doc"));
		}
		for arg in &call.fields {
			let (Some(name), Some(type_name)) = (&arg.name, &arg.type_name) else { continue };
			// An argument without a unit (an account, an id, a request whose type documents its
			// own fields) needs nothing here.
			if !has_unit(type_name) {
				continue;
			}
			if !doc.contains(&format!("`{name}`")) {
				failures.push(format!(
					"{here}: argument `{name}` ({type_name}) is not named in the call's doc \
					 (add a line `- `{name}`: <unit>`)"
				));
			}
			for m in missing_units(type_name, &doc) {
				failures.push(format!("{here}: argument `{name}`: {m} in the call's doc"));
			}
		}
	}
}

/// Walks the type registry: every type of [`OUR_CRATES`]. Returns the `(first, last)` path
/// segments of the types it checked.
fn check_types(metadata: &RuntimeMetadataV16, failures: &mut Vec<String>) -> Vec<(String, String)> {
	let mut seen = Vec::new();
	for portable in &metadata.types.types {
		let ty = &portable.ty;
		let path = &ty.path.segments;
		let (Some(first), Some(last)) = (path.first(), path.last()) else { continue };
		if !OUR_CRATES.contains(&first.as_str()) {
			continue;
		}
		seen.push((first.clone(), last.clone()));
		let owner = path.join("::");
		let type_doc = ty.docs.join(" ");
		if type_doc.trim().is_empty() {
			failures.push(format!("{owner}: the type has no doc"));
		}
		match &ty.type_def {
			TypeDef::Composite(composite) => {
				check_fields(&owner, &type_doc, &composite.fields, failures)
			},
			// A pallet's calls: the arguments' units are in each call's doc.
			TypeDef::Variant(calls) if path.len() == 3 && path[1] == "pallet" && last == "Call" => {
				check_call(&owner, &calls.variants, failures)
			},
			// Events, errors and every other enum: each variant's fields.
			TypeDef::Variant(variants) => {
				for variant in &variants.variants {
					let here = format!("{owner}::{}", variant.name);
					check_fields(&here, &variant.docs.join(" "), &variant.fields, failures);
				}
			},
			_ => {},
		}
	}
	seen
}

/// The runtime-API methods of [`API_METHODS`] say the scale of what they return.
fn check_runtime_apis(metadata: &RuntimeMetadataV16, failures: &mut Vec<String>) {
	for (api, method) in API_METHODS {
		let Some(found) = metadata
			.apis
			.iter()
			.filter(|a| a.name == *api)
			.flat_map(|a| a.methods.iter())
			.find(|m| m.name == *method)
		else {
			failures.push(format!("{api}::{method}: not in the metadata"));
			continue;
		};
		let doc = found.docs.join(" ");
		if !API_UNIT_WORDS.iter().any(|w| mentions(&doc, w)) {
			failures.push(format!(
				"{api}::{method}: its doc names no unit or scale (one of {API_UNIT_WORDS:?})"
			));
		}
	}
}

#[test]
fn every_price_amount_time_and_quantity_in_the_metadata_says_its_unit() {
	let metadata = metadata_v16();
	let mut failures = Vec::new();

	let seen = check_types(&metadata, &mut failures);
	for (first, last) in MUST_SEE {
		assert!(
			seen.iter().any(|(f, l)| f == first && l == last),
			"{first}::...::{last} is not in the metadata's type registry: the walk would check \
			 nothing there (renamed crate or module? update OUR_CRATES / MUST_SEE)"
		);
	}
	// Without scale-info's `docs` feature the registry has no type or field docs at all: say so
	// once rather than in hundreds of failures.
	let series_quote = metadata
		.types
		.types
		.iter()
		.find(|t| t.ty.path.segments.last().is_some_and(|s| s == "SeriesQuote"))
		.expect("SeriesQuote is in the metadata (MarginApi::series_quote)");
	assert!(
		!series_quote.ty.docs.is_empty(),
		"type docs are not collected: the runtime must enable frame-support's \
		 `full-metadata-docs` (scale-info/docs) in runtime/Cargo.toml"
	);

	check_runtime_apis(&metadata, &mut failures);

	assert!(
		failures.is_empty(),
		"{} undocumented units in the metadata (say e.g. \"USDC, 6 decimals (1 USDC = \
		 1_000_000)\" or \"USD per unit of the underlying, 18-decimal fixed point\"):\n{}",
		failures.len(),
		failures.join("\n")
	);
}
