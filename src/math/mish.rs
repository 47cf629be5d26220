//! mish(x) = x·tanh(softplus(x)) on the lean σ front ([`lean_exp`]): one quotient,
//! corrected by its remainder.

use super::Dd;
use super::sigmoid::{LeanExp, lean_exp, ratio_tail};
use crate::simd::Lanes;
use crate::simd::{F, V};

/// mish(x) for |x| ≤ [`SIGMOID_LEAN`](super::sigmoid::SIGMOID_LEAN), rounded once from a
/// double-f32 `tanh(softplus(x))` good to about 2^-25 relative; lanes outside that range hold
/// garbage.
///
/// With `e = e^−|x| = 2^n·p`, `tanh(softplus(x)) = 1 − 2/((1 + e^x)² + 1)` is
/// - x < 0: `R = e(e + 2)/(e(e + 2) + 2) = p(e + 2)/(p(e + 2) + 2^{1−n})`,
/// - x ≥ 0: `1 − R` with `R = 2e²/(1 + 2e + 2e²)` (no cancellation: R ≤ 2/5),
///
/// one quotient `R = A/(A + B)` either way, corrected as in σ (by the exact remainder times
/// `1/D`, here a second division).
///
/// `WIDE`: as in [`sigmoid_lean`](super::sigmoid::sigmoid_lean) (`false` where every
/// |x| ≤ [`SIGMOID_FAR`](super::sigmoid::SIGMOID_FAR); `true` serves −SIGMOID_LEAN ≤ x < ∞).
#[inline(always)]
pub(crate) fn mish_lean<S: Lanes, const WIDE: bool>(v: V<S>, x: F<S>) -> F<S> {
    let y = mish_tail(v, lean_exp::<S, WIDE, false, false>(v, x, x, x));
    // x = ±0: x·(…) may come out with the other sign.
    v.sel(v.eq(x, v.splat(0.0)), x, y)
}

#[inline(always)]
fn mish_tail<S: Lanes>(v: V<S>, e: LeanExp<S>) -> F<S> {
    let (one, two) = (v.splat(1.0), v.splat(2.0));
    // e^−|x| as a double-f32; 0 in the scaled lanes (x < −32), where it vanishes next to 2.
    let (mut ex_hi, mut ex_lo) = (v.mul(e.p_hi, e.s), v.mul(e.p_lo, e.s));
    if let Some(deep) = e.deep {
        ex_hi = v.sel(deep, v.splat(0.0), ex_hi);
        ex_lo = v.sel(deep, v.splat(0.0), ex_lo);
    }
    let ex = Dd::<S>::new(ex_hi, ex_lo);
    // x < 0: A = p(e + 2), B = 2^{1−n}.
    let (g_hi, g_lo) = v.fast_two_sum(two, ex.hi);
    let a_neg = Dd::<S>::new(e.p_hi, e.p_lo).mul(v, Dd::<S>::new(g_hi, v.add(g_lo, ex.lo)));
    // x ≥ 0: A = 2e² = 2e·e, B = 1 + 2e (Fast2Sum: 2e ≤ 2).
    let u = Dd::<S>::new(v.add(ex.hi, ex.hi), v.add(ex.lo, ex.lo));
    let (a_hi, a_lo) = v.two_prod(u.hi, ex.hi);
    let a_pos = Dd::<S>::new(a_hi, v.fma(u.hi, u.lo, a_lo));
    let (b_hi, b_lo) = v.fast_two_sum(one, u.hi);
    let b_lo = v.add(b_lo, u.lo);
    let a = Dd::<S>::new(
        v.sel(e.neg, a_neg.hi, a_pos.hi),
        v.sel(e.neg, a_neg.lo, a_pos.lo),
    );
    let (b_hi, b_lo) = (
        v.sel(e.neg, v.add(e.s_inv, e.s_inv), b_hi),
        v.sel(e.neg, v.splat(0.0), b_lo),
    );
    // D = B + A, B ≥ A.
    let (d_hi, d_lo) = v.fast_two_sum(b_hi, a.hi);
    let d = Dd::<S>::new(d_hi, v.add(d_lo, v.add(b_lo, a.lo)));
    let quo = v.div(a.hi, d_hi);
    // 2^B/D for the correction: a second division, which the divider overlaps with the
    // rest (its throughput is not what bounds this kernel).
    ratio_tail(v, &e, a, d, quo, v.div(e.scale, d_hi))
}
