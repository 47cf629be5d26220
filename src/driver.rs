//! The slice driver: runs a kernel over full SIMD vectors and a masked tail, in place or
//! out of place, on the active instruction set.

use crate::isa::dispatch;
use crate::simd::{F, V};
use pulp::{Simd, WithSimd};

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
pub(crate) fn map<K: Kernel>(name: &str, k: K, x: &[f32], out: &mut [f32]) {
    check_len(name, x.len(), out.len());
    dispatch(Map { k, x, out });
}

/// `x[i] = k(x[i])`.
pub(crate) fn map_inplace<K: Kernel>(k: K, x: &mut [f32]) {
    dispatch(MapInPlace { k, x });
}

/// `out[i] = k(x[i], a[i])`, all three of one length (checked by the caller).
pub(crate) fn map2<K: Kernel2>(k: K, x: &[f32], a: &[f32], out: &mut [f32]) {
    debug_assert!(x.len() == a.len() && x.len() == out.len());
    dispatch(Map2 { k, x, a, out });
}
