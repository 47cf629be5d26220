//! The softmax family — softmax, softmin, log_softmax, logsumexp (with `b` and its sign),
//! logmeanexp — in three passes over each row: the maximum m; `e^{x−m}` and its
//! compensated sum; the output.
//!
//! Accuracy comes from three choices:
//! * `x − m` is kept exact as `d + d_lo` (TwoSum) and `e^{d + d_lo}` is evaluated in
//!   double-f32 and rounded once, so a rounded shift does not cost up to 60 ulp deep in
//!   the tail (as it does in MLX/JAX);
//! * the terms at the maximum (exactly 1) are counted, not summed: `Σ = k + t`, so
//!   `log Σ = log1p(t)` stays accurate when the other terms are tiny;
//! * the sum and the final `log`/reciprocal are carried in double-f32.

use super::layout::{Axis, RowKernel, Slot, VLANES, Walk, for_each_group, lane, lanes_below, load, load_mask, store, store_rows};
use super::reduce::{MaxCount, SumCount, acc, two_sum};
use crate::math::exp::{EXP_UNDERFLOW, exp_dd, scale};
use crate::math::log::log_core_dd;
use crate::math::sigmoid::recip_dd;
use crate::math::Dd;
use crate::simd::{F, M, V};
use pulp::{Simd, WithSimd};

const NEG_INF: f32 = f32::NEG_INFINITY;

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
pub(crate) struct ExpRows<'a> {
    pub kind: Kind,
    /// softmin: the row is `−x`.
    pub negate: bool,
    pub axis: Axis,
    pub x: &'a [f32],
    pub mask: Option<&'a [bool]>,
    /// logsumexp's per-element scale (entries with `b == 0` are left out).
    pub b: Option<&'a [f32]>,
    pub out: &'a mut [f32],
    /// logsumexp's sign output (`return_sign`); without it a negative sum gives NaN.
    pub sign: Option<&'a mut [f32]>,
}

impl WithSimd for ExpRows<'_> {
    type Output = ();
    #[inline(always)]
    fn with_simd<S: Simd>(mut self, s: S) {
        let axis = self.axis;
        for_each_group(V(s), axis, &mut self);
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

impl ExpRows<'_> {
    /// The row element as the function sees it: negated for softmin, −inf where masked
    /// out, where `b == 0`, and in the padding.
    #[inline(always)]
    fn load_x<S: Simd>(&self, v: V<S>, s: Slot) -> F<S> {
        let x = if self.negate {
            v.neg(load::<S>(self.x, s, f32::INFINITY))
        } else {
            load::<S>(self.x, s, NEG_INF)
        };
        let x = match self.mask {
            Some(m) => v.sel(load_mask(v, m, s), x, v.splat(NEG_INF)),
            None => x,
        };
        match self.b {
            Some(b) => v.sel(
                v.eq(load::<S>(b, s, 0.0), v.splat(0.0)),
                v.splat(NEG_INF),
                x,
            ),
            None => x,
        }
    }

    /// Lanes that take part in the reduction (mask, `b ≠ 0`, not padding).
    #[inline(always)]
    fn valid<S: Simd>(&self, v: V<S>, s: Slot) -> M<S> {
        let inside = match self.mask {
            Some(m) => load_mask(v, m, s),
            None => lanes_below(v, s.n),
        };
        match self.b {
            Some(b) => v.and_m(inside, v.not_m(v.eq(load::<S>(b, s, 0.0), v.splat(0.0)))),
            None => inside,
        }
    }

    /// Pass 1: the row maximum and (logmeanexp with a mask) the count of valid elements.
    #[inline(always)]
    fn max_pass<S: Simd, W: Walk>(&self, v: V<S>, w: W) -> [F<S>; 2] {
        let (zero, one) = (v.splat(0.0), v.splat(1.0));
        let count = self.kind == Kind::LogMeanExp && self.mask.is_some();
        let mut st = [[v.splat(NEG_INF), zero]; VLANES];
        for c in 0..w.chunks() {
            for (g, st) in st.iter_mut().enumerate().take(W::slots::<S>()) {
                let s = w.slot::<S>(c, g);
                let x = self.load_x(v, s);
                st[0] = v.sel(v.gt(x, st[0]), x, st[0]);
                if count {
                    st[1] = v.add(st[1], v.sel(self.valid(v, s), one, zero));
                }
            }
        }
        let [m, n] = W::reduce::<S, MaxCount, 2>(v, st);
        // One zero: −0 and +0 may both be maxima, in an order that depends on the layout.
        let n = if count { n } else { v.splat(w.len() as f32) };
        [v.add(m, zero), n]
    }

    /// Pass 2: `e = e^{x−m}` (stored for softmax), `t = Σ e` over the terms below the
    /// maximum and `k` = the number of terms at it; with `b`, `t = Σ b·e` and `k = 0`.
    #[inline(always)]
    fn exp_pass<S: Simd, W: Walk>(&mut self, v: V<S>, w: W, m: F<S>) -> [F<S>; 3] {
        let (zero, one) = (v.splat(0.0), v.splat(1.0));
        let neg_m = v.neg(m);
        let keep = self.kind == Kind::Softmax;
        let mut st = [[zero; 3]; VLANES];
        for c in 0..w.chunks() {
            for (g, st) in st.iter_mut().enumerate().take(W::slots::<S>()) {
                let s = w.slot::<S>(c, g);
                let x = self.load_x(v, s);
                // e^{d + d_lo} with the shift kept exact: 2^n·(p_hi + p_lo), rounded once.
                let (d, d_lo) = two_sum(v, x, neg_m);
                let deep = v.lt(d, v.splat(EXP_UNDERFLOW));
                let (p, red) = exp_dd(v, v.sel(deep, zero, d), v.sel(deep, zero, d_lo));
                let e = v.sel(deep, zero, scale(v, p.round(v), red.t, red.n));
                match self.b {
                    Some(b) => {
                        let t = v.sel(self.valid(v, s), v.mul(load::<S>(b, s, 0.0), e), zero);
                        (st[0], st[1]) = acc(v, st[0], st[1], t);
                    }
                    None => {
                        let top = v.eq(d, zero);
                        st[2] = v.add(st[2], v.sel(top, one, zero));
                        (st[0], st[1]) = acc(v, st[0], st[1], v.sel(top, zero, e));
                    }
                }
                if keep {
                    store(v, self.out, s, e);
                }
            }
        }
        W::reduce::<S, SumCount, 3>(v, st)
    }

    /// The per-row coefficients from `m`, `Σ = k + (hi + lo)` and the count `n`.
    #[inline(always)]
    fn coef<S: Simd>(&self, v: V<S>, m: F<S>, [hi, lo, k]: [F<S>; 3], n: F<S>) -> Coef<S> {
        let (s_hi, s_e) = two_sum(v, k, hi);
        let (s_hi, s_lo) = two_sum(v, s_hi, v.add(s_e, lo));
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
                if self.b.is_none() {
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

    /// Pass 3: softmax scales the stored `e`; log_softmax computes `x − (m + log Σ)`.
    #[inline(always)]
    fn out_pass<S: Simd, W: Walk>(&mut self, v: V<S>, w: W, k: &Coef<S>) {
        for c in 0..w.chunks() {
            for g in 0..W::slots::<S>() {
                let s = w.slot::<S>(c, g);
                if s.n == 0 {
                    continue;
                }
                let y = if self.kind == Kind::Softmax {
                    let e = load::<S>(self.out, s, 0.0);
                    v.fma(e, k.a, v.mul(e, k.b))
                } else {
                    let x = self.load_x(v, s);
                    let (h, e) = two_sum(v, x, k.a);
                    let y = v.add(h, v.sub(e, k.b));
                    // −inf stays −inf; x − c beyond the f32 range is −inf too.
                    v.sel(v.eq(h, v.splat(NEG_INF)), h, y)
                };
                store(v, self.out, s, y);
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
            let x = if self.negate { -self.x[off] } else { self.x[off] };
            let b = self.b.map_or(1.0, |b| b[off]);
            if !self.mask.is_none_or(|m| m[off]) {
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
                let masked = if self.kind == Kind::Softmax { 0.0 } else { NEG_INF };
                for j in 0..len {
                    let off = w.at(r, j);
                    let valid = self.mask.is_none_or(|m| m[off]);
                    self.out[off] = if valid { f32::NAN } else { masked };
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
                self.out[i] = y;
                if let Some(sg) = self.sign.as_deref_mut() {
                    sg[i] = sign;
                }
            }
        }
    }

    /// logsumexp with `b` whose f32 sum overflowed (or met inf·0): the sum in f64.
    fn wide_sum<W: Walk>(&self, w: W, r: usize, m: f32) -> (f32, f32) {
        let mut sum = 0.0f64;
        for j in 0..w.len() {
            let off = w.at(r, j);
            let b = self.b.map_or(1.0, |b| b[off]);
            if self.mask.is_none_or(|m| m[off]) && b != 0.0 {
                sum += b as f64 * libm::exp(self.x[off] as f64 - m as f64);
            }
        }
        let sign = if sum.is_nan() { f64::NAN } else if sum == 0.0 { 0.0 } else { sum.signum() };
        ((m as f64 + libm::log(sum.abs())) as f32, sign as f32)
    }
}

impl RowKernel for ExpRows<'_> {
    #[inline(always)]
    fn group<S: Simd, W: Walk>(&mut self, v: V<S>, w: W) {
        let [m, n] = self.max_pass(v, w);
        let m0 = lane(v, m, 0);
        if W::CONTIG && m0.is_infinite() {
            return self.special(w, 0, m0);
        }
        let sums = self.exp_pass(v, w, m);
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
            self.out_pass(v, w, &k);
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
