//! The table of operations: every function's names, parameters, reference and bound.
//!
//! The public API, the tests, the benchmarks, the report tool and the README all read this
//! one table: adding a function is one entry here plus its kernel.

use crate::dtype::{Dtype, Element};
use crate::ops;
use bytemuck::{cast_slice, cast_slice_mut};
use half::{bf16, f16};

/// A parameter of a function, with each framework's default.
#[derive(Clone, Copy, Debug)]
pub struct Param {
    /// The argument name in lanewise.
    pub name: &'static str,
    /// The default lanewise documents (the value tests and benches use).
    pub default: f32,
    /// MLX's default, where MLX has the parameter.
    pub mlx: Option<f32>,
    /// Flax/JAX's default, where it has the parameter.
    pub flax: Option<f32>,
}

/// What family a function belongs to (benchmarks and targets differ by family).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    /// Compare/select/multiply only.
    PiecewiseLinear,
    /// Built on exp/log/tanh/erf.
    Transcendental,
    /// One of the math primitives themselves.
    Primitive,
}

/// One elementwise function.
#[derive(Clone, Copy, Debug)]
pub struct OpInfo {
    /// lanewise's name (the function `lanewise::<name>`).
    pub name: &'static str,
    /// Names in `mlx.nn` (or `mlx.core` for primitives); empty when MLX lacks it.
    pub mlx: &'static [&'static str],
    /// Names in `flax.nnx` / `jax.nn` / `jax.numpy`; empty when Flax/JAX lack it.
    pub flax: &'static [&'static str],
    /// Scalar parameters, in argument order.
    pub params: &'static [Param],
    /// The family.
    pub family: Family,
    /// Published max error over every f32 input at the default parameters, in f32 ulps
    /// (0 = exact, 0.5 = correctly rounded).
    pub ulp_f32: f64,
    /// Runs the function out of place with the given parameters.
    pub run: fn(&[f32], &mut [f32], &[f32]),
    /// Runs the function in place with the given parameters.
    pub run_inplace: fn(&mut [f32], &[f32]),
    /// [`run`](Self::run) on f16 slices.
    pub run_f16: fn(&[f16], &mut [f16], &[f32]),
    /// [`run_inplace`](Self::run_inplace) on f16 slices.
    pub run_f16_inplace: fn(&mut [f16], &[f32]),
    /// [`run`](Self::run) on bf16 slices.
    pub run_bf16: fn(&[bf16], &mut [bf16], &[f32]),
    /// [`run_inplace`](Self::run_inplace) on bf16 slices.
    pub run_bf16_inplace: fn(&mut [bf16], &[f32]),
}

impl OpInfo {
    /// Whether its f16/bf16 forms read lookup tables ([`crate::lut`]) once earned: the
    /// functions built on the transcendental primitives, and the piecewise-linear ones whose
    /// half kernels run slower than a lookup (hard_swish, softsign, sparse_plus).
    ///
    /// ```
    /// use lanewise::table::find;
    /// assert!(find("gelu").unwrap().half_table());
    /// assert!(find("softsign").unwrap().half_table());
    /// assert!(!find("relu").unwrap().half_table());
    /// ```
    pub fn half_table(&self) -> bool {
        half_table(self.name)
    }

    /// The default parameter values.
    pub fn defaults(&self) -> Vec<f32> {
        self.params.iter().map(|p| p.default).collect()
    }

    /// Runs the function out of place on slices of any element type.
    ///
    /// ```
    /// use lanewise::{bf16, table::find};
    /// let op = find("relu").unwrap();
    /// let mut y = [bf16::ZERO; 2];
    /// op.run_as(&[bf16::NEG_ONE, bf16::ONE], &mut y, &[]);
    /// assert_eq!(y, [bf16::ZERO, bf16::ONE]);
    /// ```
    pub fn run_as<T: Element>(&self, x: &[T], out: &mut [T], p: &[f32]) {
        match T::DTYPE {
            Dtype::F32 => (self.run)(cast_slice(x), cast_slice_mut(out), p),
            Dtype::F16 => (self.run_f16)(cast_slice(x), cast_slice_mut(out), p),
            Dtype::Bf16 => (self.run_bf16)(cast_slice(x), cast_slice_mut(out), p),
        }
    }

    /// Runs the function in place on a slice of any element type.
    ///
    /// ```
    /// use lanewise::{f16, table::find};
    /// let mut x = [f16::NEG_ONE, f16::ONE];
    /// find("relu").unwrap().run_inplace_as(&mut x, &[]);
    /// assert_eq!(x, [f16::ZERO, f16::ONE]);
    /// ```
    pub fn run_inplace_as<T: Element>(&self, x: &mut [T], p: &[f32]) {
        match T::DTYPE {
            Dtype::F32 => (self.run_inplace)(cast_slice_mut(x), p),
            Dtype::F16 => (self.run_f16_inplace)(cast_slice_mut(x), p),
            Dtype::Bf16 => (self.run_bf16_inplace)(cast_slice_mut(x), p),
        }
    }

    /// The f64 reference at `x` with parameters `p`.
    pub fn reference(&self, x: f64, p: &[f64]) -> f64 {
        crate::reference::elementwise(self.name, x, p).expect("every table entry has a reference")
    }
}

const fn param(name: &'static str, default: f32, mlx: Option<f32>, flax: Option<f32>) -> Param {
    Param {
        name,
        default,
        mlx,
        flax,
    }
}

macro_rules! op {
    ($name:ident, mlx: [$($m:literal),*], flax: [$($f:literal),*], $family:ident, $ulp:expr,
     params: [$($p:expr),*], |$x:ident, $o:ident, $pp:ident| ($($arg:expr),*)) => {
        OpInfo {
            name: stringify!($name),
            mlx: &[$($m),*],
            flax: &[$($f),*],
            params: &[$($p),*],
            family: Family::$family,
            ulp_f32: $ulp,
            run: |$x, $o, $pp| {
                let _ = $pp;
                ops::$name($x, $o $(, $arg)*)
            },
            run_inplace: |$x, $pp| {
                let _ = $pp;
                paste_inplace!($name)($x $(, $arg)*)
            },
            run_f16: |$x, $o, $pp| {
                let _ = $pp;
                ops::$name($x, $o $(, $arg)*)
            },
            run_f16_inplace: |$x, $pp| {
                let _ = $pp;
                paste_inplace!($name)($x $(, $arg)*)
            },
            run_bf16: |$x, $o, $pp| {
                let _ = $pp;
                ops::$name($x, $o $(, $arg)*)
            },
            run_bf16_inplace: |$x, $pp| {
                let _ = $pp;
                paste_inplace!($name)($x $(, $arg)*)
            },
        }
    };
}

/// Maps `f` to `f_inplace` inside the `op!` table.
macro_rules! paste_inplace {
    (relu) => {
        ops::relu_inplace
    };
    (relu6) => {
        ops::relu6_inplace
    };
    (relu2) => {
        ops::relu2_inplace
    };
    (leaky_relu) => {
        ops::leaky_relu_inplace
    };
    (identity) => {
        ops::identity_inplace
    };
    (elu) => {
        ops::elu_inplace
    };
    (celu) => {
        ops::celu_inplace
    };
    (selu) => {
        ops::selu_inplace
    };
    (sigmoid) => {
        ops::sigmoid_inplace
    };
    (log_sigmoid) => {
        ops::log_sigmoid_inplace
    };
    (softplus) => {
        ops::softplus_inplace
    };
    (hard_sigmoid) => {
        ops::hard_sigmoid_inplace
    };
    (hard_swish) => {
        ops::hard_swish_inplace
    };
    (silu) => {
        ops::silu_inplace
    };
    (mish) => {
        ops::mish_inplace
    };
    (gelu) => {
        ops::gelu_inplace
    };
    (gelu_tanh) => {
        ops::gelu_tanh_inplace
    };
    (gelu_fast) => {
        ops::gelu_fast_inplace
    };
    (softsign) => {
        ops::softsign_inplace
    };
    (tanh) => {
        ops::tanh_inplace
    };
    (hard_tanh) => {
        ops::hard_tanh_inplace
    };
    (hard_shrink) => {
        ops::hard_shrink_inplace
    };
    (soft_shrink) => {
        ops::soft_shrink_inplace
    };
    (step) => {
        ops::step_inplace
    };
    (sparse_plus) => {
        ops::sparse_plus_inplace
    };
    (sparse_sigmoid) => {
        ops::sparse_sigmoid_inplace
    };
    (squareplus) => {
        ops::squareplus_inplace
    };
    (log1mexp) => {
        ops::log1mexp_inplace
    };
    (exp) => {
        ops::exp_inplace
    };
    (expm1) => {
        ops::expm1_inplace
    };
    (log) => {
        ops::log_inplace
    };
    (log1p) => {
        ops::log1p_inplace
    };
    (erf) => {
        ops::erf_inplace
    };
    (erfc) => {
        ops::erfc_inplace
    };
}

/// Every elementwise function (PReLU, whose slope is a slice, is listed separately in the
/// README; it shares LeakyReLU's kernel).
pub static OPS: &[OpInfo] = TABLE;

/// The entry of the function called `name`, at compile time.
const fn entry_of(name: &str) -> Option<&'static OpInfo> {
    let mut i = 0;
    while i < TABLE.len() {
        if same_name(TABLE[i].name, name) {
            return Some(&TABLE[i]);
        }
        i += 1;
    }
    None
}

/// [`ulp_f32`](OpInfo::ulp_f32) of the function called `name`, at compile time (the half
/// driver sizes its ambiguity test from it); 0 for a name not in the table.
pub(crate) const fn ulp_f32_of(name: &str) -> f64 {
    match entry_of(name) {
        Some(op) => op.ulp_f32,
        None => 0.0,
    }
}

/// Whether the function `name` is built on the transcendental primitives (every family but
/// the piecewise-linear one). Evaluated at compile time.
pub(crate) const fn transcendental(name: &str) -> bool {
    match entry_of(name) {
        Some(op) => !matches!(op.family, Family::PiecewiseLinear),
        None => false,
    }
}

/// The piecewise-linear functions whose f16/bf16 forms nonetheless read lookup tables: their
/// half kernels divide or multiply and round through the near-midpoint test, and ran at
/// 2.2–3.4 Gelem/s in cache where a lookup runs at 4–5 (Intel Xeon, session 20). hard_sigmoid
/// left them in session 21: its half form (`Kernel::apply_half`) multiplies once and needs
/// no test, 8.7–13.7 Gelem/s against 5.9–6.1 for its tables.
const TABULATED_PIECEWISE: [&str; 3] = ["hard_swish", "softsign", "sparse_plus"];

/// Whether the f16/bf16 forms of the function `name` use lookup tables ([`crate::lut`]):
/// every function built on the transcendental primitives, whose kernels run slower than a
/// table lookup, and [`TABULATED_PIECEWISE`]; the other piecewise-linear ones compute.
/// Evaluated at compile time.
pub(crate) const fn half_table(name: &str) -> bool {
    if transcendental(name) {
        return true;
    }
    let mut i = 0;
    while i < TABULATED_PIECEWISE.len() {
        if same_name(name, TABULATED_PIECEWISE[i]) {
            return true;
        }
        i += 1;
    }
    false
}

/// Whether two names are equal (in const contexts).
pub(crate) const fn same_name(a: &str, b: &str) -> bool {
    same(a.as_bytes(), b.as_bytes())
}

const fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

const TABLE: &[OpInfo] = &[
    op!(relu, mlx: ["relu"], flax: ["relu"], PiecewiseLinear, 0.0, params: [], |x, o, p| ()),
    op!(relu6, mlx: ["relu6"], flax: ["relu6"], PiecewiseLinear, 0.0, params: [], |x, o, p| ()),
    op!(relu2, mlx: ["relu2"], flax: [], PiecewiseLinear, 0.5, params: [], |x, o, p| ()),
    op!(leaky_relu, mlx: ["leaky_relu"], flax: ["leaky_relu"], PiecewiseLinear, 0.5,
        params: [param("negative_slope", 0.01, Some(0.01), Some(0.01))], |x, o, p| (p[0])),
    op!(identity, mlx: [], flax: ["identity"], PiecewiseLinear, 0.0, params: [], |x, o, p| ()),
    op!(hard_tanh, mlx: ["hard_tanh"], flax: ["hard_tanh"], PiecewiseLinear, 0.0,
        params: [param("min_val", -1.0, Some(-1.0), None), param("max_val", 1.0, Some(1.0), None)],
        |x, o, p| (p[0], p[1])),
    op!(hard_shrink, mlx: ["hard_shrink"], flax: [], PiecewiseLinear, 0.0,
        params: [param("lambda", 0.5, Some(0.5), None)], |x, o, p| (p[0])),
    op!(soft_shrink, mlx: ["softshrink"], flax: [], PiecewiseLinear, 0.5,
        params: [param("lambda", 0.5, Some(0.5), None)], |x, o, p| (p[0])),
    op!(step, mlx: ["step"], flax: [], PiecewiseLinear, 0.0,
        params: [param("threshold", 0.0, Some(0.0), None)], |x, o, p| (p[0])),
    op!(hard_sigmoid, mlx: [], flax: ["hard_sigmoid"], PiecewiseLinear, 1.0, params: [], |x, o, p| ()),
    op!(hard_swish, mlx: ["hardswish"], flax: ["hard_swish", "hard_silu"], PiecewiseLinear, 1.5,
        params: [], |x, o, p| ()),
    op!(softsign, mlx: ["softsign"], flax: ["soft_sign"], PiecewiseLinear, 1.0, params: [], |x, o, p| ()),
    op!(sparse_plus, mlx: [], flax: ["sparse_plus"], PiecewiseLinear, 1.0, params: [], |x, o, p| ()),
    op!(sparse_sigmoid, mlx: [], flax: ["sparse_sigmoid"], PiecewiseLinear, 0.5, params: [], |x, o, p| ()),
    op!(squareplus, mlx: [], flax: ["squareplus"], Transcendental, 2.0,
        params: [param("b", 4.0, None, Some(4.0))], |x, o, p| (p[0])),
    op!(elu, mlx: ["elu"], flax: ["elu"], Transcendental, 2.0,
        params: [param("alpha", 1.0, Some(1.0), Some(1.0))], |x, o, p| (p[0])),
    op!(celu, mlx: ["celu"], flax: ["celu"], Transcendental, 2.0,
        params: [param("alpha", 1.0, Some(1.0), Some(1.0))], |x, o, p| (p[0])),
    op!(selu, mlx: ["selu"], flax: ["selu"], Transcendental, 2.0, params: [], |x, o, p| ()),
    op!(sigmoid, mlx: ["sigmoid"], flax: ["sigmoid"], Transcendental, 2.0, params: [], |x, o, p| ()),
    op!(log_sigmoid, mlx: ["log_sigmoid"], flax: ["log_sigmoid"], Transcendental, 2.0, params: [],
        |x, o, p| ()),
    op!(softplus, mlx: ["softplus"], flax: ["softplus"], Transcendental, 2.0, params: [], |x, o, p| ()),
    op!(silu, mlx: ["silu"], flax: ["silu", "swish"], Transcendental, 2.0, params: [], |x, o, p| ()),
    op!(mish, mlx: ["mish"], flax: ["mish"], Transcendental, 2.0, params: [], |x, o, p| ()),
    op!(gelu, mlx: ["gelu"], flax: ["gelu(approximate=False)"], Transcendental, 2.0, params: [],
        |x, o, p| ()),
    op!(gelu_tanh, mlx: ["gelu_approx"], flax: ["gelu"], Transcendental, 2.0, params: [], |x, o, p| ()),
    op!(gelu_fast, mlx: ["gelu_fast_approx"], flax: [], Transcendental, 2.0, params: [], |x, o, p| ()),
    op!(tanh, mlx: ["tanh"], flax: ["tanh"], Transcendental, 2.0, params: [], |x, o, p| ()),
    op!(log1mexp, mlx: [], flax: ["log1mexp"], Transcendental, 2.0, params: [], |x, o, p| ()),
    op!(exp, mlx: ["exp"], flax: ["exp"], Primitive, 1.0, params: [], |x, o, p| ()),
    op!(expm1, mlx: ["expm1"], flax: ["expm1"], Primitive, 1.0, params: [], |x, o, p| ()),
    op!(log, mlx: ["log"], flax: ["log"], Primitive, 1.0, params: [], |x, o, p| ()),
    op!(log1p, mlx: ["log1p"], flax: ["log1p"], Primitive, 1.0, params: [], |x, o, p| ()),
    op!(erf, mlx: ["erf"], flax: ["erf"], Primitive, 1.0, params: [], |x, o, p| ()),
    op!(erfc, mlx: [], flax: ["erfc"], Primitive, 2.0, params: [], |x, o, p| ()),
];

/// Looks a function up by lanewise's name or any MLX / Flax alias.
///
/// ```
/// let op = lanewise::table::find("hardswish").unwrap();
/// assert_eq!(op.name, "hard_swish");
/// ```
pub fn find(name: &str) -> Option<&'static OpInfo> {
    OPS.iter()
        .find(|op| op.name == name || op.mlx.contains(&name) || op.flax.contains(&name))
}

/// What a row-wise function makes of a row.
///
/// ```
/// use lanewise::table::{ROW_OPS, RowKind};
/// assert!(ROW_OPS.iter().any(|o| o.kind == RowKind::Reduce));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowKind {
    /// One output per input element (softmax, log_softmax, standardize).
    Normalize,
    /// One output per row (logsumexp, logmeanexp).
    Reduce,
    /// The row split in halves, one output per pair (glu).
    Split,
    /// One row of classes per index (one_hot).
    Expand,
}

/// Runs a row-wise function in its axis form: `(x, out, axis, mask)`.
///
/// ```
/// let run: lanewise::table::RowRun = lanewise::logsumexp_axis;
/// let mut y = [0.0f32];
/// run(&[0.0], &mut y, lanewise::Axis::new(1, 1, 1), None);
/// assert_eq!(y, [0.0]);
/// ```
pub type RowRun = fn(&[f32], &mut [f32], crate::Axis, Option<&[bool]>);

/// [`RowRun`] on rows of element type `T`.
///
/// ```
/// let run: lanewise::table::RowRunAs<lanewise::f16> = lanewise::softmax_axis;
/// let mut y = [lanewise::f16::ZERO; 2];
/// run(&[lanewise::f16::ONE; 2], &mut y, lanewise::Axis::new(1, 2, 1), None);
/// assert_eq!(y, [lanewise::f16::from_f32(0.5); 2]);
/// ```
pub type RowRunAs<T> = fn(&[T], &mut [T], crate::Axis, Option<&[bool]>);

impl RowOpInfo {
    /// The published bound for outputs of type `dtype`, in its ulps of `max(|r|, floor)`:
    /// [`ulp_f32`](Self::ulp_f32) for f32; for f16/bf16 the f32 result (≤ B f32 ulps from
    /// the true value) is rounded once, which adds half an ulp of the half type, and B f32
    /// ulps are B·2^-(23 − m) of its ulps (m = 10 or 7 fraction bits): `0.5 + B·2^(m − 23)`
    /// (0 for an exact function). The bound is for the true value on the row as given in the
    /// half type (widened exactly).
    ///
    /// ```
    /// use lanewise::{Dtype, table::ROW_OPS};
    /// let softmax = &ROW_OPS[0];
    /// assert_eq!(softmax.ulp_bound(Dtype::F32), 4.0);
    /// assert_eq!(softmax.ulp_bound(Dtype::F16), 0.5 + 4.0 / 8192.0);
    /// assert_eq!(softmax.ulp_bound(Dtype::Bf16), 0.5 + 4.0 / 65536.0);
    /// ```
    pub fn ulp_bound(&self, dtype: Dtype) -> f64 {
        match dtype {
            Dtype::F32 => self.ulp_f32,
            _ if self.ulp_f32 == 0.0 => 0.0,
            _ => 0.5 + self.ulp_f32 * 2f64.powi(dtype.mantissa_bits() - 23),
        }
    }

    /// Runs the axis form on rows of any element type (`one_hot`: the input holds the class
    /// indices as values of `T`).
    ///
    /// ```
    /// use lanewise::{bf16, Axis, table::ROW_OPS};
    /// let op = ROW_OPS.iter().find(|o| o.name == "logsumexp").unwrap();
    /// let mut y = [bf16::ZERO];
    /// op.run_as(&[bf16::ZERO; 2], &mut y, Axis::new(1, 2, 1), None);
    /// assert_eq!(y[0], bf16::from_f32(core::f32::consts::LN_2));
    /// ```
    pub fn run_as<T: Element>(
        &self,
        x: &[T],
        out: &mut [T],
        axis: crate::Axis,
        mask: Option<&[bool]>,
    ) {
        match T::DTYPE {
            Dtype::F32 => (self.run)(cast_slice(x), cast_slice_mut(out), axis, mask),
            Dtype::F16 => (self.run_f16)(cast_slice(x), cast_slice_mut(out), axis, mask),
            Dtype::Bf16 => (self.run_bf16)(cast_slice(x), cast_slice_mut(out), axis, mask),
        }
    }
}

/// The f64 reference of one contiguous row with its mask.
///
/// ```
/// let r: lanewise::table::RowReference = lanewise::reference::rows::softmax;
/// assert_eq!(r(&[2.0, 2.0], None)[0].value, 0.5);
/// ```
pub type RowReference = fn(&[f32], Option<&[bool]>) -> Vec<crate::reference::rows::RowRef>;

/// One row-wise function (see [`crate::Axis`] for the layouts).
///
/// ```
/// let op = lanewise::table::ROW_OPS.iter().find(|o| o.name == "softmax").unwrap();
/// let mut y = [0.0f32; 2];
/// (op.run)(&[1.0, 1.0], &mut y, lanewise::Axis::new(1, 2, 1), None);
/// assert_eq!(y, [0.5, 0.5]);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct RowOpInfo {
    /// lanewise's name (the function `lanewise::<name>` and its `_axis` form).
    pub name: &'static str,
    /// The options this entry runs with (empty for the defaults).
    pub variant: &'static str,
    /// Names in MLX (`mlx.nn`, or `mlx.core` where marked); empty when MLX lacks it.
    pub mlx: &'static [&'static str],
    /// Names in `flax.nnx` / `jax.nn`; empty when Flax/JAX lack it.
    pub flax: &'static [&'static str],
    /// What the function makes of a row.
    pub kind: RowKind,
    /// Published max error in f32 ulps of `max(|r|, floor)` (see
    /// [`crate::reference::rows`]), for every row, layout and ISA. These follow from the
    /// error budget, not from a sweep (rows cannot be enumerated): `e^{x−m}` is rounded
    /// once from an argument kept exact to 2^-25 (relative error ≤ 1.56u, u = 2^-24; the
    /// power-of-two shift `e^x·2^−k` of rows with |m| ≤ 88, ≤ 1.25u), the double-f32 sums
    /// add ≤ 0.31u, so Σ is within 1.87u; softmax `e·(1/Σ)` rounds once more: ≤ 0.5 + 1.56 +
    /// 1.87 < 4 ulp; log_softmax `x − m − log Σ` (two terms of one sign) ≤ 0.5 + 1.87 < 2.5
    /// ulp, the 1.87u relative to the terms below the maximum (counted exactly) or, where the
    /// power-of-two shift is kept, absolute with `log Σ ≥ 2` (≤ 0.94 ulp); standardize
    /// rounds `(x − μ)·rs` once from values good to 2^-40. The tests check them on
    /// adversarial rows.
    pub ulp_f32: f64,
    /// The floor of the error scale, in words ("0": a plain relative bound).
    pub floor: &'static str,
    /// Runs the axis form (`mask` for [`RowKind::Normalize`] and [`RowKind::Reduce`]).
    pub run: RowRun,
    /// [`run`](Self::run) on f16 rows (f32 accumulation, one rounding per output).
    pub run_f16: RowRunAs<f16>,
    /// [`run`](Self::run) on bf16 rows.
    pub run_bf16: RowRunAs<bf16>,
    /// The f64 reference of one contiguous row with its mask ([`RowKind::Expand`]: none).
    pub reference: Option<RowReference>,
}

fn standardize_stable<T: Element>(
    x: &[T],
    out: &mut [T],
    axis: crate::Axis,
    mask: Option<&[bool]>,
) {
    let opts = crate::StandardizeOptions {
        mask,
        algorithm: crate::Algorithm::Stable,
        ..Default::default()
    };
    crate::standardize_with(x, out, axis, opts)
}

/// Every row-wise function; the tests, benches and README read this table.
///
/// ```
/// for op in lanewise::table::ROW_OPS {
///     println!("{} {} ≤ {} ulp", op.name, op.variant, op.ulp_f32);
/// }
/// ```
pub static ROW_OPS: &[RowOpInfo] = &[
    RowOpInfo {
        name: "softmax",
        variant: "",
        mlx: &["softmax"],
        flax: &["softmax"],
        kind: RowKind::Normalize,
        ulp_f32: 4.0,
        floor: "0",
        run: crate::softmax_axis,
        run_f16: crate::softmax_axis::<f16>,
        run_bf16: crate::softmax_axis::<bf16>,
        reference: Some(crate::reference::rows::softmax),
    },
    RowOpInfo {
        name: "softmin",
        variant: "",
        mlx: &["softmin"],
        flax: &[],
        kind: RowKind::Normalize,
        ulp_f32: 4.0,
        floor: "0",
        run: crate::softmin_axis,
        run_f16: crate::softmin_axis::<f16>,
        run_bf16: crate::softmin_axis::<bf16>,
        reference: Some(crate::reference::rows::softmin),
    },
    RowOpInfo {
        name: "log_softmax",
        variant: "",
        mlx: &["log_softmax"],
        flax: &["log_softmax"],
        kind: RowKind::Normalize,
        ulp_f32: 2.5,
        floor: "0",
        run: crate::log_softmax_axis,
        run_f16: crate::log_softmax_axis::<f16>,
        run_bf16: crate::log_softmax_axis::<bf16>,
        reference: Some(crate::reference::rows::log_softmax),
    },
    RowOpInfo {
        name: "logsumexp",
        variant: "",
        mlx: &["logsumexp (core)"],
        flax: &["logsumexp"],
        kind: RowKind::Reduce,
        ulp_f32: 2.5,
        floor: "log Σe^(x−m)",
        run: crate::logsumexp_axis,
        run_f16: crate::logsumexp_axis::<f16>,
        run_bf16: crate::logsumexp_axis::<bf16>,
        reference: Some(|x, m| vec![crate::reference::rows::logsumexp(x, m)]),
    },
    RowOpInfo {
        name: "logmeanexp",
        variant: "",
        mlx: &[],
        flax: &["logmeanexp"],
        kind: RowKind::Reduce,
        ulp_f32: 2.5,
        floor: "log n",
        run: crate::logmeanexp_axis,
        run_f16: crate::logmeanexp_axis::<f16>,
        run_bf16: crate::logmeanexp_axis::<bf16>,
        reference: Some(|x, m| vec![crate::reference::rows::logmeanexp(x, m)]),
    },
    RowOpInfo {
        name: "standardize",
        variant: "",
        mlx: &[],
        flax: &["standardize"],
        kind: RowKind::Normalize,
        ulp_f32: 1.0,
        floor: "2^-16 × the largest output of the row",
        run: crate::standardize_axis,
        run_f16: crate::standardize_axis::<f16>,
        run_bf16: crate::standardize_axis::<bf16>,
        reference: Some(|x, m| crate::reference::rows::standardize(x, m, None, None, 1e-5, true)),
    },
    RowOpInfo {
        name: "standardize",
        variant: "algorithm=Stable",
        mlx: &["fast.layer_norm (core, no weight)"],
        flax: &["standardize(algorithm=\"stable\")"],
        kind: RowKind::Normalize,
        ulp_f32: 1.0,
        floor: "2^-16 × the largest output of the row",
        run: standardize_stable,
        run_f16: standardize_stable::<f16>,
        run_bf16: standardize_stable::<bf16>,
        reference: Some(|x, m| crate::reference::rows::standardize(x, m, None, None, 1e-5, false)),
    },
    RowOpInfo {
        name: "glu",
        variant: "",
        mlx: &["glu"],
        flax: &["glu"],
        kind: RowKind::Split,
        ulp_f32: 1.0,
        floor: "0",
        run: |x, o, a, _| crate::glu_axis(x, o, a),
        run_f16: |x, o, a, _| crate::glu_axis(x, o, a),
        run_bf16: |x, o, a, _| crate::glu_axis(x, o, a),
        reference: Some(|x, _| crate::reference::rows::glu(x)),
    },
    RowOpInfo {
        name: "one_hot",
        variant: "",
        mlx: &[],
        flax: &["one_hot"],
        kind: RowKind::Expand,
        ulp_f32: 0.0,
        floor: "0",
        run: |x, o, a, _| crate::one_hot_axis(x, o, a),
        run_f16: |x, o, a, _| crate::one_hot_axis(x, o, a),
        run_bf16: |x, o, a, _| crate::one_hot_axis(x, o, a),
        reference: None,
    },
];
