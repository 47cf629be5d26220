//! Throughput of every elementwise function on f32, f16 and bf16 slices, best ISA, inputs in
//! [−10, 10]: n = 4096 (in cache) and n = 16M (memory), so half the bytes per element shows.
//!
//! `cargo bench --bench half -- --warm-up-time 1 --measurement-time 2` (filter with e.g.
//! `half_n4096/gelu/`). The README's f16/bf16 speed table comes from the `lanewise` tool
//! instead (`lanewise readme`, or `lanewise bench --dtype f32,f16,bf16 --sizes 4096,16M`).

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use lanewise::table::{OPS, OpInfo};
use lanewise::{Element, bf16, f16};
use std::hint::black_box;
use std::time::Duration;

type Group<'a> = criterion::BenchmarkGroup<'a, criterion::measurement::WallTime>;

/// Inputs and outputs of one element type.
struct Data<T> {
    x: Vec<T>,
    y: Vec<T>,
}

impl<T: Element> Data<T> {
    fn new(n: usize) -> Self {
        let x = (0..n)
            .map(|i| T::from_f32(-10.0 + 20.0 * ((i * 7919) % n) as f32 / n as f32))
            .collect();
        Data {
            x,
            y: vec![T::default(); n],
        }
    }

    fn bench(&mut self, g: &mut Group<'_>, op: &OpInfo) {
        let p = op.defaults();
        let (x, y) = (&self.x, &mut self.y);
        g.bench_function(BenchmarkId::new(op.name, T::DTYPE.name()), |b| {
            b.iter(|| op.run_as(black_box(x), y, &p))
        });
    }
}

fn bench(c: &mut Criterion) {
    for n in [4096usize, 16 << 20] {
        let mut g = c.benchmark_group(format!("half_n{n}"));
        g.throughput(Throughput::Elements(n as u64));
        if n > 4096 {
            g.sample_size(10).measurement_time(Duration::from_secs(3));
        } else {
            g.measurement_time(Duration::from_secs(1))
                .warm_up_time(Duration::from_millis(300));
        }
        let mut a = Data::<f32>::new(n);
        let mut b = Data::<f16>::new(n);
        let mut c = Data::<bf16>::new(n);
        // The three types of one function back to back, so they see the same machine load.
        for op in OPS {
            a.bench(&mut g, op);
            b.bench(&mut g, op);
            c.bench(&mut g, op);
        }
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
