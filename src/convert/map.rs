//! The slice loops for half formats: whole vectors straight from the slices, the tail through
//! a stack buffer (pulp's u16 partial loads do not compile on its AVX-512 token), and the
//! rare lanes whose rounding the f32 result cannot decide recomputed from the f64 reference.

use super::{Format, Io, MAX_LANES, WithIo, dispatch};
use crate::driver::{Exact, Kernel, Kernel2};
use crate::simd::{F, V};
use pulp::Simd;

/// Lanes of one vector, as a slice.
#[inline(always)]
fn lanes<S: Simd>(x: &F<S>) -> &[f32] {
    bytemuck::cast_slice(core::slice::from_ref(x))
}

/// Stores `y` (computed from the lanes `x`, and `a` for two-input kernels) into `out`,
/// then replaces every lane the f32 result cannot round with the f64 reference rounded once.
#[inline(always)]
fn finish<I: Io, O: Format>(
    io: I,
    x: F<I::S>,
    a: Option<F<I::S>>,
    y: F<I::S>,
    out: &mut [O::Elem],
    exact: &Exact,
) {
    O::store(io, y, out);
    if exact.radius > 0 {
        let v = V(io.simd());
        let m = O::near_boundary(v, y, exact.radius);
        if v.any(m) {
            let flags = v.sel(m, v.splat(1.0), v.splat(0.0));
            let a = a.as_ref().map(lanes::<I::S>);
            resolve::<O>(lanes::<I::S>(&x), a, lanes::<I::S>(&flags), out, exact);
        }
    }
}

/// The slow path of [`finish`]: the flagged lanes from the f64 reference.
#[cold]
#[inline(never)]
fn resolve<O: Format>(
    x: &[f32],
    a: Option<&[f32]>,
    flags: &[f32],
    out: &mut [O::Elem],
    exact: &Exact,
) {
    let mut p = [0.0f64; 4];
    for (p, &q) in p.iter_mut().zip(exact.params) {
        *p = q as f64;
    }
    for i in 0..flags.len() {
        if flags[i] != 0.0 {
            let params = match a {
                Some(a) => {
                    p[0] = a[i] as f64;
                    &p[..1]
                }
                None => &p[..exact.params.len()],
            };
            let r = crate::reference::elementwise(exact.name, x[i] as f64, params)
                .expect("every elementwise function has an f64 reference");
            out[i] = O::from_f64(r);
        }
    }
}

/// One vector: `out = k(x)`.
#[inline(always)]
fn step<IO: Io, K: Kernel, I: Format, O: Format>(
    io: IO,
    k: K,
    x: &[I::Elem],
    out: &mut [O::Elem],
    exact: &Exact,
) {
    let xf = I::load(io, x);
    finish::<IO, O>(io, xf, None, k.apply(V(io.simd()), xf), out, exact);
}

/// One vector in place: `x = k(x)`.
#[inline(always)]
fn step_inplace<IO: Io, K: Kernel, H: Format>(io: IO, k: K, x: &mut [H::Elem], exact: &Exact) {
    let xf = H::load(io, x);
    finish::<IO, H>(io, xf, None, k.apply(V(io.simd()), xf), x, exact);
}

/// One vector of a two-input kernel: `out = k(x, a)`.
#[inline(always)]
fn step2<IO: Io, K: Kernel2, H: Format>(
    io: IO,
    k: K,
    x: &[H::Elem],
    a: &[H::Elem],
    out: &mut [H::Elem],
    exact: &Exact,
) {
    let (xf, af) = (H::load(io, x), H::load(io, a));
    finish::<IO, H>(io, xf, Some(af), k.apply(V(io.simd()), xf, af), out, exact);
}

struct Map<'a, K, I: Format, O: Format> {
    k: K,
    x: &'a [I::Elem],
    out: &'a mut [O::Elem],
    exact: &'a Exact<'a>,
}

impl<K: Kernel, I: Format, O: Format> WithIo for Map<'_, K, I, O> {
    type Output = ();
    #[inline(always)]
    fn with_io<IO: Io>(self, io: IO) {
        let n = <IO::S as Simd>::F32_LANES;
        let mut xs = self.x.chunks_exact(n);
        let mut os = self.out.chunks_exact_mut(n);
        for (x, out) in (&mut xs).zip(&mut os) {
            step::<IO, K, I, O>(io, self.k, x, out, self.exact);
        }
        let (xt, ot) = (xs.remainder(), os.into_remainder());
        if !xt.is_empty() {
            let mut xb = [I::Elem::default(); MAX_LANES];
            let mut ob = [O::Elem::default(); MAX_LANES];
            xb[..xt.len()].copy_from_slice(xt);
            step::<IO, K, I, O>(io, self.k, &xb[..n], &mut ob[..n], self.exact);
            ot.copy_from_slice(&ob[..xt.len()]);
        }
    }
}

struct MapInPlace<'a, K, H: Format> {
    k: K,
    x: &'a mut [H::Elem],
    exact: &'a Exact<'a>,
}

impl<K: Kernel, H: Format> WithIo for MapInPlace<'_, K, H> {
    type Output = ();
    #[inline(always)]
    fn with_io<IO: Io>(self, io: IO) {
        let n = <IO::S as Simd>::F32_LANES;
        let mut xs = self.x.chunks_exact_mut(n);
        for x in &mut xs {
            step_inplace::<IO, K, H>(io, self.k, x, self.exact);
        }
        let xt = xs.into_remainder();
        if !xt.is_empty() {
            let mut b = [H::Elem::default(); MAX_LANES];
            b[..xt.len()].copy_from_slice(xt);
            step_inplace::<IO, K, H>(io, self.k, &mut b[..n], self.exact);
            xt.copy_from_slice(&b[..xt.len()]);
        }
    }
}

struct Map2<'a, K, H: Format> {
    k: K,
    x: &'a [H::Elem],
    a: &'a [H::Elem],
    out: &'a mut [H::Elem],
    exact: &'a Exact<'a>,
}

impl<K: Kernel2, H: Format> WithIo for Map2<'_, K, H> {
    type Output = ();
    #[inline(always)]
    fn with_io<IO: Io>(self, io: IO) {
        let n = <IO::S as Simd>::F32_LANES;
        let mut xs = self.x.chunks_exact(n);
        let mut as_ = self.a.chunks_exact(n);
        let mut os = self.out.chunks_exact_mut(n);
        for ((x, a), out) in (&mut xs).zip(&mut as_).zip(&mut os) {
            step2::<IO, K, H>(io, self.k, x, a, out, self.exact);
        }
        let (xt, at, ot) = (xs.remainder(), as_.remainder(), os.into_remainder());
        if !xt.is_empty() {
            let mut xb = [H::Elem::default(); MAX_LANES];
            let mut ab = [H::Elem::default(); MAX_LANES];
            let mut ob = [H::Elem::default(); MAX_LANES];
            xb[..xt.len()].copy_from_slice(xt);
            ab[..at.len()].copy_from_slice(at);
            step2::<IO, K, H>(io, self.k, &xb[..n], &ab[..n], &mut ob[..n], self.exact);
            ot.copy_from_slice(&ob[..xt.len()]);
        }
    }
}

/// `out[i] = k(x[i])` in the half format `H` (lengths checked by the caller).
pub(crate) fn map<K: Kernel, H: Format>(exact: &Exact, k: K, x: &[H::Elem], out: &mut [H::Elem]) {
    dispatch(Map::<K, H, H> { k, x, out, exact });
}

/// `x[i] = k(x[i])` in the half format `H`.
pub(crate) fn map_inplace<K: Kernel, H: Format>(exact: &Exact, k: K, x: &mut [H::Elem]) {
    dispatch(MapInPlace::<K, H> { k, x, exact });
}

/// `out[i] = k(x[i], a[i])` in the half format `H`, all three of one length.
pub(crate) fn map2<K: Kernel2, H: Format>(
    exact: &Exact,
    k: K,
    x: &[H::Elem],
    a: &[H::Elem],
    out: &mut [H::Elem],
) {
    debug_assert!(x.len() == a.len() && x.len() == out.len());
    dispatch(Map2::<K, H> {
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
        radius: 0,
    };
    dispatch(Map::<Pass, I, O> {
        k: Pass,
        x,
        out,
        exact: &exact,
    });
}
