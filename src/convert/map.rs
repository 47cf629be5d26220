//! The slice loops for half formats: whole vectors straight from the slices, the tail through
//! a stack buffer (pulp's u16 partial loads do not compile on its AVX-512 token), and the
//! rare lanes whose rounding the f32 result cannot decide recomputed from the f64 reference.
//!
//! Those lanes are noted during the loop (their index and widened input, so in place works
//! too) and resolved in batches, which keeps calls out of the vector loop.
//!
//! `R` is the kernel's ambiguity radius ([`crate::driver::radius`]); 0 means the kernel's
//! result rounds correctly as it is (exact kernels, conversions).

use super::{Format, Io, MAX_LANES, WithIo, dispatch};
use crate::driver::{Exact, Kernel, Kernel2};
use crate::simd::{F, Lanes, M, V};
use pulp::Simd;

/// Lanes noted per batch.
const BATCH: usize = 64;

/// Marks the branch that calls it as unlikely.
#[cold]
fn unlikely() {}

/// Lanes awaiting the f64 reference: output index, input, and slope (two-input kernels).
struct Batch {
    len: usize,
    at: [usize; BATCH],
    x: [f32; BATCH],
    a: [f32; BATCH],
}

/// The lanes in doubt of one call. The batch is made at the first such lane: most calls have
/// none, and then skip clearing its kilobyte.
struct Pending(Option<Batch>);

impl Pending {
    /// Notes the lanes of `m`, for the vector at `at` computed from the elements `x` (and
    /// `a`, two-input kernels), resolving a full batch into `out`; lanes past `limit` (tail
    /// padding) are skipped. Call it after the vector's store: a full batch is written to
    /// `out` at once, and may hold lanes of this very vector, which a later store would
    /// overwrite with the unresolved result. In place, `x` must be a copy of the inputs taken
    /// before the store.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    fn note<IO: Io, I: Format, O: Format>(
        &mut self,
        io: IO,
        m: M<IO::S>,
        at: usize,
        limit: usize,
        x: &[I::Elem],
        a: Option<&[I::Elem]>,
        out: &mut [O::Elem],
        exact: &Exact,
    ) {
        let v = V(io.simd());
        if !v.any(m) {
            return;
        }
        unlikely();
        let b = self.0.get_or_insert_with(Batch::new);
        let flags = v.sel(m, v.splat(1.0), v.splat(0.0));
        let flags: &[f32] = bytemuck::cast_slice(core::slice::from_ref(&flags));
        for i in 0..flags.len().min(limit) {
            if flags[i] != 0.0 {
                if b.len == BATCH {
                    b.resolve::<O>(out, exact);
                }
                b.at[b.len] = at + i;
                b.x[b.len] = I::widen_one(x[i]);
                b.a[b.len] = a.map_or(0.0, |a| I::widen_one(a[i]));
                b.len += 1;
            }
        }
    }

    /// Writes the lanes still noted into `out`.
    fn finish<O: Format>(&mut self, out: &mut [O::Elem], exact: &Exact) {
        if let Some(b) = &mut self.0 {
            b.resolve::<O>(out, exact);
        }
    }
}

impl Batch {
    fn new() -> Self {
        Batch {
            len: 0,
            at: [0; BATCH],
            x: [0.0; BATCH],
            a: [0.0; BATCH],
        }
    }

    /// Writes every noted lane from the f64 reference, rounded once (with the slope as the
    /// only parameter when `slope`), and empties the batch.
    #[cold]
    #[inline(never)]
    fn resolve<O: Format>(&mut self, out: &mut [O::Elem], exact: &Exact) {
        let mut p = [0.0f64; 4];
        for (p, &q) in p.iter_mut().zip(exact.params) {
            *p = q as f64;
        }
        let reference = crate::reference::elementwise_fn(exact.name)
            .expect("every elementwise function has an f64 reference");
        for j in 0..self.len {
            let params = if exact.slope {
                p[0] = self.a[j] as f64;
                &p[..1]
            } else {
                &p[..exact.params.len()]
            };
            let r = reference(self.x[j] as f64, params);
            out[self.at[j]] = O::from_f64(r);
        }
        self.len = 0;
    }
}

/// Vectors per block: the kernel runs on this many vectors, independent of each other, before
/// one test of their combined near-midpoint lanes, so the common case (no lane in doubt) has
/// one well-predicted branch per block.
const UNROLL: usize = 4;

/// The near-midpoint lanes of the results `ys` in format `O` (kernel radius `R`), and whether
/// there are any.
#[inline(always)]
fn flagged<S: Simd, O: Format, const R: u32, const U: usize>(
    v: V<S>,
    ys: &[F<S>; U],
) -> ([M<S>; U], bool) {
    let mut ms = [O::near_boundary(v, ys[0], R); U];
    let mut any = ms[0];
    for j in 1..U {
        ms[j] = O::near_boundary(v, ys[j], R);
        any = v.or_m(any, ms[j]);
    }
    (ms, v.any(any))
}

/// The first `U` runs of `n` elements of `x`, each copied into a zero-padded vector: the
/// inputs of a block, kept to note its lanes in doubt after its stores (which in place
/// overwrite them), or a tail padded to a whole vector.
#[inline(always)]
fn copied<E: Copy + Default, const U: usize>(x: &[E], n: usize) -> [[E; MAX_LANES]; U] {
    let mut b = [[E::default(); MAX_LANES]; U];
    for (j, b) in b.iter_mut().enumerate() {
        b[..n].copy_from_slice(&x[j * n..(j + 1) * n]);
    }
    b
}

/// A one-input kernel (its half form, [`Kernel::apply_half`]) as a two-input one that
/// ignores its second input, so one loop serves both.
#[derive(Clone, Copy)]
struct One<K>(K);

impl<K: Kernel> Kernel2 for One<K> {
    #[inline(always)]
    fn apply<S: Lanes>(self, v: V<S>, x: F<S>, _: F<S>) -> F<S> {
        self.0.apply_half(v, x)
    }
}

/// The stored element of the format `H`.
type Elem<H> = <H as Format>::Elem;

/// The inputs `x` and `a` of a map, in the format `H`.
type Inputs<'a, H> = (&'a [Elem<H>], &'a [Elem<H>]);

/// What a map reads and writes: the input `x`, the slopes `a` of a two-input kernel (empty
/// otherwise), and the output, which is `x` itself in place. The constants are per type, not
/// per value, so the loop does not test them.
trait Slices {
    type I: Format;
    type O: Format;
    /// Whether the output is `x`, so that stores overwrite inputs.
    const IN_PLACE: bool;
    /// Whether the kernel takes `a`.
    const SLOPE: bool;
    /// `x` and `a`.
    fn inputs(&self) -> Inputs<'_, Self::I>;
    /// `x` (empty in place) and `a`, and the output.
    fn parts(&mut self) -> (Inputs<'_, Self::I>, &mut [Elem<Self::O>]);
}

/// `x`, and the slopes `a` where `SLOPE`, into a separate `out`.
struct Apart<'a, I: Format, O: Format, const SLOPE: bool>(
    &'a [I::Elem],
    &'a [I::Elem],
    &'a mut [O::Elem],
);

impl<I: Format, O: Format, const SLOPE: bool> Slices for Apart<'_, I, O, SLOPE> {
    type I = I;
    type O = O;
    const IN_PLACE: bool = false;
    const SLOPE: bool = SLOPE;
    #[inline(always)]
    fn inputs(&self) -> Inputs<'_, I> {
        (self.0, self.1)
    }
    #[inline(always)]
    fn parts(&mut self) -> (Inputs<'_, I>, &mut [O::Elem]) {
        ((self.0, self.1), self.2)
    }
}

/// `x` overwritten.
struct InPlace<'a, H: Format>(&'a mut [H::Elem]);

impl<H: Format> Slices for InPlace<'_, H> {
    type I = H;
    type O = H;
    const IN_PLACE: bool = true;
    const SLOPE: bool = false;
    #[inline(always)]
    fn inputs(&self) -> Inputs<'_, H> {
        (self.0, &[])
    }
    #[inline(always)]
    fn parts(&mut self) -> (Inputs<'_, H>, &mut [H::Elem]) {
        ((&[], &[]), self.0)
    }
}

/// The kernel `k` over the slices `s`, rounding to `S::O` with radius `R`.
struct Map<'a, K, S, const R: u32> {
    k: K,
    s: S,
    exact: &'a Exact<'a>,
}

impl<K: Kernel2, S: Slices, const R: u32> Map<'_, K, S, R> {
    /// `U` whole vectors from `at`: results stored, lanes in doubt noted after the stores
    /// (in place, from copies of their inputs taken before).
    #[inline(always)]
    fn block<IO: Io, const U: usize>(&mut self, io: IO, at: usize, pending: &mut Pending) {
        let v = V(io.simd());
        let n = <IO::S as Simd>::F32_LANES;
        let (x, a) = self.s.inputs();
        // The block's elements sliced once, so the loads below need no bounds checks.
        let xb = &x[at..at + U * n];
        let ab = if S::SLOPE { &a[at..at + U * n] } else { xb };
        let mut ys = [v.splat(0.0); U];
        for (j, y) in ys.iter_mut().enumerate() {
            let xv = S::I::load(io, &xb[j * n..]);
            let av = if S::SLOPE {
                S::I::load(io, &ab[j * n..])
            } else {
                xv
            };
            *y = self.k.apply(v, xv, av);
        }
        // The lanes in doubt (and, in place, copies of their inputs, which the stores
        // overwrite): found before the stores in place, after them otherwise (fewer live
        // registers across the stores).
        let doubt = |x: &[Elem<S::I>], ys: &[F<IO::S>; U]| {
            if R == 0 {
                return None;
            }
            let (ms, any) = flagged::<_, S::O, R, U>(v, ys);
            any.then(|| {
                unlikely();
                (ms, S::IN_PLACE.then(|| copied::<_, U>(&x[at..], n)))
            })
        };
        let early = if S::IN_PLACE { doubt(x, &ys) } else { None };
        let ((x, a), out) = self.s.parts();
        let ob = &mut out[at..at + U * n];
        for (j, &y) in ys.iter().enumerate() {
            S::O::store(io, y, &mut ob[j * n..]);
        }
        let doubt = if S::IN_PLACE { early } else { doubt(x, &ys) };
        if let Some((ms, kept)) = doubt {
            for (j, &m) in ms.iter().enumerate() {
                let i = at + j * n;
                let x = kept.as_ref().map_or_else(|| &x[i..i + n], |xs| &xs[j][..]);
                let a = S::SLOPE.then(|| &a[i..i + n]);
                pending.note::<_, S::I, S::O>(io, m, i, n, x, a, out, self.exact);
            }
        }
    }

    /// The elements from `whole` on (fewer than a vector), zero-padded to one and stored
    /// through a stack buffer.
    #[inline(always)]
    fn tail<IO: Io>(&mut self, io: IO, whole: usize, pending: &mut Pending) {
        let v = V(io.simd());
        let n = <IO::S as Simd>::F32_LANES;
        let (x, a) = self.s.inputs();
        let tail = x.len() - whole;
        let [xb] = copied::<_, 1>(&x[whole..], tail);
        let ab = S::SLOPE.then(|| copied::<_, 1>(&a[whole..], tail)[0]);
        let xv = S::I::load(io, &xb[..n]);
        let av = ab.map_or(xv, |ab| S::I::load(io, &ab[..n]));
        let y = self.k.apply(v, xv, av);
        let mut b = [Elem::<S::O>::default(); MAX_LANES];
        S::O::store(io, y, &mut b[..n]);
        let (.., out) = self.s.parts();
        out[whole..].copy_from_slice(&b[..tail]);
        if R > 0 {
            let m = S::O::near_boundary(v, y, R);
            let ab = ab.as_ref().map(|ab| &ab[..]);
            pending.note::<_, S::I, S::O>(io, m, whole, tail, &xb, ab, out, self.exact);
        }
    }
}

impl<K: Kernel2, S: Slices, const R: u32> WithIo for Map<'_, K, S, R> {
    type Output = ();
    const NARROWS_BF16: bool = S::O::BF16;
    #[inline(always)]
    fn with_io<IO: Io>(mut self, io: IO) {
        let n = <IO::S as Simd>::F32_LANES;
        let len = self.s.inputs().0.len();
        let mut pending = Pending(None);
        let (blocks, whole) = (len / (n * UNROLL) * (n * UNROLL), len / n * n);
        for at in (0..blocks).step_by(n * UNROLL) {
            self.block::<IO, UNROLL>(io, at, &mut pending);
        }
        for at in (blocks..whole).step_by(n) {
            self.block::<IO, 1>(io, at, &mut pending);
        }
        if whole < len {
            self.tail(io, whole, &mut pending);
        }
        let (.., out) = self.s.parts();
        pending.finish::<S::O>(out, self.exact);
    }
}

/// `out[i] = k(x[i])` in the half format `H` (lengths checked by the caller).
pub(crate) fn map<K: Kernel, H: Format, const R: u32>(
    exact: &Exact,
    k: K,
    x: &[H::Elem],
    out: &mut [H::Elem],
) {
    let (k, s) = (One(k), Apart::<H, H, false>(x, &[], out));
    dispatch(Map::<_, _, R> { k, s, exact });
}

/// `x[i] = k(x[i])` in the half format `H`.
pub(crate) fn map_inplace<K: Kernel, H: Format, const R: u32>(
    exact: &Exact,
    k: K,
    x: &mut [H::Elem],
) {
    let (k, s) = (One(k), InPlace::<H>(x));
    dispatch(Map::<_, _, R> { k, s, exact });
}

/// `out[i] = k(x[i], a[i])` in the half format `H`, all three of one length; `exact` names
/// the one-input function with the slope `a[i]` as its parameter.
pub(crate) fn map2<K: Kernel2, H: Format, const R: u32>(
    exact: &Exact,
    k: K,
    x: &[H::Elem],
    a: &[H::Elem],
    out: &mut [H::Elem],
) {
    debug_assert!(x.len() == a.len() && x.len() == out.len());
    let s = Apart::<H, H, true>(x, a, out);
    dispatch(Map::<_, _, R> { k, s, exact });
}

/// Passes values through unchanged (NaN payloads included): conversion only.
#[derive(Clone, Copy)]
struct Pass;

impl Kernel for Pass {
    #[inline(always)]
    fn apply<S: Lanes>(self, _: V<S>, x: F<S>) -> F<S> {
        x
    }
}

/// `out[i] = x[i]` converted from format `I` to `O`, rounding once (lengths checked by the
/// caller).
pub(crate) fn convert<I: Format, O: Format>(x: &[I::Elem], out: &mut [O::Elem]) {
    let exact = &Exact {
        name: "convert",
        params: &[],
        slope: false,
    };
    let (k, s) = (One(Pass), Apart::<I, O, false>(x, &[], out));
    dispatch(Map::<_, _, 0> { k, s, exact });
}
