//! The logistic function σ(z) = 1/(1 + e^−z), carried in double-f32 so that x·σ(x) and
//! friends round once: [`sigmoid_dd`] for any argument (a double-f32 one too), and
//! [`sigmoid_lean`] / [`sigmoid_lean_dd`] for |z| ≤ 87 with fewer operations and a shorter
//! dependency chain (sigmoid, silu, gelu_fast and gelu_tanh use it where their argument
//! lies in range).

use super::Dd;
use super::exp::{Reduced, SHIFTER, exp_dd, exp_lean, pow2_near, scale};
use crate::simd::Lanes;
use crate::simd::{F, M, V};

/// `value · 2^n`, with `t = SHIFTER + n` (n ≤ 0).
#[derive(Clone, Copy)]
pub(crate) struct Scaled<S: Lanes> {
    pub val: Dd<S>,
    pub t: F<S>,
    pub n: F<S>,
}

impl<S: Lanes> Scaled<S> {
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
pub(crate) fn recip_dd<S: Lanes>(v: V<S>, d: Dd<S>) -> Dd<S> {
    let r = v.div(v.splat(1.0), d.hi);
    let e = v.fnma(r, d.hi, v.splat(1.0));
    let e = v.fnma(r, d.lo, e);
    Dd::new(r, v.mul(r, e))
}

/// σ(z_hi + z_lo), to about 2^-44 relative.
#[inline(always)]
pub(crate) fn sigmoid_dd<S: Lanes>(v: V<S>, z_hi: F<S>, z_lo: F<S>) -> Scaled<S> {
    let neg = v.lt(z_hi, v.splat(0.0));
    // a = −|z|; below −120, e^a is far under the smallest subnormal.
    let a_hi = v.neg(v.abs(z_hi));
    let a_lo = v.sel(neg, z_lo, v.neg(z_lo));
    let deep = v.lt(a_hi, v.splat(-120.0));
    let a_hi = v.sel(deep, v.splat(-120.0), a_hi);
    let a_lo = v.sel(deep, v.splat(0.0), a_lo);
    let (p, red) = exp_dd(v, a_hi, a_lo); // e^a = 2^n·p, n ≤ 0
    // d = 1 + e^a: below 2^-89, e^a is far under what d's double-f32 resolves next to 1,
    // and counts as 0 (its products would be subnormal: a microcode assist each on Intel
    // cores).
    let s = pow2_near(v, red.t, red.n);
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
pub(crate) fn sigmoid<S: Lanes>(v: V<S>, x: F<S>) -> F<S> {
    sigmoid_dd(v, x, v.splat(0.0)).value(v)
}

/// The domain of [`sigmoid_lean`]: there 2^n, its reciprocal and the quotient stay normal
/// (σ(−|z|) > 2^-126).
pub(crate) const SIGMOID_LEAN: f32 = 87.0;

/// Below −this, `f·σ(z)` rounds to ±0 for every caller of the lean kernels: |f|·e^z <
/// 2^-151 where f = 1 or |f| ≤ |z| (e^-110 = 1.7e-48; 110·e^-110 = 1.9e-46).
pub(crate) const SIGMOID_ZERO: f32 = 110.0;

/// Beyond this |z| (in some lane), [`sigmoid_lean`] takes the variant that keeps its
/// intermediates normal: z > 32 is clamped (σ(z) = 1 − 2^-46 already rounds `f·σ` to `f`),
/// and a z < −32 lane works at 2^64 times its size, scaled back by one exact product.
pub(crate) const SIGMOID_FAR: f32 = 32.0;

/// `f·σ(z)` for |z| ≤ [`SIGMOID_LEAN`], rounded once from a double-f32 σ that is good to
/// about 2^-25 relative (the roundings of the reduced argument and of the polynomial; its own
/// error is 2^-28), with one division. Lanes outside that range hold garbage. `f = 1` gives
/// σ; `|f|` must not be tiny where `|z| > 32`, or `f·σ` would be subnormal (every caller has
/// `f = 1` or `z ≈ c·f`).
///
/// With `e^−|z| = 2^n·p`, `σ(−|z|) = p/D` for `D = 2^−n + p` (carried as a double-f32, so
/// no product by `2^n` lies on the critical path): the quotient `q = p.hi/D.hi` is
/// corrected by its exact remainder, divided by `D` as a product with
/// `1/D = 2^n·(1 − σ) ≈ 2^n·(1 − q)` (a correction needs only a few bits).
/// `σ(|z|) = 1 − p/D`, one Fast2Sum. The polynomial is evaluated in Estrin's scheme, which
/// shortens the dependency chain that bounds this kernel.
///
/// `WIDE` picks the form (the two agree bit for bit where both apply): `false` for a
/// vector whose lanes all have |z| ≤ [`SIGMOID_FAR`] ([`near`]), `true` for any other,
/// which then serves every lane with `−SIGMOID_LEAN ≤ z < ∞` (z > [`SIGMOID_FAR`] is
/// clamped to it; `f` must be finite there).
#[inline(always)]
pub(crate) fn sigmoid_lean<S: Lanes, const WIDE: bool>(v: V<S>, z: F<S>, f: F<S>) -> F<S> {
    sigmoid_tail(v, lean_exp::<S, WIDE, false, false>(v, z, z, f))
}

/// [`sigmoid_lean`] of a double-f32 argument `z_hi + z_lo`.
#[inline(always)]
pub(crate) fn sigmoid_lean_dd<S: Lanes, const WIDE: bool>(
    v: V<S>,
    z_hi: F<S>,
    z_lo: F<S>,
    f: F<S>,
) -> F<S> {
    sigmoid_tail(v, lean_exp::<S, WIDE, true, false>(v, z_hi, z_lo, f))
}

/// [`sigmoid_lean`] with σ good to about 2^-26 relative (two more operations, see
/// [`lean_exp`]'s `TIGHT`): `f·σ(z)` within 1 ulp for an `f` unrelated to `z` (glu), where
/// the plain form can miss by 1%.
#[inline(always)]
pub(crate) fn sigmoid_lean_tight<S: Lanes>(v: V<S>, z: F<S>, f: F<S>) -> F<S> {
    // Subnormal intermediates cost microcode assists on x86: only a vector that could make
    // one pays for the variant that avoids them.
    if far(v, z) {
        sigmoid_tail(v, lean_exp::<S, true, false, true>(v, z, z, f))
    } else {
        sigmoid_tail(v, lean_exp::<S, false, false, true>(v, z, z, f))
    }
}

/// Whether some lane has |z| > [`SIGMOID_FAR`]: the lean kernels then take their `WIDE` form.
#[inline(always)]
pub(crate) fn far<S: Lanes>(v: V<S>, z: F<S>) -> bool {
    v.any(v.gt(v.abs(z), v.splat(SIGMOID_FAR)))
}

/// Whether every lane has |z| ≤ [`SIGMOID_FAR`] (NaN has not): where the lean kernels may
/// take their plain form (`WIDE = false`).
#[inline(always)]
pub(crate) fn near<S: Lanes>(v: V<S>, z: F<S>) -> bool {
    v.all(v.le(v.abs(z), v.splat(SIGMOID_FAR)))
}

/// `e^−|z| = 2^n·(p_hi + p_lo)` and what the lean kernels build on it.
pub(crate) struct LeanExp<S: Lanes> {
    /// z < 0.
    pub neg: M<S>,
    pub p_hi: F<S>,
    pub p_lo: F<S>,
    /// `2^n·2^B`, with B = 64 in the lanes with z < −[`SIGMOID_FAR`] (`WIDE` only), else 0.
    pub s: F<S>,
    /// `2^−n`.
    pub s_inv: F<S>,
    pub f: F<S>,
    /// `2^B`.
    pub scale: F<S>,
    /// `f·2^B`.
    pub f_s: F<S>,
    /// `2^−B`.
    pub unscale: F<S>,
    /// The lanes with B = 64 (`WIDE` only).
    pub deep: Option<M<S>>,
}

/// The shared front of the lean kernels, for |z| ≤ [`SIGMOID_LEAN`]: `WIDE` clamps z >
/// [`SIGMOID_FAR`] to it (so any z ≥ −SIGMOID_LEAN is served), scales the
/// z < −[`SIGMOID_FAR`] lanes and holds z < −SIGMOID_LEAN at its edge (garbage there);
/// `DD` adds `z_lo`; `TIGHT` keeps the rounding of the polynomial's sum out of `p` (2^-28 of it instead of
/// 2^-25, for two more operations).
#[inline(always)]
pub(crate) fn lean_exp<S: Lanes, const WIDE: bool, const DD: bool, const TIGHT: bool>(
    v: V<S>,
    z: F<S>,
    z_lo: F<S>,
    f: F<S>,
) -> LeanExp<S> {
    let one = v.splat(1.0);
    let neg = v.lt(z, v.splat(0.0));
    let mut a = v.neg(v.abs(z));
    let mut a_lo = v.sel(neg, z_lo, v.neg(z_lo));
    let (mut f_s, mut scale, mut unscale, mut deep) = (f, one, one, None);
    if WIDE {
        let clamp = v.and_m(v.not_m(neg), v.lt(a, v.splat(-SIGMOID_FAR)));
        a = v.sel(clamp, v.splat(-SIGMOID_FAR), a);
        a_lo = v.sel(clamp, v.splat(0.0), a_lo);
        // Lanes below −SIGMOID_LEAN are the caller's to replace: kept at its edge, they
        // make no subnormal or out-of-range 2^n either.
        a = v.sel(v.lt(a, v.splat(-SIGMOID_LEAN)), v.splat(-SIGMOID_LEAN), a);
        let d = v.lt(a, v.splat(-SIGMOID_FAR));
        scale = v.sel(d, v.splat(f32::from_bits((127 + 64) << 23)), one);
        unscale = v.sel(d, v.splat(f32::from_bits((127 - 64) << 23)), one);
        f_s = v.mul(f, scale);
        deep = Some(d);
    }
    let (Reduced { t, .. }, p) = exp_lean::<S, DD, TIGHT>(v, a, a_lo);
    let (p_hi, p_lo) = (p.hi, p.lo);
    // 2^n and 2^−n from the bits of t (n in [-126, 0]: both normal).
    let k = v.shl(v.bits(t), 23);
    let s = v.to_f32(v.add_u(k, v.splat_u(127 << 23)));
    let s_inv = v.to_f32(v.sub_u(v.splat_u(127 << 23), k));
    let s = if WIDE { v.mul(s, scale) } else { s };
    LeanExp {
        neg,
        p_hi,
        p_lo,
        s,
        s_inv,
        f,
        scale,
        f_s,
        unscale,
        deep,
    }
}

/// `f·σ(z)` from [`lean_exp`]: `σ(−|z|) = p/D` with `D = 2^−n + p`, `1/D = 2^n·(1 − σ)`.
#[inline(always)]
fn sigmoid_tail<S: Lanes>(v: V<S>, e: LeanExp<S>) -> F<S> {
    // Fast2Sum holds: 2^−n ≥ 1 and p.hi < 2 share 1's exponent at most.
    let (d_hi, d_lo) = v.fast_two_sum(e.s_inv, e.p_hi);
    let d = Dd::new(d_hi, v.add(d_lo, e.p_lo));
    let quo = v.div(e.p_hi, d_hi);
    let inv_d = v.fnma(quo, e.s, e.s); // 2^B/D, roughly
    ratio_tail(v, &e, Dd::new(e.p_hi, e.p_lo), d, quo, inv_d)
}

/// `f·R` (z < 0) or `f·(1 − R)` (z ≥ 0) for `R = A/D`, rounded once, from the quotient
/// `quo = A.hi/D.hi` (`R ≤ 1/2` where z ≥ 0) and `inv_d ≈ 2^B/D` to a few bits: the
/// correction `m/D`, `m = A − quo·D`, is exact but for that product.
#[inline(always)]
pub(crate) fn ratio_tail<S: Lanes>(
    v: V<S>,
    e: &LeanExp<S>,
    a: Dd<S>,
    d: Dd<S>,
    quo: F<S>,
    inv_d: F<S>,
) -> F<S> {
    let m = remainder(v, a, d, quo);
    // z ≥ 0 (B = 0): 1 − quo − m/D, with 1 − quo = h + l (quo ≤ 1/2).
    let (h, l) = v.fast_two_sum(v.splat(1.0), v.neg(quo));
    let pos_lo = v.mul(e.f_s, v.fnma(m, inv_d, l));
    // z < 0: f·2^B/D stays normal (and leaves m's path short).
    let neg_lo = v.mul(m, v.mul(e.f, inv_d));
    let y = v.fma(e.f_s, v.sel(e.neg, quo, h), v.sel(e.neg, neg_lo, pos_lo));
    // Exact: f·R is normal in every lane that was scaled.
    if e.deep.is_some() {
        v.mul(y, e.unscale)
    } else {
        y
    }
}

/// `A − quo·D` for double-f32 `A` and `D`: exact but for the product `quo·D.lo` (the
/// remainder of `quo = A.hi/D.hi` is exact, an fma).
#[inline(always)]
pub(crate) fn remainder<S: Lanes>(v: V<S>, a: Dd<S>, d: Dd<S>, quo: F<S>) -> F<S> {
    let rem = v.fnma(quo, d.hi, a.hi);
    v.add(rem, v.fnma(quo, d.lo, a.lo))
}
