//! erf, erfc and the exact GELU: a polynomial near 0, and for z ≥ 0.5
//! `erfc(z) = e^{−z²} · H(t) · t` with `t = 1/(1 + z)`, where H is a degree-11 polynomial in
//! `t − 3/8` (fitted on z in [0.5, 10.1], relative error 2.0e-9). `e^{−z²}` takes z² as an
//! exact double-f32, so the steep exponential loses nothing to the rounding of z².

use super::Dd;
use super::exp::{exp_lean, pow2, pow2_near};
use super::sigmoid::{Scaled, recip_dd};
use crate::simd::Lanes;
use crate::simd::{F, V};

/// 2/√π split in two f32.
pub(crate) const ERF_C0_HI: f32 = 1.128_379_2;
pub(crate) const ERF_C0_LO: f32 = -5.863_538_3e-8;
/// (erf(x)/x − 2/√π)/x² as a polynomial in x², on |x| ≤ 1.5; relative error 2.7e-8.
pub(crate) const ERF_Q: [f32; 8] = [
    -0.376_126_38,
    0.112_837_687,
    -2.686_468_1e-2,
    5.219_633_7e-3,
    -8.480_651_9e-4,
    1.144_765_1e-4,
    -1.170_924_4e-5,
    6.631_396_4e-7,
];
/// Below this |x|, erf uses its polynomial (above it, 1 − erfc: erfc(0.9) ≈ 0.2, so the
/// tail's error shrinks four-fold in the result).
pub(crate) const ERF_SMALL: f32 = 0.9;
/// H(t) = erfc(z)·e^{z²}·(1 + z) around t = 3/8: constant term (48 bits) and the rest.
pub(crate) const H_C0_HI: f32 = 0.790_099_9;
pub(crate) const H_C0_LO: f32 = 2.154_515_9e-8;
pub(crate) const H_Q: [f32; 11] = [
    0.562_184_27,
    -0.297_094_82,
    -0.354_011_74,
    0.536_241_77,
    -2.621_154_1e-2,
    -0.753_563_05,
    1.015_184_8,
    -5.289_679_9e-3,
    -2.010_808_2,
    1.929_130_9,
    0.955_236_1,
];
/// (Φ(x) − ½)/x as a polynomial in x², on |x| ≤ 0.75; relative error 2.8e-8.
pub(crate) const PHI_P: [f32; 5] = [
    0.398_942_3,
    -6.649_058_3e-2,
    9.974_178e-3,
    -1.185_594_1e-3,
    1.063_296_1e-4,
];
pub(crate) const RSQRT2_HI: f32 = core::f32::consts::FRAC_1_SQRT_2;
pub(crate) const RSQRT2_LO: f32 = 1.210_161_7e-8;
/// Beyond this z, erfc(z) is below every subnormal: the tail is clamped here.
pub(crate) const TAIL_MAX: f32 = 11.0;

/// `f·erfc(z)` for z = z_hi + z_lo ≥ 0.5 (+inf included), given z² = q (double-f32):
/// `2^n·(hi + lo)`. Beyond z = 11 the value is exactly 0. `FAR = false` promises that no
/// lane has z > [`TAIL_MAX`] (or NaN) and leaves out the selects that serve those lanes.
/// A factor `f` (otherwise 1) joins the product; it must keep `f·erfc(z)` finite where
/// z ≤ [`TAIL_MAX`] (lanes past it give 0 with f's sign whatever `f` is).
#[inline(always)]
pub(crate) fn erfc_tail<S: Lanes, const FAR: bool>(
    v: V<S>,
    z: Dd<S>,
    q: Dd<S>,
    f: Option<F<S>>,
) -> Scaled<S> {
    let zero = v.splat(0.0);
    // Clamp so infinities cannot poison the arithmetic; those lanes are zeroed at the end.
    let far = FAR.then(|| v.gt(z.hi, v.splat(TAIL_MAX)));
    let (z, q) = match far {
        Some(far) => (
            Dd::<S>::new(v.sel(far, v.splat(TAIL_MAX), z.hi), v.sel(far, zero, z.lo)),
            Dd::<S>::new(
                v.sel(far, v.splat(TAIL_MAX * TAIL_MAX), q.hi),
                v.sel(far, zero, q.lo),
            ),
        ),
        None => (z, q),
    };
    // t = 1/(1 + z); d_hi − 1 is exact for z ≥ 0.5, so d_lo is the exact rounding error.
    let d_hi = v.add(v.splat(1.0), z.hi);
    let d_lo = v.add(v.sub(z.hi, v.sub(d_hi, v.splat(1.0))), z.lo);
    let t = recip_dd(v, Dd::new(d_hi, d_lo));
    let u = v.sub(t.hi, v.splat(0.375));
    // Estrin: this polynomial sat at the end of the kernels' longest dependency chain.
    let uq = v.poly_estrin(u, &H_Q);
    let h_hi = v.fma(u, uq, v.splat(H_C0_HI));
    let h_lo = v.add(
        v.fma(u, uq, v.sub(v.splat(H_C0_HI), h_hi)),
        v.splat(H_C0_LO),
    );
    // e^{−q} to about 2^-26 (the lean reduction: r rounded once), next to H's 2^-29.
    let (red, e) = exp_lean::<S, true, true>(v, v.neg(q.hi), v.neg(q.lo));
    // e·t (and f) while H is evaluated: one product after H, at the end of the longest chain.
    let et = e.mul(v, t);
    let et = match f {
        Some(f) => et.mul_f(v, f),
        None => et,
    };
    let val = et.mul(v, Dd::new(h_hi, h_lo));
    let val = match far {
        // 0 with f's sign: gelu's far left tail is −0.
        Some(far) => {
            let zero = match f {
                Some(f) => v.sign_bit(f),
                None => zero,
            };
            Dd::new(v.sel(far, zero, val.hi), v.sel(far, zero, val.lo))
        }
        None => val,
    };
    Scaled {
        val,
        t: red.t,
        n: red.n,
    }
}

/// erfc(|x|) for |x| ≥ 0.5 (the argument is exact, its square a double-f32).
#[inline(always)]
fn erfc_tail_abs<S: Lanes>(v: V<S>, x: F<S>) -> Scaled<S> {
    let a = v.abs(x);
    let (q_hi, q_lo) = v.two_prod(a, a);
    let (z, q) = (Dd::new(a, v.splat(0.0)), Dd::new(q_hi, q_lo));
    // NaN compares false: such a vector takes the far form too.
    if v.all(v.le(a, v.splat(TAIL_MAX))) {
        erfc_tail::<S, false>(v, z, q, None)
    } else {
        erfc_tail::<S, true>(v, z, q, None)
    }
}

/// erf(x) on |x| < 1.5 as a double-f32 `x·(c0 + x²·Q(x²))`.
#[inline(always)]
fn erf_small_dd<S: Lanes>(v: V<S>, x: F<S>) -> Dd<S> {
    let x2 = v.mul(x, x);
    let w = v.mul(x, v.fma(x2, v.poly(x2, &ERF_Q), v.splat(ERF_C0_LO)));
    let (p_hi, p_lo) = v.two_prod(x, v.splat(ERF_C0_HI));
    let (s_hi, s_lo) = v.fast_two_sum(p_hi, w);
    Dd::new(s_hi, v.add(s_lo, p_lo))
}

/// erf(x), ≤ 1 ulp.
#[inline(always)]
pub(crate) fn erf<S: Lanes>(v: V<S>, x: F<S>) -> F<S> {
    let x2 = v.mul(x, x);
    // Evaluated on x·2^24 and scaled back (exactly, unless the result is subnormal): near
    // the smallest normals the correction x·C0_LO would otherwise itself be subnormal.
    let xs = v.mul(x, v.splat(16_777_216.0));
    let small = v.fma(
        xs,
        v.splat(ERF_C0_HI),
        v.mul(xs, v.fma(x2, v.poly(x2, &ERF_Q), v.splat(ERF_C0_LO))),
    );
    let small = v.mul(small, v.splat(1.0 / 16_777_216.0));
    let small = v.sel(v.eq(x, v.splat(0.0)), x, small);
    let is_small = v.lt(v.abs(x), v.splat(ERF_SMALL));
    if !v.any(v.not_m(is_small)) {
        return small;
    }
    let e = erfc_tail_abs(v, x).value(v);
    let big = v.copysign(v.sub(v.splat(1.0), e), x);
    v.sel(is_small, small, big)
}

/// erfc(x), ≤ 2 ulp.
#[inline(always)]
pub(crate) fn erfc<S: Lanes>(v: V<S>, x: F<S>) -> F<S> {
    // Middle: 1 − erf(x) with erf in double-f32 (x in (−1.5, 0.5)).
    let s = erf_small_dd(v, x);
    let (h, l) = v.fast_two_sum(v.splat(1.0), v.neg(s.hi));
    let mid = v.add(h, v.sub(l, s.lo));
    let right = v.ge(x, v.splat(0.5));
    let left = v.le(x, v.splat(-1.5));
    if !v.any(v.or_m(right, left)) {
        return mid;
    }
    let tail = erfc_tail_abs(v, x);
    let e = tail.value(v);
    let y = v.sel(right, e, mid);
    v.sel(left, v.sub(v.splat(2.0), e), y)
}

/// x·Φ(x) = ½·x·erfc(−x/√2), the exact GELU, ≤ 2 ulp.
#[inline(always)]
pub(crate) fn gelu<S: Lanes>(v: V<S>, x: F<S>) -> F<S> {
    let tame = v.le(v.abs(x), v.splat(GELU_TAME));
    if v.all(tame) {
        return gelu_form::<S, false>(v, x);
    }
    // x > GELU_TAME gives x (Φ(−x) < 2^-24 by far), a finite x < −GELU_ZERO gives −0: a
    // vector whose lanes all lie there or in the tame range keeps the tame form, its other
    // lanes computed at 0.
    let big = v.gt(x, v.splat(GELU_TAME));
    let zero = v.and_m(
        v.lt(x, v.splat(-GELU_ZERO)),
        v.gt(x, v.splat(f32::NEG_INFINITY)),
    );
    if v.all(v.or_m(tame, v.or_m(big, zero))) {
        let y = gelu_form::<S, false>(v, v.sel(tame, x, v.splat(0.0)));
        return v.sel(big, x, v.sel(zero, v.splat(-0.0), y));
    }
    gelu_form::<S, true>(v, x)
}

/// Below −this, |x|·Φ(x) < φ(x) < 2^-151: gelu(x) rounds to −0.
const GELU_ZERO: f32 = 15.0;

/// [`gelu`] in its `WIDE` form, or without it where every |x| ≤ [`GELU_TAME`].
#[inline(always)]
fn gelu_form<S: Lanes, const WIDE: bool>(v: V<S>, x: F<S>) -> F<S> {
    // |x| < 0.75: ½x + x²·P(x²) with x² exact.
    let (x2_hi, x2_lo) = v.two_prod(x, x);
    let p = v.poly(x2_hi, &PHI_P);
    let small = v.fma(x2_hi, p, v.fma(x2_lo, p, v.mul(x, v.splat(0.5))));
    let small = v.sel(v.eq(x, v.splat(0.0)), x, small);
    let outer = v.not_m(v.lt(v.abs(x), v.splat(0.75)));
    if !v.any(outer) {
        return small;
    }
    gelu_tail::<S, WIDE>(v, x, small, (x2_hi, x2_lo))
}

/// Up to this |x|, no [`gelu`] lane needs the far-tail clamp (z ≤ 7.5 < [`TAIL_MAX`]), a
/// tiny `2^n` (`e^{−x²/2} ≥ 2^-80`, so no product of it is subnormal: those cost microcode
/// assists on Intel cores) or an infinity: the `WIDE = false` form of [`gelu_tail`] leaves
/// out their selects (same bits in every such lane).
const GELU_TAME: f32 = 10.5;

/// [`gelu`] where some lane has |x| ≥ 0.75, given its small-|x| result and x² exactly.
#[inline(always)]
fn gelu_tail<S: Lanes, const WIDE: bool>(
    v: V<S>,
    x: F<S>,
    small: F<S>,
    (x2_hi, x2_lo): (F<S>, F<S>),
) -> F<S> {
    let left = v.le(x, v.splat(-0.75));
    let right = v.ge(x, v.splat(0.75));
    // |x| ≥ 0.75: gelu(−|x|) = −½|x|·erfc(z), z = |x|/√2 (double-f32), z² = x²/2 exactly.
    let a = v.abs(x);
    let z_hi = v.mul(a, v.splat(RSQRT2_HI));
    let z_lo = v.fma(
        a,
        v.splat(RSQRT2_LO),
        v.fma(a, v.splat(RSQRT2_HI), v.neg(z_hi)),
    );
    let half = v.splat(0.5);
    let q = Dd::new(v.mul(x2_hi, half), v.mul(x2_lo, half));
    // The tail carries the factor −½|x| (finite and nonzero but at x = ±inf, whose lanes
    // are selected at the end): its value is gelu(−|x|).
    let neg_half_a = v.mul(a, v.splat(-0.5));
    let tail = erfc_tail::<S, WIDE>(v, Dd::new(z_hi, z_lo), q, Some(neg_half_a));
    let y_left = tail.value(v);
    // x ≥ 0.75: gelu(x) = x + gelu(−x), the second term small and negative.
    let g = tail.val;
    // Past 2^-89 the second term is far below half an ulp of x: it is dropped (a subnormal
    // product would cost a microcode assist on Intel cores), the sum is x as before.
    let s = if WIDE {
        pow2_near(v, tail.t, tail.n)
    } else {
        pow2(v, tail.t)
    };
    let (sum, err) = v.fast_two_sum(a, v.mul(g.hi, s));
    let y_right = v.add(sum, v.fma(g.lo, s, err));
    let y = v.sel(left, y_left, small);
    let y = v.sel(right, y_right, y);
    if !WIDE {
        return y;
    }
    let y = v.sel(v.eq(x, v.splat(f32::INFINITY)), x, y);
    v.sel(v.eq(x, v.splat(f32::NEG_INFINITY)), v.splat(f32::NAN), y)
}
