//! The public elementwise functions: `f(x, out, params…)` and `f_inplace(x, params…)`.
//!
//! Every function takes slices of any [`Element`] (`f32`, `f16`, `bf16`; parameters are
//! always f32) and panics when `x` and `out` differ in length (the message names the function
//! and both lengths). Special values follow `spec/ACTIVATIONS.md`; where MLX and Flax/JAX
//! disagree, the doc comment says which value lanewise returns. Half slices are computed in
//! f32 and rounded once, to the correctly rounded result (see [`Element`]).

pub(crate) mod kernels;

use crate::driver::{Exact, check_len, map, map_inplace, map2, radius};
use crate::dtype::{Element, by_element};
use crate::table::{half_table, transcendental};
use bytemuck::{cast_slice, cast_slice_mut};
use kernels::*;

/// Defines `name(x, out, params…)` and `name_inplace(x, params…)` from one kernel.
macro_rules! unary {
    ($(#[$doc:meta])* $name:ident, $inplace:ident, ($($p:ident),*) => $kernel:expr) => {
        $(#[$doc])*
        #[track_caller]
        pub fn $name<T: Element>(x: &[T], out: &mut [T] $(, $p: f32)*) {
            #[track_caller]
            fn run<E: Element>(x: &[E], out: &mut [E] $(, $p: f32)*) {
                let op = Exact { name: stringify!($name), params: &[$($p),*], slope: false };
                map::<E, _, { radius(stringify!($name)) }, { transcendental(stringify!($name)) }, { half_table(stringify!($name)) }>(&op, $kernel, x, out)
            }
            by_element!(T, run(x: &[E] = cast_slice(x), out: &mut [E] = cast_slice_mut(out) $(, $p: f32 = $p)*))
        }
        #[doc = concat!("In-place form of [`", stringify!($name), "`]: overwrites `x` with the result.")]
        pub fn $inplace<T: Element>(x: &mut [T] $(, $p: f32)*) {
            fn run<E: Element>(x: &mut [E] $(, $p: f32)*) {
                let op = Exact { name: stringify!($name), params: &[$($p),*], slope: false };
                map_inplace::<E, _, { radius(stringify!($name)) }, { transcendental(stringify!($name)) }, { half_table(stringify!($name)) }>(&op, $kernel, x)
            }
            by_element!(T, run(x: &mut [E] = cast_slice_mut(x) $(, $p: f32 = $p)*))
        }
    };
}

unary!(
    /// ReLU: `max(x, 0)` (MLX `relu`, Flax `relu`). −0 → +0, NaN → NaN. Exact.
    ///
    /// ```
    /// let mut y = [0.0f32; 3];
    /// lanewise::relu(&[-1.0, 0.5, f32::INFINITY], &mut y);
    /// assert_eq!(y, [0.0, 0.5, f32::INFINITY]);
    /// ```
    relu, relu_inplace, () => Relu {}
);
unary!(
    /// ReLU6: `min(max(x, 0), 6)` (both frameworks). Exact.
    ///
    /// ```
    /// let mut y = [0.0f32; 2];
    /// lanewise::relu6(&[7.0, 3.0], &mut y);
    /// assert_eq!(y, [6.0, 3.0]);
    /// ```
    relu6, relu6_inplace, () => Relu6 {}
);
unary!(
    /// ReLU squared: `max(x, 0)²` (MLX `relu2`). Correctly rounded; +inf beyond ~1.84e19.
    ///
    /// ```
    /// let mut y = [0.0f32; 2];
    /// lanewise::relu2(&[-2.0, 3.0], &mut y);
    /// assert_eq!(y, [0.0, 9.0]);
    /// ```
    relu2, relu2_inplace, () => Relu2 {}
);
unary!(
    /// Leaky ReLU: `x ≥ 0 ? x : negative_slope·x` (default slope 0.01 in both frameworks).
    ///
    /// This is JAX's select form. MLX computes `max(slope·x, x)`, which differs for
    /// slope > 1 (MLX then returns `slope·x` for positive x); lanewise follows the definition.
    ///
    /// ```
    /// let mut y = [0.0f32; 2];
    /// lanewise::leaky_relu(&[-2.0, 0.5], &mut y, 0.01);
    /// assert_eq!(y, [-0.02, 0.5]);
    /// ```
    leaky_relu, leaky_relu_inplace, (negative_slope) => LeakyRelu { slope: negative_slope }
);
unary!(
    /// Identity (Flax `identity`): copies `x`.
    ///
    /// ```
    /// let mut y = [0.0f32; 1];
    /// lanewise::identity(&[-0.0], &mut y);
    /// assert!(y[0].is_sign_negative());
    /// ```
    identity, identity_inplace, () => Identity {}
);
unary!(
    /// ELU: `x > 0 ? x : alpha·(e^x − 1)` (default alpha 1.0 in both), ≤ 1 ulp at alpha 1.
    ///
    /// Uses expm1 like JAX, so small negative x keeps full precision and −0 → −0; MLX's
    /// `exp(x) − 1` cancels near 0 and returns +0 there.
    ///
    /// ```
    /// let mut y = [0.0f32; 2];
    /// lanewise::elu(&[f32::NEG_INFINITY, 2.0], &mut y, 1.0);
    /// assert_eq!(y, [-1.0, 2.0]);
    /// ```
    elu, elu_inplace, (alpha) => Elu { alpha }
);
unary!(
    /// CELU: `max(x, 0) + alpha·expm1(min(x, 0)/alpha)` (default alpha 1.0 in both).
    /// −0 → +0 as in both frameworks; alpha = 0 gives NaN for x ≤ 0.
    ///
    /// ```
    /// let mut y = [0.0f32; 2];
    /// lanewise::celu(&[f32::NEG_INFINITY, 2.0], &mut y, 1.0);
    /// assert_eq!(y, [-1.0, 2.0]);
    /// ```
    celu, celu_inplace, (alpha) => Celu { alpha }
);
unary!(
    /// SELU: `λ·(x > 0 ? x : α·expm1(x))` with the full-precision constants
    /// α = 1.6732632423543772…, λ = 1.0507009873554804… (JAX/Flax and the paper).
    ///
    /// MLX uses truncated constants (α = 1.67326, λ = 1.0507), a relative difference of up
    /// to 2.9e-6, and returns +0 for −0 (lanewise: −0, as JAX).
    ///
    /// ```
    /// let mut y = [0.0f32; 1];
    /// lanewise::selu(&[f32::NEG_INFINITY], &mut y);
    /// assert_eq!(y[0], -1.7580993);
    /// ```
    selu, selu_inplace, () => Selu {}
);
unary!(
    /// Logistic sigmoid `1/(1 + e^−x)` (both frameworks), ≤ 2 ulp (1.01 measured over all
    /// 2^32 inputs) including the subnormal left tail (both frameworks flush it to 0 below
    /// about −87.3).
    ///
    /// ```
    /// let mut y = [0.0f32; 3];
    /// lanewise::sigmoid(&[0.0, f32::INFINITY, f32::NEG_INFINITY], &mut y);
    /// assert_eq!(y, [0.5, 1.0, 0.0]);
    /// ```
    sigmoid, sigmoid_inplace, () => Sigmoid {}
);
unary!(
    /// log σ(x) = −softplus(−x) (both frameworks), ≤ 2 ulp (0.997 measured over all 2^32
    /// inputs). +inf → −0; large negative x gives x.
    ///
    /// ```
    /// let mut y = [0.0f32; 2];
    /// lanewise::log_sigmoid(&[-100.0, 0.0], &mut y);
    /// assert_eq!(y, [-100.0, -core::f32::consts::LN_2]);
    /// ```
    log_sigmoid, log_sigmoid_inplace, () => LogSigmoid {}
);
unary!(
    /// softplus `log(1 + e^x)` = `max(x, 0) + log1p(e^−|x|)` (both frameworks), ≤ 2 ulp
    /// (0.997 measured over all 2^32 inputs) in both tails too (subnormal results for
    /// x < −87.3, where both frameworks return 0).
    ///
    /// ```
    /// let mut y = [0.0f32; 2];
    /// lanewise::softplus(&[0.0, 100.0], &mut y);
    /// assert_eq!(y, [core::f32::consts::LN_2, 100.0]);
    /// ```
    softplus, softplus_inplace, () => Softplus {}
);
unary!(
    /// Hard sigmoid `relu6(x + 3)/6` (Flax `hard_sigmoid`; MLX has none), evaluated in JAX's
    /// order (add, clamp, true division), so the bits match JAX.
    ///
    /// ```
    /// let mut y = [0.0f32; 2];
    /// lanewise::hard_sigmoid(&[0.0, 5.0], &mut y);
    /// assert_eq!(y, [0.5, 1.0]);
    /// ```
    hard_sigmoid, hard_sigmoid_inplace, () => HardSigmoid {}
);
unary!(
    /// Hard swish `x·relu6(x + 3)/6` (MLX `hardswish`, Flax `hard_swish` = `hard_silu`).
    ///
    /// JAX's order (divide, then multiply): no overflow for x > FLT_MAX/6, where MLX's
    /// multiply-first order returns +inf. −inf → NaN in both.
    ///
    /// ```
    /// let mut y = [0.0f32; 2];
    /// lanewise::hard_swish(&[-4.0, 3.0], &mut y);
    /// assert_eq!(y, [-0.0, 3.0]);
    /// ```
    hard_swish, hard_swish_inplace, () => HardSwish {}
);
unary!(
    /// SiLU / swish `x·σ(x)` (MLX `silu`, Flax `silu` = `swish`), ≤ 2 ulp (1.09 measured
    /// over all 2^32 inputs). −inf → NaN.
    ///
    /// ```
    /// let mut y = [0.0f32; 2];
    /// lanewise::silu(&[0.0, 100.0], &mut y);
    /// assert_eq!(y, [0.0, 100.0]);
    /// ```
    silu, silu_inplace, () => Silu {}
);
unary!(
    /// Mish `x·tanh(softplus(x))` (MLX `mish`, JAX `jax.nn.mish`), computed as
    /// `x·E(E+2)/(E(E+2)+2)`, E = e^x, without overflow, ≤ 2 ulp (1.09 measured over all
    /// 2^32 inputs). −inf → NaN.
    ///
    /// ```
    /// let mut y = [0.0f32; 2];
    /// lanewise::mish(&[0.0, 50.0], &mut y);
    /// assert_eq!(y, [0.0, 50.0]);
    /// ```
    mish, mish_inplace, () => Mish {}
);
unary!(
    /// Exact GELU `x·Φ(x)` = `½x·erfc(−x/√2)` (MLX `gelu`, the MLX default; Flax
    /// `gelu(x, approximate=False)`).
    ///
    /// Accurate through the whole left tail, down to subnormal results near x = −14 (MLX's
    /// `1 + erf` form returns −0 below −5.5). −inf → NaN as in both frameworks.
    ///
    /// ```
    /// let mut y = [0.0f32; 2];
    /// lanewise::gelu(&[0.0, 10.0], &mut y);
    /// assert_eq!(y, [0.0, 10.0]);
    /// ```
    gelu, gelu_inplace, () => Gelu {}
);
unary!(
    /// Tanh-approximate GELU `½x·(1 + tanh(√(2/π)·(x + 0.044715x³)))` (MLX `gelu_approx`,
    /// Flax `gelu(x)`, whose default is `approximate=True`).
    ///
    /// Evaluated as `x·σ(2u)`, which equals the formula but does not cancel in the left tail
    /// (both frameworks return −0 below about −5); ≤ 2 ulp (1.20 measured over all 2^32
    /// inputs).
    ///
    /// ```
    /// let mut y = [0.0f32; 2];
    /// lanewise::gelu_tanh(&[0.0, 20.0], &mut y);
    /// assert_eq!(y, [0.0, 20.0]);
    /// ```
    gelu_tanh, gelu_tanh_inplace, () => GeluTanh {}
);
unary!(
    /// Sigmoid-approximate GELU `x·σ(1.702·x)` (MLX `gelu_fast_approx`; Flax has none), ≤ 2
    /// ulp (1.20 measured over all 2^32 inputs).
    ///
    /// ```
    /// let mut y = [0.0f32; 1];
    /// lanewise::gelu_fast(&[0.0], &mut y);
    /// assert_eq!(y, [0.0]);
    /// ```
    gelu_fast, gelu_fast_inplace, () => GeluFast {}
);
unary!(
    /// Softsign `x/(1 + |x|)` (MLX `softsign`, Flax `soft_sign`), bit-identical to both.
    /// ±inf → NaN (inf/inf), as in both frameworks.
    ///
    /// ```
    /// let mut y = [0.0f32; 1];
    /// lanewise::softsign(&[1.0], &mut y);
    /// assert_eq!(y, [0.5]);
    /// ```
    softsign, softsign_inplace, () => Softsign {}
);
unary!(
    /// Hyperbolic tangent, ≤ 2 ulp (no saturation before the true value rounds to ±1).
    ///
    /// ```
    /// let mut y = [0.0f32; 2];
    /// lanewise::tanh(&[0.0, f32::INFINITY], &mut y);
    /// assert_eq!(y, [0.0, 1.0]);
    /// ```
    tanh, tanh_inplace, () => Tanh {}
);
unary!(
    /// Hard tanh `min(max(x, min_val), max_val)` (MLX defaults −1, 1; Flax has no
    /// parameters and is fixed at ±1). If `min_val > max_val` every output is `max_val`.
    ///
    /// ```
    /// let mut y = [0.0f32; 3];
    /// lanewise::hard_tanh(&[-3.0, 0.5, 3.0], &mut y, -1.0, 1.0);
    /// assert_eq!(y, [-1.0, 0.5, 1.0]);
    /// ```
    hard_tanh, hard_tanh_inplace, (min_val, max_val) => HardTanh { min: min_val, max: max_val }
);
unary!(
    /// Hard shrink `|x| > lambda ? x : 0` (MLX `hard_shrink`, default lambda 0.5). NaN → 0.
    ///
    /// ```
    /// let mut y = [0.0f32; 2];
    /// lanewise::hard_shrink(&[0.5, -0.7], &mut y, 0.5);
    /// assert_eq!(y, [0.0, -0.7]);
    /// ```
    hard_shrink, hard_shrink_inplace, (lambda) => HardShrink { lambda }
);
unary!(
    /// Soft shrink `|x| > lambda ? x − sign(x)·lambda : 0` (MLX `softshrink`, default 0.5).
    /// NaN → 0.
    ///
    /// ```
    /// let mut y = [0.0f32; 2];
    /// lanewise::soft_shrink(&[2.0, -0.25], &mut y, 0.5);
    /// assert_eq!(y, [1.5, 0.0]);
    /// ```
    soft_shrink, soft_shrink_inplace, (lambda) => SoftShrink { lambda }
);
unary!(
    /// Step `x ≥ threshold ? 1 : 0` (MLX `step`, default threshold 0, inclusive since MLX
    /// 0.32). Returns 1.0/0.0 as f32 where MLX returns int32. NaN → 0.
    ///
    /// ```
    /// let mut y = [0.0f32; 3];
    /// lanewise::step(&[-1.0, 0.0, f32::NAN], &mut y, 0.0);
    /// assert_eq!(y, [0.0, 1.0, 0.0]);
    /// ```
    step, step_inplace, (threshold) => Step { threshold }
);
unary!(
    /// Sparse plus `x ≤ −1 ? 0 : x ≥ 1 ? x : (x + 1)²/4` (JAX `sparse_plus`), rounded once.
    ///
    /// ```
    /// let mut y = [0.0f32; 1];
    /// lanewise::sparse_plus(&[0.0], &mut y);
    /// assert_eq!(y, [0.25]);
    /// ```
    sparse_plus, sparse_plus_inplace, () => SparsePlus {}
);
unary!(
    /// Sparse sigmoid `½·clip(x + 1, 0, 2)` (JAX `sparse_sigmoid`).
    ///
    /// ```
    /// let mut y = [0.0f32; 1];
    /// lanewise::sparse_sigmoid(&[0.0], &mut y);
    /// assert_eq!(y, [0.5]);
    /// ```
    sparse_sigmoid, sparse_sigmoid_inplace, () => SparseSigmoid {}
);
unary!(
    /// Squareplus `(x + √(x² + b))/2` (JAX `squareplus`, default b = 4), evaluated as
    /// `b/(2(√(x² + b) − x))` for x < 0 so it neither cancels nor overflows: huge negative x
    /// gives ≈ b/(4|x|) where JAX returns +inf. −inf → NaN as in JAX.
    ///
    /// ```
    /// let mut y = [0.0f32; 1];
    /// lanewise::squareplus(&[0.0], &mut y, 4.0);
    /// assert_eq!(y, [1.0]);
    /// ```
    squareplus, squareplus_inplace, (b) => Squareplus { b }
);
unary!(
    /// log1mexp `log(1 − e^{−x})` (JAX `log1mexp`). x < 0 → NaN, 0 → −inf, +inf → −0.
    ///
    /// ```
    /// let mut y = [0.0f32; 1];
    /// lanewise::log1mexp(&[core::f32::consts::LN_2], &mut y);
    /// assert_eq!(y, [-core::f32::consts::LN_2]);
    /// ```
    log1mexp, log1mexp_inplace, () => Log1mexp {}
);
unary!(
    /// e^x, ≤ 1 ulp; subnormal results are produced, overflow gives +inf exactly where
    /// e^x exceeds the f32 range.
    ///
    /// ```
    /// let mut y = [0.0f32; 2];
    /// lanewise::exp(&[0.0, 1.0], &mut y);
    /// assert_eq!(y, [1.0, core::f32::consts::E]);
    /// ```
    exp, exp_inplace, () => Exp {}
);
unary!(
    /// e^x − 1, ≤ 1 ulp.
    ///
    /// ```
    /// let mut y = [0.0f32; 1];
    /// lanewise::expm1(&[1e-10], &mut y);
    /// assert_eq!(y, [1e-10]);
    /// ```
    expm1, expm1_inplace, () => Expm1 {}
);
unary!(
    /// Natural logarithm, ≤ 1 ulp. x < 0 → NaN, ±0 → −inf.
    ///
    /// ```
    /// let mut y = [0.0f32; 2];
    /// lanewise::log(&[1.0, 0.0], &mut y);
    /// assert_eq!(y, [0.0, f32::NEG_INFINITY]);
    /// ```
    log, log_inplace, () => Log {}
);
unary!(
    /// log(1 + x), ≤ 1 ulp. x < −1 → NaN, −1 → −inf.
    ///
    /// ```
    /// let mut y = [0.0f32; 1];
    /// lanewise::log1p(&[1e-10], &mut y);
    /// assert_eq!(y, [1e-10]);
    /// ```
    log1p, log1p_inplace, () => Log1p {}
);
unary!(
    /// The error function, ≤ 1 ulp.
    ///
    /// ```
    /// let mut y = [0.0f32; 2];
    /// lanewise::erf(&[0.0, 5.0], &mut y);
    /// assert_eq!(y, [0.0, 1.0]);
    /// ```
    erf, erf_inplace, () => Erf {}
);
unary!(
    /// The complementary error function 1 − erf(x), ≤ 2 ulp, subnormal tail included.
    ///
    /// ```
    /// let mut y = [0.0f32; 2];
    /// lanewise::erfc(&[0.0, f32::NEG_INFINITY], &mut y);
    /// assert_eq!(y, [1.0, 2.0]);
    /// ```
    erfc, erfc_inplace, () => Erfc {}
);

/// PReLU `x ≥ 0 ? x : alpha·x` with a learned slope.
///
/// `alpha` has one element (a shared slope) or as many as the last axis of `x` (one slope
/// per channel, broadcast along the last axis as MLX `prelu` does; `x` is then rows of
/// `alpha.len()` elements), of the element type of `x`. MLX computes `max(0, x) + alpha·min(0, x)`: the same values for
/// finite alpha. Default initial slopes: MLX `PReLU` 0.25, Flax `nnx.PReLU` 0.01.
///
/// # Panics
/// If `x` and `out` differ in length, `alpha` is empty, or `x.len()` is not a multiple of
/// `alpha.len()`.
///
/// ```
/// let mut y = [0.0f32; 4];
/// lanewise::prelu(&[-1.0, -1.0, 2.0, -2.0], &mut y, &[0.25, 0.5]);
/// assert_eq!(y, [-0.25, -0.5, 2.0, -1.0]);
/// ```
#[track_caller]
pub fn prelu<T: Element>(x: &[T], out: &mut [T], alpha: &[T]) {
    check_len("prelu", x.len(), out.len());
    check_alpha(x.len(), alpha.len());
    by_element!(T, prelu_as(x: &[E] = cast_slice(x), out: &mut [E] = cast_slice_mut(out), alpha: &[E] = cast_slice(alpha)))
}

fn prelu_as<T: Element>(x: &[T], out: &mut [T], alpha: &[T]) {
    if alpha.len() == 1 {
        let slope = alpha[0].to_f32();
        return map::<T, _, SLOPE_RADIUS, false, false>(
            &slope_op(&[slope]),
            LeakyRelu { slope },
            x,
            out,
        );
    }
    for (xr, or) in x
        .chunks_exact(alpha.len())
        .zip(out.chunks_exact_mut(alpha.len()))
    {
        map2::<T, _, SLOPE_RADIUS>(&slope_op(&[]), Prelu, xr, alpha, or);
    }
}

/// In-place form of [`prelu`].
///
/// # Panics
/// As [`prelu`].
#[track_caller]
pub fn prelu_inplace<T: Element>(x: &mut [T], alpha: &[T]) {
    check_alpha(x.len(), alpha.len());
    by_element!(T, prelu_inplace_as(x: &mut [E] = cast_slice_mut(x), alpha: &[E] = cast_slice(alpha)))
}

fn prelu_inplace_as<T: Element>(x: &mut [T], alpha: &[T]) {
    if alpha.len() == 1 {
        let slope = alpha[0].to_f32();
        return map_inplace::<T, _, SLOPE_RADIUS, false, false>(
            &slope_op(&[slope]),
            LeakyRelu { slope },
            x,
        );
    }
    let mut row = vec![T::default(); alpha.len()];
    for xr in x.chunks_exact_mut(alpha.len()) {
        row.copy_from_slice(xr);
        map2::<T, _, SLOPE_RADIUS>(&slope_op(&[]), Prelu, &row, alpha, xr);
    }
}

/// PReLU is leaky_relu with the slope as its parameter: `slope`, or per element from the
/// slope slice when `slope` is empty.
fn slope_op(slope: &[f32]) -> Exact<'_> {
    Exact {
        name: "leaky_relu",
        params: slope,
        slope: slope.is_empty(),
    }
}

const SLOPE_RADIUS: u32 = radius("leaky_relu");

#[track_caller]
fn check_alpha(n: usize, channels: usize) {
    assert!(channels > 0, "lanewise::prelu: alpha is empty");
    assert!(
        n.is_multiple_of(channels),
        "lanewise::prelu: input length {n} is not a multiple of alpha length {channels}"
    );
}

/// Aliases under the names MLX and Flax use.
pub use self::{
    gelu_fast as gelu_fast_approx, gelu_fast_inplace as gelu_fast_approx_inplace,
    gelu_tanh as gelu_approx, gelu_tanh_inplace as gelu_approx_inplace, hard_swish as hardswish,
    hard_swish as hard_silu, hard_swish_inplace as hardswish_inplace,
    hard_swish_inplace as hard_silu_inplace, silu as swish, silu_inplace as swish_inplace,
    soft_shrink as softshrink, soft_shrink_inplace as softshrink_inplace, softsign as soft_sign,
    softsign_inplace as soft_sign_inplace,
};
