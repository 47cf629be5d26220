//! One kernel per elementwise function, each a small struct holding its parameters.

use crate::convert::{Arith, Pick, Select, Side};
use crate::driver::{Kernel, Kernel2};
use crate::math::exp::{GONE_N, exp_neg_abs, exp_plain, exp_special, expm1, unscale, unscale_near};
use crate::math::log::{log, log1p, log1p_dd_tiny, log1p_parts_tiny};
use crate::math::mish::mish_lean;
use crate::math::sigmoid::{
    SIGMOID_LEAN, SIGMOID_ZERO, Scaled, near, recip_dd, sigmoid, sigmoid_dd, sigmoid_lean,
    sigmoid_lean_dd,
};
use crate::math::softplus::{SOFTPLUS_LEAN, log1p_exp_neg_lean};
use crate::math::{Dd, erf, tanh};
use crate::simd::Lanes;
use crate::simd::{F, V};

/// Defines a kernel struct with f32 parameters and its per-vector body.
///
/// The result's NaNs are made canonical (NaN payloads differ between instruction sets once
/// an operation generates a NaN or meets two). `@plain` skips that for kernels that only
/// select, or carry one NaN operand through each operation, whose NaN is the input's on
/// every instruction set.
macro_rules! kernel {
    (@plain $name:ident { $($field:ident),* } |$v:ident, $x:ident| $body:expr,
        select: $select:expr) => {
        kernel!(@plain $name { $($field),* } |$v, $x| $body, select: $select, f16: None);
    };
    (@plain $name:ident { $($field:ident),* } |$v:ident, $x:ident| $body:expr,
        f16: $f16:expr) => {
        kernel!(@plain $name { $($field),* } |$v, $x| $body, select: None, f16: $f16);
    };
    (@plain $name:ident { $($field:ident),* } |$v:ident, $x:ident| $body:expr,
        select: $select:expr, f16: $f16:expr) => {
        #[derive(Clone, Copy, Debug)]
        pub(crate) struct $name { $(pub $field: f32),* }
        impl Kernel for $name {
            #[inline(always)]
            #[allow(unused_variables)]
            fn apply<S: Lanes>(self, $v: V<S>, $x: F<S>) -> F<S> {
                let $name { $($field),* } = self;
                $body
            }
            #[inline(always)]
            #[allow(unused_variables)]
            fn select(self) -> Option<Select> {
                let $name { $($field),* } = self;
                $select
            }
            #[inline(always)]
            #[allow(unused_variables)]
            fn f16_arith(self) -> Option<Arith> {
                let $name { $($field),* } = self;
                $f16
            }
        }
    };
    (@plain $name:ident { $($field:ident),* } |$v:ident, $x:ident| $body:expr) => {
        kernel!(@plain $name { $($field),* } |$v, $x| $body, select: None, f16: None);
    };
    ($(#[$m:meta])* $name:ident { $($field:ident),* } |$v:ident, $x:ident| $body:expr) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug)]
        pub(crate) struct $name { $(pub $field: f32),* }
        impl Kernel for $name {
            #[inline(always)]
            #[allow(unused_variables)]
            fn apply<S: Lanes>(self, $v: V<S>, $x: F<S>) -> F<S> {
                let $name { $($field),* } = self;
                canonical_nan($v, $body)
            }
        }
    };
}

const INF: f32 = f32::INFINITY;

/// One NaN for every instruction set (payload propagation differs between them).
#[inline(always)]
fn canonical_nan<S: Lanes>(v: V<S>, y: F<S>) -> F<S> {
    v.sel(v.eq(y, y), y, v.splat(f32::NAN))
}

#[inline(always)]
fn relu<S: Lanes>(v: V<S>, x: F<S>) -> F<S> {
    v.sel(v.le(x, v.splat(0.0)), v.splat(0.0), x)
}

/// −inf → NaN, the convention of every `x·f(x)` activation (−inf·0).
#[inline(always)]
fn neg_inf_nan<S: Lanes>(v: V<S>, x: F<S>, y: F<S>) -> F<S> {
    v.sel(v.eq(x, v.splat(-INF)), v.splat(f32::NAN), y)
}

/// `c·y` for a constant `c = hi + lo` that f32 cannot hold, rounded once.
#[inline(always)]
fn mul_const<S: Lanes>(v: V<S>, y: F<S>, hi: f32, lo: f32) -> F<S> {
    let p = v.mul(y, v.splat(hi));
    let r = v.fma(y, v.splat(hi), v.mul(y, v.splat(lo)));
    // y = ±inf gives ±inf (the correction term would turn it into NaN); a finite y whose
    // p overflows keeps r, which overflows only where c·y does.
    v.sel(v.eq(v.abs(y), v.splat(INF)), p, r)
}

kernel!(@plain Relu {} | v, x | relu(v, x), select: Some(Select {
    rest: Pick::Input,
    rules: [Some((Side::Le(0.0), Pick::Value(0.0))), None],
    nan: Pick::Input,
}), f16: Some(Arith::Relu));
kernel!(
    @plain Relu6 {} | v,
    x | {
        let y = relu(v, x);
        v.sel(v.gt(y, v.splat(6.0)), v.splat(6.0), y)
    },
    select: Some(Select {
        rest: Pick::Input,
        rules: [
            Some((Side::Le(0.0), Pick::Value(0.0))),
            Some((Side::Gt(6.0), Pick::Value(6.0))),
        ],
        nan: Pick::Input,
    })
);
kernel!(
    @plain Relu2 {} | v,
    x | {
        let y = relu(v, x);
        v.mul(y, y)
    },
    f16: Some(Arith::Relu2)
);
kernel!(
    @plain LeakyRelu { slope } | v,
    x | {
        let y = v.sel(v.ge(x, v.splat(0.0)), x, v.mul(x, v.splat(slope)));
        // A zero slope makes −inf·0, a NaN slope meets NaN inputs: NaNs the hardware makes
        // (−NaN on x86, +NaN on Arm) or picks by its own rules, so make them canonical.
        if slope == 0.0 || slope.is_nan() {
            v.sel(v.eq(y, y), y, v.splat(f32::NAN))
        } else {
            y
        }
    },
    f16: Arith::leaky(slope)
);
kernel!(
    Elu { alpha } | v,
    x | {
        let neg = v.mul(v.splat(alpha), expm1(v, x));
        v.sel(v.gt(x, v.splat(0.0)), x, neg)
    }
);
kernel!(
    Celu { alpha } | v,
    x | {
        // x/α is x·(1/α), rounded the same way, when α is a power of two (α = 1 by
        // default): a product instead of a division.
        let inv = 1.0 / alpha;
        let z = if alpha.is_normal() && inv.is_normal() && alpha.to_bits() & 0x7f_ffff == 0 {
            v.mul(x, v.splat(inv))
        } else {
            v.div(x, v.splat(alpha))
        };
        // + 0.0 turns the −0 of expm1(−0) into +0, as max(x, 0) + … does in both frameworks.
        let neg = v.add(v.mul(v.splat(alpha), expm1(v, z)), v.splat(0.0));
        v.sel(v.gt(x, v.splat(0.0)), x, neg)
    }
);
kernel!(
    Selu {} | v,
    x | {
        let pos = mul_const(v, x, SELU_LAMBDA.0, SELU_LAMBDA.1);
        let neg = mul_const(v, expm1(v, x), SELU_LA.0, SELU_LA.1);
        v.sel(v.gt(x, v.splat(0.0)), pos, neg)
    }
);
/// The lean σ kernels' dispatch on `z`, where `$f` (an identifier) is the factor of `f·σ(z)`,
/// finite wherever z is:
/// - every lane |z| ≤ [`SIGMOID_FAR`](crate::math::sigmoid::SIGMOID_FAR) (the common case):
///   `$near`, the kernel's plain form, alone;
/// - otherwise `$wide`, its `WIDE` form, which serves −[`SIGMOID_LEAN`] ≤ z < ∞; a finite
///   z < −[`SIGMOID_ZERO`] gives `f·0` (±0, what `f·σ(z)` rounds to); only the other lanes
///   (NaN, ±∞, and −SIGMOID_ZERO ≤ z < −SIGMOID_LEAN) take `$full`, NaNs made canonical.
///
/// So one large |z| in a vector costs the `WIDE` form, not the full-range one, and the
/// result of a lane does not depend on its neighbours. A macro, not a function taking
/// closures: a closure body is compiled outside the instruction set's `target_feature`
/// context unless it is inlined, and a large one is not.
macro_rules! sigmoid_or {
    ($v:ident, $z:expr, $f:ident, $near:expr, $wide:expr, $full:expr $(,)?) => {{
        let z = $z;
        if near($v, z) {
            $near
        } else {
            let lean = $v.and_m($v.ge(z, $v.splat(-SIGMOID_LEAN)), $v.lt(z, $v.splat(INF)));
            let y = $wide;
            if $v.all(lean) {
                y
            } else {
                let zero = $v.and_m($v.lt(z, $v.splat(-SIGMOID_ZERO)), $v.gt(z, $v.splat(-INF)));
                let y = $v.sel(zero, $v.mul($f, $v.splat(0.0)), y);
                let done = $v.or_m(lean, zero);
                if $v.all(done) {
                    y
                } else {
                    canonical_nan($v, $v.sel(done, y, $full))
                }
            }
        }
    }};
}

kernel!(
    @plain Sigmoid {} | v,
    x | {
        let one = v.splat(1.0);
        sigmoid_or!(
            v,
            x,
            one,
            sigmoid_lean::<_, false>(v, x, one),
            sigmoid_lean::<_, true>(v, x, one),
            sigmoid(v, x)
        )
    }
);
kernel!(
    @plain Silu {} | v,
    x | sigmoid_or!(
        v,
        x,
        x,
        sigmoid_lean::<_, false>(v, x, x),
        sigmoid_lean::<_, true>(v, x, x),
        neg_inf_nan(v, x, sigmoid_dd(v, x, v.splat(0.0)).times(v, x))
    )
);
kernel!(
    @plain GeluFast {} | v,
    x | {
        let (z_hi, z_lo) = v.two_prod(x, v.splat(GELU_FAST.0));
        let z_lo = v.fma(x, v.splat(GELU_FAST.1), z_lo);
        sigmoid_or!(
            v,
            z_hi,
            x,
            sigmoid_lean_dd::<_, false>(v, z_hi, z_lo, x),
            sigmoid_lean_dd::<_, true>(v, z_hi, z_lo, x),
            neg_inf_nan(v, x, sigmoid_dd(v, z_hi, z_lo).times(v, x)),
        )
    }
);
kernel!(
    @plain GeluTanh {} | v,
    x | {
        let z = gelu_tanh_z(v, x);
        sigmoid_or!(
            v,
            z.hi,
            x,
            sigmoid_lean_dd::<_, false>(v, z.hi, z.lo, x),
            sigmoid_lean_dd::<_, true>(v, z.hi, z.lo, x),
            neg_inf_nan(v, x, gelu_tanh(v, x)),
        )
    }
);
kernel!(Gelu {} | v, x | erf::gelu(v, x));
kernel!(@plain Softplus {} | v, x | softplus_signed::<_, false>(v, x));
kernel!(@plain LogSigmoid {} | v, x | softplus_signed::<_, true>(v, v.neg(x)));
kernel!(
    @plain Mish {} | v,
    x | sigmoid_or!(
        v,
        x,
        x,
        mish_lean::<_, false>(v, x),
        mish_lean::<_, true>(v, x),
        neg_inf_nan(v, x, mish(v, x))
    )
);
/// `y`, or `x` quieted where `x` is NaN. The arithmetic on a NaN input yields a NaN whose
/// sign and payload follow the hardware's rules for the operand order the compiler chose
/// (`−(q·6) + s` and `s − q·6` differ), which an unrelated change can alter; this select
/// makes the output x's own NaN on every instruction set. `x + x` quiets it the same way
/// everywhere (both operands are the same NaN).
#[inline(always)]
fn nan_from_input<S: Lanes>(v: V<S>, x: F<S>, y: F<S>) -> F<S> {
    v.sel(v.eq(x, x), y, v.add(x, x))
}

/// Hard sigmoid. NaN: x's own, quieted ([`nan_from_input`]).
#[derive(Clone, Copy, Debug)]
pub(crate) struct HardSigmoid {}
impl Kernel for HardSigmoid {
    #[inline(always)]
    fn apply<S: Lanes>(self, v: V<S>, x: F<S>) -> F<S> {
        // (x + 3)/6 rounded once: x + 3 kept exact as s + e (a Fast2Sum, exact where the
        // ramp lies: |x| < 3), the quotient corrected. The clamps test x, not s, which
        // rounds up to 6 for x = 3 − 2^-22.
        let (s, e) = v.fast_two_sum(v.splat(3.0), x);
        let mid = div6(v, s, e);
        let y = v.sel(v.le(x, v.splat(-3.0)), v.splat(0.0), mid);
        nan_from_input(v, x, v.sel(v.ge(x, v.splat(3.0)), v.splat(1.0), y))
    }
    /// `(x + 3)·(1/6)` clamped to [0, 1], which rounds to every half input's correctly
    /// rounded value (see `driver::HALF_EXACT`). NaN: x's own, quieted by the addition (the
    /// clamps return a NaN second operand), as `apply` gives it.
    #[inline(always)]
    fn apply_half<S: Lanes>(self, v: V<S>, x: F<S>) -> F<S> {
        let y = v.mul(v.add(x, v.splat(3.0)), v.splat(1.0 / 6.0));
        v.smaller(v.splat(1.0), v.larger(v.splat(0.0), y))
    }
}
kernel!(
    // NaN: x's own, as hard_sigmoid's; −inf·0 is selected as a constant NaN.
    @plain HardSwish {} | v,
    x | {
        // x·(x + 3)/6 rounded once in the ramp (|x| < 3, where the Fast2Sum is exact), x
        // and x·0 outside it.
        let (s, e) = v.fast_two_sum(v.splat(3.0), x);
        let (p_hi, p_lo) = v.two_prod(x, s);
        let mid = div6(v, p_hi, v.fma(x, e, p_lo));
        let low = v.sel(v.eq(x, v.splat(-INF)), v.splat(f32::NAN), v.splat(-0.0));
        let y = v.sel(v.le(x, v.splat(-3.0)), low, mid);
        let y = v.sel(v.eq(x, v.splat(0.0)), x, y);
        nan_from_input(v, x, v.sel(v.ge(x, v.splat(3.0)), x, y))
    }
);
kernel!(
    Softsign {} | v,
    x | {
        // x·(1/(1 + |x|)) with 1 + |x| and its reciprocal in double-f32: rounded once.
        let (d, e) = two_sum(v, v.splat(1.0), v.abs(x));
        let r = recip_dd(v, Dd::new(d, e));
        let y = v.fma(x, r.hi, v.mul(x, r.lo));
        // Past 2^64 the reciprocal is subnormal; the result there is ±1 (±inf stays NaN).
        let huge = v.and_m(
            v.gt(v.abs(x), v.splat(1.8446744e19)),
            v.lt(v.abs(x), v.splat(INF)),
        );
        v.sel(huge, v.copysign(v.splat(1.0), x), y)
    }
);
kernel!(Tanh {} | v, x | tanh::tanh(v, x));
kernel!(
    @plain HardTanh { min, max } | v,
    x | {
        let y = v.sel(v.lt(x, v.splat(min)), v.splat(min), x);
        v.sel(v.gt(y, v.splat(max)), v.splat(max), y)
    },
    // Below min, y = min, which the second select compares with max.
    select: Some(Select {
        rest: Pick::Input,
        rules: [
            Some((Side::Gt(max), Pick::Value(max))),
            Some((Side::Lt(min), Pick::Value(if min > max { max } else { min }))),
        ],
        nan: Pick::Input,
    })
);
kernel!(
    @plain HardShrink { lambda } | v,
    x | v.sel(v.gt(v.abs(x), v.splat(lambda)), x, v.splat(0.0)),
    // |x| > λ is x > λ or x < −λ (negation is exact); no side holds for NaN.
    select: Some(Select {
        rest: Pick::Value(0.0),
        rules: [
            Some((Side::Gt(lambda), Pick::Input)),
            Some((Side::Lt(-lambda), Pick::Input)),
        ],
        nan: Pick::Value(0.0),
    })
);
kernel!(
    @plain SoftShrink { lambda } | v,
    x | {
        let shrunk = v.sub(x, v.copysign(v.splat(lambda), x));
        let shrunk = v.sel(v.eq(x, v.splat(0.0)), v.splat(0.0), shrunk);
        v.sel(v.gt(v.abs(x), v.splat(lambda)), shrunk, v.splat(0.0))
    },
    f16: Arith::shrink(lambda)
);
kernel!(
    @plain Step { threshold } | v,
    x | v.sel(v.ge(x, v.splat(threshold)), v.splat(1.0), v.splat(0.0)),
    select: Some(Select {
        rest: Pick::Value(0.0),
        rules: [Some((Side::Ge(threshold), Pick::Value(1.0))), None],
        nan: Pick::Value(0.0),
    })
);
kernel!(
    // NaN: as hard_sigmoid's, x's own.
    @plain SparsePlus {} | v,
    x | {
        // (x + 1)² / 4 with x + 1 kept exact as s + e (a Fast2Sum, exact where the ramp
        // lies: |x| < 1).
        let (s, e) = v.fast_two_sum(v.splat(1.0), x);
        let mid = v.mul(v.fma(s, s, v.mul(v.add(s, s), e)), v.splat(0.25));
        let y = v.sel(v.ge(x, v.splat(1.0)), x, mid);
        nan_from_input(v, x, v.sel(v.le(x, v.splat(-1.0)), v.splat(0.0), y))
    }
);
kernel!(
    @plain SparseSigmoid {} | v,
    x | {
        let y = v.add(x, v.splat(1.0));
        let y = v.sel(v.lt(y, v.splat(0.0)), v.splat(0.0), y);
        let y = v.sel(v.gt(y, v.splat(2.0)), v.splat(2.0), y);
        v.mul(y, v.splat(0.5))
    },
    f16: Some(Arith::SparseSigmoid)
);
kernel!(
    Squareplus { b } | v,
    x | {
        // r = √(x² + b) in double-f32 (x² + b exact as s + e, one Newton correction of the root).
        let a = v.abs(x);
        let huge = v.gt(a, v.splat(1.0e18));
        let (q_hi, q_lo) = v.two_prod(x, x);
        let (s, e) = two_sum(v, q_hi, v.splat(b));
        let r = v.sqrt(s);
        let res = v.add(v.fnma(r, r, s), v.add(e, q_lo));
        let r_lo = v.mul(res, v.div(v.splat(0.5), r));
        let r_lo = v.sel(v.eq(r, v.splat(0.0)), v.splat(0.0), r_lo);
        let (r, r_lo) = (v.sel(huge, a, r), v.sel(huge, v.splat(0.0), r_lo));
        // x ≥ 0: (x + r)/2.
        let half = v.splat(0.5);
        let (t, te) = two_sum(v, v.mul(x, half), v.mul(r, half));
        let pos = v.add(t, v.fma(r_lo, half, te));
        // x < 0: b/(2(r + |x|)), which neither cancels nor overflows.
        let (d, de) = two_sum(v, v.mul(r, v.splat(0.5)), v.mul(a, v.splat(0.5)));
        let inv = recip_dd(v, Dd::new(d, v.fma(r_lo, v.splat(0.5), de)));
        let hb = v.splat(0.25 * b);
        let neg = v.fma(hb, inv.hi, v.mul(hb, inv.lo));
        let y = v.sel(v.ge(x, v.splat(0.0)), pos, neg);
        // b = 0 is relu (x² may underflow, so say it directly).
        let y = if b == 0.0 { relu(v, x) } else { y };
        let y = v.sel(v.eq(x, x), y, x);
        let y = v.sel(v.eq(x, v.splat(INF)), x, y);
        v.sel(v.eq(x, v.splat(-INF)), v.splat(f32::NAN), y)
    }
);
kernel!(Log1mexp {} | v, x | log1mexp(v, x));
kernel!(
    @plain Exp {} | v,
    x | {
        // The plain path makes no NaN; the other one makes them canonical.
        let (y, plain) = exp_plain(v, x);
        if plain {
            y
        } else {
            canonical_nan(v, exp_special(v, x))
        }
    }
);
kernel!(Expm1 {} | v, x | expm1(v, x));
kernel!(Log {} | v, x | log(v, x));
kernel!(Log1p {} | v, x | log1p(v, x));
kernel!(Erf {} | v, x | erf::erf(v, x));
kernel!(Erfc {} | v, x | erf::erfc(v, x));

/// Identity: a plain copy (NaN payloads kept).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Identity {}
impl Kernel for Identity {
    #[inline(always)]
    fn apply<S: Lanes>(self, _v: V<S>, x: F<S>) -> F<S> {
        x
    }
    #[inline(always)]
    fn select(self) -> Option<Select> {
        Some(Select::IDENTITY)
    }
}

/// PReLU with a per-element slope vector.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Prelu;
impl Kernel2 for Prelu {
    #[inline(always)]
    fn apply<S: Lanes>(self, v: V<S>, x: F<S>, a: F<S>) -> F<S> {
        let y = v.sel(v.ge(x, v.splat(0.0)), x, v.mul(x, a));
        // One NaN for every machine, as in `kernel!` (−inf·0 gives −NaN on x86, +NaN on Arm).
        v.sel(v.eq(y, y), y, v.splat(f32::NAN))
    }
    fn is_prelu(self) -> bool {
        true
    }
}

/// SELU λ (JAX / the paper's full-precision constant) as hi + lo.
pub(crate) const SELU_LAMBDA: (f32, f32) = (1.050_701, -3.479_265_2e-8);
/// SELU λ·α as hi + lo.
pub(crate) const SELU_LA: (f32, f32) = (1.758_099_3, 2.329_671_7e-8);
/// 1.702 (MLX gelu_fast_approx) as hi + lo.
pub(crate) const GELU_FAST: (f32, f32) = (1.702, -2.193_451e-8);
/// 2·√(2/π) as hi + lo.
pub(crate) const GELU_TANH_K: (f32, f32) = (1.595_769_2, -4.534_068e-8);
/// 0.044715 as hi + lo.
pub(crate) const GELU_TANH_C: (f32, f32) = (0.044_715, 1.546_144_4e-9);

/// Knuth's TwoSum: `(s, e)` with `s + e == a + b` exactly, for any order of magnitude.
#[inline(always)]
fn two_sum<S: Lanes>(v: V<S>, a: F<S>, b: F<S>) -> (F<S>, F<S>) {
    let s = v.add(a, b);
    let bb = v.sub(s, a);
    let e = v.add(v.sub(a, v.sub(s, bb)), v.sub(b, bb));
    (s, e)
}

/// `(hi + lo)/6` without a division: `q = hi·RN(1/6)` is within an ulp of `hi/6` (RN(1/6)
/// = (1 + 2^-25)/6), so the remainder `hi − 6q` is exact, and one correction by RN(1/6)
/// rounds `hi/6` correctly (Markstein's theorem); with `lo` the result can miss the correct
/// rounding only where `(hi + lo)/6` is within a tiny fraction of an ulp of a midpoint (about
/// 0.1% of hard_sigmoid's inputs, all within 0.51 ulp).
#[inline(always)]
fn div6<S: Lanes>(v: V<S>, hi: F<S>, lo: F<S>) -> F<S> {
    let q = v.mul(hi, v.splat(1.0 / 6.0));
    let r = v.add(v.fnma(q, v.splat(6.0), hi), lo);
    v.fma(r, v.splat(1.0 / 6.0), q)
}

/// softplus(x) = max(x, 0) + log1p(e^{−|x|}) for |x| ≤ [`SOFTPLUS_LEAN`], rounded once.
#[inline(always)]
fn softplus_lean<S: Lanes>(v: V<S>, x: F<S>) -> F<S> {
    let l = log1p_exp_neg_lean(v, x);
    let (h, e) = two_sum(v, relu(v, x), l.hi);
    v.add(h, v.add(e, l.lo))
}

/// softplus(x), or −softplus(x) where `NEG` (log_sigmoid(−x)), NaNs canonical: the lean
/// form where every |x| ≤ [`SOFTPLUS_LEAN`]. Otherwise lanes with x > SOFTPLUS_LEAN give x
/// (e^{−x} is far below half an ulp of x) and those with x < −[`SIGMOID_ZERO`] give +0
/// (softplus(x) < e^x, which rounds to 0 there as σ does),
/// the lean form serving the rest; only a vector with a lane outside all three (NaN, or
/// −SIGMOID_ZERO ≤ x < −SOFTPLUS_LEAN) takes the full-range form there.
#[inline(always)]
fn softplus_signed<S: Lanes, const NEG: bool>(v: V<S>, x: F<S>) -> F<S> {
    let ok = v.le(v.abs(x), v.splat(SOFTPLUS_LEAN));
    if v.all(ok) {
        return negate_if::<_, NEG>(v, softplus_lean(v, x));
    }
    let big = v.gt(x, v.splat(SOFTPLUS_LEAN));
    let zero = v.lt(x, v.splat(-SIGMOID_ZERO));
    if v.all(v.or_m(ok, v.or_m(big, zero))) {
        // The lean form's garbage lanes would hold out-of-range powers of two.
        let y = softplus_lean(v, v.sel(ok, x, v.splat(0.0)));
        return negate_if::<_, NEG>(v, v.sel(big, x, v.sel(zero, v.splat(0.0), y)));
    }
    // (The lean form's other lanes compute at 0: at |x| > 32 it would make subnormals.)
    let y = v.sel(
        ok,
        softplus_lean(v, v.sel(ok, x, v.splat(0.0))),
        softplus(v, x),
    );
    canonical_nan(v, negate_if::<_, NEG>(v, y))
}

/// `−y` where `NEG`, else `y`.
#[inline(always)]
fn negate_if<S: Lanes, const NEG: bool>(v: V<S>, y: F<S>) -> F<S> {
    if NEG { v.neg(y) } else { y }
}

/// softplus(x) = max(x, 0) + log1p(e^{−|x|}), for any x.
#[inline(always)]
fn softplus<S: Lanes>(v: V<S>, x: F<S>) -> F<S> {
    let (p, red) = exp_neg_abs(v, x);
    let gone = v.lt(red.n, v.splat(GONE_N));
    let l = log1p_parts_tiny(v, unscale(v, p, red), gone);
    // max(x, 0) + l.hi + l.lo, rounded once (x = ±inf and NaN pass through the sum).
    let (h, e) = two_sum(v, relu(v, x), l.hi);
    let y = v.add(h, v.add(e, l.lo));
    v.sel(v.eq(x, v.splat(INF)), x, y)
}

/// z = 2·√(2/π)·x·(1 + 0.044715·x²) in double-f32, so that gelu_tanh(x) = x·σ(z). Finite
/// for |x| ≤ 16.
#[inline(always)]
fn gelu_tanh_z<S: Lanes>(v: V<S>, x: F<S>) -> Dd<S> {
    let (q_hi, q_lo) = v.two_prod(x, x);
    let (m_hi, m_lo) = v.two_prod(q_hi, v.splat(GELU_TANH_C.0));
    let m_lo = v.fma(
        q_hi,
        v.splat(GELU_TANH_C.1),
        v.fma(q_lo, v.splat(GELU_TANH_C.0), m_lo),
    );
    let (w_hi, w_lo) = two_sum(v, v.splat(1.0), m_hi);
    let w = Dd::new(w_hi, v.add(w_lo, m_lo));
    let (k_hi, k_lo) = v.two_prod(x, v.splat(GELU_TANH_K.0));
    let k = Dd::new(k_hi, v.fma(x, v.splat(GELU_TANH_K.1), k_lo));
    k.mul(v, w)
}

/// gelu_tanh(x) = x·σ(z) for any x, through [`sigmoid_dd`].
#[inline(always)]
fn gelu_tanh<S: Lanes>(v: V<S>, x: F<S>) -> F<S> {
    // Beyond |x| = 16 the result is x (or −0): clamp so x³ stays finite.
    let big = v.gt(v.abs(x), v.splat(16.0));
    let xc = v.sel(big, v.copysign(v.splat(16.0), x), x);
    let z = gelu_tanh_z(v, xc);
    let y = sigmoid_dd(v, z.hi, z.lo).times(v, xc);
    let y = v.sel(v.and_m(big, v.gt(x, v.splat(0.0))), x, y);
    v.sel(v.and_m(big, v.lt(x, v.splat(0.0))), v.splat(-0.0), y)
}

/// mish(x) = x·tanh(softplus(x)) = x·E(E + 2)/(E(E + 2) + 2) with E = e^x, rewritten in
/// e = e^{−|x|} so nothing overflows; the x < 0 branch keeps the 2^n of e apart.
#[inline(always)]
fn mish<S: Lanes>(v: V<S>, x: F<S>) -> F<S> {
    let (p, red) = exp_neg_abs(v, x);
    // e < 2^-40 counts as 0 next to 2 (tanh(softplus) is then 2^n·p for x < 0, within
    // 2^-41 relative, or 1): e² and e·e.lo would be subnormal soon below (a microcode assist
    // per instruction on Intel cores). The kernel takes this form only for x < −87, NaN
    // and +∞, where e is below 2^-125.
    let (e, _) = unscale_near(v, p, red, -40.0);
    let two = v.splat(2.0);
    // x < 0: tanh(sp) = 2^n·p(e + 2) / (e(e + 2) + 2).
    let (ep2_hi, ep2_lo) = v.fast_two_sum(two, e.hi);
    let ep2 = Dd::new(ep2_hi, v.add(ep2_lo, e.lo));
    let w = e.mul(v, ep2);
    let (dn_hi, dn_lo) = v.fast_two_sum(two, w.hi);
    let num_n = p.mul(v, ep2);
    // x ≥ 0: tanh(sp) = (1 + 2e) / (1 + 2e + 2e²).
    let (a_hi, a_lo) = v.fast_two_sum(v.splat(1.0), v.add(e.hi, e.hi));
    let a = Dd::<S>::new(a_hi, v.add(a_lo, v.add(e.lo, e.lo)));
    let e2 = e.mul(v, e);
    let (dp_hi, dp_lo) = v.fast_two_sum(a.hi, v.add(e2.hi, e2.hi));
    let neg = v.lt(x, v.splat(0.0));
    let num = Dd::new(v.sel(neg, num_n.hi, a.hi), v.sel(neg, num_n.lo, a.lo));
    let den = Dd::new(
        v.sel(neg, dn_hi, dp_hi),
        v.sel(
            neg,
            v.add(dn_lo, w.lo),
            v.add(dp_lo, v.add(a.lo, v.add(e2.lo, e2.lo))),
        ),
    );
    let t = num.mul(v, recip_dd(v, den));
    // Deep negative lanes (|x| > 120): tanh(softplus) is below every subnormal.
    let zero = v.and_m(neg, v.lt(x, v.splat(-120.0)));
    let t = Dd::new(
        v.sel(zero, v.splat(0.0), t.hi),
        v.sel(zero, v.splat(0.0), t.lo),
    );
    let s = Scaled {
        val: t,
        t: v.sel(neg, red.t, v.splat(crate::math::exp::SHIFTER)),
        n: v.sel(neg, red.n, v.splat(0.0)),
    };
    let y = s.times(v, x);
    v.sel(v.eq(x, v.splat(INF)), x, y)
}

/// log1mexp(x) = log(1 − e^{−x}).
#[inline(always)]
fn log1mexp<S: Lanes>(v: V<S>, x: F<S>) -> F<S> {
    // e^{−x} in double-f32 makes 1 − e^{−x} exact enough down to x ≈ 1e-3 (Sterbenz).
    let (p, red) = exp_neg_abs(v, x);
    let e = unscale(v, p, red);
    let gone = v.lt(red.n, v.splat(GONE_N));
    let y = log1p_dd_tiny(v, Dd::new(v.neg(e.hi), v.neg(e.lo)), gone);
    let tiny = v.lt(x, v.splat(1.0e-3));
    let y = if v.any(tiny) {
        // Near 0 the result is ≈ log(x): log(−expm1(−x)) loses nothing there.
        v.sel(tiny, log(v, v.neg(expm1(v, v.neg(x)))), y)
    } else {
        y
    };
    // The true value is negative for every x > 0: an underflowed result is −0.
    let y = v.sel(
        v.and_m(v.eq(y, v.splat(0.0)), v.gt(x, v.splat(0.0))),
        v.splat(-0.0),
        y,
    );
    v.sel(v.lt(x, v.splat(0.0)), v.splat(f32::NAN), y)
}
