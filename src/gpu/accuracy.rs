//! Accuracy sweeps of the GPU kernels against the f64 references (the numbers the README's
//! GPU table and the tests quote).

use super::{Gpu, GpuError, RowFn};
use crate::accuracy::Stats;
use crate::reference::rows::{RowRef, ulp_error_floor_f32};
use crate::table::OpInfo;
use crate::{Dtype, Element};

/// Result of a GPU sweep of one function and element type.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct GpuSweep {
    /// Error statistics against the f64 reference, in units of the element type.
    pub stats: Stats,
    /// Outputs bit-identical to the CPU path (for f16/bf16: to the CPU f32 result rounded to
    /// the half type; NaN matches any NaN).
    pub cpu_identical: u64,
}

/// Inputs per device round trip.
const CHUNK: usize = 1 << 22;

/// Runs `op` with `params` on the device over every `step`-th bit pattern of `dtype` (all
/// 2^32 f32 or 2^16 half patterns at step 1) and compares each output with the f64
/// reference, and with the CPU path. Uses `threads` host threads for the references.
///
/// # Errors
/// Any [`GpuError`] from the device.
///
/// ```no_run
/// use lanewise::Dtype;
/// use lanewise::gpu::{Gpu, accuracy::sweep};
/// let gpu = Gpu::new()?;
/// let op = lanewise::table::find("gelu").unwrap();
/// let r = sweep(&gpu, op, &op.defaults(), Dtype::Bf16, 1, 2)?;
/// println!("max {} bf16 ulp", r.stats.max_ulp);
/// # Ok::<(), lanewise::gpu::GpuError>(())
/// ```
pub fn sweep(
    gpu: &Gpu,
    op: &OpInfo,
    params: &[f32],
    dtype: Dtype,
    step: u64,
    threads: usize,
) -> Result<GpuSweep, GpuError> {
    let bits = if dtype == Dtype::F32 { 32 } else { 16 };
    let step = step.max(1);
    let total = (1u64 << bits).div_ceil(step);
    let mut out = GpuSweep::default();
    let mut first = 0u64;
    while first < total {
        let last = (first + CHUNK as u64).min(total);
        let pats: Vec<u32> = (first..last).map(|i| (i * step) as u32).collect();
        let part = match dtype {
            Dtype::F32 => chunk_f32(gpu, op, params, &pats, threads)?,
            Dtype::F16 => chunk_half::<half::f16>(gpu, op, params, &pats, threads)?,
            Dtype::Bf16 => chunk_half::<half::bf16>(gpu, op, params, &pats, threads)?,
        };
        out.stats.merge(&part.stats);
        out.cpu_identical += part.cpu_identical;
        first = last;
    }
    Ok(out)
}

/// Runs `check(i)` for every index in parallel and merges the partial results.
fn par_check(n: usize, threads: usize, check: impl Fn(usize, &mut GpuSweep) + Sync) -> GpuSweep {
    let threads = threads.max(1);
    let per = n.div_ceil(threads).max(1);
    let parts: Vec<GpuSweep> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..n)
            .step_by(per)
            .map(|lo| {
                let check = &check;
                s.spawn(move || {
                    let mut g = GpuSweep::default();
                    for i in lo..(lo + per).min(n) {
                        check(i, &mut g);
                    }
                    g
                })
            })
            .collect();
        hs.into_iter()
            .map(|h| h.join().expect("sweep thread panicked"))
            .collect()
    });
    let mut g = GpuSweep::default();
    for p in &parts {
        g.stats.merge(&p.stats);
        g.cpu_identical += p.cpu_identical;
    }
    g
}

fn same_bits(a: u32, b: u32, a_nan: bool, b_nan: bool) -> bool {
    a == b || (a_nan && b_nan)
}

fn chunk_f32(
    gpu: &Gpu,
    op: &OpInfo,
    params: &[f32],
    pats: &[u32],
    threads: usize,
) -> Result<GpuSweep, GpuError> {
    let xs: Vec<f32> = pats.iter().map(|&b| f32::from_bits(b)).collect();
    let mut ys = vec![0.0f32; xs.len()];
    gpu.map_slice(op.name, &xs, &mut ys, params)?;
    let mut cpu = vec![0.0f32; xs.len()];
    (op.run)(&xs, &mut cpu, params);
    let p64: Vec<f64> = params.iter().map(|&p| p as f64).collect();
    Ok(par_check(xs.len(), threads, |i, g| {
        let (x, y) = (xs[i], ys[i]);
        g.stats.record(x, y, op.reference(x as f64, &p64));
        if same_bits(y.to_bits(), cpu[i].to_bits(), y.is_nan(), cpu[i].is_nan()) {
            g.cpu_identical += 1;
        }
    }))
}

/// The 16-bit element types' raw bits.
fn bits<H: Element>(v: H) -> u16 {
    bytemuck::cast(v)
}

fn chunk_half<H: Element>(
    gpu: &Gpu,
    op: &OpInfo,
    params: &[f32],
    pats: &[u32],
    threads: usize,
) -> Result<GpuSweep, GpuError> {
    let xs: Vec<H> = pats.iter().map(|&b| bytemuck::cast(b as u16)).collect();
    let mut ys = xs.clone();
    gpu.map_slice(op.name, &xs, &mut ys, params)?;
    let wide: Vec<f32> = xs.iter().map(|&x| x.to_f32()).collect();
    let mut cpu = vec![0.0f32; wide.len()];
    (op.run)(&wide, &mut cpu, params);
    let p64: Vec<f64> = params.iter().map(|&p| p as f64).collect();
    Ok(par_check(xs.len(), threads, |i, g| {
        let x = wide[i];
        let y = ys[i].to_f32() as f64;
        let r = op.reference(x as f64, &p64);
        let rounded = H::from_f64_rounded(r);
        let e = H::DTYPE.ulp_error(y, r);
        record(
            &mut g.stats,
            x,
            e,
            bits(ys[i]) == bits(rounded)
                || (y.is_nan() && r.is_nan())
                || (y == 0.0 && rounded.to_f32() == 0.0),
        );
        // The GPU rounds its f32 result once: compare with the CPU's f32 result rounded.
        let c = H::from_f32(cpu[i]);
        if same_bits(
            bits(ys[i]).into(),
            bits(c).into(),
            y.is_nan(),
            cpu[i].is_nan(),
        ) {
            g.cpu_identical += 1;
        }
    }))
}

/// Adds one comparison with a precomputed error `e` (in units of the element type).
fn record(st: &mut Stats, x: f32, e: f64, correctly_rounded: bool) {
    st.count += 1;
    if e.is_finite() {
        st.sum_ulp += e;
    } else {
        st.special_mismatches += 1;
    }
    if e > st.max_ulp || (st.count == 1 && e >= st.max_ulp) {
        st.max_ulp = e;
        st.worst_input = x;
    }
    if correctly_rounded {
        st.correctly_rounded += 1;
    }
    if e <= 1.0 {
        st.within_one += 1;
    }
}

/// The f64 reference of a row-wise function on one row: the CPU path's references
/// ([`crate::reference::rows`], spec §3 semantics, with their error floors); `row.len()`
/// values, one for [`RowFn::Logsumexp`], half for [`RowFn::Glu`].
///
/// ```
/// use lanewise::gpu::{RowFn, accuracy::row_reference};
/// let y = row_reference(RowFn::Softmax, &[0.0, 0.0]);
/// assert_eq!((y[0].value, y[1].value), (0.5, 0.5));
/// ```
pub fn row_reference(f: RowFn, row: &[f32]) -> Vec<RowRef> {
    use crate::reference::rows as r;
    match f {
        RowFn::Softmax => r::softmax(row, None),
        RowFn::Softmin => r::softmin(row, None),
        RowFn::LogSoftmax => r::log_softmax(row, None),
        RowFn::Logsumexp => vec![r::logsumexp(row, None)],
        RowFn::Standardize { epsilon } => r::standardize(row, None, None, None, epsilon, false),
        RowFn::Glu => r::glu(row),
    }
}

/// Runs `f` on the device over `x` in rows of `row_len` and compares every output with
/// [`row_reference`], in f32 ulps of `max(|r|, floor)` (the CPU row functions' metric,
/// [`ulp_error_floor_f32`]).
///
/// # Errors
/// Any [`GpuError`] from the device.
///
/// ```no_run
/// use lanewise::gpu::{Gpu, RowFn, accuracy::sweep_rows};
/// let gpu = Gpu::new()?;
/// let st = sweep_rows(&gpu, RowFn::Softmax, &[1.0, 2.0, 3.0, 4.0], 2)?;
/// assert!(st.max_ulp < 2.0);
/// # Ok::<(), lanewise::gpu::GpuError>(())
/// ```
pub fn sweep_rows(gpu: &Gpu, f: RowFn, x: &[f32], row_len: usize) -> Result<Stats, GpuError> {
    let mut y = vec![0.0f32; f.out_len(x.len(), row_len)];
    gpu.rows_slice(f, x, &mut y, row_len)?;
    let per_row = f.out_len(row_len, row_len);
    let mut st = Stats::default();
    for (row, out) in x.chunks(row_len).zip(y.chunks(per_row.max(1))) {
        for (i, (&yv, r)) in out.iter().zip(row_reference(f, row)).enumerate() {
            let e = ulp_error_floor_f32(yv, r);
            let cr =
                yv.to_bits() == (r.value as f32).to_bits() || (yv.is_nan() && r.value.is_nan());
            record(&mut st, row[i.min(row.len() - 1)], e, cr);
        }
    }
    Ok(st)
}
