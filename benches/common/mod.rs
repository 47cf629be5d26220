//! What the benches share: the memcpy roofline.

use criterion::BenchmarkGroup;
use criterion::measurement::WallTime;
use std::hint::black_box;

/// Bytes per call of the chunked copy: below glibc's `rep movsb` threshold (4 KiB with
/// AVX2), whose path ran 20× slower than its vector loop at 16 KiB on an AMD EPYC (Zen 3)
/// guest, and would make every function look faster than memory.
const COPY_CHUNK: usize = 2048;

/// Adds the two memcpy benches of `x` into `y` to `g`: `memcpy` (one call) and `memcpy_2k`
/// (calls of [`COPY_CHUNK`] bytes). The roofline is the faster of the two, as in
/// `lanewise bench`.
pub fn memcpy<T: Copy>(g: &mut BenchmarkGroup<'_, WallTime>, x: &[T], y: &mut [T]) {
    g.bench_function("memcpy", |b| b.iter(|| y.copy_from_slice(black_box(x))));
    let per = COPY_CHUNK / size_of::<T>();
    g.bench_function("memcpy_2k", |b| {
        b.iter(|| {
            for (y, x) in y.chunks_mut(per).zip(black_box(x).chunks(per)) {
                y.copy_from_slice(x);
            }
        })
    });
}
