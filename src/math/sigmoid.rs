//! The logistic function σ(z) = 1/(1 + e^−z), carried in double-f32 so that x·σ(x) and
//! friends round once.

use super::Dd;
use super::exp::{SHIFTER, exp_dd, pow2, scale};
use crate::simd::{F, V};
use pulp::Simd;

/// `value · 2^n`, with `t = SHIFTER + n` (n ≤ 0).
#[derive(Clone, Copy)]
pub(crate) struct Scaled<S: Simd> {
    pub val: Dd<S>,
    pub t: F<S>,
    pub n: F<S>,
}

impl<S: Simd> Scaled<S> {
    /// `(f · value) · 2^n`, rounded once where the result is normal.
    #[inline(always)]
    pub fn times(self, v: V<S>, f: F<S>) -> F<S> {
        let p = v.mul(f, self.val.hi);
        let y = v.fma(f, self.val.hi, v.mul(f, self.val.lo));
        // ±inf·hi stays ±inf (the correction would make it NaN), ±0·hi keeps its sign.
        let plain = v.or_m(
            v.eq(v.abs(p), v.splat(f32::INFINITY)),
            v.eq(f, v.splat(0.0)),
        );
        let y = v.sel(plain, p, y);
        scale(v, y, self.t, self.n)
    }
    /// `value · 2^n`, rounded once where the result is normal.
    #[inline(always)]
    pub fn value(self, v: V<S>) -> F<S> {
        scale(v, self.val.round(v), self.t, self.n)
    }
}

/// `1 / (hi + lo)` as a double-f32 (one division, one Newton correction).
#[inline(always)]
pub(crate) fn recip_dd<S: Simd>(v: V<S>, d: Dd<S>) -> Dd<S> {
    let r = v.div(v.splat(1.0), d.hi);
    let e = v.fnma(r, d.hi, v.splat(1.0));
    let e = v.fnma(r, d.lo, e);
    Dd::new(r, v.mul(r, e))
}

/// σ(z_hi + z_lo), to about 2^-44 relative.
#[inline(always)]
pub(crate) fn sigmoid_dd<S: Simd>(v: V<S>, z_hi: F<S>, z_lo: F<S>) -> Scaled<S> {
    let neg = v.lt(z_hi, v.splat(0.0));
    // a = −|z|; below −120, e^a is far under the smallest subnormal.
    let a_hi = v.neg(v.abs(z_hi));
    let a_lo = v.sel(neg, z_lo, v.neg(z_lo));
    let deep = v.lt(a_hi, v.splat(-120.0));
    let a_hi = v.sel(deep, v.splat(-120.0), a_hi);
    let a_lo = v.sel(deep, v.splat(0.0), a_lo);
    let (p, red) = exp_dd(v, a_hi, a_lo); // e^a = 2^n·p, n ≤ 0
    // d = 1 + e^a: below 2^-126 the exact size of e^a no longer matters next to 1.
    let tc = v.sel(
        v.lt(red.n, v.splat(-126.0)),
        v.splat(SHIFTER - 126.0),
        red.t,
    );
    let s = pow2(v, tc);
    let (e_hi, e_lo) = (v.mul(p.hi, s), v.mul(p.lo, s));
    let (d_hi, d_lo) = v.fast_two_sum(v.splat(1.0), e_hi);
    let r = recip_dd(v, Dd::new(d_hi, v.add(d_lo, e_lo)));
    // z ≥ 0: σ = 1/d.  z < 0: σ = e^a/d = 2^n·p/d.
    let pr = p.mul(v, r);
    // Deep negative lanes: σ is below every subnormal; a true 0 keeps x·σ(x) at −0 (or
    // NaN for −inf) instead of scaling a clamped value.
    let zero = v.and_m(deep, neg);
    let (pr_hi, pr_lo) = (
        v.sel(zero, v.splat(0.0), pr.hi),
        v.sel(zero, v.splat(0.0), pr.lo),
    );
    Scaled {
        val: Dd::new(v.sel(neg, pr_hi, r.hi), v.sel(neg, pr_lo, r.lo)),
        t: v.sel(neg, red.t, v.splat(SHIFTER)),
        n: v.sel(neg, red.n, v.splat(0.0)),
    }
}

/// σ(x), ≤ 1 ulp.
#[inline(always)]
pub(crate) fn sigmoid<S: Simd>(v: V<S>, x: F<S>) -> F<S> {
    sigmoid_dd(v, x, v.splat(0.0)).value(v)
}
