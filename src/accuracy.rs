//! Accuracy sweeps: run a function over a set of f32 bit patterns on one instruction set and
//! compare every output with the f64 reference.

pub mod halves;

use crate::isa::{Isa, IsaError, with_isa};
use crate::reference::ulp_error_f32;
use crate::table::OpInfo;

/// Error statistics of one function on one instruction set.
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

    /// Adds one comparison.
    pub fn record(&mut self, x: f32, y: f32, r: f64) {
        let e = ulp_error_f32(y, r);
        self.count += 1;
        if e.is_finite() {
            self.sum_ulp += e;
        } else {
            self.special_mismatches += 1;
        }
        if e > self.max_ulp || (self.count == 1 && e >= self.max_ulp) {
            self.max_ulp = e;
            self.worst_input = x;
        }
        let rounded = r as f32;
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
        if o.max_ulp > self.max_ulp || self.count == 0 {
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

/// Every `step`-th f32 bit pattern starting at `offset` (`step = 1`: all 2^32 of them).
pub fn bit_patterns(step: u64, offset: u64) -> impl Iterator<Item = f32> {
    (offset..1u64 << 32)
        .step_by(step.max(1) as usize)
        .map(|b| f32::from_bits(b as u32))
}

/// Sweeps `op` with parameters `params` over every `step`-th bit pattern on `isa`, using
/// `threads` threads (chunks of 64 Ki inputs). Returns the statistics and, if asked for,
/// a hash of all output bits (for cross-ISA identity).
pub fn sweep(
    op: &OpInfo,
    params: &[f32],
    isa: Isa,
    step: u64,
    threads: usize,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<(Stats, u64), IsaError> {
    if !isa.is_available() {
        return Err(IsaError::Unavailable(isa));
    }
    let p64: Vec<f64> = params.iter().map(|&p| p as f64).collect();
    let total = (1u64 << 32).div_ceil(step.max(1));
    const CHUNK: u64 = 1 << 16;
    let chunks = total.div_ceil(CHUNK);
    let next = std::sync::atomic::AtomicU64::new(0);
    let threads = threads.max(1);
    let results: Vec<(Stats, u64)> = std::thread::scope(|sc| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                sc.spawn(|| {
                    let mut st = Stats::default();
                    let mut hash = 0u64;
                    let mut xs = Vec::with_capacity(CHUNK as usize);
                    let mut ys = vec![0.0f32; CHUNK as usize];
                    loop {
                        let c = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        if c >= chunks {
                            break;
                        }
                        xs.clear();
                        let first = c * CHUNK;
                        let last = ((c + 1) * CHUNK).min(total);
                        xs.extend((first..last).map(|i| f32::from_bits((i * step) as u32)));
                        let ys = &mut ys[..xs.len()];
                        with_isa(isa, || (op.run)(&xs, ys, params)).expect("checked above");
                        let mut h = 0xcbf2_9ce4_8422_2325u64 ^ c;
                        for (&x, &y) in xs.iter().zip(ys.iter()) {
                            st.record(x, y, op.reference(x as f64, &p64));
                            h = (h ^ y.to_bits() as u64).wrapping_mul(0x100_0000_01b3);
                        }
                        hash = hash.wrapping_add(h);
                        progress(c + 1, chunks);
                    }
                    (st, hash)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("sweep thread panicked"))
            .collect()
    });
    let mut st = Stats::default();
    let mut hash = 0u64;
    for (s, h) in &results {
        st.merge(s);
        hash = hash.wrapping_add(*h);
    }
    Ok((st, hash))
}
