//! Throughput of the row-wise functions (f32, rows of 4096, logits in [−10, 10]).
//!
//! `cargo bench --bench rowwise` (filter e.g. `-- softmax`). Groups:
//! * `rows4096/total{4096,1M}`: every function on every ISA at 4096 and 1M elements;
//! * `rows4096/total16M`: every function on the best ISA next to memcpy of 16M f32;
//! * `axis/64x4096x16`: the softmax family over axis 1 of a [64, 4096, 16] tensor, next to
//!   the same functions over contiguous rows of the same total.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use lanewise::table::{ROW_OPS, RowKind};
use lanewise::{Axis, Isa, with_isa};
use std::hint::black_box;
use std::time::Duration;

const ROW: usize = 4096;

fn inputs(n: usize) -> Vec<f32> {
    (0..n)
        .map(|i| -10.0 + 20.0 * ((i * 7919) % 65521) as f32 / 65521.0)
        .collect()
}

/// Output length and input for one function over `axis`.
fn prepare(kind: RowKind, axis: Axis) -> (Vec<f32>, usize, Axis) {
    match kind {
        RowKind::Normalize => (inputs(axis.len()), axis.len(), axis),
        RowKind::Reduce => (inputs(axis.len()), axis.rows(), axis),
        RowKind::Split => (inputs(axis.len()), axis.len() / 2, axis),
        // one_hot: `axis` is the output; one index per row.
        RowKind::Expand => {
            let idx = (0..axis.rows())
                .map(|i| (i * 31 % axis.len) as f32)
                .collect();
            (idx, axis.len(), axis)
        }
    }
}

fn label(op: &lanewise::table::RowOpInfo) -> String {
    if op.variant.is_empty() {
        op.name.to_string()
    } else {
        format!("{}[{}]", op.name, op.variant)
    }
}

fn bench(c: &mut Criterion) {
    let best = Isa::best();
    for (total, isas) in [
        (ROW, Isa::available()),
        (1 << 20, Isa::available()),
        (16 << 20, vec![best]),
    ] {
        let name = match total {
            ROW => "total4096".to_string(),
            t if t == 1 << 20 => "total1M".to_string(),
            _ => "total16M".to_string(),
        };
        let mut g = c.benchmark_group(format!("rows4096/{name}"));
        g.throughput(Throughput::Elements(total as u64));
        if total > 1 << 20 {
            g.sample_size(10).measurement_time(Duration::from_secs(3));
        } else {
            g.measurement_time(Duration::from_secs(1))
                .warm_up_time(Duration::from_millis(300));
        }
        let x = inputs(total);
        let mut y = vec![0.0f32; total];
        g.bench_function("memcpy", |b| b.iter(|| y.copy_from_slice(black_box(&x))));
        for op in ROW_OPS {
            let axis = Axis::new(total / ROW, ROW, 1);
            let (x, out_len, axis) = prepare(op.kind, axis);
            let mut y = vec![0.0f32; out_len];
            for &isa in &isas {
                g.bench_function(format!("{}/{isa}", label(op)), |b| {
                    with_isa(isa, || {
                        b.iter(|| (op.run)(black_box(&x), &mut y, axis, None))
                    })
                    .unwrap()
                });
            }
        }
        g.finish();
    }

    let mut g = c.benchmark_group("axis/64x4096x16");
    let strided = Axis::of_shape(&[64, 4096, 16], 1);
    let contig = Axis::new(64 * 16, 4096, 1);
    g.throughput(Throughput::Elements(strided.len() as u64));
    g.sample_size(10).measurement_time(Duration::from_secs(2));
    for op in ROW_OPS.iter().filter(|o| o.kind != RowKind::Expand) {
        for (layout, axis) in [("axis1", strided), ("contiguous", contig)] {
            let (x, out_len, axis) = prepare(op.kind, axis);
            let mut y = vec![0.0f32; out_len];
            g.bench_function(format!("{}/{layout}", label(op)), |b| {
                b.iter(|| (op.run)(black_box(&x), &mut y, axis, None))
            });
        }
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
