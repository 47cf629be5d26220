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
use crate::simd::{F, M, V};
use pulp::Simd;

/// Lanes noted per batch.
const BATCH: usize = 64;

/// Marks the branch that calls it as unlikely.
#[cold]
fn unlikely() {}

/// Lanes awaiting the f64 reference: output index, input, and slope (two-input kernels).
struct Pending {
    len: usize,
    at: [usize; BATCH],
    x: [f32; BATCH],
    a: [f32; BATCH],
}

impl Pending {
    fn new() -> Self {
        Pending {
            len: 0,
            at: [0; BATCH],
            x: [0.0; BATCH],
            a: [0.0; BATCH],
        }
    }

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
        let flags = v.sel(m, v.splat(1.0), v.splat(0.0));
        let flags: &[f32] = bytemuck::cast_slice(core::slice::from_ref(&flags));
        for i in 0..flags.len().min(limit) {
            if flags[i] != 0.0 {
                if self.len == BATCH {
                    self.resolve::<O>(out, exact);
                }
                self.at[self.len] = at + i;
                self.x[self.len] = I::widen_one(x[i]);
                self.a[self.len] = a.map_or(0.0, |a| I::widen_one(a[i]));
                self.len += 1;
            }
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

/// The tail of `x` (shorter than a vector) zero-padded to a whole vector.
#[inline(always)]
fn padded<E: Copy + Default>(x: &[E]) -> [E; MAX_LANES] {
    let mut b = [E::default(); MAX_LANES];
    b[..x.len()].copy_from_slice(x);
    b
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

/// The `U` vectors of elements at `at`, copied (so the lanes to recompute can be noted after
/// the vectors' stores, in place too).
#[inline(always)]
fn copy_block<E: Copy + Default, const U: usize>(
    x: &[E],
    at: usize,
    n: usize,
) -> [[E; MAX_LANES]; U] {
    let mut b = [[E::default(); MAX_LANES]; U];
    for (j, b) in b.iter_mut().enumerate() {
        b[..n].copy_from_slice(&x[at + j * n..at + (j + 1) * n]);
    }
    b
}

struct Map<'a, K, I: Format, O: Format, const R: u32> {
    k: K,
    x: &'a [I::Elem],
    out: &'a mut [O::Elem],
    exact: &'a Exact<'a>,
}

impl<K: Kernel, I: Format, O: Format, const R: u32> Map<'_, K, I, O, R> {
    /// `U` whole vectors from `at`: results stored, lanes in doubt noted.
    #[inline(always)]
    fn block<IO: Io, const U: usize>(&mut self, io: IO, at: usize, pending: &mut Pending) {
        let v = V(io.simd());
        let n = <IO::S as Simd>::F32_LANES;
        let mut ys = [v.splat(0.0); U];
        for (j, y) in ys.iter_mut().enumerate() {
            *y = self.k.apply(v, I::load(io, &self.x[at + j * n..]));
        }
        for (j, &y) in ys.iter().enumerate() {
            O::store(io, y, &mut self.out[at + j * n..]);
        }
        if R > 0 {
            let (ms, any) = flagged::<_, O, R, U>(v, &ys);
            if any {
                unlikely();
                for (j, &m) in ms.iter().enumerate() {
                    let x = &self.x[at + j * n..at + (j + 1) * n];
                    pending.note::<_, I, O>(io, m, at + j * n, n, x, None, self.out, self.exact);
                }
            }
        }
    }
}

impl<K: Kernel, I: Format, O: Format, const R: u32> WithIo for Map<'_, K, I, O, R> {
    type Output = ();
    #[inline(always)]
    fn with_io<IO: Io>(mut self, io: IO) {
        let v = V(io.simd());
        let n = <IO::S as Simd>::F32_LANES;
        let len = self.x.len();
        let mut pending = Pending::new();
        let (blocks, whole) = (len / (n * UNROLL) * (n * UNROLL), len / n * n);
        for at in (0..blocks).step_by(n * UNROLL) {
            self.block::<IO, UNROLL>(io, at, &mut pending);
        }
        for at in (blocks..whole).step_by(n) {
            self.block::<IO, 1>(io, at, &mut pending);
        }
        let (x, out) = (self.x, &mut *self.out);
        if whole < len {
            let tail = len - whole;
            let xb = padded(&x[whole..]);
            let y = self.k.apply(v, I::load(io, &xb[..n]));
            let mut b = [O::Elem::default(); MAX_LANES];
            O::store(io, y, &mut b[..n]);
            out[whole..].copy_from_slice(&b[..tail]);
            if R > 0 {
                let m = O::near_boundary(v, y, R);
                pending.note::<_, I, O>(io, m, whole, tail, &xb, None, out, self.exact);
            }
        }
        if pending.len > 0 {
            pending.resolve::<O>(out, self.exact);
        }
    }
}

struct MapInPlace<'a, K, H: Format, const R: u32> {
    k: K,
    x: &'a mut [H::Elem],
    exact: &'a Exact<'a>,
}

impl<K: Kernel, H: Format, const R: u32> MapInPlace<'_, K, H, R> {
    /// `U` whole vectors from `at`: results stored, lanes in doubt noted.
    #[inline(always)]
    fn block<IO: Io, const U: usize>(&mut self, io: IO, at: usize, pending: &mut Pending) {
        let v = V(io.simd());
        let n = <IO::S as Simd>::F32_LANES;
        let mut ys = [v.splat(0.0); U];
        for (j, y) in ys.iter_mut().enumerate() {
            *y = self.k.apply(v, H::load(io, &self.x[at + j * n..]));
        }
        let (ms, any) = if R > 0 {
            flagged::<_, H, R, U>(v, &ys)
        } else {
            ([v.lt(ys[0], ys[0]); U], false)
        };
        // The inputs of a block with lanes in doubt, before the stores overwrite them.
        let xs = if any {
            unlikely();
            Some(copy_block::<_, U>(self.x, at, n))
        } else {
            None
        };
        for (j, &y) in ys.iter().enumerate() {
            H::store(io, y, &mut self.x[at + j * n..]);
        }
        if let Some(xs) = xs {
            for (j, (&m, x)) in ms.iter().zip(&xs).enumerate() {
                pending.note::<_, H, H>(io, m, at + j * n, n, x, None, self.x, self.exact);
            }
        }
    }
}

impl<K: Kernel, H: Format, const R: u32> WithIo for MapInPlace<'_, K, H, R> {
    type Output = ();
    #[inline(always)]
    fn with_io<IO: Io>(mut self, io: IO) {
        let v = V(io.simd());
        let n = <IO::S as Simd>::F32_LANES;
        let len = self.x.len();
        let mut pending = Pending::new();
        let (blocks, whole) = (len / (n * UNROLL) * (n * UNROLL), len / n * n);
        for at in (0..blocks).step_by(n * UNROLL) {
            self.block::<IO, UNROLL>(io, at, &mut pending);
        }
        for at in (blocks..whole).step_by(n) {
            self.block::<IO, 1>(io, at, &mut pending);
        }
        let x = &mut *self.x;
        if whole < len {
            let tail = len - whole;
            let xb = padded(&x[whole..]);
            let y = self.k.apply(v, H::load(io, &xb[..n]));
            let mut b = [H::Elem::default(); MAX_LANES];
            H::store(io, y, &mut b[..n]);
            x[whole..].copy_from_slice(&b[..tail]);
            if R > 0 {
                let m = H::near_boundary(v, y, R);
                pending.note::<_, H, H>(io, m, whole, tail, &xb, None, x, self.exact);
            }
        }
        if pending.len > 0 {
            pending.resolve::<H>(x, self.exact);
        }
    }
}

struct Map2<'a, K, H: Format, const R: u32> {
    k: K,
    x: &'a [H::Elem],
    a: &'a [H::Elem],
    out: &'a mut [H::Elem],
    exact: &'a Exact<'a>,
}

impl<K: Kernel2, H: Format, const R: u32> Map2<'_, K, H, R> {
    /// `U` whole vectors from `at`: results stored, lanes in doubt noted.
    #[inline(always)]
    fn block<IO: Io, const U: usize>(&mut self, io: IO, at: usize, pending: &mut Pending) {
        let v = V(io.simd());
        let n = <IO::S as Simd>::F32_LANES;
        let mut ys = [v.splat(0.0); U];
        for (j, y) in ys.iter_mut().enumerate() {
            let (x, a) = (&self.x[at + j * n..], &self.a[at + j * n..]);
            *y = self.k.apply(v, H::load(io, x), H::load(io, a));
        }
        for (j, &y) in ys.iter().enumerate() {
            H::store(io, y, &mut self.out[at + j * n..]);
        }
        if R > 0 {
            let (ms, any) = flagged::<_, H, R, U>(v, &ys);
            if any {
                unlikely();
                for (j, &m) in ms.iter().enumerate() {
                    let r = at + j * n..at + (j + 1) * n;
                    let (x, a) = (&self.x[r.clone()], &self.a[r]);
                    pending.note::<_, H, H>(io, m, at + j * n, n, x, Some(a), self.out, self.exact);
                }
            }
        }
    }
}

impl<K: Kernel2, H: Format, const R: u32> WithIo for Map2<'_, K, H, R> {
    type Output = ();
    #[inline(always)]
    fn with_io<IO: Io>(mut self, io: IO) {
        let v = V(io.simd());
        let n = <IO::S as Simd>::F32_LANES;
        let len = self.x.len();
        let mut pending = Pending::new();
        let (blocks, whole) = (len / (n * UNROLL) * (n * UNROLL), len / n * n);
        for at in (0..blocks).step_by(n * UNROLL) {
            self.block::<IO, UNROLL>(io, at, &mut pending);
        }
        for at in (blocks..whole).step_by(n) {
            self.block::<IO, 1>(io, at, &mut pending);
        }
        let (x, a, out) = (self.x, self.a, &mut *self.out);
        if whole < len {
            let tail = len - whole;
            let (xb, ab) = (padded(&x[whole..]), padded(&a[whole..]));
            let y = self
                .k
                .apply(v, H::load(io, &xb[..n]), H::load(io, &ab[..n]));
            let mut b = [H::Elem::default(); MAX_LANES];
            H::store(io, y, &mut b[..n]);
            out[whole..].copy_from_slice(&b[..tail]);
            if R > 0 {
                let m = H::near_boundary(v, y, R);
                pending.note::<_, H, H>(io, m, whole, tail, &xb, Some(&ab), out, self.exact);
            }
        }
        if pending.len > 0 {
            pending.resolve::<H>(out, self.exact);
        }
    }
}

/// `out[i] = k(x[i])` in the half format `H` (lengths checked by the caller).
pub(crate) fn map<K: Kernel, H: Format, const R: u32>(
    exact: &Exact,
    k: K,
    x: &[H::Elem],
    out: &mut [H::Elem],
) {
    dispatch(Map::<K, H, H, R> { k, x, out, exact });
}

/// `x[i] = k(x[i])` in the half format `H`.
pub(crate) fn map_inplace<K: Kernel, H: Format, const R: u32>(
    exact: &Exact,
    k: K,
    x: &mut [H::Elem],
) {
    dispatch(MapInPlace::<K, H, R> { k, x, exact });
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
    dispatch(Map2::<K, H, R> {
        k,
        x,
        a,
        out,
        exact,
    });
}

/// Passes values through unchanged (NaN payloads included): conversion only.
#[derive(Clone, Copy)]
struct Pass;

impl Kernel for Pass {
    #[inline(always)]
    fn apply<S: Simd>(self, _: V<S>, x: F<S>) -> F<S> {
        x
    }
}

/// `out[i] = x[i]` converted from format `I` to `O`, rounding once (lengths checked by the
/// caller).
pub(crate) fn convert<I: Format, O: Format>(x: &[I::Elem], out: &mut [O::Elem]) {
    let exact = Exact {
        name: "convert",
        params: &[],
        slope: false,
    };
    dispatch(Map::<Pass, I, O, 0> {
        k: Pass,
        x,
        out,
        exact: &exact,
    });
}
