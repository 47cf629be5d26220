//! The softmax family — softmax, softmin, log_softmax, logsumexp (with `b` and its sign),
//! logmeanexp — in three passes over each row: the maximum m; `e^{x−m}` and its
//! compensated sum; the output.
//!
//! Accuracy comes from three choices:
//! * `x − m` is kept exact as `d + d_lo` (TwoSum) and `d_lo` is folded into the reduced
//!   argument of `e^d`, so a rounded shift does not cost up to 60 ulp deep in the tail (as
//!   it does in MLX/JAX);
//! * the sum and the final `log`/reciprocal are carried in double-f32, so `log Σ` stays
//!   accurate when every term but the maximum's (exactly 1) is tiny. Without `b`, rows up to
//!   [`BIASED_SUM_MAX_LEN`] start each lane's sum at 1, which lets every term (≤ 1) be added
//!   with a Fast2Sum instead of a TwoSum.

use super::layout::{
    Axis, Pass, RowKernel, Slot, VLANES, Walk, for_each_group, lane, lanes_below, load, load_mask,
    store, store_rows, walk,
};
use super::reduce::{MaxCount, RENORM_CHUNKS, Sum, acc_below, acc1, renorm, two_sum};
use crate::convert::{Io, WithIo};
use crate::dtype::{Dtype, Element};
use crate::math::Dd;
use crate::math::exp::{EXP_UNDERFLOW, exp_reduced, reduce, scale};
use crate::math::log::log_core_dd;
use crate::math::sigmoid::recip_dd;
use crate::simd::{F, M, V};
use pulp::Simd;

const NEG_INF: f32 = f32::NEG_INFINITY;

/// Rows up to this length (without `b`) sum `e^{x−m}` from a bias of 1 per virtual lane:
/// every term is ≤ 1 ≤ the lane's sum, so Fast2Sum adds it exactly. The bias costs
/// accuracy only through the rounding of `lo`, ≤ 5u² of the lane's `1 + Σ` per term: over
/// n terms per lane and 16 lanes, ≤ 5n·u²·17·Σ (Σ ≥ 1, from the maximum's term), which is
/// 0.083u at n = 2^18/16 — inside the 0.31u of the unbiased sums at the longest rows.
pub(crate) const BIASED_SUM_MAX_LEN: usize = 1 << 18;

/// The bias of each virtual lane's sum (see [`BIASED_SUM_MAX_LEN`]).
const BIAS: f32 = 1.0;

/// Which member of the family runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Softmax,
    LogSoftmax,
    LogSumExp,
    LogMeanExp,
}

impl Kind {
    /// Whether the output has one value per row (otherwise one per input element).
    pub(crate) fn reduces(self) -> bool {
        matches!(self, Kind::LogSumExp | Kind::LogMeanExp)
    }
}

/// One call of a softmax-family function (arguments already checked).
pub(crate) struct ExpRows<'a, T: Element> {
    pub kind: Kind,
    pub axis: Axis,
    pub src: Src<'a, T>,
    pub out: &'a mut [T],
    /// logsumexp's sign output (`return_sign`); without it a negative sum gives NaN.
    pub sign: Option<&'a mut [T]>,
    /// softmax on a half type keeps `e^{x−m}` here between its passes, in f32
    /// ([`super::layout::scratch_len`] elements; empty otherwise).
    pub scratch: &'a mut [f32],
}

impl<T: Element> ExpRows<'_, T> {
    /// Whether softmax keeps `e^{x−m}` in the scratch (half output) rather than in `out`.
    const LOCAL: bool = !matches!(T::DTYPE, Dtype::F32);
}

impl<T: Element> WithIo for ExpRows<'_, T> {
    type Output = ();
    #[inline(always)]
    fn with_io<IO: Io>(mut self, io: IO) {
        let axis = self.axis;
        for_each_group(io, axis, &mut self);
    }
}

/// `log(hi + lo)` for `hi > 0` finite, as a normalised double-f32.
#[inline(always)]
fn log_dd<S: Simd>(v: V<S>, hi: F<S>, lo: F<S>) -> (F<S>, F<S>) {
    let tiny = v.lt(hi, v.splat(f32::MIN_POSITIVE));
    let u = v.sel(tiny, v.mul(hi, v.splat(16_777_216.0)), hi);
    let k_off = v.sel(tiny, v.splat(-24.0), v.splat(0.0));
    let l = log_core_dd(v, u, k_off, v.div(lo, hi));
    two_sum(v, l.hi, l.lo)
}

/// `a + (b_hi + b_lo)` rounded once (up to the error of a double-f32).
#[inline(always)]
fn add_round<S: Simd>(v: V<S>, a: F<S>, b: (F<S>, F<S>)) -> F<S> {
    let (h, e) = two_sum(v, a, b.0);
    v.add(h, v.add(e, b.1))
}

/// What the output pass needs per row.
struct Coef<S: Simd> {
    /// Softmax: 1/Σ. log_softmax: −(m + log Σ). Reductions: the value and the sign.
    a: F<S>,
    b: F<S>,
}

/// Where the row elements come from, and which of them take part.
pub(crate) struct Src<'a, T> {
    pub x: &'a [T],
    /// softmin: the row is `−x`.
    pub negate: bool,
    pub mask: Option<&'a [bool]>,
    /// logsumexp's per-element scale (entries with `b == 0` are left out).
    pub b: Option<&'a [T]>,
}

impl<T> Clone for Src<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Src<'_, T> {}

impl<T: Element> Src<'_, T> {
    /// The row element as the function sees it: negated for softmin, −inf where masked
    /// out, where `b == 0`, and in the padding.
    #[inline(always)]
    fn load_x<IO: Io>(self, io: IO, s: Slot) -> F<IO::S> {
        let v = V(io.simd());
        let x = if self.negate {
            v.neg(load(io, self.x, s, f32::INFINITY))
        } else {
            load(io, self.x, s, NEG_INF)
        };
        let x = match self.mask {
            Some(m) => v.sel(load_mask(v, m, s), x, v.splat(NEG_INF)),
            None => x,
        };
        match self.b {
            Some(b) => v.sel(v.eq(load(io, b, s, 0.0), v.splat(0.0)), v.splat(NEG_INF), x),
            None => x,
        }
    }

    /// Lanes that take part in the reduction (mask, `b ≠ 0`, not padding).
    #[inline(always)]
    fn valid<IO: Io>(self, io: IO, s: Slot) -> M<IO::S> {
        let v = V(io.simd());
        let inside = match self.mask {
            Some(m) => load_mask(v, m, s),
            None => lanes_below(v, s.n),
        };
        match self.b {
            Some(b) => v.and_m(inside, v.not_m(v.eq(load(io, b, s, 0.0), v.splat(0.0)))),
            None => inside,
        }
    }

    /// `e^{x − m}` with the rounding error `d_lo` of the shift `d = x − m` folded into the
    /// reduced argument and one final rounding: relative error ≤ 1.56·2^-24 (1 for the
    /// rounding, 0.5 for the two roundings of the argument, 0.06 for the polynomial); 0
    /// below e^-104 (and for the −inf of masked-out lanes and padding). A vector with no
    /// such lane skips the selects that serve them (same bits).
    #[inline(always)]
    fn exp_shifted<S: Simd>(self, v: V<S>, x: F<S>, neg_m: F<S>) -> F<S> {
        let zero = v.splat(0.0);
        let (d, d_lo) = two_sum(v, x, neg_m);
        let deep = v.lt(d, v.splat(EXP_UNDERFLOW));
        if !v.any(deep) {
            let red = reduce(v, d);
            return scale(v, exp_reduced(v, v.add(red.r, d_lo)), red.t, red.n);
        }
        let red = reduce(v, v.sel(deep, zero, d));
        let r = v.add(red.r, v.sel(deep, zero, d_lo));
        let e = scale(v, exp_reduced(v, r), red.t, red.n);
        v.sel(deep, zero, e)
    }
}

/// Pass 1: the row maximum and (logmeanexp with a mask) the count of valid elements.
struct MaxPass<'a, IO: Io, T> {
    io: IO,
    src: Src<'a, T>,
    count: bool,
    st: [[F<IO::S>; 2]; VLANES],
}

impl<IO: Io, T: Element> Pass<IO::S, 2> for MaxPass<'_, IO, T> {
    #[inline(always)]
    fn term(&mut self, v: V<IO::S>, s: Slot) -> [F<IO::S>; 2] {
        let n = if self.count {
            v.sel(self.src.valid(self.io, s), v.splat(1.0), v.splat(0.0))
        } else {
            v.splat(0.0)
        };
        [self.src.load_x(self.io, s), n]
    }
    #[inline(always)]
    fn fold(&mut self, v: V<IO::S>, g: usize, [x, n]: [F<IO::S>; 2]) {
        let st = &mut self.st[g];
        st[0] = v.sel(v.gt(x, st[0]), x, st[0]);
        st[1] = v.add(st[1], n);
    }
    /// The maximum and the count do not depend on the order: reduce the block first.
    #[inline(always)]
    fn fold_block(&mut self, v: V<IO::S>, terms: &[[F<IO::S>; 2]], slots: usize, _c: usize) {
        let comb = |a: [F<IO::S>; 2], b: [F<IO::S>; 2]| {
            [v.sel(v.gt(b[0], a[0]), b[0], a[0]), v.add(a[1], b[1])]
        };
        let mut t = [[v.splat(0.0); 2]; VLANES];
        t[..terms.len()].copy_from_slice(terms);
        // Pairwise over the chunks of the block (their count is a power of two).
        let mut n = terms.len() / slots;
        while n > 1 {
            n /= 2;
            for i in 0..n * slots {
                t[i] = comb(t[i], t[i + n * slots]);
            }
        }
        for (g, &t) in t.iter().enumerate().take(slots) {
            self.fold(v, g, t);
        }
    }
}

/// Pass 2: `e = e^{x−m}` (stored for softmax) and `Σ e` (with `b`, `Σ b·e`), from
/// [`BIAS`] per lane when `biased`.
struct ExpPass<'a, 'o, IO: Io, T> {
    io: IO,
    src: Src<'a, T>,
    neg_m: F<IO::S>,
    keep: Keep<'o, T>,
    biased: bool,
    st: [[F<IO::S>; 2]; VLANES],
}

/// Where softmax keeps `e^{x−m}` between its passes: in the output (f32), or in an f32
/// scratch per group (half types: storing `e` rounded would round the result twice).
enum Keep<'o, T> {
    None,
    Out(&'o mut [T]),
    Scratch(&'o mut [f32]),
}

impl<T: Element> Keep<'_, T> {
    #[inline(always)]
    fn store<IO: Io>(&mut self, io: IO, s: Slot, e: F<IO::S>) {
        match self {
            Keep::None => {}
            Keep::Out(out) => store(io, out, s, e),
            Keep::Scratch(b) => store(io, b, s.local(), e),
        }
    }
}

impl<IO: Io, T: Element> Pass<IO::S, 1> for ExpPass<'_, '_, IO, T> {
    #[inline(always)]
    fn term(&mut self, v: V<IO::S>, s: Slot) -> [F<IO::S>; 1] {
        let e = self
            .src
            .exp_shifted(v, self.src.load_x(self.io, s), self.neg_m);
        self.keep.store(self.io, s, e);
        match self.src.b {
            Some(b) => [v.sel(
                self.src.valid(self.io, s),
                v.mul(load(self.io, b, s, 0.0), e),
                v.splat(0.0),
            )],
            None => [e],
        }
    }
    #[inline(always)]
    fn fold(&mut self, v: V<IO::S>, g: usize, [t]: [F<IO::S>; 1]) {
        let st = &mut self.st[g];
        (st[0], st[1]) = if self.biased {
            acc_below(v, st[0], st[1], t)
        } else {
            acc1(v, st[0], st[1], t)
        };
    }
    #[inline(always)]
    fn end_chunk(&mut self, v: V<IO::S>, c: usize, slots: usize) {
        if c % RENORM_CHUNKS == RENORM_CHUNKS - 1 {
            for st in self.st.iter_mut().take(slots) {
                (st[0], st[1]) = renorm(v, st[0], st[1]);
            }
        }
    }
}

/// Pass 3: softmax scales the stored `e` (from `scratch` when it is given); log_softmax
/// computes `x − (m + log Σ)`.
struct OutPass<'a, 'o, IO: Io, T> {
    io: IO,
    src: Src<'a, T>,
    softmax: bool,
    k: Coef<IO::S>,
    out: &'o mut [T],
    scratch: Option<&'o [f32]>,
}

impl<IO: Io, T: Element> Pass<IO::S, 0> for OutPass<'_, '_, IO, T> {
    #[inline(always)]
    fn term(&mut self, v: V<IO::S>, s: Slot) -> [F<IO::S>; 0] {
        if s.n > 0 {
            let (io, k) = (self.io, &self.k);
            let y = if self.softmax {
                let e = match self.scratch {
                    Some(b) => load(io, b, s.local(), 0.0),
                    None => load(io, self.out, s, 0.0),
                };
                v.fma(e, k.a, v.mul(e, k.b))
            } else {
                let (h, e) = two_sum(v, self.src.load_x(io, s), k.a);
                let y = v.add(h, v.sub(e, k.b));
                // −inf stays −inf; x − c beyond the f32 range is −inf too.
                v.sel(v.eq(h, v.splat(NEG_INF)), h, y)
            };
            store(io, self.out, s, y);
        }
        []
    }
    #[inline(always)]
    fn fold(&mut self, _v: V<IO::S>, _g: usize, _t: [F<IO::S>; 0]) {}
}

impl<T: Element> ExpRows<'_, T> {
    /// Pass 1: the row maximum and the count `n` of valid elements.
    #[inline(always)]
    fn max_pass<IO: Io, W: Walk>(&self, io: IO, w: W) -> [F<IO::S>; 2] {
        let v = V(io.simd());
        let zero = v.splat(0.0);
        let count = self.kind == Kind::LogMeanExp && self.src.mask.is_some();
        let mut p = MaxPass {
            io,
            src: self.src,
            count,
            st: [[v.splat(NEG_INF), zero]; VLANES],
        };
        walk(v, w, &mut p);
        let [m, n] = W::reduce::<IO::S, MaxCount, 2>(v, p.st);
        // One zero: −0 and +0 may both be maxima, in an order that depends on the layout.
        let n = if count { n } else { v.splat(w.len() as f32) };
        [v.add(m, zero), n]
    }

    /// Pass 2 (see [`ExpPass`]): `Σ` as a double-f32 `[hi, lo]`, the bias taken out.
    #[inline(always)]
    fn exp_pass<IO: Io, W: Walk>(&mut self, io: IO, w: W, m: F<IO::S>) -> [F<IO::S>; 2] {
        let v = V(io.simd());
        let keep = match self.kind {
            Kind::Softmax if Self::LOCAL => Keep::Scratch(&mut *self.scratch),
            Kind::Softmax => Keep::Out(&mut *self.out),
            _ => Keep::None,
        };
        let biased = self.src.b.is_none() && w.len() <= BIASED_SUM_MAX_LEN;
        let bias = if biased { BIAS } else { 0.0 };
        let mut p = ExpPass {
            io,
            src: self.src,
            neg_m: v.neg(m),
            keep,
            biased,
            st: [[v.splat(bias), v.splat(0.0)]; VLANES],
        };
        walk(v, w, &mut p);
        let [hi, lo] = W::reduce::<IO::S, Sum, 2>(v, p.st);
        // Exact: the lanes' biases add up to a small integer.
        let (hi, e) = two_sum(v, hi, v.splat(-bias * VLANES as f32));
        [hi, v.add(e, lo)]
    }

    /// Pass 3 (see [`OutPass`]).
    #[inline(always)]
    fn out_pass<IO: Io, W: Walk>(&mut self, io: IO, w: W, k: Coef<IO::S>) {
        let softmax = self.kind == Kind::Softmax;
        let mut p = OutPass {
            io,
            src: self.src,
            softmax,
            k,
            out: &mut *self.out,
            scratch: (softmax && Self::LOCAL).then_some(&*self.scratch),
        };
        walk(V(io.simd()), w, &mut p);
    }

    /// The per-row coefficients from `m`, `Σ = hi + lo` and the count `n`.
    #[inline(always)]
    fn coef<S: Simd>(&self, v: V<S>, m: F<S>, [hi, lo]: [F<S>; 2], n: F<S>) -> Coef<S> {
        let (s_hi, s_lo) = two_sum(v, hi, lo);
        match self.kind {
            Kind::Softmax => {
                let r = recip_dd(v, Dd::new(s_hi, s_lo));
                Coef { a: r.hi, b: r.lo }
            }
            Kind::LogSoftmax => {
                let l = log_dd(v, s_hi, s_lo);
                let (c, c_e) = two_sum(v, m, l.0);
                let c_lo = v.add(c_e, l.1);
                Coef {
                    a: v.neg(c),
                    b: c_lo,
                }
            }
            Kind::LogMeanExp => {
                let l = log_dd(v, s_hi, s_lo);
                let ln = log_dd(v, n, v.splat(0.0));
                let (d, d_e) = two_sum(v, l.0, v.neg(ln.0));
                let d_lo = v.add(d_e, v.sub(l.1, ln.1));
                Coef {
                    a: add_round(v, m, (d, d_lo)),
                    b: v.splat(1.0),
                }
            }
            Kind::LogSumExp => {
                if self.src.b.is_none() {
                    let l = log_dd(v, s_hi, s_lo);
                    return Coef {
                        a: add_round(v, m, l),
                        b: v.splat(1.0),
                    };
                }
                // Σ b·e may be negative or zero.
                let zero = v.splat(0.0);
                let a = v.abs(s_hi);
                let a_lo = v.xor_sign(s_lo, s_hi);
                let a_safe = v.sel(v.eq(a, zero), v.splat(1.0), a);
                let l = log_dd(v, a_safe, a_lo);
                let y = add_round(v, m, l);
                let y = v.sel(v.eq(a, zero), v.splat(NEG_INF), y);
                let neg = v.lt(s_hi, zero);
                let sign = v.sel(neg, v.splat(-1.0), v.splat(1.0));
                let sign = v.sel(v.eq(a, zero), zero, sign);
                let y = if self.sign.is_none() {
                    v.sel(neg, v.splat(f32::NAN), y)
                } else {
                    y
                };
                Coef { a: y, b: sign }
            }
        }
    }

    /// A row whose maximum is ±inf, or that holds NaN (or overflows with `b`): scalar code
    /// following the spec's tables.
    fn special<W: Walk>(&mut self, w: W, r: usize, m: f32) {
        let len = w.len();
        let (mut nan, mut pinf_pos, mut pinf_neg, mut count) = (false, false, false, 0usize);
        for j in 0..len {
            let off = w.at(r, j);
            let x = if self.src.negate {
                -self.src.x[off].to_f32()
            } else {
                self.src.x[off].to_f32()
            };
            let b = self.src.b.map_or(1.0, |b| b[off].to_f32());
            if !self.src.mask.is_none_or(|m| m[off]) {
                continue;
            }
            count += 1;
            if b == 0.0 {
                continue;
            }
            nan |= x.is_nan() || b.is_nan();
            if x == f32::INFINITY {
                pinf_pos |= b > 0.0;
                pinf_neg |= b < 0.0;
            }
        }
        match self.kind {
            Kind::Softmax | Kind::LogSoftmax => {
                let masked = if self.kind == Kind::Softmax {
                    0.0
                } else {
                    NEG_INF
                };
                for j in 0..len {
                    let off = w.at(r, j);
                    let valid = self.src.mask.is_none_or(|m| m[off]);
                    self.out[off] = T::from_f32(if valid { f32::NAN } else { masked });
                }
            }
            Kind::LogSumExp | Kind::LogMeanExp => {
                let (y, sign) = if nan || (pinf_pos && pinf_neg) {
                    (f32::NAN, f32::NAN)
                } else if pinf_pos {
                    (f32::INFINITY, 1.0)
                } else if pinf_neg {
                    (f32::INFINITY, -1.0)
                } else if m == NEG_INF {
                    (NEG_INF, 0.0)
                } else {
                    self.wide_sum(w, r, m)
                };
                let y = if self.kind == Kind::LogMeanExp {
                    if count == 0 { f32::NAN } else { y }
                } else if sign < 0.0 && self.sign.is_none() {
                    f32::NAN
                } else {
                    y
                };
                let i = w.row_index(r);
                self.out[i] = T::from_f32(y);
                if let Some(sg) = self.sign.as_deref_mut() {
                    sg[i] = T::from_f32(sign);
                }
            }
        }
    }

    /// logsumexp with `b` whose f32 sum overflowed (or met inf·0): the sum in f64.
    fn wide_sum<W: Walk>(&self, w: W, r: usize, m: f32) -> (f32, f32) {
        let mut sum = 0.0f64;
        for j in 0..w.len() {
            let off = w.at(r, j);
            let b = self.src.b.map_or(1.0, |b| b[off].to_f32());
            if self.src.mask.is_none_or(|m| m[off]) && b != 0.0 {
                sum += b as f64 * libm::exp(self.src.x[off].to_f32() as f64 - m as f64);
            }
        }
        let sign = if sum.is_nan() {
            f64::NAN
        } else if sum == 0.0 {
            0.0
        } else {
            sum.signum()
        };
        ((m as f64 + libm::log(sum.abs())) as f32, sign as f32)
    }
}

impl<T: Element> RowKernel for ExpRows<'_, T> {
    #[inline(always)]
    fn group<IO: Io, W: Walk>(&mut self, io: IO, w: W) {
        let v = V(io.simd());
        let [m, n] = self.max_pass(io, w);
        let m0 = lane(v, m, 0);
        if W::CONTIG && m0.is_infinite() {
            return self.special(w, 0, m0);
        }
        let sums = self.exp_pass(io, w, m);
        let k = self.coef(v, m, sums, n);
        let bad = |r: usize| {
            let (mr, sr) = (lane(v, m, r), lane(v, sums[0], r));
            mr.is_infinite() || !sr.is_finite()
        };
        if W::CONTIG && bad(0) {
            return self.special(w, 0, m0);
        }
        if self.kind.reduces() {
            let i = w.row_index(0);
            store_rows(v, self.out, i, w.rows(), k.a);
            if let Some(sg) = self.sign.as_deref_mut() {
                store_rows(v, sg, i, w.rows(), k.b);
            }
        } else {
            self.out_pass(io, w, k);
        }
        if !W::CONTIG {
            for r in 0..w.rows() {
                if bad(r) {
                    self.special(w, r, lane(v, m, r));
                }
            }
        }
    }
}
