//! tanh: an odd polynomial near 0, `1 − 2/(e^{2|x|} + 1)` elsewhere.

use super::exp::exp;
use crate::simd::Lanes;
use crate::simd::{F, V};

/// (tanh(x) − x)/x³ as a polynomial in x², on |x| ≤ 0.55; relative error 6e-8.
pub(crate) const TANH_P: [f32; 5] = [
    -0.333_333_3,
    0.133_330_85,
    -5.390_607_6e-2,
    2.129_474_5e-2,
    -6.588_859_5e-3,
];
/// Below this |x| the polynomial is used.
pub(crate) const TANH_SMALL: f32 = 0.55;

/// tanh(x), ≤ 2 ulp.
#[inline(always)]
pub(crate) fn tanh<S: Lanes>(v: V<S>, x: F<S>) -> F<S> {
    let a = v.abs(x);
    let x2 = v.mul(x, x);
    let small = v.fma(v.mul(x, x2), v.poly(x2, &TANH_P), x);
    // Beyond |x| = 9.02, tanh rounds to ±1 (2/(e^{2|x|} + 1) < 2^-25), and it does for
    // |x| = 10 too: clamping there keeps e^{2|x|} in exp's plain range and 1/(e + 1)
    // normal (a subnormal quotient costs a microcode assist on Intel cores). NaN stays.
    let a10 = v.sel(v.gt(a, v.splat(10.0)), v.splat(10.0), a);
    let e = exp(v, v.add(a10, a10));
    let big = v.fnma(
        v.splat(2.0),
        v.div(v.splat(1.0), v.add(e, v.splat(1.0))),
        v.splat(1.0),
    );
    let y = v.sel(v.lt(a, v.splat(TANH_SMALL)), small, v.copysign(big, x));
    v.sel(v.eq(x, v.splat(0.0)), x, y)
}
