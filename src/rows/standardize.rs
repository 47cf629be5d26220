//! standardize: `(x − μ) / √(v + ε)` per row, with the mean and the variance computed in
//! double-f32 (or given).

use super::layout::{
    Axis, PREFETCH_MIN_BYTES, Pass, RowKernel, Slot, VLANES, Walk, check_arg, for_each_group, lane,
    lanes_below, load, load_mask, prefetch, store, walk,
};
use super::reduce::{FmaAdd, RENORM_CHUNKS, Sums2Count, renorm, two_sum};
use crate::convert::{Io, WithIo, dispatch};
use crate::dtype::{Dtype, Element, by_element};
use crate::math::Dd;
use crate::math::sigmoid::recip_dd;
use crate::simd::{F, V};
use bytemuck::{cast_slice, cast_slice_mut};
use pulp::Simd;

/// How the variance is computed (JAX's `algorithm`).
///
/// ```
/// assert_eq!(lanewise::Algorithm::default(), lanewise::Algorithm::Fast);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// One pass: `v = max(mean(x²) − μ², 0)` (JAX's default). lanewise keeps both means in
    /// double-f32, so the difference keeps about 44 bits where JAX's f32 keeps none once
    /// |μ| ≫ σ (JAX gives ±474 for `[1e4, 1e4+1, 1e4+2, 1e4+3]`, lanewise ±1.342).
    #[default]
    Fast,
    /// Two passes: `v = mean((x − μ)²)` with `x − μ` exact (JAX ≥ 0.10.1 `"stable"`; MLX
    /// `mx.fast.layer_norm` without weight and bias).
    Stable,
}

/// Options of [`standardize_with`] (JAX `standardize(x, axis, mean, variance, epsilon,
/// where, algorithm)`); a given mean and variance have the element type `T` of the input,
/// ε is an f32.
///
/// ```
/// let o = lanewise::StandardizeOptions::<f32>::default();
/// assert_eq!((o.epsilon, o.algorithm), (1e-5, lanewise::Algorithm::Fast));
/// ```
#[derive(Debug)]
pub struct StandardizeOptions<'a, T = f32> {
    /// Elements that enter the mean and the variance (JAX `where`, the input's length);
    /// every element is still transformed. A fully masked row gives NaN.
    pub mask: Option<&'a [bool]>,
    /// A given mean per row ([`Axis::rows`] values), used in the variance too.
    pub mean: Option<&'a [T]>,
    /// A given variance per row ([`Axis::rows`] values).
    pub variance: Option<&'a [T]>,
    /// Added to the variance (default 1e-5, as JAX).
    pub epsilon: f32,
    /// The variance algorithm (default [`Algorithm::Fast`], as JAX).
    pub algorithm: Algorithm,
}

impl<T> Clone for StandardizeOptions<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for StandardizeOptions<'_, T> {}

impl<T> Default for StandardizeOptions<'_, T> {
    fn default() -> Self {
        StandardizeOptions {
            mask: None,
            mean: None,
            variance: None,
            epsilon: 1e-5,
            algorithm: Algorithm::Fast,
        }
    }
}

struct Std<'a, T> {
    axis: Axis,
    x: &'a [T],
    out: &'a mut [T],
    o: StandardizeOptions<'a, T>,
}

impl<T: Element> WithIo for Std<'_, T> {
    type Output = ();
    const NARROWS_BF16: bool = matches!(T::DTYPE, Dtype::Bf16);
    #[inline(always)]
    fn with_io<IO: Io>(mut self, io: IO) {
        let axis = self.axis;
        for_each_group(io, axis, &mut self);
    }
}

/// Sums of deviations from a shift (see [`Std::sums`]).
struct SumsPass<'a, IO: Io, T> {
    io: IO,
    x: &'a [T],
    mask: Option<&'a [bool]>,
    c: (F<IO::S>, F<IO::S>),
    exact_shift: bool,
    want_sq: bool,
    /// Contiguous rows of a large input ([`PREFETCH_MIN_BYTES`]): the row length, the
    /// distance to the next row's elements, fetched during this pass; 0 for none.
    ahead: usize,
    /// The input and the output, whose next rows are fetched.
    next: [*const T; 2],
    fa: FmaAdd<IO::S>,
}

impl<IO: Io, T: Element> Pass<IO::S, 5, 5> for SumsPass<'_, IO, T> {
    /// The first pass over a group (from memory): chunk after chunk, which streams.
    const SLOT_MAJOR: bool = false;
    #[inline(always)]
    fn term(&mut self, v: V<IO::S>, s: Slot) -> [F<IO::S>; 5] {
        let zero = v.splat(0.0);
        if self.ahead > 0 {
            for p in self.next {
                prefetch(p, s.off + self.ahead);
            }
        }
        let fa = self.fa;
        let (d, e) = fa.two_sum(v, load(self.io, self.x, s, 0.0), v.neg(self.c.0));
        // With a double-f32 shift, d_lo = e − c_lo may be as large as d: renormalise so
        // that d_lo² is negligible in d² = p + 2·d·d_lo.
        let (d, d_lo) = if self.exact_shift {
            (d, e)
        } else {
            fa.two_sum(v, d, fa.sub(v, e, self.c.1))
        };
        // Every lane of a full slot is valid when there is no mask.
        let valid = match self.mask {
            Some(m) => Some(load_mask(v, m, s)),
            None if s.n < <IO::S as Simd>::F32_LANES => Some(lanes_below(v, s.n)),
            None => None,
        };
        let (d, d_lo) = match valid {
            Some(m) => (v.sel(m, d, zero), v.sel(m, d_lo, zero)),
            None => (d, d_lo),
        };
        let (p, pe) = if self.want_sq {
            let (p, pe) = v.two_prod(d, d);
            (p, v.fma(v.add(d, d), d_lo, pe))
        } else {
            (zero, zero)
        };
        // The count is needed with a mask only (otherwise it is the row length).
        let one = match (self.mask, valid) {
            (Some(_), Some(m)) => v.sel(m, v.splat(1.0), zero),
            _ => zero,
        };
        [d, d_lo, p, pe, one]
    }
    #[inline(always)]
    fn fold(&self, v: V<IO::S>, st: &mut [F<IO::S>; 5], [d, d_lo, p, pe, one]: [F<IO::S>; 5]) {
        (st[0], st[1]) = self.fa.acc(v, st[0], st[1], d, d_lo);
        if self.want_sq {
            (st[2], st[3]) = self.fa.acc(v, st[2], st[3], p, pe);
        }
        if self.mask.is_some() {
            st[4] = v.add(st[4], one);
        }
    }
    #[inline(always)]
    fn end_chunk(&self, v: V<IO::S>, c: usize, st: &mut [F<IO::S>; 5]) {
        if c % RENORM_CHUNKS == RENORM_CHUNKS - 1 {
            (st[0], st[1]) = renorm(v, st[0], st[1]);
            (st[2], st[3]) = renorm(v, st[2], st[3]);
        }
    }
}

/// Output pass: `(x − μ)·rs`, with `x − μ` exact and one rounding.
struct OutPass<'a, 'o, IO: Io, T> {
    io: IO,
    x: &'a [T],
    mu: (F<IO::S>, F<IO::S>),
    rs: (F<IO::S>, F<IO::S>),
    out: &'o mut [T],
}

impl<IO: Io, T: Element> Pass<IO::S, 0, 0> for OutPass<'_, '_, IO, T> {
    #[inline(always)]
    fn term(&mut self, v: V<IO::S>, s: Slot) -> [F<IO::S>; 0] {
        if s.n > 0 {
            let (mu, rs) = (self.mu, self.rs);
            let (d, e) = two_sum(v, load(self.io, self.x, s, 0.0), v.neg(mu.0));
            let d_lo = v.sub(e, mu.1);
            let y = v.fma(d, rs.0, v.fma(d, rs.1, v.mul(d_lo, rs.0)));
            let y = v.sel(v.eq(v.abs(d), v.splat(f32::INFINITY)), v.mul(d, rs.0), y);
            store(
                self.io,
                self.out,
                s,
                v.sel(v.eq(y, y), y, v.splat(f32::NAN)),
            );
        }
        []
    }
    #[inline(always)]
    fn fold(&self, _v: V<IO::S>, _st: &mut [F<IO::S>; 0], _t: [F<IO::S>; 0]) {}
}

/// Per-row statistics: `μ` and `1/√(v + ε)` as double-f32, and 1.0 in the lanes whose rows
/// are redone in f64.
struct Stats<S: Simd> {
    mu: (F<S>, F<S>),
    rs: (F<S>, F<S>),
    redo: F<S>,
}

/// `(hi + lo) / n` for an exact count `n`, as a double-f32.
#[inline(always)]
fn div_n<S: Simd>(v: V<S>, hi: F<S>, lo: F<S>, n: F<S>) -> (F<S>, F<S>) {
    let q = v.div(hi, n);
    let r = v.add(v.fnma(q, n, hi), lo);
    (q, v.div(r, n))
}

/// Below this, `v + ε` is recomputed in f64: squares of f32 deviations that small lose
/// bits to the subnormal range.
const TINY_VAR: f32 = 5.421_011e-20; // 2^-64

impl<T: Element> Std<'_, T> {
    /// A per-row value (given mean or variance) for the rows of the group.
    #[inline(always)]
    fn rows_of<IO: Io, W: Walk>(io: IO, w: W, src: &[T]) -> F<IO::S> {
        let i = w.row_index(0);
        if W::CONTIG {
            V(io.simd()).splat(src[i].to_f32())
        } else {
            let s = Slot {
                off: i,
                n: w.rows(),
                j: 0,
            };
            load(io, src, s, 0.0)
        }
    }

    /// Sums of the deviations `d = x − c` from a shift `c` (double-f32; `exact_shift`: its
    /// low part is 0) and of `d²`, over the valid elements, and their count. `d` is exact
    /// (TwoSum), `d²` exact to about 2^-48.
    #[inline(always)]
    fn sums<IO: Io, W: Walk>(
        &self,
        io: IO,
        w: W,
        c: (F<IO::S>, F<IO::S>),
        exact_shift: bool,
        want_sq: bool,
    ) -> [F<IO::S>; 5] {
        let v = V(io.simd());
        let large = size_of_val(self.x) >= PREFETCH_MIN_BYTES;
        let mut p = SumsPass {
            io,
            x: self.x,
            mask: self.o.mask,
            c,
            exact_shift,
            want_sq,
            ahead: if W::CONTIG && large { w.len() } else { 0 },
            next: [self.x.as_ptr(), self.out.as_ptr()],
            fa: FmaAdd::new(v),
        };
        let mut st = [[v.splat(0.0); 5]; VLANES];
        walk(v, w, &mut p, &mut st);
        W::reduce::<IO::S, Sums2Count, 5>(v, st)
    }

    /// The shift of the one-pass sums: the first valid element of each row (0 if it is
    /// not finite). Being one of the values, it keeps `mean(d²)/v ≤ n + 1`, so the one-pass
    /// variance loses at most log2(n + 1) of its 48 bits.
    #[inline(always)]
    fn shift<S: Simd, W: Walk>(&self, v: V<S>, w: W) -> F<S> {
        let mut k = [0.0f32; VLANES];
        for (r, k) in k.iter_mut().enumerate().take(w.rows()) {
            let first = (0..w.len()).find(|&j| self.o.mask.is_none_or(|m| m[w.at(r, j)]));
            if let Some(j) = first {
                let x = self.x[w.at(r, j)].to_f32();
                *k = if x.is_finite() { x } else { 0.0 };
            }
        }
        if W::CONTIG {
            v.splat(k[0])
        } else {
            // Lanes past the group's rows hold 0.
            bytemuck::pod_read_unaligned(bytemuck::cast_slice(&k[..S::F32_LANES]))
        }
    }

    /// The row statistics: `μ` and `1/√(v + ε)` as double-f32, and 1.0 in the lanes whose
    /// rows must be redone in f64.
    #[inline(always)]
    fn stats<IO: Io, W: Walk>(&self, io: IO, w: W) -> Stats<IO::S> {
        let v = V(io.simd());
        let zero = v.splat(0.0);
        let fast = self.o.algorithm == Algorithm::Fast;
        let need_var = self.o.variance.is_none();
        let n_all = v.splat(w.len() as f32);
        // One pass of deviations from k (the given mean, or a row element).
        let k = match self.o.mean {
            Some(m) => Self::rows_of(io, w, m),
            None => self.shift(v, w),
        };
        let pass1 = self.o.mean.is_none() || (need_var && fast);
        let st1 = if pass1 {
            self.sums(io, w, (k, zero), true, need_var && fast)
        } else {
            [zero; 5]
        };
        let mut n = if self.o.mask.is_some() { st1[4] } else { n_all };
        let ed = div_n(v, st1[0], st1[1], n);
        let mu = match self.o.mean {
            Some(_) => (k, zero),
            None => {
                let (h, e) = two_sum(v, k, ed.0);
                two_sum(v, h, v.add(e, ed.1))
            }
        };
        let var = match self.o.variance {
            Some(var) => (Self::rows_of(io, w, var), zero),
            None if fast => {
                // mean(x²) − μ²: with a computed μ = k + mean(d) this is mean(d²) − mean(d)²;
                // with a given μ = k (JAX's formula) it is mean(d²) + 2k·mean(d).
                let e2 = div_n(v, st1[2], st1[3], n);
                let ed = Dd::new(ed.0, ed.1);
                let t = if self.o.mean.is_some() {
                    ed.mul_f(v, v.add(k, k))
                } else {
                    let sq = ed.mul(v, ed);
                    Dd::new(v.neg(sq.hi), v.neg(sq.lo))
                };
                let (d, e) = two_sum(v, e2.0, t.hi);
                let d_lo = v.add(e, v.add(e2.1, t.lo));
                let neg = v.lt(v.add(d, d_lo), zero);
                (v.sel(neg, zero, d), v.sel(neg, zero, d_lo))
            }
            None => {
                let st2 = self.sums(io, w, mu, false, true);
                if self.o.mask.is_some() {
                    n = st2[4];
                }
                div_n(v, st2[2], st2[3], n)
            }
        };
        let (w_hi, w_e) = two_sum(v, var.0, v.splat(self.o.epsilon));
        let (w_hi, w_lo) = two_sum(v, w_hi, v.add(w_e, var.1));
        // 1/√w: the root in double-f32 (one Newton correction), then its reciprocal.
        let s = v.sqrt(w_hi);
        let s_lo = v.div(v.add(v.fnma(s, s, w_hi), w_lo), v.add(s, s));
        let r = recip_dd(v, Dd::new(s, s_lo));
        // w = 0 (ε = 0, constant row) gives 1/0 = inf with a NaN correction: drop it.
        let r_lo = v.sel(v.eq(r.lo, r.lo), r.lo, zero);
        // Rows to redo in f64: non-finite statistics (overflow, or inf/NaN inputs) or a
        // tiny computed variance.
        let inf = v.splat(f32::INFINITY);
        let ok = v.and_m(v.lt(v.abs(mu.0), inf), v.lt(v.abs(w_hi), inf));
        let ok = if need_var {
            v.and_m(ok, v.ge(w_hi, v.splat(TINY_VAR)))
        } else {
            ok
        };
        Stats {
            mu,
            rs: (r.hi, r_lo),
            redo: v.sel(ok, zero, v.splat(1.0)),
        }
    }

    /// Row `r` of the group in f64 (rows whose f32 statistics overflowed or underflowed,
    /// and rows holding inf or NaN).
    fn wide_row<W: Walk>(&mut self, w: W, r: usize) {
        let len = w.len();
        let valid = |j: usize| self.o.mask.is_none_or(|m| m[w.at(r, j)]);
        let xs = |j: usize| self.x[w.at(r, j)].to_f32() as f64;
        let n = (0..len).filter(|&j| valid(j)).count() as f64;
        let sum = |f: &dyn Fn(f64) -> f64| {
            let mut terms: Vec<f64> = (0..len).filter(|&j| valid(j)).map(|j| f(xs(j))).collect();
            terms.sort_by(|a, b| a.abs().total_cmp(&b.abs()));
            terms.iter().sum::<f64>()
        };
        let i = w.row_index(r);
        let mu = match self.o.mean {
            Some(m) => m[i].to_f32() as f64,
            None => sum(&|x| x) / n,
        };
        let var = match self.o.variance {
            Some(var) => var[i].to_f32() as f64,
            None if self.o.algorithm == Algorithm::Fast && self.o.mean.is_some() => {
                (sum(&|x| x * x) / n - mu * mu).max(0.0)
            }
            None => sum(&|x| (x - mu) * (x - mu)) / n,
        };
        let rs = 1.0 / (var + self.o.epsilon as f64).sqrt();
        for j in 0..len {
            let off = w.at(r, j);
            let y = ((self.x[off].to_f32() as f64 - mu) * rs) as f32;
            self.out[off] = T::from_f32(if y.is_nan() { f32::NAN } else { y });
        }
    }
}

impl<T: Element> RowKernel for Std<'_, T> {
    #[inline(always)]
    fn group<IO: Io, W: Walk>(&mut self, io: IO, w: W) {
        let v = V(io.simd());
        let Stats { mu, rs, redo } = self.stats(io, w);
        let bad = |r: usize| lane(v, redo, r) != 0.0;
        if W::CONTIG && bad(0) {
            return self.wide_row(w, 0);
        }
        let mut p = OutPass {
            io,
            x: self.x,
            mu,
            rs,
            out: &mut *self.out,
        };
        walk(v, w, &mut p, &mut [[]; VLANES]);
        if !W::CONTIG {
            for r in 0..w.rows() {
                if bad(r) {
                    self.wide_row(w, r);
                }
            }
        }
    }
}

#[track_caller]
fn run<T: Element>(name: &str, x: &[T], out: &mut [T], axis: Axis, o: StandardizeOptions<'_, T>) {
    axis.check(name, "input", x.len());
    check_arg(name, "output", out.len(), x.len());
    if let Some(m) = o.mask {
        check_arg(name, "mask", m.len(), x.len());
    }
    if let Some(m) = o.mean {
        check_arg(name, "mean", m.len(), axis.rows());
    }
    if let Some(var) = o.variance {
        check_arg(name, "variance", var.len(), axis.rows());
    }
    by_element!(T, std_rows(
        x: &[E] = cast_slice(x),
        out: &mut [E] = cast_slice_mut(out),
        axis: Axis = axis,
        o: StandardizeOptions<'_, E> = StandardizeOptions {
            mask: o.mask,
            mean: o.mean.map(cast_slice),
            variance: o.variance.map(cast_slice),
            epsilon: o.epsilon,
            algorithm: o.algorithm,
        },
    ))
}

/// The rows of a checked standardize call.
fn std_rows<T: Element>(x: &[T], out: &mut [T], axis: Axis, o: StandardizeOptions<'_, T>) {
    dispatch(Std { axis, x, out, o });
}

/// Standardize contiguous rows of `n`: `(x − μ)/√(v + 1e-5)` with the row mean μ and
/// variance v (Flax/JAX `standardize` with its defaults; MLX has no `nn` function, its
/// nearest is `mx.fast.layer_norm(x, None, None, eps)`).
///
/// μ and v are computed in double-f32 (the one-pass [`Algorithm::Fast`], JAX's default),
/// so rows with |μ| ≫ σ keep their precision where JAX's f32 formula cancels. A row with
/// NaN or ±inf gives NaN; a constant row gives 0 (NaN when ε = 0, as in JAX).
///
/// # Panics
/// If `n` is 0, `x.len()` is not a multiple of `n`, or `out.len() != x.len()`.
///
/// ```
/// let mut y = [0.0f32; 4];
/// lanewise::standardize(&[1e4, 1e4 + 1.0, 1e4 + 2.0, 1e4 + 3.0], &mut y, 4);
/// assert!((y[0] + 1.3416355).abs() < 1e-6 && (y[3] - 1.3416355).abs() < 1e-6);
/// ```
#[track_caller]
pub fn standardize<T: Element>(x: &[T], out: &mut [T], n: usize) {
    let axis = Axis::contiguous("standardize", x.len(), n);
    run("standardize", x, out, axis, StandardizeOptions::default());
}

/// Standardize over any axis with an optional mask and JAX's defaults (ε = 1e-5,
/// [`Algorithm::Fast`]): masked-out elements are left out of μ and v but still
/// transformed.
///
/// # Panics
/// If `x`, `out` (and `mask`) do not all have `axis.len()` elements, or the axis is
/// longer than [`crate::MAX_AXIS_LEN`].
///
/// ```
/// use lanewise::Axis;
/// let mut y = [0.0f32; 3];
/// lanewise::standardize_axis(&[1.0, 3.0, 5.0], &mut y, Axis::new(1, 3, 1), Some(&[true, true, false]));
/// assert!((y[2] - 3.0).abs() < 1e-4); // (5 − 2)/1, transformed though masked out
/// ```
#[track_caller]
pub fn standardize_axis<T: Element>(x: &[T], out: &mut [T], axis: Axis, mask: Option<&[bool]>) {
    let o = StandardizeOptions {
        mask,
        ..Default::default()
    };
    run("standardize_axis", x, out, axis, o);
}

/// Standardize with every JAX option: `mask` (`where`), a given `mean` and/or `variance`
/// per row, `epsilon`, and the variance [`Algorithm`].
///
/// # Panics
/// As [`standardize_axis`], and if `mean` or `variance` do not have [`Axis::rows`]
/// elements.
///
/// ```
/// use lanewise::{Algorithm, Axis, StandardizeOptions};
/// let mut y = [0.0f32; 2];
/// let o = StandardizeOptions { mean: Some(&[1.0]), variance: Some(&[4.0]), epsilon: 0.0, algorithm: Algorithm::Stable, ..Default::default() };
/// lanewise::standardize_with(&[3.0, -1.0], &mut y, Axis::new(1, 2, 1), o);
/// assert_eq!(y, [1.0, -1.0]);
/// ```
#[track_caller]
pub fn standardize_with<T: Element>(
    x: &[T],
    out: &mut [T],
    axis: Axis,
    opts: StandardizeOptions<'_, T>,
) {
    run("standardize_with", x, out, axis, opts);
}
