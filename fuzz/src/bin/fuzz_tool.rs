//! `fuzz-tool seeds DIR`: write the seed corpus (one file per scenario) into DIR.
//! `fuzz-tool run FILE...`: run inputs (a crash's artifact, a corpus file) and print each one's
//! blocks, then the key events they caused.
//! `fuzz-tool show FILE`: print an input's decoded blocks.

fn main() {
	let args: Vec<String> = std::env::args().skip(1).collect();
	match args.first().map(String::as_str) {
		Some("seeds") => {
			let dir = std::path::PathBuf::from(args.get(1).expect("fuzz-tool seeds DIR"));
			std::fs::create_dir_all(&dir).expect("the corpus directory can be created");
			for (name, blocks) in optionchain_fuzz::seeds() {
				let path = dir.join(format!("seed-{name}"));
				std::fs::write(&path, optionchain_fuzz::encode_input(&blocks))
					.expect("the seed can be written");
				println!("{}", path.display());
			}
		},
		Some("run") => {
			for f in &args[1..] {
				let data = std::fs::read(f).expect("the input can be read");
				println!("{f}: {} blocks", optionchain_fuzz::decode_input(&data).len());
				optionchain_fuzz::run_input(&data);
			}
			for (n, c) in optionchain_fuzz::counters::snapshot() {
				println!("{n:>16} {c}");
			}
		},
		Some("show") => {
			let data = std::fs::read(args.get(1).expect("fuzz-tool show FILE"))
				.expect("the input can be read");
			for (i, b) in optionchain_fuzz::decode_input(&data).iter().enumerate() {
				println!("block {i}: {b:?}");
			}
		},
		_ => {
			eprintln!("usage: fuzz-tool seeds DIR | run FILE... | show FILE");
			std::process::exit(2);
		},
	}
}
