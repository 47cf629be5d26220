//! The logistic function σ(z) = 1/(1 + e^−z), carried in double-f32 so that x·σ(x) and
//! friends round once: [`sigmoid_dd`] for any argument (a double-f32 one too), and
//! [`sigmoid_lean`] for |z| ≤ 64 with fewer operations and a shorter dependency chain
//! (sigmoid and silu use it).

use super::Dd;
use super::exp::{EXP_Q, LN2_HI, LN2_LO, LOG2E, SHIFTER, exp_dd, pow2, scale};
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

/// σ(x) from [`sigmoid_dd`], ≤ 1 ulp, subnormal results included: the kernels take it
/// where |x| > [`SIGMOID_LEAN`].
#[inline(always)]
pub(crate) fn sigmoid<S: Simd>(v: V<S>, x: F<S>) -> F<S> {
    sigmoid_dd(v, x, v.splat(0.0)).value(v)
}

/// Up to this |z|, [`sigmoid_lean`] applies: σ(−|z|) ≥ 2^-93, so its correction term
/// (2^-24 of it) is a normal f32 too.
pub(crate) const SIGMOID_LEAN: f32 = 64.0;

/// σ(z) for |z| ≤ [`SIGMOID_LEAN`] as a double-f32 `hi + lo`, to about 2^-25 relative (the
/// roundings of the reduced argument and of the polynomial; its own error is 2^-28), with
/// one division. Lanes outside that range hold garbage.
///
/// With `e^−|z| = 2^n·p`, `σ(−|z|) = p/D` for `D = 2^−n + p` (carried as a double-f32, so
/// no product by `2^n` lies on the critical path): the quotient `q = p.hi/D.hi` is
/// corrected by its exact remainder, divided by `D` as a product with
/// `1/D = 2^n·(1 − σ) ≈ 2^n·(1 − q)` (a correction needs only a few bits).
/// `σ(|z|) = 1 − p/D`, one Fast2Sum. The polynomial is evaluated in Estrin's scheme, which
/// shortens the dependency chain that bounds this kernel.
#[inline(always)]
pub(crate) fn sigmoid_lean<S: Simd>(v: V<S>, z: F<S>) -> Dd<S> {
    let one = v.splat(1.0);
    let a = v.neg(v.abs(z));
    let t = v.fma(a, v.splat(LOG2E), v.splat(SHIFTER));
    let n = v.sub(t, v.splat(SHIFTER));
    let r = v.fnma(n, v.splat(LN2_LO), v.fnma(n, v.splat(LN2_HI), a));
    let c = &EXP_Q;
    let r2 = v.mul(r, r);
    let lo = v.fma(v.splat(c[1]), r, v.splat(c[0]));
    let mid = v.fma(v.splat(c[3]), r, v.splat(c[2]));
    let hi = v.fma(v.splat(c[5]), r, v.splat(c[4]));
    let q = v.fma(r2, v.fma(r2, hi, mid), lo);
    // e^r = p.hi + p.lo (1 − p.hi is exact: p.hi lies in [0.5, 2]).
    let p_hi = v.fma(r, q, one);
    let p_lo = v.fma(r, q, v.sub(one, p_hi));
    // 2^n and 2^−n from the bits of t (n in [-125, 0]: both normal).
    let k = v.shl(v.bits(t), 23);
    let s = v.to_f32(v.add_u(k, v.splat_u(127 << 23)));
    let s_inv = v.to_f32(v.sub_u(v.splat_u(127 << 23), k));
    // Fast2Sum holds: 2^−n ≥ 1 and p.hi < 2 share 1's exponent at most.
    let (d_hi, d_lo) = v.fast_two_sum(s_inv, p_hi);
    let d_lo = v.add(d_lo, p_lo);
    let quo = v.div(p_hi, d_hi);
    let rem = v.fnma(quo, d_hi, p_hi); // exact
    let inv_d = v.fnma(quo, s, s);
    let corr = v.mul(v.fnma(quo, d_lo, v.add(rem, p_lo)), inv_d);
    // z ≥ 0: 1 − (quo + corr), quo ≤ 1/2.
    let (h, l) = v.fast_two_sum(one, v.neg(quo));
    let l = v.sub(l, corr);
    let neg = v.lt(z, v.splat(0.0));
    Dd::new(v.sel(neg, quo, h), v.sel(neg, corr, l))
}
