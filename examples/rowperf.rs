//! Row-wise speed next to elementwise `exp` and memcpy of the same size: medians of 9
//! interleaved rounds of CPU time (Linux `/proc/thread-self/schedstat`, so time-slicing on a
//! busy machine does not count; wall time where that file is missing).
//!
//! `cargo run --release --example rowperf [-- TOTAL [ROW]]` (default 4096 4096)
use lanewise::Axis;
use lanewise::table::{ROW_OPS, RowKind};
use std::hint::black_box;
use std::time::Instant;

/// Nanoseconds this thread has run on a CPU, if Linux says.
fn cpu_ns() -> Option<u64> {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

fn main() {
    let a: Vec<String> = std::env::args().collect();
    let n: usize = a.get(1).map_or(4096, |s| s.parse().unwrap());
    let row: usize = a.get(2).map_or(4096, |s| s.parse().unwrap());
    // Input and output in one buffer, 64-byte aligned, 1 KiB apart modulo 4 KiB: no
    // cache-line splits and no 4K aliasing, wherever malloc puts the buffer.
    let mut buf = vec![0.0f32; 2 * n + 2048];
    let a = buf.as_ptr().align_offset(64).min(15);
    let yo = (a + n).div_ceil(1024) * 1024 + 256;
    for (i, v) in buf[a..a + n].iter_mut().enumerate() {
        *v = -10.0 + 20.0 * ((i * 7919) % 65521) as f32 / 65521.0;
    }
    let (xb, yb) = buf.split_at_mut(yo);
    let (x, y) = (&xb[a..a + n], &mut yb[..n]);
    let mut r = vec![0.0f32; n / row];
    // Batches of about 30 ms: the CPU-time counter moves at scheduler ticks.
    let reps = (60_000_000 / n).max(1);
    let axis = Axis::new(n / row, row, 1);
    println!(
        "{} f32 in rows of {row} on {}; Gelem/s of CPU time (medians), interleaved with exp and memcpy\n",
        n,
        lanewise::active_isa()
    );
    println!("| function | Gelem/s | exp, same run | function / exp | memcpy, same run |");
    println!("|---|---:|---:|---:|---:|");
    for op in ROW_OPS.iter().filter(|o| o.kind != RowKind::Expand) {
        let mut t = [vec![], vec![], vec![]];
        for _ in 0..9 {
            for (k, t) in t.iter_mut().enumerate() {
                let (s, c) = (Instant::now(), cpu_ns());
                for _ in 0..reps {
                    match k {
                        0 => match op.kind {
                            RowKind::Reduce => (op.run)(black_box(x), &mut r, axis, None),
                            RowKind::Split => (op.run)(black_box(x), &mut y[..n / 2], axis, None),
                            _ => (op.run)(black_box(x), y, axis, None),
                        },
                        1 => lanewise::exp(black_box(x), y),
                        _ => y.copy_from_slice(black_box(x)),
                    }
                }
                let dt = match (c, cpu_ns()) {
                    (Some(a), Some(b)) => (b - a) as f64 * 1e-9,
                    _ => s.elapsed().as_secs_f64(),
                };
                t.push(dt / reps as f64);
            }
        }
        let med = |mut v: Vec<f64>| {
            v.sort_by(f64::total_cmp);
            n as f64 / v[v.len() / 2] / 1e9
        };
        let [f, e, m] = t.map(med);
        let name = if op.variant.is_empty() {
            op.name.to_string()
        } else {
            format!("{}[{}]", op.name, op.variant)
        };
        println!("| {name} | {f:.2} | {e:.2} | {:.2} | {m:.2} |", f / e);
    }
}
