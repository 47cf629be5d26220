//! Prints the README's f16/bf16 accuracy table: for every elementwise function, all 65,536
//! inputs of each half type on every instruction set this machine has, against the f64
//! reference rounded once to the type. Columns: the largest error in half ulps and the share
//! of correctly rounded outputs (worst ISA), and how many outputs would be misrounded if the
//! f32 result were simply rounded (what lanewise's resolution of near-midpoint lanes fixes).
//!
//! `cargo run --release --example half_table`
use lanewise::accuracy::halves::{HalfStats, sweep};
use lanewise::table::{OPS, OpInfo};
use lanewise::{Element, Isa, bf16, f16};

/// The worst result over every available ISA, and whether all ISAs gave the same bits.
fn worst<T: Element>(op: &OpInfo) -> (HalfStats, bool) {
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

/// Outputs that rounding the f32 function's result to `T` gets wrong.
fn naive_misses<T: Element>(op: &OpInfo) -> usize {
    let p = op.defaults();
    let p64: Vec<f64> = p.iter().map(|&v| v as f64).collect();
    let x: Vec<f32> = (0..=u16::MAX)
        .map(|b| bytemuck::cast::<u16, T>(b).to_f32())
        .collect();
    let mut y = vec![0.0f32; x.len()];
    (op.run)(&x, &mut y, &p);
    x.iter()
        .zip(&y)
        .filter(|&(&xi, &yi)| {
            let want = T::from_f64_rounded(op.reference(xi as f64, &p64));
            let got = T::from_f32(yi);
            let nan = want.to_f32().is_nan() && got.to_f32().is_nan();
            !nan && bytemuck::cast::<T, u16>(want) != bytemuck::cast::<T, u16>(got)
        })
        .count()
}

fn main() {
    let isas: Vec<_> = Isa::available().iter().map(|i| i.name()).collect();
    println!(
        "All 65,536 inputs per function and type, on every ISA of this machine ({}).\n",
        isas.join(", ")
    );
    println!(
        "| function | f16 max ulp | f16 correctly rounded | bf16 max ulp | bf16 correctly rounded \
         | same bits on every ISA | f32 result rounded: misrounded f16 / bf16 |"
    );
    println!("|---|---:|---:|---:|---:|:---:|---:|");
    for op in OPS {
        let (h, hs) = worst::<f16>(op);
        let (b, bs) = worst::<bf16>(op);
        println!(
            "| `{}` | {:.3} | {:.4} % | {:.3} | {:.4} % | {} | {} / {} |",
            op.name,
            h.max_ulp,
            100.0 * h.correctly_rounded_fraction(),
            b.max_ulp,
            100.0 * b.correctly_rounded_fraction(),
            if hs && bs { "yes" } else { "**no**" },
            naive_misses::<f16>(op),
            naive_misses::<bf16>(op)
        );
    }
}
