//! Throughput of the row-wise functions (f32, rows of 4096, logits in [−10, 10]).
//!
//! `cargo bench --bench rowwise` (filter e.g. `-- softmax`). Groups:
//! * `rows4096/total4096`: every function on every ISA;
//! * `rows4096/total{1M,16M}`: every function on the best ISA next to memcpy;
//! * `axis/64x4096x16`: the softmax family over axis 1 of a [64, 4096, 16] tensor, next to
//!   the same functions over contiguous rows of the same total;
//! * `rows_half/total{4096,16M}`: softmax, log_softmax and logsumexp on f32, f16 and bf16
//!   rows back to back (best ISA), e.g.
//!   `cargo bench --bench rowwise -- rows_half --warm-up-time 1 --measurement-time 2`.

mod common;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use lanewise::table::{ROW_OPS, RowKind};
use lanewise::{Axis, Element, Isa, bf16, f16, with_isa};
use std::hint::black_box;
use std::time::Duration;

const ROW: usize = 4096;

fn inputs(n: usize) -> Vec<f32> {
    (0..n)
        .map(|i| -10.0 + 20.0 * ((i * 7919) % 65521) as f32 / 65521.0)
        .collect()
}

/// Input and output in one buffer, both 64-byte aligned and 1 KiB apart modulo 4 KiB, so
/// that neither cache-line splits nor 4K aliasing depend on where malloc put them.
struct Buffers {
    buf: Vec<f32>,
    x: usize,
    y: usize,
    nx: usize,
    ny: usize,
}

impl Buffers {
    fn new(x: &[f32], ny: usize) -> Buffers {
        let mut buf = vec![0.0f32; x.len() + ny + 2048];
        let a = buf.as_ptr().align_offset(64).min(15);
        let yo = (a + x.len()).div_ceil(1024) * 1024 + 256;
        buf[a..a + x.len()].copy_from_slice(x);
        buf.truncate(yo + ny);
        Buffers {
            buf,
            x: a,
            y: yo,
            nx: x.len(),
            ny,
        }
    }
    fn split(&mut self) -> (&[f32], &mut [f32]) {
        let (a, b) = self.buf.split_at_mut(self.y);
        (&a[self.x..self.x + self.nx], &mut b[..self.ny])
    }
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
        (1 << 20, vec![best]),
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
        let mut bufs = Buffers::new(&inputs(total), total);
        let (x, y) = bufs.split();
        common::memcpy(&mut g, x, y);
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
            let mut bufs = Buffers::new(&x, out_len);
            let (x, y) = bufs.split();
            g.bench_function(format!("{}/{layout}", label(op)), |b| {
                b.iter(|| (op.run)(black_box(x), y, axis, None))
            });
        }
    }
    g.finish();
}

/// One function on rows of `T` (inputs the f32 inputs rounded to `T`).
fn bench_as<T: Element>(
    g: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    op: &lanewise::table::RowOpInfo,
    axis: Axis,
) {
    let (x, out_len, axis) = prepare(op.kind, axis);
    let x: Vec<T> = x.into_iter().map(T::from_f32).collect();
    let mut y = vec![T::default(); out_len];
    g.bench_function(format!("{}/{}", label(op), T::DTYPE), |b| {
        b.iter(|| op.run_as(black_box(&x), &mut y, axis, None))
    });
}

/// The softmax family on f32, f16 and bf16 rows of 4096, the three types back to back so
/// that they see the same machine load.
fn bench_half(c: &mut Criterion) {
    for total in [ROW, 16 << 20] {
        let name = if total == ROW {
            "total4096"
        } else {
            "total16M"
        };
        let mut g = c.benchmark_group(format!("rows_half/{name}"));
        g.throughput(Throughput::Elements(total as u64));
        if total > ROW {
            g.sample_size(10).measurement_time(Duration::from_secs(3));
        } else {
            g.measurement_time(Duration::from_secs(1))
                .warm_up_time(Duration::from_millis(300));
        }
        let axis = Axis::new(total / ROW, ROW, 1);
        for name in ["softmax", "log_softmax", "logsumexp"] {
            let op = ROW_OPS.iter().find(|o| o.name == name).unwrap();
            bench_as::<f32>(&mut g, op, axis);
            bench_as::<f16>(&mut g, op, axis);
            bench_as::<bf16>(&mut g, op, axis);
        }
        g.finish();
    }
}

criterion_group!(benches, bench, bench_half);
criterion_main!(benches);
