//! Quickstart: which ISA runs here, and for every function a max-ULP check on a sample of
//! f32 bit patterns and a throughput measurement.
//!
//! `cargo run --release --example demo` (add `-- --markdown` for the README table).

use lanewise::accuracy::sweep;
use lanewise::table::OPS;
use lanewise::{Isa, active_isa, with_isa};
use std::time::Instant;

/// Median throughput of `op` over `n` inputs in [−10, 10], in Gelem/s.
fn gelems(run: &dyn Fn(&[f32], &mut [f32]), n: usize) -> f64 {
    let x: Vec<f32> = (0..n)
        .map(|i| -10.0 + 20.0 * ((i * 7919) % n) as f32 / n as f32)
        .collect();
    let mut y = vec![0.0f32; n];
    let reps = (20_000_000 / n).clamp(3, 2000);
    let mut times: Vec<f64> = (0..15)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..reps {
                run(std::hint::black_box(&x), &mut y);
            }
            t.elapsed().as_secs_f64() / reps as f64
        })
        .collect();
    times.sort_by(f64::total_cmp);
    n as f64 / times[times.len() / 2] / 1e9
}

fn main() {
    let markdown = std::env::args().any(|a| a == "--markdown");
    let isa = active_isa();
    let isas = Isa::available();
    println!(
        "lanewise on {isa} (available: {})\n",
        isas.iter().map(|i| i.name()).collect::<Vec<_>>().join(", ")
    );
    println!(
        "| function | bound (ulp) | max ulp, 65,536-point sample | Gelem/s, n = 4096, {isa} |"
    );
    println!("|---|---:|---:|---:|");
    let mut worst_ratio = 0.0f64;
    for op in OPS {
        let params = op.defaults();
        let (st, _) = sweep(op, &params, isa, 65537, 2, &|_, _| {}).expect("active ISA");
        let g = with_isa(isa, || gelems(&|x, y| (op.run)(x, y, &params), 4096)).unwrap();
        worst_ratio = worst_ratio.max(st.max_ulp / op.ulp_f32.max(0.5));
        println!(
            "| {} | {} | {:.3} | {:.2} |",
            op.name, op.ulp_f32, st.max_ulp, g
        );
    }
    let memcpy = gelems(&|x, y| y.copy_from_slice(x), 4096);
    println!("| memcpy | | | {memcpy:.2} |");
    if !markdown {
        println!(
            "\nevery sampled error within its bound: {}",
            worst_ratio <= 1.0
        );
    }
}
