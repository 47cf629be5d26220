//! Row reductions: per-virtual-lane accumulators and the fixed tree that combines the
//! [`VLANES`] lanes of a row.
//!
//! Sums are double-f32: each lane keeps `hi + lo`, adds a term with an error-free TwoSum
//! and collects the rounding errors in `lo` (Ogita–Rump–Oishi "Sum2"); every
//! [`RENORM_CHUNKS`] chunks the pair is renormalised (Fast2Sum), so `|lo|` stays below
//! 2.5 ulp of the sum and each step errs by at most `5u²` of it. A lane of `n` terms then
//! errs by `≤ 5n·u²·Σ|t|` (u = 2^-24): at most 0.31·u·Σ|t| for the longest rows
//! (n = 2^24/16), instead of the `n·u·Σ|t|` of plain f32 sums.

/// Chunks between two renormalisations of a double-f32 sum (the same chunks on every
/// instruction set and layout, so the bits agree).
pub(crate) const RENORM_CHUNKS: usize = 4;

use super::layout::VLANES;
use crate::simd::{F, Lanes, V};
use pulp::Simd;

/// Additions issued on the multiply-add units: `fma(a, 1, b)` rounds exactly as `a + b`
/// (`a·1` is exact), so a pass whose TwoSums would queue on the two adders (x86 has two
/// add and two fma pipes) can give the fma pipes their share, with the same bits. The 1.0
/// is hidden from the compiler, which would otherwise turn the fma back into an add.
/// Where there are no vectors (the scalar fallback, whose fma may be a library call) they
/// are plain additions.
#[derive(Clone, Copy)]
pub(crate) struct FmaAdd<S: Simd> {
    one: F<S>,
}

impl<S: Simd> FmaAdd<S> {
    #[inline(always)]
    pub fn new(v: V<S>) -> Self {
        FmaAdd {
            one: v.splat(core::hint::black_box(1.0)),
        }
    }
    /// `a + b`.
    #[inline(always)]
    pub fn add(self, v: V<S>, a: F<S>, b: F<S>) -> F<S> {
        if S::F32_LANES == 1 {
            v.add(a, b)
        } else {
            v.fma(a, self.one, b)
        }
    }
    /// `a − b`.
    #[inline(always)]
    pub fn sub(self, v: V<S>, a: F<S>, b: F<S>) -> F<S> {
        if S::F32_LANES == 1 {
            v.sub(a, b)
        } else {
            v.fnma(b, self.one, a)
        }
    }
    /// [`two_sum`] with half of its operations on the fma pipes.
    #[inline(always)]
    pub fn two_sum(self, v: V<S>, a: F<S>, b: F<S>) -> (F<S>, F<S>) {
        let s = v.add(a, b);
        let bb = self.sub(v, s, a);
        let e = self.add(v, self.sub(v, a, v.sub(s, bb)), v.sub(b, bb));
        (s, e)
    }
    /// Adds `t + t_lo` to the double-f32 sum `hi + lo` (not renormalised).
    #[inline(always)]
    pub fn acc(self, v: V<S>, hi: F<S>, lo: F<S>, t: F<S>, t_lo: F<S>) -> (F<S>, F<S>) {
        let (s, e) = self.two_sum(v, hi, t);
        (s, v.add(lo, self.add(v, e, t_lo)))
    }
}

/// Knuth's TwoSum: `s + e == a + b` exactly, for any magnitudes.
#[inline(always)]
pub(crate) fn two_sum<S: Lanes>(v: V<S>, a: F<S>, b: F<S>) -> (F<S>, F<S>) {
    let s = v.add(a, b);
    let bb = v.sub(s, a);
    let e = v.add(v.sub(a, v.sub(s, bb)), v.sub(b, bb));
    (s, e)
}

/// Adds `t` to the double-f32 sum `hi + lo` when `|t| ≤ |hi|` (Fast2Sum: the rounding error
/// of `hi + t` is exact, and costs three operations instead of TwoSum's six).
#[inline(always)]
pub(crate) fn acc_below<S: Simd>(v: V<S>, hi: F<S>, lo: F<S>, t: F<S>) -> (F<S>, F<S>) {
    let s = v.add(hi, t);
    (s, v.add(lo, v.sub(t, v.sub(s, hi))))
}

/// Adds `t` (any magnitude) to the double-f32 sum `hi + lo` (not renormalised).
#[inline(always)]
pub(crate) fn acc1<S: Simd>(v: V<S>, hi: F<S>, lo: F<S>, t: F<S>) -> (F<S>, F<S>) {
    let (s, e) = two_sum(v, hi, t);
    (s, v.add(lo, e))
}

/// Renormalises `hi + lo` (Fast2Sum: exact when |hi| ≥ |lo|; where `hi` cancelled the error
/// is still about u·|lo|, within the bound above).
#[inline(always)]
pub(crate) fn renorm<S: Simd>(v: V<S>, hi: F<S>, lo: F<S>) -> (F<S>, F<S>) {
    let h = v.add(hi, lo);
    (h, v.sub(lo, v.sub(h, hi)))
}

/// `(a_hi + a_lo) + (b_hi + b_lo)` as an unnormalised `hi + lo`.
#[inline(always)]
pub(crate) fn add_dd<S: Simd>(v: V<S>, a: (F<S>, F<S>), b: (F<S>, F<S>)) -> (F<S>, F<S>) {
    let (s, e) = two_sum(v, a.0, b.0);
    (s, v.add(v.add(a.1, b.1), e))
}

/// Combines the states of two virtual lanes (`N` vectors each).
pub(crate) trait Combine<const N: usize> {
    fn combine<T: Simd>(v: V<T>, a: [F<T>; N], b: [F<T>; N]) -> [F<T>; N];
}

/// Combines the [`VLANES`] lane states pairwise: lane k with k + 8, then k + 4, k + 2, k + 1.
#[inline(always)]
pub(crate) fn tree<T: Simd, C: Combine<N>, const N: usize>(
    v: V<T>,
    mut items: [[F<T>; N]; VLANES],
) -> [F<T>; N] {
    let mut w = VLANES / 2;
    while w > 0 {
        for k in 0..w {
            items[k] = C::combine(v, items[k], items[k + w]);
        }
        w /= 2;
    }
    items[0]
}

/// Row maximum (NaN is never selected; −0 and +0 are told apart later), a count, and the
/// row minimum (NaN never selected).
pub(crate) struct MaxCountMin;
impl Combine<3> for MaxCountMin {
    #[inline(always)]
    fn combine<T: Simd>(v: V<T>, a: [F<T>; 3], b: [F<T>; 3]) -> [F<T>; 3] {
        [
            v.larger(b[0], a[0]),
            v.add(a[1], b[1]),
            v.smaller(b[2], a[2]),
        ]
    }
}

/// A compensated sum `[hi, lo]` and an exact count.
pub(crate) struct SumCount;
impl Combine<3> for SumCount {
    #[inline(always)]
    fn combine<T: Simd>(v: V<T>, a: [F<T>; 3], b: [F<T>; 3]) -> [F<T>; 3] {
        let (hi, lo) = add_dd(v, (a[0], a[1]), (b[0], b[1]));
        [hi, lo, v.add(a[2], b[2])]
    }
}

/// Two compensated sums `[hi1, lo1, hi2, lo2]` and an exact count.
pub(crate) struct Sums2Count;
impl Combine<5> for Sums2Count {
    #[inline(always)]
    fn combine<T: Simd>(v: V<T>, a: [F<T>; 5], b: [F<T>; 5]) -> [F<T>; 5] {
        let (h1, l1) = add_dd(v, (a[0], a[1]), (b[0], b[1]));
        let (h2, l2) = add_dd(v, (a[2], a[3]), (b[2], b[3]));
        [h1, l1, h2, l2, v.add(a[4], b[4])]
    }
}
