//! The slice driver: runs a kernel over full SIMD vectors and a masked tail, in place or
//! out of place, on the active instruction set. f32 slices run here; f16/bf16 slices go to
//! [`crate::convert`], which widens, runs the same kernel and rounds once.

use crate::convert::{self, Bf16Bits, F16Bits};
use crate::dtype::{Dtype, Element};
use crate::isa::dispatch;
use crate::simd::{F, V};
use bytemuck::{cast_slice, cast_slice_mut};
use pulp::{Simd, WithSimd};

/// What a slice function is, for its panic messages and for the rare half-format lanes the
/// f32 result cannot round: the f64 reference (by table name), the parameters, and how many
/// f32 steps the kernel's result may be from the true value.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Exact<'a> {
    pub name: &'static str,
    pub params: &'a [f32],
    pub radius: u32,
}

impl Exact<'_> {
    /// The function of the table of operations called `name`, with these parameters.
    pub(crate) const fn of<'a>(name: &'static str, params: &'a [f32]) -> Exact<'a> {
        Exact {
            name,
            params,
            radius: radius(crate::table::ulp_f32_of(name)),
        }
    }
}

/// f32 steps around a result within which the true value lies, for a kernel whose error is
/// at most `ulp` f32 ulps: ⌈ulp⌉ + 1 (the extra step covers the ulp halving below a power of
/// two); 0 for an exact kernel.
pub(crate) const fn radius(ulp: f64) -> u32 {
    if ulp == 0.0 {
        return 0;
    }
    let r = ulp as u32;
    if (r as f64) < ulp { r + 2 } else { r + 1 }
}

/// An elementwise function on one vector of lanes.
pub(crate) trait Kernel: Copy {
    fn apply<S: Simd>(self, v: V<S>, x: F<S>) -> F<S>;
}

/// An elementwise function of two inputs (e.g. PReLU's per-channel slope).
pub(crate) trait Kernel2: Copy {
    fn apply<S: Simd>(self, v: V<S>, x: F<S>, a: F<S>) -> F<S>;
}

/// Panics with the message every slice function uses for mismatched lengths.
#[track_caller]
pub(crate) fn check_len(name: &str, x: usize, out: usize) {
    assert!(
        x == out,
        "lanewise::{name}: input has {x} elements but output has {out}"
    );
}

struct Map<'a, K> {
    k: K,
    x: &'a [f32],
    out: &'a mut [f32],
}

impl<K: Kernel> WithSimd for Map<'_, K> {
    type Output = ();
    #[inline(always)]
    fn with_simd<S: Simd>(self, s: S) {
        let v = V(s);
        let (xs, xt) = S::as_simd_f32s(self.x);
        let (os, ot) = S::as_mut_simd_f32s(self.out);
        for (o, x) in os.iter_mut().zip(xs) {
            *o = self.k.apply(v, *x);
        }
        if !xt.is_empty() {
            s.partial_store_f32s(ot, self.k.apply(v, s.partial_load_f32s(xt)));
        }
    }
}

struct MapInPlace<'a, K> {
    k: K,
    x: &'a mut [f32],
}

impl<K: Kernel> WithSimd for MapInPlace<'_, K> {
    type Output = ();
    #[inline(always)]
    fn with_simd<S: Simd>(self, s: S) {
        let v = V(s);
        let (xs, xt) = S::as_mut_simd_f32s(self.x);
        for x in xs.iter_mut() {
            *x = self.k.apply(v, *x);
        }
        if !xt.is_empty() {
            let y = self.k.apply(v, s.partial_load_f32s(xt));
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

/// `out[i] = k(x[i])`.
#[track_caller]
pub(crate) fn map<T: Element, K: Kernel>(op: &Exact, k: K, x: &[T], out: &mut [T]) {
    check_len(op.name, x.len(), out.len());
    match T::DTYPE {
        Dtype::F32 => dispatch(Map {
            k,
            x: cast_slice(x),
            out: cast_slice_mut(out),
        }),
        Dtype::F16 => convert::map::<K, F16Bits>(op, k, cast_slice(x), cast_slice_mut(out)),
        Dtype::Bf16 => convert::map::<K, Bf16Bits>(op, k, cast_slice(x), cast_slice_mut(out)),
    }
}

/// `x[i] = k(x[i])`.
pub(crate) fn map_inplace<T: Element, K: Kernel>(op: &Exact, k: K, x: &mut [T]) {
    match T::DTYPE {
        Dtype::F32 => dispatch(MapInPlace {
            k,
            x: cast_slice_mut(x),
        }),
        Dtype::F16 => convert::map_inplace::<K, F16Bits>(op, k, cast_slice_mut(x)),
        Dtype::Bf16 => convert::map_inplace::<K, Bf16Bits>(op, k, cast_slice_mut(x)),
    }
}

/// `out[i] = k(x[i], a[i])`, all three of one length (checked by the caller); `op` names
/// the one-input function `k(x, a)` equals for a fixed `a`, with `a` as its one parameter.
pub(crate) fn map2<T: Element, K: Kernel2>(op: &Exact, k: K, x: &[T], a: &[T], out: &mut [T]) {
    debug_assert!(x.len() == a.len() && x.len() == out.len());
    match T::DTYPE {
        Dtype::F32 => dispatch(Map2 {
            k,
            x: cast_slice(x),
            a: cast_slice(a),
            out: cast_slice_mut(out),
        }),
        Dtype::F16 => {
            convert::map2::<K, F16Bits>(op, k, cast_slice(x), cast_slice(a), cast_slice_mut(out))
        }
        Dtype::Bf16 => {
            convert::map2::<K, Bf16Bits>(op, k, cast_slice(x), cast_slice(a), cast_slice_mut(out))
        }
    }
}
