//! log and log1p: `u = 2^k·m` with m in [√½, √2), `log u = k·ln2 + log1p(m − 1)`.

use super::Dd;
use crate::simd::Lanes;
use crate::simd::{F, M, V};

pub(crate) const LN2_HI: f32 = f32::from_bits(0x3f31_7200);
pub(crate) const LN2_LO: f32 = f32::from_bits(0x35bf_be8e);
/// (log1p(f) − f)/f² on [√½ − 1, √2 − 1]; relative error 8.0e-9.
pub(crate) const LOG1P_P: [f32; 10] = [
    -0.5,
    0.333_333_22,
    -0.249_999_97,
    0.200_014_68,
    -0.166_682_39,
    0.142_324_22,
    -0.124_088_04,
    0.117_995_03,
    -0.116_233_03,
    6.876_887_4e-2,
];
pub(crate) const SQRT_HALF_BITS: u32 = 0x3f35_04f3;

/// `log(u·2^k_off) + extra` for finite positive normal `u`, with `extra` a tiny correction
/// (|extra| ≲ 2^-24·|log u| or 2^-24·|u−1|); rounded once, ≈ 0.6 ulp.
#[inline(always)]
pub(crate) fn log_core<S: Lanes>(v: V<S>, u: F<S>, k_off: F<S>, extra: F<S>) -> F<S> {
    log_core_dd(v, u, k_off, extra).round(v)
}

/// [`log_core`] before its final rounding, as `hi + lo`.
#[inline(always)]
pub(crate) fn log_core_dd<S: Lanes>(v: V<S>, u: F<S>, k_off: F<S>, extra: F<S>) -> Dd<S> {
    let ix = v.sub_u(v.bits(u), v.splat_u(SQRT_HALF_BITS));
    // k + 256 sits in the top 9 bits of ix + 256·2^23; turn it into a float exactly.
    let kb = v.shr(v.add_u(ix, v.splat_u(256 << 23)), 23);
    let k = v.sub(
        v.to_f32(v.or_u(kb, v.splat_u(0x4b00_0000))),
        v.splat(8_388_608.0 + 256.0),
    );
    let k = v.add(k, k_off);
    let m = v.to_f32(v.add_u(
        v.and_u(ix, v.splat_u(0x007f_ffff)),
        v.splat_u(SQRT_HALF_BITS),
    ));
    let f = v.sub(m, v.splat(1.0));
    // s + err = k·ln2_hi + f exactly (Fast2Sum: |k·ln2_hi| ≥ |f| unless k = 0, then err = 0).
    let kh = v.mul(k, v.splat(LN2_HI));
    let s = v.add(kh, f);
    let err = v.add(v.sub(kh, s), f);
    let tail = v.fma(v.mul(f, f), v.poly(f, &LOG1P_P), v.add(err, extra));
    let tail = v.fma(k, v.splat(LN2_LO), tail);
    Dd::new(s, tail)
}

/// Special values shared by log and log1p, given the argument `u` of the logarithm.
#[inline(always)]
fn log_specials<S: Lanes>(v: V<S>, u: F<S>, y: F<S>) -> F<S> {
    let y = v.sel(v.eq(u, v.splat(f32::INFINITY)), u, y);
    let y = v.sel(v.eq(u, v.splat(0.0)), v.splat(f32::NEG_INFINITY), y);
    // Negative or NaN arguments give NaN.
    v.sel(v.ge(u, v.splat(0.0)), y, v.splat(f32::NAN))
}

/// Natural logarithm, ≤ 1 ulp (subnormal inputs are scaled by 2^23 first).
#[inline(always)]
pub(crate) fn log<S: Lanes>(v: V<S>, x: F<S>) -> F<S> {
    let tiny = v.lt(x, v.splat(f32::MIN_POSITIVE));
    let xs = v.sel(tiny, v.mul(x, v.splat(8_388_608.0)), x);
    let k_off = v.sel(tiny, v.splat(-23.0), v.splat(0.0));
    let y = log_core(v, xs, k_off, v.splat(0.0));
    log_specials(v, x, y)
}

/// log(1 + (hi + lo)) for a double-f32 argument with hi ≥ −1; rounded once.
#[inline(always)]
pub(crate) fn log1p_dd<S: Lanes>(v: V<S>, a: Dd<S>) -> F<S> {
    let u = v.add(v.splat(1.0), a.hi);
    log_specials(v, u, log1p_parts(v, a).round(v))
}

/// log(1 + (hi + lo)) before its final rounding, for 0 ≤ hi + lo ≤ 1 (no special values).
#[inline(always)]
pub(crate) fn log1p_parts<S: Lanes>(v: V<S>, a: Dd<S>) -> Dd<S> {
    // u + d = 1 + hi exactly (2Sum), then the correction (d + lo)/u.
    let u = v.add(v.splat(1.0), a.hi);
    let big = v.gt(v.abs(a.hi), v.splat(1.0));
    let (p, q) = (
        v.sel(big, a.hi, v.splat(1.0)),
        v.sel(big, v.splat(1.0), a.hi),
    );
    let d = v.add(v.sub(p, u), q);
    let c = v.div(v.add(d, a.lo), u);
    log_core_dd(v, u, v.splat(0.0), c)
}

/// [`log1p_parts`], read as `(+0, a.hi + a.lo)` in the `tiny` lanes (|a| < 2^-89 there:
/// 1 + a.hi rounds to 1, and that is what `log1p_parts` gives) with no arithmetic on `a`,
/// which may be subnormal there (a microcode assist per multiply on Intel cores).
#[inline(always)]
pub(crate) fn log1p_parts_tiny<S: Lanes>(v: V<S>, a: Dd<S>, tiny: M<S>) -> Dd<S> {
    let zero = v.splat(0.0);
    let l = log1p_parts(v, Dd::new(v.sel(tiny, zero, a.hi), v.sel(tiny, zero, a.lo)));
    Dd::new(
        v.sel(tiny, zero, l.hi),
        v.sel(tiny, v.add(a.hi, a.lo), l.lo),
    )
}

/// [`log1p_dd`] through [`log1p_parts_tiny`].
#[inline(always)]
pub(crate) fn log1p_dd_tiny<S: Lanes>(v: V<S>, a: Dd<S>, tiny: M<S>) -> F<S> {
    let u = v.add(v.splat(1.0), a.hi);
    log_specials(v, u, log1p_parts_tiny(v, a, tiny).round(v))
}

/// log(1 + x), ≤ 1 ulp.
#[inline(always)]
pub(crate) fn log1p<S: Lanes>(v: V<S>, x: F<S>) -> F<S> {
    let y = log1p_dd(v, Dd::new(x, v.splat(0.0)));
    v.sel(v.eq(x, v.splat(0.0)), x, y)
}
