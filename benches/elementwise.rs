//! Throughput of every elementwise function, per ISA, f32, inputs in [−10, 10].
//!
//! `cargo bench --bench elementwise` (filter with a name, e.g. `-- gelu/avx512`).
//! n = 4096 for every function and ISA; n = 16M for every function on the best ISA, with
//! memcpy of the same size as the roofline (the faster of one call and 2 KiB calls, see
//! `common`).

mod common;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use lanewise::table::OPS;
use lanewise::{Isa, with_isa};
use std::hint::black_box;
use std::time::Duration;

fn inputs(n: usize) -> Vec<f32> {
    (0..n)
        .map(|i| -10.0 + 20.0 * ((i * 7919) % n) as f32 / n as f32)
        .collect()
}

fn bench(c: &mut Criterion) {
    let best = Isa::best();
    for (n, isas) in [(4096usize, Isa::available()), (16 << 20, vec![best])] {
        let x = inputs(n);
        let mut y = vec![0.0f32; n];
        let mut g = c.benchmark_group(format!("n{n}"));
        g.throughput(Throughput::Elements(n as u64));
        if n > 4096 {
            g.sample_size(10).measurement_time(Duration::from_secs(3));
        } else {
            g.measurement_time(Duration::from_secs(1))
                .warm_up_time(Duration::from_millis(300));
        }
        common::memcpy(&mut g, &x, &mut y);
        for op in OPS {
            let p = op.defaults();
            for &isa in &isas {
                g.bench_function(format!("{}/{isa}", op.name), |b| {
                    with_isa(isa, || b.iter(|| (op.run)(black_box(&x), &mut y, &p))).unwrap()
                });
            }
        }
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
