//! Output digests of every function (see `lanewise::digest`).
//!
//! ```sh
//! cargo run --release --example digests              # print this machine's file, compare
//! cargo run --release --example digests -- --write   # regenerate tests/data/digests.txt
//! cargo run --release --example digests -- --dump "f32 gelu -"   # inputs and output bits
//! ```
//!
//! Every mode computes on every instruction set the machine has and stops if they disagree.
//! `--dump` prints `input_bits output_bits` per element of the cases whose key starts with
//! the given text (`index output_bits` where outputs do not map one to one to inputs), for
//! diffing two machines' outputs when a digest differs.

use lanewise::{Isa, digest};
use std::path::Path;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/digests.txt");
    if let [flag, prefix] = &args[..]
        && flag == "--dump"
    {
        for c in digest::cases()
            .iter()
            .filter(|c| c.key().starts_with(prefix.as_str()))
        {
            println!("# {} on {}", c.key(), lanewise::active_isa());
            let x = c.input_bits();
            for (i, yi) in c.outputs().chunks_exact(c.width()).enumerate() {
                let yb = yi.iter().rev().fold(0u32, |a, &b| a << 8 | b as u32);
                match &x {
                    Some(x) => println!("{:08x} {:0w$x}", x[i], yb, w = 2 * c.width()),
                    None => println!("{i} {:0w$x}", yb, w = 2 * c.width()),
                }
            }
        }
        return;
    }
    let isas = Isa::available();
    let texts: Vec<String> = isas
        .iter()
        .map(|&isa| digest::file_text(isa).expect("available"))
        .collect();
    for (isa, text) in isas.iter().zip(&texts).skip(1) {
        if *text != texts[0] {
            let diff: Vec<_> = texts[0]
                .lines()
                .zip(text.lines())
                .filter(|(a, b)| a != b)
                .collect();
            panic!("{} and {isa} disagree:\n{diff:#?}", isas[0]);
        }
    }
    let names: Vec<&str> = isas.iter().map(|i| i.name()).collect();
    match args.first().map(String::as_str) {
        Some("--write") => {
            std::fs::write(&path, &texts[0]).expect("write tests/data/digests.txt");
            eprintln!(
                "wrote {} ({} cases; {} agree)",
                path.display(),
                digest::cases().len(),
                names.join(", ")
            );
        }
        None => {
            print!("{}", texts[0]);
            let committed = std::fs::read_to_string(&path).unwrap_or_default();
            let verdict = if committed == texts[0] {
                "matches"
            } else {
                "DIFFERS FROM"
            };
            eprintln!(
                "{} agree; this output {verdict} {}",
                names.join(", "),
                path.display()
            );
        }
        Some(other) => {
            eprintln!("unknown argument {other:?}: use --write or --dump PREFIX");
            std::process::exit(2);
        }
    }
}
