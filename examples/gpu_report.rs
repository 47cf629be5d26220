//! GPU accuracy report: every elementwise kernel on the device against the f64 references
//! (f32: every STEP-th bit pattern; f16 and bf16: all 65,536 patterns), and every row-wise
//! kernel on random rows (lengths 1 to 2^16, values in ±1, ±10, ±100), printed as the
//! README's markdown tables.
//!
//! `cargo run --release --features gpu --example gpu_report -- [STEP] [NAME...]` (NAMEs
//! pick elementwise functions; `rows` picks the row-wise table).

use lanewise::Dtype;
use lanewise::gpu::accuracy::{sweep, sweep_rows};
use lanewise::gpu::{Gpu, RowFn};
use lanewise::table::OPS;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let step: u64 = args.first().and_then(|s| s.parse().ok()).unwrap_or(257);
    let names: Vec<&str> = args.iter().skip(1).map(String::as_str).collect();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let gpu = Gpu::new()?;
    println!(
        "adapter: {}; f32 every {step}th bit pattern; f16/bf16 all 65,536\n",
        gpu.describe()
    );
    println!(
        "| function | CPU bound | GPU f32 max ulp | worst x | = CPU bits | f16 max | f16 CR | bf16 max | bf16 CR |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for op in OPS
        .iter()
        .filter(|op| names.is_empty() || names.contains(&op.name))
    {
        let p = op.defaults();
        let t = std::time::Instant::now();
        let f = sweep(&gpu, op, &p, Dtype::F32, step, threads)?;
        let h = sweep(&gpu, op, &p, Dtype::F16, 1, threads)?;
        let b = sweep(&gpu, op, &p, Dtype::Bf16, 1, threads)?;
        let pct = |k: u64, n: u64| 100.0 * k as f64 / n.max(1) as f64;
        println!(
            "| `{}` | {} | {:.3} | {:e} | {:.4}% | {:.3} | {:.2}% | {:.3} | {:.2}% |",
            op.name,
            op.ulp_f32,
            f.stats.max_ulp,
            f.stats.worst_input,
            pct(f.cpu_identical, f.stats.count),
            h.stats.max_ulp,
            pct(h.stats.correctly_rounded, h.stats.count),
            b.stats.max_ulp,
            pct(b.stats.correctly_rounded, b.stats.count),
        );
        eprintln!("{}: {:.1} s", op.name, t.elapsed().as_secs_f64());
    }
    if !names.is_empty() && !names.contains(&"rows") {
        return Ok(());
    }
    println!("\n| row function | GPU bound | max ulp | worst x | mean ulp |");
    println!("|---|---:|---:|---:|---:|");
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut rnd = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut data = Vec::new();
    for n in [1usize, 2, 3, 7, 64, 255, 256, 257, 1000, 4096, 65_536] {
        let rows = ((1 << 14) / n).clamp(2, 48);
        for scale in [1.0, 10.0, 100.0] {
            let x: Vec<f32> = (0..rows * n)
                .map(|_| ((rnd() * 2.0 - 1.0) * scale) as f32)
                .collect();
            data.push((n, x));
        }
    }
    for f in RowFn::ALL {
        let mut st = lanewise::accuracy::Stats::default();
        for (n, x) in &data {
            if f == RowFn::Glu && n % 2 == 1 {
                continue;
            }
            st.merge(&sweep_rows(&gpu, f, x, *n)?);
        }
        println!(
            "| `{}` | {} | {:.3} | {:e} | {:.4} |",
            f.name(),
            f.ulp_bound(),
            st.max_ulp,
            st.worst_input,
            st.mean_ulp()
        );
    }
    Ok(())
}
