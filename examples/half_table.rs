//! Prints, for every elementwise function, the exhaustive f16 and bf16 accuracy on every
//! instruction set this machine has: max error in half ulps and the fraction of correctly
//! rounded outputs, as the README's markdown table.
//!
//! `cargo run --release --example half_table`
use lanewise::accuracy::halves::{HalfStats, sweep};
use lanewise::table::OPS;
use lanewise::{Element, Isa, bf16, f16};

/// The worst result over every available ISA, and whether all ISAs gave the same bits.
fn worst<T: Element>(op: &lanewise::table::OpInfo) -> (HalfStats, bool) {
    let p = op.defaults();
    let runs: Vec<HalfStats> = Isa::available()
        .into_iter()
        .map(|isa| sweep::<T>(op, &p, isa).expect("available"))
        .collect();
    let same = runs.iter().all(|s| s.hash == runs[0].hash);
    let w = runs
        .into_iter()
        .min_by(|a, b| {
            a.correctly_rounded
                .cmp(&b.correctly_rounded)
                .then(b.max_ulp.total_cmp(&a.max_ulp))
        })
        .expect("scalar is always available");
    (w, same)
}

fn main() {
    let isas: Vec<_> = Isa::available().iter().map(|i| i.name()).collect();
    println!(
        "All 65,536 inputs per function, type and ISA ({}); max error in ulps of the half \
         format, and the share of outputs equal to the f64 reference rounded once.\n",
        isas.join(", ")
    );
    println!(
        "| function | f16 max ulp | f16 correctly rounded | bf16 max ulp | bf16 correctly rounded | same bits on every ISA |"
    );
    println!("|---|---:|---:|---:|---:|:---:|");
    for op in OPS {
        let (h, hs) = worst::<f16>(op);
        let (b, bs) = worst::<bf16>(op);
        println!(
            "| `{}` | {:.3} | {:.4} % | {:.3} | {:.4} % | {} |",
            op.name,
            h.max_ulp,
            100.0 * h.correctly_rounded_fraction(),
            b.max_ulp,
            100.0 * b.correctly_rounded_fraction(),
            if hs && bs { "yes" } else { "**no**" }
        );
    }
}
