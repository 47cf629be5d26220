//! Accuracy sweeps: run a function over a set of f32 bit patterns on one instruction set and
//! compare every output with the f64 reference.

pub mod halves;
pub mod rows;

use crate::dtype::Dtype;
use crate::isa::{Isa, IsaError, with_isa};
use crate::table::OpInfo;
use std::sync::atomic::{AtomicU64, Ordering};

/// Error statistics of one function on one instruction set.
///
/// ```
/// use lanewise::accuracy::Stats;
/// let mut st = Stats::default();
/// st.record(1.0, 1.0, 1.0); // exact
/// st.record(2.0, 2.0, 2.0 + 2.0 * f32::EPSILON as f64 * 0.75); // 0.75 ulp off
/// assert_eq!(st.max_ulp, 0.75);
/// assert_eq!(st.worst_input, 2.0);
/// assert_eq!(st.correctly_rounded_fraction(), 0.5);
/// assert_eq!(st.within_one_fraction(), 1.0);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Stats {
    /// Inputs checked.
    pub count: u64,
    /// Largest error, in ulps.
    pub max_ulp: f64,
    /// The input where `max_ulp` occurs.
    pub worst_input: f32,
    /// Sum of the errors (finite ones), for the mean.
    pub sum_ulp: f64,
    /// Outputs equal to the reference rounded to nearest f32.
    pub correctly_rounded: u64,
    /// Outputs within 1 ulp.
    pub within_one: u64,
    /// Inputs whose output was NaN/inf/zero of the wrong kind (counted in `max_ulp` as inf).
    pub special_mismatches: u64,
}

impl Stats {
    /// Mean error in ulps.
    pub fn mean_ulp(&self) -> f64 {
        if self.count == 0 {
            0.0
        } else {
            self.sum_ulp / self.count as f64
        }
    }

    /// Fraction of outputs equal to the correctly rounded reference (0 to 1).
    pub fn correctly_rounded_fraction(&self) -> f64 {
        self.correctly_rounded as f64 / self.count.max(1) as f64
    }

    /// Fraction of outputs within 1 ulp of the reference (0 to 1).
    pub fn within_one_fraction(&self) -> f64 {
        self.within_one as f64 / self.count.max(1) as f64
    }

    /// Adds one comparison of an f32 output.
    pub fn record(&mut self, x: f32, y: f32, r: f64) {
        self.record_as(Dtype::F32, x, y as f64, r);
    }

    /// Adds one comparison of an output `y` of format `dtype` (widened to f64, exactly) at
    /// input `x`, against the true value `r`; errors are in ulps of `dtype`, and *correctly
    /// rounded* means `y` equals `r` rounded once to `dtype`.
    ///
    /// ```
    /// use lanewise::{Dtype, accuracy::Stats};
    /// let mut st = Stats::default();
    /// st.record_as(Dtype::Bf16, 1.0, 1.0078125, 1.0); // one bf16 ulp above 1
    /// assert_eq!(st.max_ulp, 1.0);
    /// assert_eq!(st.correctly_rounded, 0);
    /// assert_eq!(st.within_one, 1);
    /// ```
    pub fn record_as(&mut self, dtype: Dtype, x: f32, y: f64, r: f64) {
        let e = dtype.ulp_error(y, r);
        self.count += 1;
        if e.is_finite() {
            self.sum_ulp += e;
        } else {
            self.special_mismatches += 1;
        }
        if self.count == 1
            || e > self.max_ulp
            || (e == self.max_ulp && earlier(x, self.worst_input))
        {
            self.max_ulp = e;
            self.worst_input = x;
        }
        let rounded = dtype.round(r);
        if y.to_bits() == rounded.to_bits()
            || (y == rounded && y != 0.0)
            || (y.is_nan() && r.is_nan())
            || (y == 0.0 && rounded == 0.0)
        {
            self.correctly_rounded += 1;
        }
        if e <= 1.0 {
            self.within_one += 1;
        }
    }

    /// Combines two partial results.
    pub fn merge(&mut self, o: &Stats) {
        if o.count > 0
            && (self.count == 0
                || o.max_ulp > self.max_ulp
                || (o.max_ulp == self.max_ulp && earlier(o.worst_input, self.worst_input)))
        {
            self.max_ulp = o.max_ulp;
            self.worst_input = o.worst_input;
        }
        self.count += o.count;
        self.sum_ulp += o.sum_ulp;
        self.correctly_rounded += o.correctly_rounded;
        self.within_one += o.within_one;
        self.special_mismatches += o.special_mismatches;
    }
}

/// Ties for the worst input go to the smaller bit pattern, so results do not depend on how
/// a sweep was split over threads.
fn earlier(a: f32, b: f32) -> bool {
    a.to_bits() < b.to_bits()
}

/// Every `step`-th f32 bit pattern starting at `offset` (`step = 1`: all 2^32 of them).
pub fn bit_patterns(step: u64, offset: u64) -> impl Iterator<Item = f32> {
    (offset..1u64 << 32)
        .step_by(step.max(1) as usize)
        .map(|b| f32::from_bits(b as u32))
}

/// How many inputs a sweep with this `step` checks: ⌈2^32 / step⌉.
///
/// ```
/// assert_eq!(lanewise::accuracy::sweep_len(1), 1 << 32);
/// assert_eq!(lanewise::accuracy::sweep_len(65537), 65536);
/// ```
pub fn sweep_len(step: u64) -> u64 {
    (1u64 << 32).div_ceil(step.max(1))
}

/// Inputs per chunk of a sweep (each call of `progress` reports one finished chunk).
pub const SWEEP_CHUNK: u64 = 1 << 16;

/// One chunk of a sweep, as [`sweep_chunks`] hands it to its visitor.
#[derive(Clone, Copy, Debug)]
pub struct Chunk<'a> {
    /// The chunk's number (chunk `i` holds sweep inputs `i·SWEEP_CHUNK ..`).
    pub index: u64,
    /// The inputs, in increasing bit-pattern order.
    pub x: &'a [f32],
    /// The function's outputs on the swept instruction set.
    pub y: &'a [f32],
    /// The f64 reference at each input.
    pub reference: &'a [f64],
}

/// Runs `op` with parameters `params` over every `step`-th f32 bit pattern on `isa`, in
/// chunks of [`SWEEP_CHUNK`] inputs spread over `threads` threads, and hands every chunk to
/// `visit` together with that thread's accumulator (made by `init`). Returns the
/// accumulators, one per thread; `progress(done, total)` is called after every chunk.
///
/// [`sweep`] is this with [`Stats`] as the accumulator; the report tool also uses it to
/// bin errors by input for its plots.
///
/// ```
/// use lanewise::{Isa, accuracy::sweep_chunks, table::find};
/// let exp = find("exp").unwrap();
/// // Count the inputs whose output is not finite.
/// let parts = sweep_chunks(exp, &[], Isa::Scalar, 1 << 20, 1, &|_, _| {}, || 0u64, |n, c| {
///     *n += c.y.iter().filter(|y| !y.is_finite()).count() as u64;
/// })
/// .unwrap();
/// assert!(parts.iter().sum::<u64>() > 0);
/// ```
#[allow(clippy::too_many_arguments)]
pub fn sweep_chunks<A: Send>(
    op: &OpInfo,
    params: &[f32],
    isa: Isa,
    step: u64,
    threads: usize,
    progress: &(dyn Fn(u64, u64) + Sync),
    init: impl Fn() -> A + Sync,
    visit: impl Fn(&mut A, Chunk<'_>) + Sync,
) -> Result<Vec<A>, IsaError> {
    if !isa.is_available() {
        return Err(IsaError::Unavailable(isa));
    }
    let step = step.max(1);
    let p64: Vec<f64> = params.iter().map(|&p| p as f64).collect();
    let total = sweep_len(step);
    let chunks = total.div_ceil(SWEEP_CHUNK);
    let next = AtomicU64::new(0);
    let done = AtomicU64::new(0);
    std::thread::scope(|sc| {
        let handles: Vec<_> = (0..threads.max(1))
            .map(|_| {
                sc.spawn(|| {
                    let mut acc = init();
                    let mut xs = Vec::with_capacity(SWEEP_CHUNK as usize);
                    let mut ys = vec![0.0f32; SWEEP_CHUNK as usize];
                    let mut rs = Vec::with_capacity(SWEEP_CHUNK as usize);
                    loop {
                        let c = next.fetch_add(1, Ordering::Relaxed);
                        if c >= chunks {
                            break;
                        }
                        let first = c * SWEEP_CHUNK;
                        let last = ((c + 1) * SWEEP_CHUNK).min(total);
                        xs.clear();
                        xs.extend((first..last).map(|i| f32::from_bits((i * step) as u32)));
                        let ys = &mut ys[..xs.len()];
                        with_isa(isa, || (op.run)(&xs, ys, params)).expect("checked above");
                        rs.clear();
                        rs.extend(xs.iter().map(|&x| op.reference(x as f64, &p64)));
                        let chunk = Chunk {
                            index: c,
                            x: &xs,
                            y: ys,
                            reference: &rs,
                        };
                        visit(&mut acc, chunk);
                        progress(done.fetch_add(1, Ordering::Relaxed) + 1, chunks);
                    }
                    acc
                })
            })
            .collect();
        Ok(handles
            .into_iter()
            .map(|h| h.join().expect("sweep thread panicked"))
            .collect())
    })
}

/// Sweeps `op` with parameters `params` over every `step`-th bit pattern on `isa`, using
/// `threads` threads (chunks of [`SWEEP_CHUNK`] inputs). Returns the statistics and a hash
/// of all output bits (equal hashes on two instruction sets: identical outputs).
///
/// ```
/// use lanewise::{Isa, accuracy::sweep, table::find};
/// let tanh = find("tanh").unwrap();
/// let (stats, _hash) = sweep(tanh, &[], Isa::Scalar, 1 << 16, 1, &|_, _| {}).unwrap();
/// assert_eq!(stats.count, 1 << 16);
/// assert!(stats.max_ulp <= tanh.ulp_f32);
/// ```
pub fn sweep(
    op: &OpInfo,
    params: &[f32],
    isa: Isa,
    step: u64,
    threads: usize,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<(Stats, u64), IsaError> {
    let parts = sweep_chunks(
        op,
        params,
        isa,
        step,
        threads,
        progress,
        || (Stats::default(), 0u64),
        |(st, hash), c| {
            let mut h = 0xcbf2_9ce4_8422_2325u64 ^ c.index;
            for ((&x, &y), &r) in c.x.iter().zip(c.y).zip(c.reference) {
                st.record(x, y, r);
                h = (h ^ y.to_bits() as u64).wrapping_mul(0x100_0000_01b3);
            }
            *hash = hash.wrapping_add(h);
        },
    )?;
    let mut st = Stats::default();
    let mut hash = 0u64;
    for (s, h) in &parts {
        st.merge(s);
        hash = hash.wrapping_add(*h);
    }
    Ok((st, hash))
}
