//! exp and expm1: Cody–Waite reduction `x = n·ln2 + r`, |r| ≤ ln2/2, minimax polynomial.

use super::Dd;
use crate::simd::Lanes;
use crate::simd::{F, M, V};

pub(crate) const LOG2E: f32 = core::f32::consts::LOG2_E;
/// 1.5·2^23: adding it rounds to an integer held in the low mantissa bits.
pub(crate) const SHIFTER: f32 = 12_582_912.0;
/// ln 2 split so that `n·LN2_HI` is exact for |n| < 2^9.
pub(crate) const LN2_HI: f32 = f32::from_bits(0x3f31_7200);
pub(crate) const LN2_LO: f32 = f32::from_bits(0x35bf_be8e);
/// e^r ≈ 1 + r·q(r), q = 1 + r·(c2 + r·(...)); relative error 3.7e-9 on |r| ≤ ln2/2.
pub(crate) const EXP_Q: [f32; 6] = [
    1.0,
    0.499_999_88,
    0.166_665_18,
    4.166_965_2e-2,
    8.368_944_7e-3,
    1.374_496_4e-3,
];
/// (e^r − 1 − r)/r² on |r| ≤ 0.71 (expm1 truncates n toward zero); relative error 8.5e-9.
pub(crate) const EXPM1_Q: [f32; 7] = [
    0.5,
    0.166_666_7,
    4.166_665_7e-2,
    8.332_743e-3,
    1.388_916_2e-3,
    2.008_182e-4,
    2.491_888e-5,
];
/// Above this, e^x overflows f32 for sure.
pub(crate) const EXP_OVERFLOW: f32 = 88.8;
/// Below this, e^x rounds to zero for sure.
pub(crate) const EXP_UNDERFLOW: f32 = -104.0;

/// `x = n·ln2 + r + r_lo` with `t = SHIFTER + n`.
#[derive(Clone, Copy)]
pub(crate) struct Reduced<S: Lanes> {
    pub t: F<S>,
    pub n: F<S>,
    pub r: F<S>,
}

/// Reduces `x` (|x| < 2^21); garbage, not UB, beyond — callers select special values.
#[inline(always)]
pub(crate) fn reduce<S: Lanes>(v: V<S>, x: F<S>) -> Reduced<S> {
    let t = v.fma(x, v.splat(LOG2E), v.splat(SHIFTER));
    let n = v.sub(t, v.splat(SHIFTER));
    let r = v.fnma(n, v.splat(LN2_HI), x);
    let r = v.fnma(n, v.splat(LN2_LO), r);
    Reduced { t, n, r }
}

/// Reduces `hi + lo`, returning `r` as a double-f32 so that no bit of the argument is lost.
#[inline(always)]
pub(crate) fn reduce_dd<S: Lanes>(v: V<S>, hi: F<S>, lo: F<S>) -> (Reduced<S>, F<S>) {
    let t = v.fma(hi, v.splat(LOG2E), v.splat(SHIFTER));
    let n = v.sub(t, v.splat(SHIFTER));
    let r1 = v.fnma(n, v.splat(LN2_HI), hi);
    let r2 = v.fnma(n, v.splat(LN2_LO), r1);
    let e2 = v.fnma(n, v.splat(LN2_LO), v.sub(r1, r2));
    let r = v.add(r2, lo);
    let e3 = v.add(v.sub(lo, v.sub(r, r2)), e2);
    (Reduced { t, n, r }, e3)
}

/// `2^n` from `t = SHIFTER + n`, for n in [-126, 127].
#[inline(always)]
pub(crate) fn pow2<S: Lanes>(v: V<S>, t: F<S>) -> F<S> {
    v.to_f32(v.add_u(v.shl(v.bits(t), 23), v.splat_u(127 << 23)))
}

/// `y · 2^n`, rounded once, for any n in [-200, 200] (subnormal results included), with
/// |y| normal and below 2^40 (`t = SHIFTER + n`).
///
/// No multiply, fma or `vscalefps` here has a subnormal operand or result: Intel cores run
/// each such instruction through a microcode assist of about 100 cycles (measured on a
/// Xeon of family 6, model 207: 45 ns per instruction, against 1.4 for a normal one). A
/// lane whose result is subnormal gets its bits from an addition instead:
/// `k = |y|·2^(n+149)` is exact and normal, `k + 2^23` rounds it once to an integer (ties
/// to even, as the product would round), and that sum's low bits are the subnormal's
/// (2^23 itself is the smallest normal's bits).
#[inline(always)]
pub(crate) fn scale<S: Lanes>(v: V<S>, y: F<S>, t: F<S>, n: F<S>) -> F<S> {
    // Only n < −90 can give a subnormal result for |y| ≥ 2^-36 (every caller's y is a value
    // in [0.5, 2], or the low part of one, below 2^-36 in about one lane in 2^12).
    let low = v.lt(n, v.splat(GONE_N));
    if !v.any(low) {
        return scale_normal(v, y, t, n);
    }
    // 2^(n+149), its exponent held in [−60, 59] (below, k is far under ½ anyway).
    let e = v.sel(low, v.add(n, v.splat(149.0)), v.splat(0.0));
    let e = v.sel(v.lt(e, v.splat(-60.0)), v.splat(-60.0), e);
    let k = v.mul(v.abs(y), pow2(v, v.add(e, v.splat(SHIFTER))));
    let two23 = v.splat(8_388_608.0);
    let tiny = v.and_m(low, v.lt(k, two23));
    let bits = v.xor(v.add(k, two23), two23);
    let sub = v.or(bits, v.sign_bit(y));
    // The other lanes scale as before; a subnormal lane is scaled by 2^0 there.
    let normal = scale_normal(
        v,
        y,
        v.sel(tiny, v.splat(SHIFTER), t),
        v.sel(tiny, v.splat(0.0), n),
    );
    v.sel(tiny, sub, normal)
}

/// [`scale`] for lanes whose result is normal (or overflows): the caller knows that no
/// lane has n < [`GONE_N`] (or needs no subnormal result).
#[inline(always)]
pub(crate) fn scale_normal<S: Lanes>(v: V<S>, y: F<S>, t: F<S>, n: F<S>) -> F<S> {
    if let Some(r) = v.scalef_native(y, n) {
        return r;
    }
    let risky = v.gt(v.abs(n), v.splat(126.0));
    if v.any(risky) {
        // Two steps of about n/2 each: the first cannot overflow or underflow where the
        // result does not, the second rounds once.
        let t1 = v.fma(n, v.splat(0.5), v.splat(SHIFTER));
        let n1 = v.sub(t1, v.splat(SHIFTER));
        v.mul(v.mul(y, pow2(v, t1)), pow2(v, v.sub(t, n1)))
    } else {
        v.mul(y, pow2(v, t))
    }
}

/// `e^r` for reduced `r`, as `1 + r·q(r)` rounded once.
#[inline(always)]
fn exp_poly<S: Lanes>(v: V<S>, r: F<S>) -> F<S> {
    v.fma(r, v.poly(r, &EXP_Q), v.splat(1.0))
}

/// Up to this |x|, e^x is a normal f32 (|n| ≤ 125): no lane needs a special value.
pub(crate) const EXP_NORMAL: f32 = 86.5;

/// e^x, ≤ 1 ulp.
///
/// A vector whose lanes all lie in |x| ≤ [`EXP_NORMAL`] (the common case) skips the
/// selects for overflow, underflow and NaN: its result `p·2^n` is normal, so scaling is
/// exact (`vscalefps`, or a multiply by `2^n`). Both paths give the same bits.
#[inline(always)]
pub(crate) fn exp<S: Lanes>(v: V<S>, x: F<S>) -> F<S> {
    let (y, plain) = exp_plain(v, x);
    if plain {
        return y;
    }
    exp_special(v, x)
}

/// `(e^x, true)` when every lane of `x` lies in |x| ≤ [`EXP_NORMAL`]; `(_, false)` otherwise
/// (then the first value is garbage and the caller takes [`exp_special`]).
#[inline(always)]
pub(crate) fn exp_plain<S: Lanes>(v: V<S>, x: F<S>) -> (F<S>, bool) {
    let red = reduce(v, x);
    // NaN compares false, so it leaves the plain path.
    let outside = v.not_m(v.le(v.abs(x), v.splat(EXP_NORMAL)));
    let p = exp_poly(v, red.r);
    let y = match v.scalef_native(p, red.n) {
        Some(y) => y,
        None => v.mul(p, pow2(v, red.t)),
    };
    (y, !v.any(outside))
}

/// e^x for any lanes (subnormal results, overflow to inf, underflow to 0, NaN carried).
#[inline(always)]
pub(crate) fn exp_special<S: Lanes>(v: V<S>, x: F<S>) -> F<S> {
    let over = v.gt(x, v.splat(EXP_OVERFLOW));
    let under = v.lt(x, v.splat(EXP_UNDERFLOW));
    // Those lanes take their value by select: computing e^0 there keeps out-of-range powers
    // of two (and the two-step scaling they would ask for) away from the rest.
    let x = v.sel(v.or_m(over, under), v.splat(0.0), x);
    let red = reduce(v, x);
    let y = scale(v, exp_poly(v, red.r), red.t, red.n);
    let y = v.sel(over, v.splat(f32::INFINITY), y);
    v.sel(under, v.splat(0.0), y)
}

/// e^(hi + lo) as `2^n · (p.hi + p.lo)` with p in [0.7, 1.42], about 40 bits.
///
/// Valid for |hi| ≤ 150; the caller scales with [`scale`] and selects special values.
#[inline(always)]
pub(crate) fn exp_dd<S: Lanes>(v: V<S>, hi: F<S>, lo: F<S>) -> (Dd<S>, Reduced<S>) {
    let (red, r_lo) = reduce_dd(v, hi, lo);
    let rq = v.mul(red.r, v.poly(red.r, &EXP_Q));
    let p_hi = v.add(v.splat(1.0), rq);
    // 1 − p_hi is exact (p_hi in [0.5, 2]); the fma recovers the rounding error of p_hi.
    let p_lo = v.fma(red.r, v.poly(red.r, &EXP_Q), v.sub(v.splat(1.0), p_hi));
    let p_lo = v.fma(p_hi, r_lo, p_lo);
    (Dd::new(p_hi, p_lo), red)
}

/// e^(a + a_lo) as `2^n · (p.hi + p.lo)` with a lean reduction: `r = a − n·ln2` rounded
/// once, the small terms (and `a_lo`, where `DD`) joining the exact `a − n·LN2_HI` in one
/// rounding. Relative error about 2^-25 (the rounding of r, 2^-26, and of the polynomial's
/// sum, |r|·2^-24); `TIGHT` writes `e^r = 1 + r + r·u`, `u = r·(c1 + …)`, which keeps the
/// polynomial's rounding at |r·u|·2^-24 ≤ 2^-28 for two more operations. |a| < 2^9·ln2; the
/// caller scales by `2^n` (`Reduced::t`) and selects special values.
#[inline(always)]
pub(crate) fn exp_lean<S: Lanes, const DD: bool, const TIGHT: bool>(
    v: V<S>,
    a: F<S>,
    a_lo: F<S>,
) -> (Reduced<S>, Dd<S>) {
    let one = v.splat(1.0);
    let t = v.fma(a, v.splat(LOG2E), v.splat(SHIFTER));
    let n = v.sub(t, v.splat(SHIFTER));
    let r1 = v.fnma(n, v.splat(LN2_HI), a); // exact
    let r = if DD {
        // The small terms join r1 with one rounding.
        v.add(r1, v.fnma(n, v.splat(LN2_LO), a_lo))
    } else {
        v.fnma(n, v.splat(LN2_LO), r1)
    };
    let c = &EXP_Q;
    let r2 = v.mul(r, r);
    let p = if TIGHT {
        // e^r = 1 + r + r·u, u = r·(c1 + c2·r + …) (c0 = 1): u's rounding costs
        // |r·u|·2^-24 ≤ 2^-28, where the plain form's q costs |r|·2^-24.
        let q_lo = v.fma(v.splat(c[2]), r, v.splat(c[1]));
        let q_mid = v.fma(v.splat(c[4]), r, v.splat(c[3]));
        let u = v.mul(r, v.fma(r2, v.fma(r2, v.splat(c[5]), q_mid), q_lo));
        let p_hi = v.fma(r, u, v.add(one, r));
        // 1 − p.hi and then + r are exact (Sterbenz: p.hi − 1 is within a factor 1.2 of r,
        // or both are below 2^-23); the fma rounds the remainder once.
        Dd::new(p_hi, v.fma(r, u, v.add(v.sub(one, p_hi), r)))
    } else {
        let q_lo = v.fma(v.splat(c[1]), r, v.splat(c[0]));
        let q_mid = v.fma(v.splat(c[3]), r, v.splat(c[2]));
        let q_hi = v.fma(v.splat(c[5]), r, v.splat(c[4]));
        let q = v.fma(r2, v.fma(r2, q_hi, q_mid), q_lo);
        // e^r = p.hi + p.lo (1 − p.hi is exact: p.hi lies in [0.5, 2]).
        let p_hi = v.fma(r, q, one);
        Dd::new(p_hi, v.fma(r, q, v.sub(one, p_hi)))
    };
    (Reduced { t, n, r }, p)
}

/// e^x − 1, ≤ 1 ulp.
///
/// n is x/ln2 truncated toward zero, so r has the sign of x and `2^n·(e^r − 1) + (2^n − 1)`
/// adds two terms of one sign: no cancellation for any x.
#[inline(always)]
pub(crate) fn expm1<S: Lanes>(v: V<S>, x: F<S>) -> F<S> {
    let toward_zero = v.fnma(
        v.copysign(v.splat(0.5), x),
        v.splat(1.0),
        v.mul(x, v.splat(LOG2E)),
    );
    let t = v.add(toward_zero, v.splat(SHIFTER));
    let n = v.sub(t, v.splat(SHIFTER));
    let r1 = v.fnma(n, v.splat(LN2_HI), x);
    let r = v.fnma(n, v.splat(LN2_LO), r1);
    let r_lo = v.fnma(n, v.splat(LN2_LO), v.sub(r1, r)); // rounding error of r
    // e^r − 1 = r + r²·q as a double-f32 (r − em_hi is exact: em/r lies in [0.7, 1.4]);
    // r_lo enters through the derivative e^r = 1 + em.
    let q = v.poly(r, &EXPM1_Q);
    let (r2, r2_lo) = v.two_prod(r, r);
    let em_hi = v.fma(r2, q, r);
    let em_lo = v.fma(r2_lo, q, v.fma(r2, q, v.sub(r, em_hi)));
    let em = Dd::new(em_hi, v.add(em_lo, v.fma(r_lo, em_hi, r_lo)));
    let a = v.abs(x);
    let fast = v.le(a, v.splat(87.0));
    let y = if v.all(v.le(a, v.splat(EXPM1_MID))) {
        // The common case: |n| ≤ 23 in every lane, where `expm1_normal` takes `expm1_mid`.
        expm1_mid(v, t, em)
    } else if v.any(v.not_m(fast)) {
        // |x| > 87 (or NaN): e^x − 1 is e^x (or −1) to far below half an ulp.
        // (Negative lanes give −1: they scale by 2^0, which keeps subnormal results and
        // their cost out of [`scale`].)
        let p = v.add(v.splat(1.0), em.hi);
        let neg = v.lt(x, v.splat(0.0));
        let big = scale(
            v,
            p,
            v.sel(neg, v.splat(SHIFTER), t),
            v.sel(neg, v.splat(0.0), n),
        );
        let big = v.sel(v.gt(x, v.splat(EXP_OVERFLOW)), v.splat(f32::INFINITY), big);
        let big = v.sel(v.lt(x, v.splat(0.0)), v.splat(-1.0), big);
        // (The big lanes compute with n = 0 there: their 2^n would wrap around.)
        let (tf, nf) = (
            v.sel(fast, t, v.splat(SHIFTER)),
            v.sel(fast, n, v.splat(0.0)),
        );
        v.sel(fast, expm1_normal(v, tf, nf, em), big)
    } else {
        expm1_normal(v, t, n, em)
    };
    // ±0 keep their sign.
    v.sel(v.eq(x, v.splat(0.0)), x, y)
}

/// Up to this |x|, n = trunc(x/ln2) lies in [-23, 23]: [`expm1_mid`] serves every lane.
const EXPM1_MID: f32 = 16.5;

/// `2^n·(em + 1) − 1` rounded once, for n in [-24, 24]: s − 1 and s·em_hi are exact; the
/// three terms are added with one rounding.
#[inline(always)]
fn expm1_mid<S: Lanes>(v: V<S>, t: F<S>, em: Dd<S>) -> F<S> {
    let s = pow2(v, t);
    let (h, l) = v.fast_two_sum(v.sub(s, v.splat(1.0)), v.mul(s, em.hi));
    v.add(h, v.fma(s, em.lo, l))
}

/// `2^n·(em + 1) − 1` rounded once, for n in [-126, 126].
#[inline(always)]
fn expm1_normal<S: Lanes>(v: V<S>, t: F<S>, n: F<S>, em: Dd<S>) -> F<S> {
    // Below n = −30 the result is −1 (e^x < 2^-25): those lanes compute with n = −30, which
    // gives −1 too and keeps s·em out of the subnormals (a microcode assist each on Intel
    // cores).
    let t = v.sel(v.lt(n, v.splat(-30.0)), v.splat(SHIFTER - 30.0), t);
    let s = pow2(v, t);
    let mid = expm1_mid(v, t, em);
    // Otherwise carry e^r = em + 1 as hi + lo (Fast2Sum, |em| < 1).
    let (p_hi, p_lo) = v.fast_two_sum(v.splat(1.0), em.hi);
    let p_lo = v.add(p_lo, em.lo);
    let hi_part = v.fma(s, p_hi, v.fma(s, p_lo, v.splat(-1.0)));
    let out = v.gt(v.abs(n), v.splat(24.0));
    v.sel(out, hi_part, mid)
}

/// `2^n·p` as an absolute double-f32 (each part scaled by [`scale`]: exactly, or rounded
/// once where subnormal; lo dropped where n < −126: it lies below every subnormal).
#[inline(always)]
pub(crate) fn unscale<S: Lanes>(v: V<S>, p: Dd<S>, red: Reduced<S>) -> Dd<S> {
    let hi = scale(v, p.hi, red.t, red.n);
    let deep = v.lt(red.n, v.splat(-126.0));
    let (t, n) = (
        v.sel(deep, v.splat(SHIFTER), red.t),
        v.sel(deep, v.splat(0.0), red.n),
    );
    Dd::new(hi, v.sel(deep, v.splat(0.0), scale(v, p.lo, t, n)))
}

/// Below this n, `2^n·p` (under 2^-89) is far under what a double-f32 resolves next to 1
/// (2^-48), and arithmetic on it (its low part first) would be subnormal: a microcode
/// assist per instruction on Intel cores. Callers that add it to 1 drop it there, and
/// [`scale`] takes its assist-free path for such n.
pub(crate) const GONE_N: f32 = -90.0;

/// `2^n` (`t = SHIFTER + n`, n ≤ 127), or 0 where n < [`GONE_N`]: for a term added to 1 or
/// to x, which it can no longer change there, and whose products would soon be subnormal.
#[inline(always)]
pub(crate) fn pow2_near<S: Lanes>(v: V<S>, t: F<S>, n: F<S>) -> F<S> {
    let gone = v.lt(n, v.splat(GONE_N));
    v.sel(
        gone,
        v.splat(0.0),
        pow2(v, v.sel(gone, v.splat(SHIFTER), t)),
    )
}

/// [`unscale`], with 0 in the lanes with n < `below` (the mask comes back too), for callers
/// that add the value to 1 or 2 and whose products of it would be subnormal below there.
#[inline(always)]
pub(crate) fn unscale_near<S: Lanes>(
    v: V<S>,
    p: Dd<S>,
    red: Reduced<S>,
    below: f32,
) -> (Dd<S>, M<S>) {
    let gone = v.lt(red.n, v.splat(below));
    let red = Reduced {
        t: v.sel(gone, v.splat(SHIFTER), red.t),
        n: v.sel(gone, v.splat(0.0), red.n),
        r: red.r,
    };
    let e = unscale(v, p, red);
    let zero = v.splat(0.0);
    (
        Dd::new(v.sel(gone, zero, e.hi), v.sel(gone, zero, e.lo)),
        gone,
    )
}

/// `e^{−|x|}` split as `2^n·p`, with |x| clamped to 120 (e^−120 is below every subnormal).
#[inline(always)]
pub(crate) fn exp_neg_abs<S: Lanes>(v: V<S>, x: F<S>) -> (Dd<S>, Reduced<S>) {
    let a = v.neg(v.abs(x));
    let a = v.sel(v.lt(a, v.splat(-120.0)), v.splat(-120.0), a);
    exp_dd(v, a, v.splat(0.0))
}

/// `e^r` for an argument `r` reduced by the caller (|r| ≲ ln2/2), rounded once: for callers
/// that fold a correction into `r` (the row-wise functions add the rounding error of their
/// shift `x − max`) and scale with [`scale`] themselves.
#[inline(always)]
pub(crate) fn exp_reduced<S: Lanes>(v: V<S>, r: F<S>) -> F<S> {
    exp_poly(v, r)
}
