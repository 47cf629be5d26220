//! Row-wise functions: softmax, softmin, log_softmax, logsumexp, logmeanexp, standardize,
//! glu and one_hot over f32, f16 and bf16.
//!
//! Every function has a contiguous form `f(x, out, n)` (rows of `n` elements, the last
//! axis) and an axis form `f_axis(x, out, axis, ...)` that works on any axis of a row-major
//! tensor through an [`Axis`] `(outer, len, inner)` layout, without a transpose. The
//! reductions take an optional mask (Flax/JAX `where`) of the input's length.
//!
//! Sums are compensated per lane and combined in one fixed order, so every instruction set
//! and both layouts return the same bits (the axis form equals the contiguous form applied
//! to the transposed tensor). Bounds: [`crate::table::ROW_OPS`].
//!
//! f16 and bf16 rows widen to f32 in registers, run the f32 algorithm unchanged (every sum
//! in f32, as MLX `precise=True` and JAX do; MLX `nn.softmax` by default accumulates in the
//! half type), and round each output once: a half output equals the f32 function of the
//! widened input rounded to the half type, on every instruction set.

mod glu;
mod inplace;
mod layout;
mod one_hot;
mod reduce;
pub(crate) mod softmax;
mod standardize;

pub use glu::{glu, glu_axis};
pub use inplace::{log_softmax_inplace, softmax_inplace, softmin_inplace, standardize_inplace};
pub use layout::{Axis, MAX_AXIS_LEN};
pub use one_hot::{ClassIndex, one_hot, one_hot_axis};
pub use standardize::{
    Algorithm, StandardizeOptions, standardize, standardize_axis, standardize_with,
};

use crate::dtype::{Element, by_element};
use bytemuck::{cast_slice, cast_slice_mut};
use layout::{check_arg, scratch_len};
use softmax::{ExpRows, Kind, Src};

/// [`run_exp`] without logsumexp's `b` and sign outputs.
#[track_caller]
fn run_plain<T: Element>(
    name: &str,
    kind: Kind,
    negate: bool,
    x: &[T],
    out: &mut [T],
    axis: Axis,
    mask: Option<&[bool]>,
) {
    run_exp(name, kind, negate, x, out, axis, mask, None, None)
}

/// Checks the arguments of a softmax-family call and runs it.
#[track_caller]
#[allow(clippy::too_many_arguments)]
fn run_exp<T: Element>(
    name: &str,
    kind: Kind,
    negate: bool,
    x: &[T],
    out: &mut [T],
    axis: Axis,
    mask: Option<&[bool]>,
    b: Option<&[T]>,
    mut sign: Option<&mut [T]>,
) {
    axis.check(name, "input", x.len());
    let out_len = if kind.reduces() { axis.rows() } else { x.len() };
    check_arg(name, "output", out.len(), out_len);
    if let Some(m) = mask {
        check_arg(name, "mask", m.len(), x.len());
    }
    if let Some(b) = b {
        check_arg(name, "b", b.len(), x.len());
    }
    if let Some(s) = sign.as_deref() {
        check_arg(name, "sign", s.len(), axis.rows());
    }
    if axis.len == 0 {
        // Empty rows: logsumexp −inf (sign 0), logmeanexp −inf − log 0 = NaN.
        let y = if kind == Kind::LogMeanExp {
            f32::NAN
        } else {
            f32::NEG_INFINITY
        };
        out.fill(T::from_f32(y));
        if let Some(s) = sign.as_deref_mut() {
            s.fill(T::from_f32(0.0));
        }
        return;
    }
    by_element!(T, exp_rows(
        kind: Kind = kind,
        negate: bool = negate,
        x: &[E] = cast_slice(x),
        out: &mut [E] = cast_slice_mut(out),
        axis: Axis = axis,
        mask: Option<&[bool]> = mask,
        b: Option<&[E]> = b.map(cast_slice),
        sign: Option<&mut [E]> = sign.map(cast_slice_mut),
    ))
}

/// The rows of a checked softmax-family call.
#[allow(clippy::too_many_arguments)]
fn exp_rows<T: Element>(
    kind: Kind,
    negate: bool,
    x: &[T],
    out: &mut [T],
    axis: Axis,
    mask: Option<&[bool]>,
    b: Option<&[T]>,
    sign: Option<&mut [T]>,
) {
    // Softmax keeps `e^{x−m}` in a scratch for half outputs (storing it rounded would round
    // the result twice), and for strided f32 groups of a size the thread keeps: their passes
    // walk the group out of order, and the scratch stays in cache from one group to the
    // next, where `out` would come from memory at the first store.
    let strided = axis.inner > 1 && scratch_len(axis) <= KEEP_SCRATCH;
    let local = kind == Kind::Softmax && (T::DTYPE != crate::Dtype::F32 || strided);
    let run = |scratch: &mut [f32]| {
        ExpRows {
            kind,
            axis,
            src: Src { x, negate, mask, b },
            out,
            sign,
            scratch,
        }
        .run()
    };
    if local {
        with_scratch(scratch_len(axis), run);
    } else {
        run(&mut []);
    }
}

/// Scratch buffers of at most this many f32 are kept per thread between calls.
const KEEP_SCRATCH: usize = 1 << 20;

thread_local! {
    static SCRATCH: core::cell::RefCell<Vec<f32>> = const { core::cell::RefCell::new(Vec::new()) };
}

/// Runs `f` with an f32 scratch of `len` elements: the thread's reused buffer (so a call on
/// short rows does not allocate), or a fresh one when it is long or already in use.
fn with_scratch<R>(len: usize, f: impl FnOnce(&mut [f32]) -> R) -> R {
    if len > KEEP_SCRATCH {
        return f(&mut vec![0.0; len]);
    }
    SCRATCH.with(|s| match s.try_borrow_mut() {
        Ok(mut v) => {
            if v.len() < len {
                v.resize(len, 0.0);
            }
            f(&mut v[..len])
        }
        Err(_) => f(&mut vec![0.0; len]),
    })
}

/// Softmax over contiguous rows of `n`: `out = e^{x−m} / Σ e^{x−m}` per row (MLX
/// `softmax`, Flax `softmax`, both with `axis=-1`).
///
/// Special rows follow the spec: any NaN or +inf in a row, or a row of only −inf, gives an
/// all-NaN row; −inf entries next to finite ones give 0; `[1e30, 0, −1e30]` gives
/// `[1, 0, 0]`. MLX multiplies by `1/Σ` and JAX divides, so they differ by about 1 ulp;
/// lanewise rounds `e^{x−m}·(1/Σ)` once from double-f32 values (bound in
/// [`crate::table::ROW_OPS`]).
///
/// Generic over the [`Element`] type: f16/bf16 rows accumulate in f32 (as MLX
/// `softmax(precise=True)` and JAX; MLX `nn.softmax` accumulates half inputs in the half
/// type) and round each output once, so the result is the f32 softmax of the widened row
/// rounded to the half type.
///
/// # Panics
/// If `n` is 0, `x.len()` is not a multiple of `n`, or `out.len() != x.len()`.
///
/// ```
/// let mut y = [0.0f32; 6];
/// lanewise::softmax(&[1.0, 1.0, 0.0, f32::NEG_INFINITY, 2.0, 2.0], &mut y, 3);
/// assert_eq!(y[..2], [y[0], y[0]]);
/// assert_eq!(y[3], 0.0);
/// assert_eq!(y[4], 0.5);
/// // The same on f16 (or bf16) rows.
/// use lanewise::f16;
/// let x = [f16::ONE, f16::ONE, f16::ZERO, f16::NEG_INFINITY];
/// let mut h = [f16::ZERO; 4];
/// lanewise::softmax(&x, &mut h, 2);
/// assert_eq!(h, [f16::from_f32(0.5), f16::from_f32(0.5), f16::ONE, f16::ZERO]);
/// ```
#[track_caller]
pub fn softmax<T: Element>(x: &[T], out: &mut [T], n: usize) {
    let axis = Axis::contiguous("softmax", x.len(), n);
    run_plain("softmax", Kind::Softmax, false, x, out, axis, None);
}

/// Softmax over any axis, with an optional mask (Flax/JAX `softmax(x, axis, where=mask)`).
///
/// Masked-out elements are left out of the maximum and the sum and output 0 (NaN or inf
/// there does not leak); a fully masked row is all 0. See [`softmax`] for the rest.
///
/// # Panics
/// If `x`, `out` (and `mask`) do not all have `axis.len()` elements, or the axis is
/// longer than [`MAX_AXIS_LEN`].
///
/// ```
/// use lanewise::Axis;
/// // [2, 2] tensor, softmax down the columns (axis 0).
/// let x = [0.0f32, 5.0, 0.0, f32::NAN];
/// let mask = [true, true, true, false];
/// let mut y = [0.0f32; 4];
/// lanewise::softmax_axis(&x, &mut y, Axis::of_shape(&[2, 2], 0), Some(&mask));
/// assert_eq!(y, [0.5, 1.0, 0.5, 0.0]);
/// ```
#[track_caller]
pub fn softmax_axis<T: Element>(x: &[T], out: &mut [T], axis: Axis, mask: Option<&[bool]>) {
    run_plain("softmax_axis", Kind::Softmax, false, x, out, axis, mask);
}

/// Softmin over contiguous rows of `n`: `softmax(−x)` (MLX `softmin`; Flax has none).
///
/// The mirror of [`softmax`]: any −inf in a row gives an all-NaN row, +inf entries give 0.
///
/// # Panics
/// As [`softmax`].
///
/// ```
/// let mut y = [0.0f32; 2];
/// lanewise::softmin(&[3.0, 3.0], &mut y, 2);
/// assert_eq!(y, [0.5, 0.5]);
/// ```
#[track_caller]
pub fn softmin<T: Element>(x: &[T], out: &mut [T], n: usize) {
    let axis = Axis::contiguous("softmin", x.len(), n);
    run_plain("softmin", Kind::Softmax, true, x, out, axis, None);
}

/// Softmin over any axis, with an optional mask (a lanewise extension: masked-out
/// elements output 0, as for [`softmax_axis`]).
///
/// # Panics
/// As [`softmax_axis`].
///
/// ```
/// let mut y = [0.0f32; 2];
/// lanewise::softmin_axis(&[1.0, f32::INFINITY], &mut y, lanewise::Axis::new(1, 2, 1), None);
/// assert_eq!(y, [1.0, 0.0]);
/// ```
#[track_caller]
pub fn softmin_axis<T: Element>(x: &[T], out: &mut [T], axis: Axis, mask: Option<&[bool]>) {
    run_plain("softmin_axis", Kind::Softmax, true, x, out, axis, mask);
}

/// Log-softmax over contiguous rows of `n`: `x − m − log Σ e^{x−m}` (MLX `log_softmax`,
/// Flax `log_softmax`).
///
/// The result is `−(|x − m| + log Σ)`, a sum of two non-negative terms, computed from
/// `x − m` kept exact and `log Σ` in double-f32: a relative bound holds everywhere,
/// including outputs near 0. −inf entries give −inf; any NaN or +inf, or a row of only
/// −inf, gives an all-NaN row; equal huge logits give `−log n` exactly as in MLX ≥ 0.32.1
/// and JAX (older MLX returned 0).
///
/// # Panics
/// As [`softmax`].
///
/// ```
/// let mut y = [0.0f32; 2];
/// lanewise::log_softmax(&[1e8, 1e8], &mut y, 2);
/// assert_eq!(y, [-core::f32::consts::LN_2; 2]);
/// ```
#[track_caller]
pub fn log_softmax<T: Element>(x: &[T], out: &mut [T], n: usize) {
    let axis = Axis::contiguous("log_softmax", x.len(), n);
    run_plain("log_softmax", Kind::LogSoftmax, false, x, out, axis, None);
}

/// Log-softmax over any axis with an optional mask (Flax/JAX `where`): masked-out
/// elements output −inf, a fully masked row is all −inf.
///
/// # Panics
/// As [`softmax_axis`].
///
/// ```
/// let mut y = [0.0f32; 3];
/// lanewise::log_softmax_axis(&[0.0, 0.0, 9.0], &mut y, lanewise::Axis::new(1, 3, 1), Some(&[true, true, false]));
/// assert_eq!(y, [-core::f32::consts::LN_2, -core::f32::consts::LN_2, f32::NEG_INFINITY]);
/// ```
#[track_caller]
pub fn log_softmax_axis<T: Element>(x: &[T], out: &mut [T], axis: Axis, mask: Option<&[bool]>) {
    run_plain(
        "log_softmax_axis",
        Kind::LogSoftmax,
        false,
        x,
        out,
        axis,
        mask,
    );
}

/// log Σ e^x over contiguous rows of `n`: one output per row (`out.len() == x.len() / n`).
///
/// MLX has it in core only (`mx.logsumexp`), Flax as `logsumexp`; both default to
/// reducing over all axes, lanewise reduces rows (pass `n = x.len()` for one total).
/// Any +inf gives +inf (also with −inf present), a row of only −inf gives −inf, NaN gives
/// NaN. The result is `m + log Σ`; its error is bounded in ulps of `max(|r|, log Σ)`
/// (when m and log Σ cancel no relative bound is possible).
///
/// # Panics
/// If `n` is 0, `x.len()` is not a multiple of `n`, or `out.len() != x.len() / n`.
///
/// ```
/// let mut y = [0.0f32; 2];
/// lanewise::logsumexp(&[0.0, 0.0, f32::NEG_INFINITY, f32::NEG_INFINITY], &mut y, 2);
/// assert_eq!(y, [core::f32::consts::LN_2, f32::NEG_INFINITY]);
/// ```
#[track_caller]
pub fn logsumexp<T: Element>(x: &[T], out: &mut [T], n: usize) {
    let axis = Axis::contiguous("logsumexp", x.len(), n);
    run_plain("logsumexp", Kind::LogSumExp, false, x, out, axis, None);
}

/// logsumexp over any axis with an optional mask: masked-out elements are left out, a
/// fully masked (or empty) row gives −inf. `out` has [`Axis::rows`] elements.
///
/// # Panics
/// As [`softmax_axis`], with `out.len() == axis.rows()`.
///
/// ```
/// use lanewise::Axis;
/// let mut y = [0.0f32; 2];
/// // [2, 2] tensor, reduce over axis 0.
/// lanewise::logsumexp_axis(&[0.0, 1.0, 0.0, 1.0], &mut y, Axis::of_shape(&[2, 2], 0), None);
/// assert_eq!(y, [core::f32::consts::LN_2, 1.0 + core::f32::consts::LN_2]);
/// ```
#[track_caller]
pub fn logsumexp_axis<T: Element>(x: &[T], out: &mut [T], axis: Axis, mask: Option<&[bool]>) {
    run_plain("logsumexp_axis", Kind::LogSumExp, false, x, out, axis, mask);
}

/// Options of [`logsumexp_with`]: JAX's `where`, `b` and `return_sign`; `b` and the sign
/// have the element type `T` of the input.
///
/// ```
/// let o = lanewise::LogSumExpOptions::<f32>::default();
/// assert!(o.mask.is_none() && o.b.is_none() && o.sign.is_none());
/// ```
#[derive(Debug)]
pub struct LogSumExpOptions<'a, T = f32> {
    /// Elements that take part (JAX `where`), the input's length.
    pub mask: Option<&'a [bool]>,
    /// Per-element scale: the result is `log |Σ b·e^x|`; entries with `b == 0` are left
    /// out (as JAX treats them as −inf). The input's length.
    pub b: Option<&'a [T]>,
    /// JAX `return_sign`: receives the sign of `Σ b·e^x` per row (1, −1, 0 for a zero
    /// sum, NaN for NaN). Without it a negative sum gives NaN, as in JAX.
    pub sign: Option<&'a mut [T]>,
}

impl<T> Default for LogSumExpOptions<'_, T> {
    fn default() -> Self {
        LogSumExpOptions {
            mask: None,
            b: None,
            sign: None,
        }
    }
}

/// logsumexp with JAX's `b` scale and `return_sign` (Flax `logsumexp(a, axis, b, ...,
/// return_sign, where)`).
///
/// With `b` the sum may cancel; the error is then bounded relative to the condition of
/// the sum, `κ = Σ|b·e^x| / |Σ b·e^x|`: ≤ 3.5 ulp of `max(|r|, κ)` (each term carries
/// ≤ 2.6·2^-24 of relative error). A +inf element
/// with `b > 0` gives +inf, with `b < 0` +inf and sign −1, with both signs NaN (JAX can
/// also return NaN when other terms overflow `e^x`; lanewise does not).
///
/// # Panics
/// As [`logsumexp_axis`], and if `b` or `sign` have the wrong length.
///
/// ```
/// use lanewise::{Axis, LogSumExpOptions};
/// let (mut y, mut s) = ([0.0f32; 1], [0.0f32; 1]);
/// let opts = LogSumExpOptions { b: Some(&[1.0, -2.0]), sign: Some(&mut s), ..Default::default() };
/// lanewise::logsumexp_with(&[0.0, 0.0], &mut y, Axis::new(1, 2, 1), opts);
/// assert_eq!((y[0], s[0]), (0.0, -1.0)); // log|1 − 2| = 0, negative sum
/// ```
#[track_caller]
pub fn logsumexp_with<T: Element>(
    x: &[T],
    out: &mut [T],
    axis: Axis,
    opts: LogSumExpOptions<'_, T>,
) {
    run_exp(
        "logsumexp_with",
        Kind::LogSumExp,
        false,
        x,
        out,
        axis,
        opts.mask,
        opts.b,
        opts.sign,
    );
}

/// log mean e^x = logsumexp − log n over contiguous rows of `n` (JAX `logmeanexp`; MLX and
/// `flax.nnx` have none). One output per row.
///
/// The error is bounded in ulps of `max(|r|, log n)`: `log Σ − log n` may cancel.
///
/// # Panics
/// As [`logsumexp`].
///
/// ```
/// let mut y = [0.0f32; 1];
/// lanewise::logmeanexp(&[5.0, 5.0, 5.0], &mut y, 3);
/// assert_eq!(y, [5.0]);
/// ```
#[track_caller]
pub fn logmeanexp<T: Element>(x: &[T], out: &mut [T], n: usize) {
    let axis = Axis::contiguous("logmeanexp", x.len(), n);
    run_plain("logmeanexp", Kind::LogMeanExp, false, x, out, axis, None);
}

/// logmeanexp over any axis with an optional mask: the mean is over the masked-in
/// elements; a fully masked (or empty) row gives NaN (−inf − log 0), as in JAX.
///
/// # Panics
/// As [`logsumexp_axis`].
///
/// ```
/// let mut y = [0.0f32; 1];
/// lanewise::logmeanexp_axis(&[1.0, 7.0], &mut y, lanewise::Axis::new(1, 2, 1), Some(&[true, false]));
/// assert_eq!(y, [1.0]);
/// ```
#[track_caller]
pub fn logmeanexp_axis<T: Element>(x: &[T], out: &mut [T], axis: Axis, mask: Option<&[bool]>) {
    run_plain(
        "logmeanexp_axis",
        Kind::LogMeanExp,
        false,
        x,
        out,
        axis,
        mask,
    );
}
