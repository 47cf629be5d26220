//! Row-wise speed next to elementwise `exp` and memcpy of the same size: medians of 9
//! interleaved rounds of wall time (this machine's per-thread CPU-time counter,
//! `/proc/thread-self/schedstat`, ticks in milliseconds, too coarse for 30 ms batches).
//!
//! `cargo run --release --example rowperf [-- TOTAL [ROW]]` (default 4096 4096);
//! `cargo run --release --example rowperf -- axis`: a [64, 4096, 16] tensor over axis 1 next
//! to the same rows contiguous. `ROWPERF_ONLY=softmax` (a name of the table) runs one function.
use lanewise::Axis;
use lanewise::table::{ROW_OPS, RowKind};
use std::hint::black_box;
use std::time::Instant;

/// Median wall time of `f` per call, over 9 batches of about 30 ms.
fn median_time(n: usize, f: &mut dyn FnMut()) -> f64 {
    let reps = (60_000_000 / n).max(1);
    let mut t: Vec<f64> = (0..9)
        .map(|_| {
            let s = Instant::now();
            for _ in 0..reps {
                f();
            }
            s.elapsed().as_secs_f64() / reps as f64
        })
        .collect();
    t.sort_by(f64::total_cmp);
    t[t.len() / 2]
}

fn axis_mode() {
    let strided = Axis::of_shape(&[64, 4096, 16], 1);
    let contig = Axis::new(64 * 16, 4096, 1);
    let n = strided.len();
    let x: Vec<f32> = (0..n)
        .map(|i| -10.0 + 20.0 * ((i * 7919) % 65521) as f32 / 65521.0)
        .collect();
    let mut y = vec![0.0f32; n];
    println!(
        "[64, 4096, 16] over axis 1 vs contiguous rows of 4096, {}; Gelem/s of wall time\n",
        lanewise::active_isa()
    );
    println!("| function | axis 1 | contiguous | ratio |");
    println!("|---|---:|---:|---:|");
    for op in ROW_OPS.iter().filter(|o| o.kind != RowKind::Expand) {
        let len = match op.kind {
            RowKind::Reduce => strided.rows(),
            RowKind::Split => n / 2,
            _ => n,
        };
        let mut g = |a: Axis| {
            n as f64 / median_time(n, &mut || (op.run)(black_box(&x), &mut y[..len], a, None)) / 1e9
        };
        let (s, c) = (g(strided), g(contig));
        let name = if op.variant.is_empty() {
            op.name.to_string()
        } else {
            format!("{}[{}]", op.name, op.variant)
        };
        println!("| {name} | {s:.2} | {c:.2} | {:.2} |", s / c);
    }
}

fn main() {
    let a: Vec<String> = std::env::args().collect();
    if a.get(1).map(String::as_str) == Some("axis") {
        return axis_mode();
    }
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
    // Batches of about 30 ms.
    let reps = (60_000_000 / n).max(1);
    let axis = Axis::new(n / row, row, 1);
    println!(
        "{} f32 in rows of {row} on {}; Gelem/s of wall time (medians), interleaved with exp and memcpy\n",
        n,
        lanewise::active_isa()
    );
    println!("| function | Gelem/s | exp, same run | function / exp | memcpy, same run |");
    println!("|---|---:|---:|---:|---:|");
    let only = std::env::var("ROWPERF_ONLY").ok();
    for op in ROW_OPS
        .iter()
        .filter(|o| o.kind != RowKind::Expand && only.as_deref().is_none_or(|f| f == o.name))
    {
        let mut t = [vec![], vec![], vec![]];
        for _ in 0..9 {
            for (k, t) in t.iter_mut().enumerate() {
                let s = Instant::now();
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
                t.push(s.elapsed().as_secs_f64() / reps as f64);
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
