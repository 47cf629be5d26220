//! The softmax family — softmax, softmin, log_softmax, logsumexp (with `b` and its sign),
//! logmeanexp — in three passes over each row: the maximum m; `e^{x−m}` and its
//! compensated sum; the output.
//!
//! Accuracy comes from three choices:
//! * the shift costs no precision: a row whose maximum has |m| ≤ [`POW2_SHIFT_MAX`] is
//!   shifted by `k·ln2` (k = m·log2 e rounded), so `e^{x − k·ln2} = e^x·2^−k` needs no
//!   `x − m`; other rows keep `x − m` exact as `d + d_lo` (TwoSum) and fold `d_lo` into the
//!   reduced argument of `e^d`. A rounded `x − m` costs up to 60 ulp deep in the tail (as
//!   it does in MLX/JAX);
//! * sums are double-f32, and where the result needs `log Σ` to the accuracy of the terms
//!   below the maximum (log_softmax, logsumexp and logmeanexp when `log Σ` is small) the
//!   terms at the maximum (exactly 1 with the exact shift) are counted, not summed:
//!   `Σ = k + t`, so `log Σ = log1p(t)` stays accurate when `t` is tiny;
//! * the final `log`/reciprocal are carried in double-f32 and round once.
//!
//! The fast path — the power-of-two shift and sums that start each lane from [`BIAS`] so
//! that every term is added with a Fast2Sum — serves softmax and softmin always and the
//! log functions where the scale of their bound is ≥ [`POW2_ACCEPT`]; the others run pass 2
//! again, exactly shifted and counted (see [`Shift`]).

use super::layout::{
    Axis, PREFETCH_MIN_BYTES, Pass, RowKernel, Slot, VLANES, Walk, for_each_row,
    for_each_strided_group, lane, lanes_below, load, load_mask, prefetch, store, store_rows, walk,
};
use super::reduce::{MaxCountMin, RENORM_CHUNKS, SumCount, acc_below, acc1, renorm, two_sum};
use crate::convert::{Io, WithIo, dispatch};
use crate::dtype::{Dtype, Element};
use crate::math::Dd;
use crate::math::exp::{
    EXP_UNDERFLOW, LN2_HI, LN2_LO, LOG2E, SHIFTER, exp_reduced, reduce, scale, scale_normal,
};
use crate::math::log::log_core_dd;
use crate::math::sigmoid::recip_dd;
use crate::simd::{F, Lanes, M, Pair, V, pairs};
use pulp::Simd;

const NEG_INF: f32 = f32::NEG_INFINITY;

/// Rows up to this length (without `b`, and outside the counted exact pass) sum their
/// terms from a bias of [`BIAS`] per virtual lane: every term is below the lane's sum, so
/// Fast2Sum adds it exactly. The bias costs accuracy only through the rounding of `lo`,
/// ≤ 5u² of the lane's `2 + Σ` per term: over n terms per lane and 16 lanes, ≤ 5n·u²·(32 +
/// Σ) ≤ 5n·u²·47·Σ (Σ ≥ 0.70, from the maximum's term), 0.23u at n = 2^18/16 — inside the
/// 0.31u of the unbiased sums at the longest rows. The error is relative to Σ, not to the
/// terms below the maximum: enough for softmax (a relative bound) and for the log functions
/// where `log Σ ≥ 2` ([`POW2_ACCEPT`]), not for `log Σ ≈ t ≪ 1`.
pub(crate) const BIASED_SUM_MAX_LEN: usize = 1 << 18;

/// The bias of each virtual lane's sum (see [`BIASED_SUM_MAX_LEN`]): at least every term
/// (≤ e^{ln2/2} < 1.42 with the power-of-two shift, ≤ 1 with the exact one).
const BIAS: f32 = 2.0;

/// Rows whose maximum has |m| ≤ this take the power-of-two shift: every term that is not
/// below e^-104 has |x| ≤ 192, where the reduction of `e^x` is exact, and `x − k·ln2`
/// stays within [−151, 1] binades of `2^−k`.
const POW2_SHIFT_MAX: f32 = 88.0;

/// With the power-of-two shift the term at the maximum is no longer exactly 1, so `log Σ`
/// errs by up to 1.87u absolutely rather than relative to the other terms: log_softmax,
/// logsumexp and logmeanexp keep it only where the scale of their bound (`log Σ`, `|r|`,
/// `log n`) is at least this (there 1.87u is ≤ 0.94 ulp, as in the exact shift's budget),
/// and otherwise run pass 2 again with the exact shift.
const POW2_ACCEPT: f32 = 2.0;

/// How pass 2 shifts the row (each row of a strided group as its contiguous form would,
/// so the two layouts agree bit for bit).
#[derive(Clone, Copy)]
enum Shift<S: Simd> {
    /// By the maximum `m`, exactly (TwoSum).
    Exact { m: F<S> },
    /// By `k·ln2`, `k` = m·log2 e rounded (an integer, as f32).
    Pow2 { m: F<S>, k: F<S> },
    /// Softmax over a strided group whose rows differ: `Pow2` in the lanes of `pow2`,
    /// `Exact` in the others.
    Mixed { m: F<S>, k: F<S>, pow2: M<S> },
}

impl<S: Simd> Shift<S> {
    /// The shift as `hi + lo` (`lo` absent where it is 0): `m`, or `k·ln2` to 2^-37.
    #[inline(always)]
    fn value(self, v: V<S>) -> (F<S>, Option<F<S>>) {
        match self {
            Shift::Exact { m } => (m, None),
            Shift::Pow2 { k, .. } => (v.mul(k, v.splat(LN2_HI)), Some(v.mul(k, v.splat(LN2_LO)))),
            Shift::Mixed { m, k, pow2 } => (
                v.sel(pow2, v.mul(k, v.splat(LN2_HI)), m),
                Some(v.sel(pow2, v.mul(k, v.splat(LN2_LO)), v.splat(0.0))),
            ),
        }
    }

    /// The row maximum.
    #[inline(always)]
    fn max(self) -> F<S> {
        match self {
            Shift::Exact { m } | Shift::Pow2 { m, .. } | Shift::Mixed { m, .. } => m,
        }
    }
}

/// The larger of `a` and `b` (`b` where either is NaN).
#[inline(always)]
fn larger<S: Simd>(v: V<S>, a: F<S>, b: F<S>) -> F<S> {
    v.larger(a, b)
}

/// `x + lo`, or `x` where `lo` is absent.
#[inline(always)]
fn plus<S: Simd>(v: V<S>, x: F<S>, lo: Option<F<S>>) -> F<S> {
    lo.map_or(x, |lo| v.add(x, lo))
}

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
    /// Where softmax keeps `e^{x−m}` between its passes, in f32 ([`super::layout::scratch_len`]
    /// elements; empty where it keeps them in `out`).
    pub scratch: &'a mut [f32],
}

impl<T: Element> ExpRows<'_, T> {
    /// Whether softmax keeps `e^{x−m}` in the scratch rather than in `out`: wherever the
    /// caller gave one (`exp_rows` decides: half outputs, and strided f32 groups it keeps).
    /// For contiguous rows that follows from the element type, known at compile time, which
    /// spares the passes a test per vector.
    #[inline(always)]
    fn local<W: Walk>(&self) -> bool {
        let given = !self.scratch.is_empty();
        if W::CONTIG {
            let half = T::DTYPE != Dtype::F32;
            debug_assert!(self.kind != Kind::Softmax || given == half);
            half
        } else {
            given
        }
    }

    /// Runs the call through the [`Variant`] that its layout, source and kind need.
    pub(crate) fn run(self) {
        let strided = self.axis.inner > 1;
        let plain = self.src.plain();
        let softmax = self.kind == Kind::Softmax;
        // softmin (negate) is a softmax; its plain source is a variant of its own.
        let neg = plain && self.src.negate;
        match (strided, plain, neg, softmax) {
            (false, true, false, true) => dispatch(Variant::<_, false, true, false, true>(self)),
            (false, true, true, _) => dispatch(Variant::<_, false, true, true, true>(self)),
            (false, true, false, false) => dispatch(Variant::<_, false, true, false, false>(self)),
            (false, false, _, true) => dispatch(Variant::<_, false, false, false, true>(self)),
            (false, false, _, false) => dispatch(Variant::<_, false, false, false, false>(self)),
            (true, true, false, true) => dispatch(Variant::<_, true, true, false, true>(self)),
            (true, true, true, _) => dispatch(Variant::<_, true, true, true, true>(self)),
            (true, true, false, false) => dispatch(Variant::<_, true, true, false, false>(self)),
            (true, false, _, true) => dispatch(Variant::<_, true, false, false, true>(self)),
            (true, false, _, false) => dispatch(Variant::<_, true, false, false, false>(self)),
        }
    }
}

/// One compiled variant of an [`ExpRows`] call: strided groups or contiguous rows, a plain
/// source or not ([`Src::plain`]), negated (softmin, `NEG`: plain sources only) or not,
/// softmax or one of the log functions. Each variant is a function of its own on every
/// instruction set: a single function for all of them took about 85 % of the library's
/// build (LLVM optimised it for 4 to 6 minutes per element type, on one core), where
/// smaller ones cost less in total.
struct Variant<
    'a,
    T: Element,
    const STRIDED: bool,
    const PLAIN: bool,
    const NEG: bool,
    const SOFTMAX: bool,
>(ExpRows<'a, T>);

impl<T: Element, const STRIDED: bool, const PLAIN: bool, const NEG: bool, const SOFTMAX: bool>
    WithIo for Variant<'_, T, STRIDED, PLAIN, NEG, SOFTMAX>
{
    type Output = ();
    const NARROWS_BF16: bool = matches!(T::DTYPE, Dtype::Bf16);
    #[inline(always)]
    fn with_io<IO: Io>(mut self, io: IO) {
        let axis = self.0.axis;
        if STRIDED {
            for_each_strided_group(io, axis, &mut self);
        } else {
            for_each_row(io, axis, &mut self);
        }
    }
}

impl<T: Element, const STRIDED: bool, const PLAIN: bool, const NEG: bool, const SOFTMAX: bool>
    RowKernel for Variant<'_, T, STRIDED, PLAIN, NEG, SOFTMAX>
{
    #[inline(always)]
    fn group<IO: Io, W: Walk>(&mut self, io: IO, w: W) {
        self.0.group_with::<IO, W, PLAIN, NEG, SOFTMAX>(io, w)
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

impl<'a, T: Element> Src<'a, T> {
    /// Whether the source has no mask and no `b` (softmin's negation aside). The passes
    /// take this as a constant (`PLAIN`), so that the common case runs without tests per
    /// vector.
    #[inline(always)]
    fn plain(self) -> bool {
        self.mask.is_none() && self.b.is_none()
    }

    /// `b`, known absent where `PLAIN`.
    #[inline(always)]
    fn b<const PLAIN: bool>(self) -> Option<&'a [T]> {
        if PLAIN { None } else { self.b }
    }

    /// The row element as the function sees it: negated for softmin, −inf where masked
    /// out, where `b == 0`, and in the padding.
    #[inline(always)]
    fn load_x<IO: Io, const PLAIN: bool, const NEG: bool>(self, io: IO, s: Slot) -> F<IO::S> {
        let v = V(io.simd());
        if PLAIN {
            // Without a test: `NEG` says whether the source is negated.
            debug_assert_eq!(NEG, self.negate);
            return if NEG {
                v.neg(load(io, self.x, s, f32::INFINITY))
            } else {
                load(io, self.x, s, NEG_INF)
            };
        }
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
    fn valid<IO: Io, const PLAIN: bool>(self, io: IO, s: Slot) -> M<IO::S> {
        let v = V(io.simd());
        if PLAIN {
            return lanes_below(v, s.n);
        }
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
    /// lane below e^-62 (so none with a subnormal result) skips the selects that serve
    /// those lanes and `scale`'s own range test (same bits).
    #[inline(always)]
    fn exp_shifted<S: Lanes>(self, v: V<S>, x: F<S>, neg_m: F<S>) -> F<S> {
        let zero = v.splat(0.0);
        let (d, d_lo) = two_sum(v, x, neg_m);
        if !v.any(v.lt(d, v.splat(PLAIN_D))) {
            let red = reduce(v, d);
            return scale_normal(v, exp_reduced(v, v.add(red.r, d_lo)), red.t, red.n);
        }
        let deep = v.lt(d, v.splat(EXP_UNDERFLOW));
        let red = reduce(v, v.sel(deep, zero, d));
        let r = v.add(red.r, v.sel(deep, zero, d_lo));
        let e = scale(v, exp_reduced(v, r), red.t, red.n);
        v.sel(deep, zero, e)
    }

    /// `e^{x − k·ln2} = e^x·2^−k` for rows with |m| ≤ [`POW2_SHIFT_MAX`]: `x` is reduced
    /// exactly (Cody–Waite, |n| ≤ 277), so the relative error is ≤ 1.25·2^-24 (0.18 for
    /// the rounding of `r`, 0.06 for the polynomial, 1 for the final rounding); 0 where
    /// `x < m − 104` (below e^-104 of the maximum, and the −inf of masked-out lanes). A
    /// vector with no lane below `m − 62` takes the plain scaling, as in `exp_shifted`.
    #[inline(always)]
    fn exp_pow2<S: Lanes>(self, v: V<S>, x: F<S>, m: F<S>, k: F<S>) -> F<S> {
        if !v.any(v.lt(x, v.add(m, v.splat(PLAIN_D)))) {
            return self.exp_pow2_plain(v, x, k);
        }
        let deep = v.lt(x, v.add(m, v.splat(EXP_UNDERFLOW)));
        let x = if v.any(deep) { v.sel(deep, m, x) } else { x };
        let red = reduce(v, x);
        let e = scale(v, exp_reduced(v, red.r), v.sub(red.t, k), v.sub(red.n, k));
        if v.any(deep) {
            v.sel(deep, v.splat(0.0), e)
        } else {
            e
        }
    }
}

impl<T> Src<'_, T> {
    /// [`Src::exp_pow2`] where no lane has `x < m +` [`PLAIN_D`] (the same bits).
    #[inline(always)]
    fn exp_pow2_plain<S: Lanes>(self, v: V<S>, x: F<S>, k: F<S>) -> F<S> {
        let red = reduce(v, x);
        let (t, n) = (v.sub(red.t, k), v.sub(red.n, k));
        scale_normal(v, exp_reduced(v, red.r), t, n)
    }
}

/// Pass 1: the row maximum, (logmeanexp with a mask) the count of valid elements, and (a
/// plain source) the row minimum, from which the later passes learn once per row that no
/// term is tiny.
struct MaxPass<'a, IO: Io, T, const PLAIN: bool, const NEG: bool> {
    io: IO,
    src: Src<'a, T>,
    count: bool,
}

impl<IO: Io, T: Element, const PLAIN: bool, const NEG: bool> Pass<IO::S, 3, 3>
    for MaxPass<'_, IO, T, PLAIN, NEG>
{
    /// The maxima fit in registers: chunk after chunk, which streams the group from memory.
    const SLOT_MAJOR: bool = false;
    #[inline(always)]
    fn term(&mut self, v: V<IO::S>, s: Slot) -> [F<IO::S>; 3] {
        let n = if !PLAIN && self.count {
            v.sel(
                self.src.valid::<_, PLAIN>(self.io, s),
                v.splat(1.0),
                v.splat(0.0),
            )
        } else {
            v.splat(0.0)
        };
        let x = self.src.load_x::<_, PLAIN, NEG>(self.io, s);
        // The padding (−inf) takes no part in the minimum.
        let lo = if PLAIN && s.n < <IO::S as Simd>::F32_LANES {
            v.sel(lanes_below(v, s.n), x, v.splat(f32::INFINITY))
        } else {
            x
        };
        [x, n, lo]
    }
    #[inline(always)]
    fn fold(&self, v: V<IO::S>, st: &mut [F<IO::S>; 3], [x, n, lo]: [F<IO::S>; 3]) {
        st[0] = v.larger(x, st[0]);
        if !PLAIN && self.count {
            st[1] = v.add(st[1], n);
        }
        if PLAIN {
            st[2] = v.smaller(lo, st[2]);
        }
    }
    /// The maximum and the count do not depend on the order: reduce the block first.
    #[inline(always)]
    fn fold_block(
        &self,
        v: V<IO::S>,
        st: &mut [[F<IO::S>; 3]],
        terms: &[[F<IO::S>; 3]],
        slots: usize,
        _c: usize,
    ) {
        let count = !PLAIN && self.count;
        let comb = |a: [F<IO::S>; 3], b: [F<IO::S>; 3]| {
            [
                v.larger(b[0], a[0]),
                if count { v.add(a[1], b[1]) } else { a[1] },
                if PLAIN { v.smaller(b[2], a[2]) } else { a[2] },
            ]
        };
        let mut t = [[v.splat(0.0); 3]; VLANES];
        t[..terms.len()].copy_from_slice(terms);
        // Pairwise over the chunks of the block (their count is a power of two).
        let mut n = terms.len() / slots;
        while n > 1 {
            n /= 2;
            for i in 0..n * slots {
                t[i] = comb(t[i], t[i + n * slots]);
            }
        }
        for (st, &t) in st.iter_mut().zip(&t[..slots]) {
            self.fold(v, st, t);
        }
    }
}

/// Pass 2: `e = e^{x−shift}` (stored for softmax) and `t = Σ e` (with `b`, `Σ b·e`), from
/// [`BIAS`] per lane when `biased`; when `count`, `t` leaves out the terms at the maximum
/// and `k` counts them.
///
/// `FAST` fixes the common case at compile time — [`POW2`]: the power-of-two shift
/// `pow2`, biased sums, no count; [`POW2_SHALLOW`]: the same for rows that hold no tiny
/// term (no test per vector for one); [`ANY`]: every case — and `KEEP` whether `e` is kept
/// (softmax): per-vector tests of those choices cost softmax a third of its speed on Intel
/// cores, whose vector ports also take scalar work (the same bits either way).
struct ExpPass<
    'a,
    'o,
    IO: Io,
    T,
    const PLAIN: bool,
    const NEG: bool,
    const FAST: u8,
    const KEEP: bool,
> {
    io: IO,
    src: Src<'a, T>,
    shift: Shift<IO::S>,
    /// `[m, k]` of the power-of-two shift (where `FAST` is not [`ANY`]).
    pow2: [F<IO::S>; 2],
    keep: Keep<'o, T>,
    biased: bool,
    count: bool,
    /// Contiguous rows from a large input ([`PREFETCH_MIN_BYTES`]): the row length, the
    /// distance to the elements to [`prefetch`] (the next row's, of the input and, where a
    /// later pass writes it, of the output); 0 for none.
    ahead: usize,
    /// The input and, where a later pass writes it, the output, whose next rows are fetched.
    next: [Option<*const T>; 2],
}

/// [`ExpPass`]'s forms (its `FAST`): any shift and sum.
const ANY: u8 = 0;
/// The power-of-two shift with biased sums and no count.
const POW2: u8 = 1;
/// [`POW2`] for rows whose minimum is at least `m +` [`PLAIN_D`]: no element needs the
/// tail of [`Src::exp_pow2`] (the −inf padding of a partial slot still takes it).
const POW2_SHALLOW: u8 = 2;

/// Where softmax keeps `e^{x−m}` between its passes: in the output (f32), or in an f32
/// scratch per group (see [`ExpRows::local`]).
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

impl<IO: Io, T: Element, const PLAIN: bool, const NEG: bool, const FAST: u8, const KEEP: bool>
    Pass<IO::S, 2, 3> for ExpPass<'_, '_, IO, T, PLAIN, NEG, FAST, KEEP>
{
    #[inline(always)]
    fn term(&mut self, v: V<IO::S>, s: Slot) -> [F<IO::S>; 2] {
        self.fetch_ahead(s);
        let x = self.src.load_x::<_, PLAIN, NEG>(self.io, s);
        // A partial slot's padding (−inf) needs the tail: only whole slots skip it.
        let e = if FAST == POW2_SHALLOW && s.n == <IO::S as Simd>::F32_LANES {
            self.src.exp_pow2_plain(v, x, self.pow2[1])
        } else if FAST != ANY {
            let [m, k] = self.pow2;
            self.src.exp_pow2(v, x, m, k)
        } else {
            match self.shift {
                Shift::Exact { m } => self.src.exp_shifted(v, x, v.neg(m)),
                Shift::Pow2 { m, k } => self.src.exp_pow2(v, x, m, k),
                Shift::Mixed { m, k, pow2 } => v.sel(
                    pow2,
                    self.src.exp_pow2(v, x, m, k),
                    self.src.exp_shifted(v, x, v.neg(m)),
                ),
            }
        };
        self.finish(v, s, x, e)
    }
    /// Where [`pairs`] says so, the two slots' exponentials side by side as a [`Pair`]
    /// (the same bits as [`ExpPass::term`]).
    #[inline(always)]
    fn term2(&mut self, v: V<IO::S>, s: [Slot; 2]) -> [[F<IO::S>; 2]; 2] {
        if !pairs::<IO::S>() {
            return [self.term(v, s[0]), self.term(v, s[1])];
        }
        self.fetch_ahead(s[0]);
        self.fetch_ahead(s[1]);
        let x = [
            self.src.load_x::<_, PLAIN, NEG>(self.io, s[0]),
            self.src.load_x::<_, PLAIN, NEG>(self.io, s[1]),
        ];
        let w = V(Pair(v.0));
        let whole = s.iter().all(|s| s.n == <IO::S as Simd>::F32_LANES);
        let e = if FAST == POW2_SHALLOW && whole {
            let k = self.pow2[1];
            self.src.exp_pow2_plain(w, x, [k, k])
        } else if FAST != ANY {
            let [m, k] = self.pow2;
            self.src.exp_pow2(w, x, [m, m], [k, k])
        } else {
            match self.shift {
                Shift::Exact { m } => self.src.exp_shifted(w, x, w.neg([m, m])),
                Shift::Pow2 { m, k } => self.src.exp_pow2(w, x, [m, m], [k, k]),
                Shift::Mixed { m, k, pow2 } => w.sel(
                    [pow2, pow2],
                    self.src.exp_pow2(w, x, [m, m], [k, k]),
                    self.src.exp_shifted(w, x, w.neg([m, m])),
                ),
            }
        };
        [
            self.finish(v, s[0], x[0], e[0]),
            self.finish(v, s[1], x[1], e[1]),
        ]
    }
    #[inline(always)]
    fn fold(&self, v: V<IO::S>, st: &mut [F<IO::S>; 3], [t, k]: [F<IO::S>; 2]) {
        (st[0], st[1]) = if FAST != ANY || self.biased {
            acc_below(v, st[0], st[1], t)
        } else {
            acc1(v, st[0], st[1], t)
        };
        if FAST == ANY && self.count {
            st[2] = v.add(st[2], k);
        }
    }
    #[inline(always)]
    fn end_chunk(&self, v: V<IO::S>, c: usize, st: &mut [F<IO::S>; 3]) {
        if c % RENORM_CHUNKS == RENORM_CHUNKS - 1 {
            (st[0], st[1]) = renorm(v, st[0], st[1]);
        }
    }
}

impl<IO: Io, T: Element, const PLAIN: bool, const NEG: bool, const FAST: u8, const KEEP: bool>
    ExpPass<'_, '_, IO, T, PLAIN, NEG, FAST, KEEP>
{
    /// Fetches the next row's elements of slot `s` ahead of their use, when `ahead` says so.
    #[inline(always)]
    fn fetch_ahead(&self, s: Slot) {
        if self.ahead > 0 {
            for p in self.next.into_iter().flatten() {
                prefetch(p, s.off + self.ahead);
            }
        }
    }

    /// Keeps `e = e^{x−shift}` of slot `s` where softmax needs it, and returns the slot's
    /// terms `[t, k]`.
    #[inline(always)]
    fn finish(&mut self, v: V<IO::S>, s: Slot, x: F<IO::S>, e: F<IO::S>) -> [F<IO::S>; 2] {
        let (zero, one) = (v.splat(0.0), v.splat(1.0));
        if KEEP {
            self.keep.store(self.io, s, e);
        }
        match self.src.b::<PLAIN>() {
            Some(b) => [
                v.sel(
                    self.src.valid::<_, PLAIN>(self.io, s),
                    v.mul(load(self.io, b, s, 0.0), e),
                    zero,
                ),
                zero,
            ],
            None if FAST == ANY && self.count => {
                let top = v.eq(x, self.shift.max());
                [v.sel(top, zero, e), v.sel(top, one, zero)]
            }
            None => [e, zero],
        }
    }
}

/// Pass 3: softmax scales the stored `e` (from `scratch` when it is given); log_softmax
/// computes `x − (m + log Σ)`.
///
/// `SMALL`: some kept `e` may be below [`SMALL_E`] (otherwise the row's minimum ruled that
/// out, and no vector is tested).
struct OutPass<
    'a,
    'o,
    IO: Io,
    T,
    const PLAIN: bool,
    const NEG: bool,
    const SOFTMAX: bool,
    const SMALL: bool,
> {
    io: IO,
    src: Src<'a, T>,
    k: Coef<IO::S>,
    out: &'o mut [T],
    scratch: Option<&'o [f32]>,
}

impl<IO: Io, T: Element, const PLAIN: bool, const NEG: bool, const SOFTMAX: bool, const SMALL: bool>
    Pass<IO::S, 0, 0> for OutPass<'_, '_, IO, T, PLAIN, NEG, SOFTMAX, SMALL>
{
    #[inline(always)]
    fn term(&mut self, v: V<IO::S>, s: Slot) -> [F<IO::S>; 0] {
        if s.n > 0 {
            let (io, k) = (self.io, &self.k);
            let y = if SOFTMAX {
                let e = match self.scratch {
                    Some(b) => load(io, b, s.local(), 0.0),
                    None => load(io, self.out, s, 0.0),
                };
                // A small e would make subnormal products: a microcode assist each on
                // Intel cores (about 100 cycles).
                if SMALL && v.any(v.lt(e, v.splat(SMALL_E))) {
                    times_small(v, e, k)
                } else {
                    v.fma(e, k.a, v.mul(e, k.b))
                }
            } else {
                let (h, e) = two_sum(v, self.src.load_x::<_, PLAIN, NEG>(io, s), k.a);
                let y = v.add(h, v.sub(e, k.b));
                // −inf stays −inf; x − c beyond the f32 range is −inf too.
                v.sel(v.eq(h, v.splat(NEG_INF)), h, y)
            };
            store(io, self.out, s, y);
        }
        []
    }
    #[inline(always)]
    fn fold(&self, _v: V<IO::S>, _st: &mut [F<IO::S>; 0], _t: [F<IO::S>; 0]) {}
}

/// Above this shift x − m, e^{x − m}·2^… is at least 2^-90 (n ≥ −89 even after the
/// power-of-two shift's rounding): no lane can have a subnormal result, and the
/// exponential scales without `scale`'s range test.
const PLAIN_D: f32 = -60.0;

/// Below this `e` (2^-60), softmax's `fma(e, a, e·b)` may round a product to a subnormal.
const SMALL_E: f32 = f32::from_bits((127 - 60) << 23);

/// A row whose minimum is at least its maximum minus this keeps no `e` below [`SMALL_E`]:
/// `e ≥ e^{−40 − ln2/2} > 2^-59` with either shift.
const NO_SMALL_SPREAD: f32 = 40.0;

/// `fma(e, a, e·b)` for `e ≥ 0` (softmax's output, `a + b = 1/Σ`, |b| ≤ 2^-24·a) with the
/// same bits, where no multiply has a subnormal operand or result (each would cost a
/// microcode assist of about 100 cycles on Intel cores). A lane with `e` < [`SMALL_E`]
/// works at 2^64 times its size, where every value is normal: `e_s = e·2^64` exactly (an
/// exponent add, or for a subnormal `e` its significand read from the bits, times 2^-85);
/// a product that would be subnormal at 1× is rounded to the subnormal grid, 2^-85 at 64×,
/// by adding `±2^-62` (the sum lies in [2^-62, 2^-61], where the spacing is 2^-85), and a
/// subnormal result's bits are the sum's minus those of 2^-62. A normal result is scaled
/// back exactly.
#[inline(always)]
fn times_small<S: Simd>(v: V<S>, e: F<S>, k: &Coef<S>) -> F<S> {
    let small = v.lt(e, v.splat(SMALL_E));
    let two23 = v.splat(8_388_608.0);
    let e_sub = v.mul(
        v.sub(v.or(e, two23), two23),
        v.splat(f32::from_bits((127 - 85) << 23)),
    );
    let e_norm = v.to_f32(v.add_u(v.bits(e), v.splat_u(64 << 23)));
    let e_s = v.sel(v.lt(e, v.splat(f32::MIN_POSITIVE)), e_sub, e_norm);
    let base = v.splat(f32::from_bits((127 - 62) << 23));
    let pb = v.mul(e_s, k.b);
    let cb = v.copysign(base, k.b);
    let pb_sub = v.sub(v.fma(e_s, k.b, cb), cb);
    let pb = v.sel(v.lt(v.abs(pb), base), pb_sub, pb);
    let y_norm = v.fma(e_s, k.a, pb);
    let sum = v.fma(e_s, k.a, v.add(pb, base));
    let y_sub = v.to_f32(v.sub_u(v.bits(sum), v.bits(base)));
    // (The subnormal lanes scale `base` back, not their own value.)
    let sub = v.lt(y_norm, base);
    let y_back = v.mul(
        v.sel(sub, base, y_norm),
        v.splat(f32::from_bits((127 - 64) << 23)),
    );
    let y_small = v.sel(sub, y_sub, y_back);
    let e = v.sel(small, v.splat(0.0), e);
    v.sel(small, y_small, v.fma(e, k.a, v.mul(e, k.b)))
}

impl<T: Element> ExpRows<'_, T> {
    /// Pass 1: the row maximum, the count `n` of valid elements, and the row minimum
    /// (−inf unless the source is plain).
    #[inline(always)]
    fn max_pass<IO: Io, W: Walk, const PLAIN: bool, const NEG: bool>(
        &self,
        io: IO,
        w: W,
    ) -> [F<IO::S>; 3] {
        let v = V(io.simd());
        let zero = v.splat(0.0);
        let count = !PLAIN && self.kind == Kind::LogMeanExp && self.src.mask.is_some();
        let mut p = MaxPass::<_, _, PLAIN, NEG> {
            io,
            src: self.src,
            count,
        };
        let lo = if PLAIN { f32::INFINITY } else { NEG_INF };
        let mut st = [[v.splat(NEG_INF), zero, v.splat(lo)]; VLANES];
        walk(v, w, &mut p, &mut st);
        let [m, n, lo] = W::reduce::<IO::S, MaxCountMin, 3>(v, st);
        // One zero: −0 and +0 may both be maxima, in an order that depends on the layout.
        let n = if count { n } else { v.splat(w.len() as f32) };
        [v.add(m, zero), n, lo]
    }

    /// Pass 2 (see [`ExpPass`]): `[hi, lo, k]`, `Σ = k + (hi + lo)`, the bias taken out.
    /// `SOFTMAX`: the kind is softmax.
    #[inline(always)]
    fn exp_pass<IO: Io, W: Walk, const PLAIN: bool, const NEG: bool, const SOFTMAX: bool>(
        &mut self,
        io: IO,
        w: W,
        shift: Shift<IO::S>,
        count: bool,
        shallow: bool,
    ) -> [F<IO::S>; 3] {
        let count = count && self.src.b.is_none();
        let biased = self.src.b.is_none() && !count && w.len() <= BIASED_SUM_MAX_LEN;
        match shift {
            Shift::Pow2 { m, k } if biased && !count && shallow => self
                .exp_walk::<_, _, PLAIN, NEG, POW2_SHALLOW, SOFTMAX>(
                    io,
                    w,
                    shift,
                    [m, k],
                    true,
                    false,
                ),
            Shift::Pow2 { m, k } if biased && !count => {
                self.exp_walk::<_, _, PLAIN, NEG, POW2, SOFTMAX>(io, w, shift, [m, k], true, false)
            }
            _ => {
                let zero = V(io.simd()).splat(0.0);
                self.exp_walk::<_, _, PLAIN, NEG, ANY, SOFTMAX>(
                    io, w, shift, [zero; 2], biased, count,
                )
            }
        }
    }

    /// [`Self::exp_pass`] with its choices made.
    #[inline(always)]
    fn exp_walk<
        IO: Io,
        W: Walk,
        const PLAIN: bool,
        const NEG: bool,
        const FAST: u8,
        const KEEP: bool,
    >(
        &mut self,
        io: IO,
        w: W,
        shift: Shift<IO::S>,
        pow2: [F<IO::S>; 2],
        biased: bool,
        count: bool,
    ) -> [F<IO::S>; 3] {
        let v = V(io.simd());
        let large = size_of_val(self.src.x) >= PREFETCH_MIN_BYTES;
        let ahead = if W::CONTIG && large { w.len() } else { 0 };
        let writes = matches!(self.kind, Kind::Softmax | Kind::LogSoftmax);
        let next = [
            Some(self.src.x.as_ptr()),
            writes.then_some(self.out.as_ptr()),
        ];
        let keep = if !KEEP {
            Keep::None
        } else if self.local::<W>() {
            Keep::Scratch(&mut *self.scratch)
        } else {
            Keep::Out(&mut *self.out)
        };
        let (zero, bias) = (v.splat(0.0), if biased { BIAS } else { 0.0 });
        let mut p = ExpPass::<_, _, PLAIN, NEG, FAST, KEEP> {
            io,
            src: self.src,
            shift,
            pow2,
            keep,
            biased,
            count,
            ahead,
            next,
        };
        let mut st = [[v.splat(bias), zero, zero]; VLANES];
        walk(v, w, &mut p, &mut st);
        let [hi, lo, k] = W::reduce::<IO::S, SumCount, 3>(v, st);
        if !biased {
            return [hi, lo, k];
        }
        // Exact: the lanes' biases add up to a small integer.
        let (hi, e) = two_sum(v, hi, v.splat(-bias * VLANES as f32));
        [hi, v.add(e, lo), k]
    }

    /// Pass 3 (see [`OutPass`]).
    #[inline(always)]
    fn out_pass<IO: Io, W: Walk, const PLAIN: bool, const NEG: bool, const SOFTMAX: bool>(
        &mut self,
        io: IO,
        w: W,
        k: Coef<IO::S>,
        small: bool,
    ) {
        if SOFTMAX && !small {
            self.out_walk::<_, _, PLAIN, NEG, SOFTMAX, false>(io, w, k);
        } else {
            self.out_walk::<_, _, PLAIN, NEG, SOFTMAX, true>(io, w, k);
        }
    }

    /// [`Self::out_pass`] with its choice made.
    #[inline(always)]
    fn out_walk<
        IO: Io,
        W: Walk,
        const PLAIN: bool,
        const NEG: bool,
        const SOFTMAX: bool,
        const SMALL: bool,
    >(
        &mut self,
        io: IO,
        w: W,
        k: Coef<IO::S>,
    ) {
        let local = SOFTMAX && self.local::<W>();
        let mut p = OutPass::<_, _, PLAIN, NEG, SOFTMAX, SMALL> {
            io,
            src: self.src,
            k,
            out: &mut *self.out,
            scratch: local.then_some(&*self.scratch),
        };
        walk(V(io.simd()), w, &mut p, &mut [[]; VLANES]);
    }

    /// The per-row coefficients from the shift, `Σ = k + (hi + lo)` (of `e^{x − shift}`), and the
    /// count `n`; also the scale of each row's bound that [`POW2_ACCEPT`] is checked
    /// against (+inf for softmax, which needs no check).
    #[inline(always)]
    fn coef<S: Simd>(
        &self,
        v: V<S>,
        shift: Shift<S>,
        [hi, lo, k]: [F<S>; 3],
        n: F<S>,
    ) -> (Coef<S>, F<S>) {
        let (s_hi, s_e) = two_sum(v, k, hi);
        let (s_hi, s_lo) = two_sum(v, s_hi, v.add(s_e, lo));
        let (c, c_lo) = shift.value(v);
        let m = shift.max();
        // log Σ of the row shifted by its maximum (approximately: for the check only).
        let shift_gap = v.sub(c, m);
        match self.kind {
            Kind::Softmax => {
                let r = recip_dd(v, Dd::new(s_hi, s_lo));
                (Coef { a: r.hi, b: r.lo }, v.splat(f32::INFINITY))
            }
            Kind::LogSoftmax => {
                let l = log_dd(v, s_hi, s_lo);
                let (c, c_e) = two_sum(v, c, l.0);
                let c_lo = plus(v, v.add(c_e, l.1), c_lo);
                let k = Coef {
                    a: v.neg(c),
                    b: c_lo,
                };
                (k, v.add(l.0, shift_gap))
            }
            Kind::LogMeanExp => {
                let l = log_dd(v, s_hi, s_lo);
                let ln = log_dd(v, n, v.splat(0.0));
                let (d, d_e) = two_sum(v, l.0, v.neg(ln.0));
                let d_lo = plus(v, v.add(d_e, v.sub(l.1, ln.1)), c_lo);
                let a = add_round(v, c, (d, d_lo));
                (Coef { a, b: v.splat(1.0) }, larger(v, v.abs(a), ln.0))
            }
            Kind::LogSumExp => {
                if self.src.b.is_none() {
                    let l = log_dd(v, s_hi, s_lo);
                    let a = add_round(v, c, (l.0, plus(v, l.1, c_lo)));
                    let k = Coef { a, b: v.splat(1.0) };
                    return (k, larger(v, v.abs(a), v.add(l.0, shift_gap)));
                }
                // Σ b·e may be negative or zero (always shifted exactly).
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
                (Coef { a: y, b: sign }, v.splat(f32::INFINITY))
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

impl<T: Element> ExpRows<'_, T> {
    /// One group of rows; `PLAIN`: the source is plain ([`Src::plain`]); `NEG`: a plain
    /// source is negated (softmin); `SOFTMAX`: the kind is softmax.
    #[inline(always)]
    fn group_with<IO: Io, W: Walk, const PLAIN: bool, const NEG: bool, const SOFTMAX: bool>(
        &mut self,
        io: IO,
        w: W,
    ) {
        debug_assert_eq!(PLAIN, self.src.plain());
        debug_assert_eq!(SOFTMAX, self.kind == Kind::Softmax);
        let v = V(io.simd());
        let [m, n, lo] = self.max_pass::<_, _, PLAIN, NEG>(io, w);
        let m0 = lane(v, m, 0);
        if W::CONTIG && m0.is_infinite() {
            return self.special(w, 0, m0);
        }
        // The power-of-two shift, row by row (a strided group may mix the two).
        let rows = lanes_below(v, w.rows());
        let near = v.and_m(v.le(v.abs(m), v.splat(POW2_SHIFT_MAX)), rows);
        let fast = self.src.b.is_none() && v.any(near);
        let all_fast = fast && v.all(v.or_m(near, v.not_m(rows)));
        // Known once per row from its minimum: no lane needs the exponential's tail (the
        // power-of-two shift), and no kept `e` is small enough for `times_small`.
        let every_row = |ok: M<IO::S>| v.all(v.or_m(ok, v.not_m(rows)));
        let shallow = every_row(v.ge(lo, v.add(m, v.splat(PLAIN_D))));
        let small = !every_row(v.ge(lo, v.sub(m, v.splat(NO_SMALL_SPREAD))));
        let t = v.fma(m, v.splat(LOG2E), v.splat(SHIFTER));
        let kf = v.sub(t, v.splat(SHIFTER));
        let (exact, pow2) = (Shift::Exact { m }, Shift::Pow2 { m, k: kf });
        let (k, sum_hi) = if SOFTMAX {
            let shift = match (fast, all_fast) {
                (true, true) => pow2,
                (true, false) => Shift::Mixed {
                    m,
                    k: kf,
                    pow2: near,
                },
                _ => exact,
            };
            let sums = self.exp_pass::<_, _, PLAIN, NEG, SOFTMAX>(io, w, shift, false, shallow);
            (self.coef(v, shift, sums, n).0, sums[0])
        } else {
            // The log functions keep the fast result only where their bound's scale is
            // large enough; the other rows run pass 2 again, exactly shifted and counted.
            // (An `if`, not a closure: a closure would not inherit the target features.)
            let fast = if fast {
                let sums = self.exp_pass::<_, _, PLAIN, NEG, SOFTMAX>(io, w, pow2, false, shallow);
                let (k, scale) = self.coef(v, pow2, sums, n);
                let keep = v.and_m(near, v.ge(scale, v.splat(POW2_ACCEPT)));
                Some((k, sums[0], keep))
            } else {
                None
            };
            match fast {
                Some((k, s, keep)) if v.all(v.or_m(keep, v.not_m(rows))) => (k, s),
                _ => {
                    let sums =
                        self.exp_pass::<_, _, PLAIN, NEG, SOFTMAX>(io, w, exact, true, false);
                    let (k, _) = self.coef(v, exact, sums, n);
                    match fast {
                        None => (k, sums[0]),
                        Some((fk, fs, keep)) => (
                            Coef {
                                a: v.sel(keep, fk.a, k.a),
                                b: v.sel(keep, fk.b, k.b),
                            },
                            v.sel(keep, fs, sums[0]),
                        ),
                    }
                }
            }
        };
        let bad = |r: usize| {
            let (mr, sr) = (lane(v, m, r), lane(v, sum_hi, r));
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
            self.out_pass::<_, _, PLAIN, NEG, SOFTMAX>(io, w, k, small);
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

/// White-box checks, run by `tests/internals.rs` through [`crate::self_check`].
pub(crate) mod checks {
    use super::*;

    /// `times_small` gives the bits of `fma(e, a, e·b)` (rounded the plain way, through
    /// the subnormals) for small, subnormal and zero `e` and softmax-like `a`, `b`.
    pub fn times_small_keeps_the_bits() {
        let v = V(pulp::Scalar::new());
        let mut s = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = move || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s
        };
        for i in 0..400_000 {
            let r = next();
            // a in [2^-12, 1.42]; b = a·r with |r| in [2^-40, 2^-24), or 0.
            let a = f32::from_bits((115 << 23) + (r as u32 % (12 << 23))).min(1.42);
            let rb = f32::from_bits((87 << 23) + ((r >> 32) as u32 % (17 << 23)));
            let b = match i % 16 {
                0 => 0.0,
                k if k < 8 => a * rb,
                _ => -a * rb,
            };
            let r = next() as u32;
            // e: subnormal (a quarter), 0, or normal below 2^-59.
            let e = match i % 4 {
                0 => f32::from_bits(r % (1 << 23)),
                1 if r.is_multiple_of(64) => 0.0,
                _ => f32::from_bits(r % (68 << 23)),
            };
            let want = e.mul_add(a, e * b);
            let got = times_small(v, e, &Coef { a, b });
            assert_eq!(
                got.to_bits(),
                want.to_bits(),
                "e = {e:e}, a = {a:e}, b = {b:e}: {got:e}, want {want:e}"
            );
        }
    }
}
