//! The slice driver: runs a kernel over full SIMD vectors and a masked tail, in place or
//! out of place, on the active instruction set. f32 slices run here; f16/bf16 slices go to
//! [`crate::convert`], which widens, runs the same kernel and rounds once.

use crate::convert::{self, Arith, Bf16Bits, F16Bits, Keys, Select};
use crate::dtype::{Dtype, Element};
use crate::isa::dispatch;
use crate::lut;
use crate::simd::{F, Lanes, Pair, V, pairs};
use bytemuck::{cast_slice, cast_slice_mut};
use pulp::{Simd, WithSimd};

/// What a slice function is, for its panic messages and for the rare half-format lanes the
/// f32 result cannot round: its name in the table of operations (which names the f64
/// reference), its parameters, and whether a two-input kernel's second input is instead its
/// one parameter (PReLU's slope per element).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Exact<'a> {
    pub name: &'static str,
    pub params: &'a [f32],
    pub slope: bool,
}

/// How close (in f32 steps) a result of the function `name` must be to a midpoint of a half
/// format for its rounding to be in doubt: the lane is flagged when the distance is below
/// the returned radius, 0 meaning never (an exact function). Evaluated at compile time.
///
/// With the table bound `b` f32 ulps, the true value is within `b` steps of the result away
/// from powers of two, and within `2b` steps just below one (where the ulp halves; the only
/// half-format midpoint at a power of two is f16's 2^-25), so distances up to `⌊2b⌋` are in
/// doubt. A correctly rounded result (`b = 0.5`) is in doubt only exactly on a midpoint:
/// otherwise the midpoint, an f32 number, is at least one step away and the true value within
/// half a step.
///
/// [`HALF_EXACT`] functions need no test on half inputs.
pub(crate) const fn radius(name: &str) -> u32 {
    let b = crate::table::ulp_f32_of(name);
    if b == 0.0 || half_exact(name) {
        0
    } else if b <= 0.5 {
        1
    } else {
        (2.0 * b) as u32 + 1
    }
}

/// Functions whose f32 result on a half input rounds to the half format exactly as the true
/// value does, so their half forms need no near-midpoint test (`tests/half.rs` checks every
/// input on every ISA):
/// - relu2: the square of at most 11 significant bits fits in f32's 24; bf16 squares below
///   f32's normal range either lie below half a bf16 ulp of zero or keep every bit;
/// - sparse_sigmoid, `0.5·clip(x + 1, 0, 2)`: `x + 1` is exact unless |x| < 2^-13, and then
///   both it and the true value lie within 2^-14 of 0.5, where the nearest half midpoints
///   are 2^-13 away or more;
/// - hard_sigmoid, whose half form ([`Kernel::apply_half`]) is `clip((x + 3)·(1/6), 0, 1)`
///   with 1/6 rounded to f32: `x + 3` is exact on the ramp but where |x| is so small that
///   the result lies within 2^-12 of 0.5 (far from a midpoint), and `m/6` for an `m` of at
///   most 24 bits is never within the product's two f32 roundings (about 1.5 ulps) of a
///   half midpoint unless it is one, which `m/3`'s repeating binary digits rule out but for
///   exact quotients.
const HALF_EXACT: [&str; 3] = ["relu2", "sparse_sigmoid", "hard_sigmoid"];

const fn half_exact(name: &str) -> bool {
    let mut i = 0;
    while i < HALF_EXACT.len() {
        if crate::table::same_name(name, HALF_EXACT[i]) {
            return true;
        }
        i += 1;
    }
    false
}

/// An elementwise function on one vector of lanes.
pub(crate) trait Kernel: Copy {
    fn apply<S: Lanes>(self, v: V<S>, x: F<S>) -> F<S>;
    /// The kernel as the f16/bf16 conversion path runs it on widened half inputs: `apply`,
    /// unless a cheaper form gives every half input the correctly rounded result once
    /// narrowed (such a function is in [`HALF_EXACT`], so it skips the near-midpoint test).
    #[inline(always)]
    fn apply_half<S: Lanes>(self, v: V<S>, x: F<S>) -> F<S> {
        self.apply(v, x)
    }
    /// The kernel as a [`Select`] when all it does is pick between its input and constants
    /// by comparisons (the same function, NaN lanes included): its f16 and bf16 forms then
    /// run on 16-bit lanes without converting ([`convert::select`]).
    fn select(self) -> Option<Select> {
        None
    }
    /// The kernel as f16 arithmetic ([`convert::fp16`]) where each output is one IEEE
    /// operation on f16 operands (so rounded once, the same bits as converting), for its
    /// parameters.
    fn f16_arith(self) -> Option<Arith> {
        None
    }
}

/// An elementwise function of two inputs (e.g. PReLU's per-channel slope).
pub(crate) trait Kernel2: Copy {
    fn apply<S: Lanes>(self, v: V<S>, x: F<S>, a: F<S>) -> F<S>;
    /// Whether the kernel is PReLU, which f16 arithmetic runs as it is
    /// ([`convert::fp16::prelu`]).
    fn is_prelu(self) -> bool {
        false
    }
}

/// Panics with the message every slice function uses for mismatched lengths.
#[track_caller]
pub(crate) fn check_len(name: &str, x: usize, out: usize) {
    assert!(
        x == out,
        "lanewise::{name}: input has {x} elements but output has {out}"
    );
}

/// `k` on the elements `rest` (fewer than two vectors) as one [`Pair`], through a zero-padded
/// stack buffer; returns the buffer, whose first `rest.len()` elements are the results.
#[inline(always)]
fn pair_rest<S: Simd, K: Kernel>(s: S, k: K, rest: &[f32]) -> [S::f32s; 2] {
    let mut b = [s.splat_f32s(0.0); 2];
    bytemuck::cast_slice_mut::<_, f32>(&mut b)[..rest.len()].copy_from_slice(rest);
    k.apply(V(Pair(s)), b)
}

/// The f32 loops. `P`: the function is built on the transcendental primitives, so where
/// [`pairs`] says so it runs on a [`Pair`] of registers, the last elements included
/// ([`pair_rest`]); the piecewise-linear functions are a few operations each and run one
/// register at a time.
struct Map<'a, K, const P: bool> {
    k: K,
    x: &'a [f32],
    out: &'a mut [f32],
}

impl<K: Kernel, const P: bool> WithSimd for Map<'_, K, P> {
    type Output = ();
    #[inline(always)]
    fn with_simd<S: Simd>(self, s: S) {
        let (k, v) = (self.k, V(s));
        let (xs, xt) = S::as_simd_f32s(self.x);
        let (os, ot) = S::as_mut_simd_f32s(self.out);
        if P && pairs::<S>() {
            let mut xp = xs.chunks_exact(2);
            let mut op = os.chunks_exact_mut(2);
            for (o, x) in (&mut op).zip(&mut xp) {
                [o[0], o[1]] = k.apply(V(Pair(s)), [x[0], x[1]]);
            }
            let done = (xs.len() & !1) * S::F32_LANES;
            if done < self.x.len() {
                let b = pair_rest(s, k, &self.x[done..]);
                let n = self.x.len() - done;
                self.out[done..].copy_from_slice(&bytemuck::cast_slice(&b)[..n]);
            }
            return;
        }
        for (o, x) in os.iter_mut().zip(xs) {
            *o = k.apply(v, *x);
        }
        if !xt.is_empty() {
            s.partial_store_f32s(ot, k.apply(v, s.partial_load_f32s(xt)));
        }
    }
}

struct MapInPlace<'a, K, const P: bool> {
    k: K,
    x: &'a mut [f32],
}

impl<K: Kernel, const P: bool> WithSimd for MapInPlace<'_, K, P> {
    type Output = ();
    #[inline(always)]
    fn with_simd<S: Simd>(self, s: S) {
        let (k, v) = (self.k, V(s));
        let len = self.x.len();
        let (xs, xt) = S::as_mut_simd_f32s(self.x);
        if P && pairs::<S>() {
            let done = (xs.len() & !1) * S::F32_LANES;
            for x in xs.chunks_exact_mut(2) {
                [x[0], x[1]] = k.apply(V(Pair(s)), [x[0], x[1]]);
            }
            if done < len {
                let rest = &mut self.x[done..];
                let b = pair_rest(s, k, rest);
                let n = rest.len();
                rest.copy_from_slice(&bytemuck::cast_slice(&b)[..n]);
            }
            return;
        }
        for x in xs.iter_mut() {
            *x = k.apply(v, *x);
        }
        if !xt.is_empty() {
            let y = k.apply(v, s.partial_load_f32s(xt));
            s.partial_store_f32s(xt, y);
        }
    }
}

struct Map2<'a, K> {
    k: K,
    x: &'a [f32],
    a: &'a [f32],
    out: &'a mut [f32],
}

impl<K: Kernel2> WithSimd for Map2<'_, K> {
    type Output = ();
    #[inline(always)]
    fn with_simd<S: Simd>(self, s: S) {
        let v = V(s);
        let (xs, xt) = S::as_simd_f32s(self.x);
        let (as_, at) = S::as_simd_f32s(self.a);
        let (os, ot) = S::as_mut_simd_f32s(self.out);
        for ((o, x), a) in os.iter_mut().zip(xs).zip(as_) {
            *o = self.k.apply(v, *x, *a);
        }
        if !xt.is_empty() {
            let y = self
                .k
                .apply(v, s.partial_load_f32s(xt), s.partial_load_f32s(at));
            s.partial_store_f32s(ot, y);
        }
    }
}

/// `out[i] = k(x[i])`; `R` is [`radius`] of the function, `P` whether it is built on the
/// transcendental primitives ([`crate::table::transcendental`]: its f32 loop then runs
/// register pairs where [`pairs`] says so), `L` whether its half forms use lookup tables
/// ([`crate::table::half_table`]).
#[track_caller]
pub(crate) fn map<T: Element, K: Kernel, const R: u32, const P: bool, const L: bool>(
    op: &Exact,
    k: K,
    x: &[T],
    out: &mut [T],
) {
    check_len(op.name, x.len(), out.len());
    match T::DTYPE {
        Dtype::F32 => dispatch(Map::<_, P> {
            k,
            x: cast_slice(x),
            out: cast_slice_mut(out),
        }),
        Dtype::F16 => {
            map_half::<K, F16Bits, R, L>(op, k, T::DTYPE, cast_slice(x), cast_slice_mut(out))
        }
        Dtype::Bf16 => {
            map_half::<K, Bf16Bits, R, L>(op, k, T::DTYPE, cast_slice(x), cast_slice_mut(out))
        }
    }
}

/// A half-format `map`: in f16 arithmetic where the kernel has that form and the processor
/// the instructions ([`convert::fp16`]), from the function's lookup table when `L` and the
/// table exists or has now been earned (see [`crate::lut`]), on 16-bit lanes when the kernel
/// is a [`Select`], else the kernel.
fn map_half<K: Kernel, H: Keys, const R: u32, const L: bool>(
    op: &Exact,
    k: K,
    dtype: Dtype,
    x: &[u16],
    out: &mut [u16],
) {
    if let Some(op) = k.f16_arith().filter(|_| dtype == Dtype::F16)
        && convert::fp16::map(op, x, out)
    {
        return;
    }
    if k.select().is_some() {
        return convert::select::<K, H>(k, x, out);
    }
    let kernel = |x: &[u16], out: &mut [u16]| convert::map::<K, H, R>(op, k, x, out);
    let table = if L {
        lut::table_for(op.name, op.params, dtype, x.len(), |t| {
            let patterns = t.to_vec();
            kernel(&patterns, t)
        })
    } else {
        None
    };
    match table {
        Some(t) => t.map(x, out),
        None => kernel(x, out),
    }
}

/// The in-place form of [`map_half`].
fn map_half_inplace<K: Kernel, H: Keys, const R: u32, const L: bool>(
    op: &Exact,
    k: K,
    dtype: Dtype,
    x: &mut [u16],
) {
    if let Some(op) = k.f16_arith().filter(|_| dtype == Dtype::F16)
        && convert::fp16::map_inplace(op, x)
    {
        return;
    }
    if k.select().is_some() {
        return convert::select_inplace::<K, H>(k, x);
    }
    let kernel = |x: &mut [u16]| convert::map_inplace::<K, H, R>(op, k, x);
    let table = if L {
        lut::table_for(op.name, op.params, dtype, x.len(), kernel)
    } else {
        None
    };
    match table {
        Some(t) => t.map_inplace(x),
        None => kernel(x),
    }
}

/// `x[i] = k(x[i])`.
pub(crate) fn map_inplace<T: Element, K: Kernel, const R: u32, const P: bool, const L: bool>(
    op: &Exact,
    k: K,
    x: &mut [T],
) {
    match T::DTYPE {
        Dtype::F32 => dispatch(MapInPlace::<_, P> {
            k,
            x: cast_slice_mut(x),
        }),
        Dtype::F16 => map_half_inplace::<K, F16Bits, R, L>(op, k, T::DTYPE, cast_slice_mut(x)),
        Dtype::Bf16 => map_half_inplace::<K, Bf16Bits, R, L>(op, k, T::DTYPE, cast_slice_mut(x)),
    }
}

/// `out[i] = k(x[i], a[i])`, all three of one length (checked by the caller); `op` names
/// the one-input function `k(x, a)` equals for a fixed `a`, with `a` as its one parameter.
pub(crate) fn map2<T: Element, K: Kernel2, const R: u32>(
    op: &Exact,
    k: K,
    x: &[T],
    a: &[T],
    out: &mut [T],
) {
    debug_assert!(x.len() == a.len() && x.len() == out.len());
    match T::DTYPE {
        Dtype::F32 => dispatch(Map2 {
            k,
            x: cast_slice(x),
            a: cast_slice(a),
            out: cast_slice_mut(out),
        }),
        Dtype::F16 => {
            let (x, a, out) = (cast_slice(x), cast_slice(a), cast_slice_mut(out));
            if !(k.is_prelu() && convert::fp16::prelu(x, a, out)) {
                convert::map2::<K, F16Bits, R>(op, k, x, a, out)
            }
        }
        Dtype::Bf16 => convert::map2::<K, Bf16Bits, R>(
            op,
            k,
            cast_slice(x),
            cast_slice(a),
            cast_slice_mut(out),
        ),
    }
}
