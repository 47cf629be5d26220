//! log1p(e^−|x|), the non-trivial part of softplus and log_sigmoid, on the lean σ front
//! ([`lean_exp`]): one division, no logarithm.

use super::Dd;
use super::sigmoid::{SIGMOID_FAR, lean_exp, remainder};
use crate::simd::Lanes;
use crate::simd::{F, V};

/// The domain of [`log1p_exp_neg_lean`]. No intermediate is subnormal there (`s³`, below
/// 2^-126 past |x| ≈ 28, appears only inside an fma): subnormals cost microcode assists on
/// x86. It is [`SIGMOID_FAR`], up to which [`lean_exp`]'s plain form equals its `WIDE` one,
/// the only one the WGSL mirror has.
pub(crate) const SOFTPLUS_LEAN: f32 = SIGMOID_FAR;

/// `(atanh(s)/s − 1)/s²` as a polynomial in `u = s²`, on u in [0, 1/9]; relative error
/// 3.0e-8 (Sollya `fpminimax`, single coefficients).
pub(crate) const ATANH_T: [f32; 5] = [
    0.333_333_34,
    0.199_997_71,
    0.142_988_95,
    0.108_202_95,
    0.117_453_23,
];

/// `log1p(e^−|x|)` for |x| ≤ [`SOFTPLUS_LEAN`] as a double-f32 good to about 2^-25
/// relative (the rounding of the reduced argument; the polynomials add 2^-28); lanes
/// outside that range hold garbage.
///
/// With `e = e^−|x| = 2^n·p`, `log1p(e) = 2·atanh(s)` for `s = e/(2 + e) = p/D`,
/// `D = 2^{1−n} + p`, s ≤ 1/3. The quotient `q = p.hi/D.hi` is corrected by its exact
/// remainder times `1/D = 2^{n−1}·(1 − s)` (as in σ), and `2·atanh(s) = 2s + 2s³·T(s²)`,
/// where the second term is below 4% of the first.
#[inline(always)]
pub(crate) fn log1p_exp_neg_lean<S: Lanes>(v: V<S>, x: F<S>) -> Dd<S> {
    let e = lean_exp::<S, false, false, false>(v, x, x, x);
    let half = v.splat(0.5);
    // Fast2Sum holds: 2^{1−n} ≥ 2 > p.hi.
    let (d_hi, d_lo) = v.fast_two_sum(v.add(e.s_inv, e.s_inv), e.p_hi);
    let p = Dd::new(e.p_hi, e.p_lo);
    let quo = v.div(p.hi, d_hi);
    let m = remainder(v, p, Dd::new(d_hi, v.add(d_lo, p.lo)), quo);
    let h = v.mul(e.s, half);
    let s_lo = v.mul(m, v.fnma(quo, h, h));
    let u = v.mul(quo, quo);
    // s³·T + s_lo, with s³ (subnormal for |x| > 28) left inside the fma.
    let w = v.fma(u, v.mul(quo, v.poly(u, &ATANH_T)), s_lo);
    Dd::new(v.add(quo, quo), v.add(w, w))
}
