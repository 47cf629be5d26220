//! GPU throughput (feature `gpu`): device-resident buffers, upload excluded; a device
//! buffer copy of the same size is the bandwidth roofline.
//!
//! `cargo bench --features gpu --bench gpu` (filter with a name, e.g. `-- gelu`). Each
//! sample records `iters` dispatches back to back and waits once, so the figure is the
//! device's throughput, not the submit latency. Without an adapter the bench says so and
//! measures nothing. On lavapipe (a CPU rasterizer) it runs, slowly.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use lanewise::Dtype;
use lanewise::gpu::{Gpu, GpuBuffer, RowFn};
use std::time::{Duration, Instant};

/// Elements per buffer: 16 Mi (64 MiB of f32).
const N: usize = 16 << 20;
/// The functions measured (a spread of cost: compare/select, one exp, erf, composites).
const FUNCS: [&str; 8] = [
    "relu",
    "exp",
    "tanh",
    "sigmoid",
    "silu",
    "gelu",
    "gelu_tanh",
    "erf",
];

fn inputs(n: usize) -> Vec<f32> {
    (0..n)
        .map(|i| -10.0 + 20.0 * ((i * 7919) % n) as f32 / n as f32)
        .collect()
}

fn upload(gpu: &Gpu, d: Dtype, x: &[f32]) -> GpuBuffer {
    match d {
        Dtype::F32 => gpu.upload(x),
        Dtype::F16 => gpu.upload(
            &x.iter()
                .map(|&v| half::f16::from_f32(v))
                .collect::<Vec<_>>(),
        ),
        Dtype::Bf16 => gpu.upload(
            &x.iter()
                .map(|&v| half::bf16::from_f32(v))
                .collect::<Vec<_>>(),
        ),
    }
    .expect("upload")
}

/// Times `iters` runs of `f` followed by one wait for the device.
fn timed(gpu: &Gpu, iters: u64, mut f: impl FnMut()) -> Duration {
    gpu.sync().expect("sync");
    let t = Instant::now();
    for _ in 0..iters {
        f();
    }
    gpu.sync().expect("sync");
    t.elapsed()
}

fn bench(c: &mut Criterion) {
    let gpu = match Gpu::new() {
        Ok(g) => g,
        Err(e) => {
            eprintln!("gpu bench skipped: {e}");
            return;
        }
    };
    eprintln!("gpu bench on {}", gpu.describe());
    let x = inputs(N);
    for d in Dtype::ALL {
        let a = upload(&gpu, d, &x);
        let mut b = gpu.empty_like(&a).expect("alloc");
        let mut g = c.benchmark_group(format!("gpu/{d}/n{N}"));
        // Bytes moved: one read and one write per element.
        g.throughput(Throughput::Bytes((2 * N * d.size()) as u64));
        g.sample_size(10)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(3));
        g.bench_function("copy", |bn| {
            let (device, queue) = gpu.raw();
            let size = a.raw().size();
            bn.iter_custom(|iters| {
                timed(&gpu, iters, || {
                    let mut enc = device.create_command_encoder(&Default::default());
                    enc.copy_buffer_to_buffer(a.raw(), 0, b.raw(), 0, size);
                    queue.submit([enc.finish()]);
                })
            })
        });
        let funcs: &[&str] = if d == Dtype::F32 {
            &FUNCS
        } else {
            &["relu", "gelu"]
        };
        for &f in funcs {
            gpu.map(f, &a, &mut b, &[]).expect("compile");
            g.bench_function(f, |bn| {
                bn.iter_custom(|iters| timed(&gpu, iters, || gpu.map(f, &a, &mut b, &[]).unwrap()))
            });
        }
        g.finish();
    }
    // Row-wise: 4096 rows of 4096.
    let a = gpu.upload(&x).expect("upload");
    let mut b = gpu.empty_like(&a).expect("alloc");
    let mut out = gpu.zeros(Dtype::F32, N / 4096).expect("alloc");
    let mut g = c.benchmark_group(format!("gpu/rows4096/n{N}"));
    g.throughput(Throughput::Bytes((2 * N * 4) as u64));
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    for f in [RowFn::Softmax, RowFn::LogSoftmax, RowFn::Logsumexp] {
        let dst = if f == RowFn::Logsumexp {
            &mut out
        } else {
            &mut b
        };
        gpu.rows(f, &a, dst, 4096).expect("compile");
        g.bench_function(f.name(), |bn| {
            bn.iter_custom(|iters| timed(&gpu, iters, || gpu.rows(f, &a, dst, 4096).unwrap()))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
