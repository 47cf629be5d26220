//! Profiling helper: median time of one row-wise function on the active ISA next to
//! elementwise `exp` and memcpy of the same size, measured interleaved so that a busy
//! machine slows all three alike.
//!
//! `cargo run --release --example rowperf -- softmax 4096`
use lanewise::Axis;
use lanewise::table::ROW_OPS;
use std::hint::black_box;
use std::time::Instant;

fn main() {
    let a: Vec<String> = std::env::args().collect();
    let name = a.get(1).map_or("softmax", |s| s.as_str());
    let n: usize = a.get(2).map_or(4096, |s| s.parse().unwrap());
    let op = ROW_OPS.iter().find(|o| o.name == name).unwrap();
    let x: Vec<f32> = (0..n)
        .map(|i| -10.0 + 20.0 * ((i * 7919) % 65521) as f32 / 65521.0)
        .collect();
    let mut y = vec![0.0f32; n];
    let reps = (4_000_000 / n).max(1);
    let row: usize = a.get(3).map_or(4096, |s| s.parse().unwrap());
    let axis = Axis::new(n / row, row, 1);
    let mut t = [vec![], vec![], vec![]];
    for _ in 0..41 {
        for (k, t) in t.iter_mut().enumerate() {
            let s = Instant::now();
            for _ in 0..reps {
                match k {
                    0 => (op.run)(black_box(&x), &mut y, axis, None),
                    1 => lanewise::exp(black_box(&x), &mut y),
                    _ => y.copy_from_slice(black_box(&x)),
                }
            }
            t.push(s.elapsed().as_secs_f64() / reps as f64);
        }
    }
    let med = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        n as f64 / v[v.len() / 2] / 1e9
    };
    let [f, e, m] = t.map(|mut v| med(&mut v));
    println!(
        "{name} n={n} on {}: {f:.3} Gelem/s | exp {e:.3} | memcpy {m:.3} | {name}/exp = {:.2}",
        lanewise::active_isa(),
        f / e
    );
}
