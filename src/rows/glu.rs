//! GLU: split the axis in halves, `value · σ(gate)`.

use super::layout::{Axis, PREFETCH_MIN_BYTES, Slot, check_arg, load, prefetch, store};
use crate::convert::{Io, WithIo, dispatch};
use crate::dtype::{Dtype, Element, by_element};
use crate::math::sigmoid::{SIGMOID_LEAN, sigmoid_dd, sigmoid_lean_tight};
use crate::simd::{F, Lanes, Pair, V, pairs};
use bytemuck::{cast_slice, cast_slice_mut};
use pulp::Simd;

/// The values `a` that [`sigmoid_lean_tight`] may scale: from `2^-60` (with `|b| ≤ 87`, every
/// intermediate of `a·σ(b)` that matters then stays normal) to `2^60` (none overflows).
const LEAN_A: (f32, f32) = (
    f32::from_bits((127 - 60) << 23),
    f32::from_bits((127 + 60) << 23),
);

/// `a·σ(b)` rounded once (σ in double-f32, as silu): the lean kernel where `|b| ≤ 87` and
/// `a` is 0 or within [`LEAN_A`], the full-range one in the other lanes (chosen per lane,
/// so the bits do not depend on the vector width).
#[inline(always)]
fn glu_lane<S: Lanes>(v: V<S>, a: F<S>, b: F<S>) -> F<S> {
    let (zero, abs_a) = (v.splat(0.0), v.abs(a));
    let a_zero = v.eq(a, zero);
    let a_fits = v.and_m(
        v.ge(abs_a, v.splat(LEAN_A.0)),
        v.le(abs_a, v.splat(LEAN_A.1)),
    );
    let fits = v.and_m(
        v.le(v.abs(b), v.splat(SIGMOID_LEAN)),
        v.or_m(a_fits, a_zero),
    );
    // σ(b) > 0 for a finite b: ±0 keeps its sign.
    let y = v.sel(a_zero, a, sigmoid_lean_tight(v, b, a));
    if v.all(fits) {
        return y;
    }
    let wide = sigmoid_dd(v, b, zero).times(v, a);
    let y = v.sel(fits, y, wide);
    v.sel(v.eq(y, y), y, v.splat(f32::NAN))
}

struct Glu<'a, T> {
    x: &'a [T],
    out: &'a mut [T],
    /// Elements per half of one outer block (`len/2 · inner`).
    half: usize,
}

impl<T: Element> WithIo for Glu<'_, T> {
    type Output = ();
    const NARROWS_BF16: bool = matches!(T::DTYPE, Dtype::Bf16);
    #[inline(always)]
    fn with_io<IO: Io>(self, io: IO) {
        let v = V(io.simd());
        let lanes = <IO::S as Simd>::F32_LANES;
        let h = self.half;
        // Large inputs fetch the next block's halves (and output) while this one computes.
        let ahead = size_of_val(self.x) >= PREFETCH_MIN_BYTES;
        for (xb, ob) in self.x.chunks_exact(2 * h).zip(self.out.chunks_exact_mut(h)) {
            let (a, b) = xb.split_at(h);
            // Where `pairs` says so, two whole vectors at a time as a `Pair` (same bits).
            let step = if pairs::<IO::S>() { 2 * lanes } else { lanes };
            let mut off = 0;
            while off < h {
                if ahead {
                    for at in (off..off + step).step_by(lanes) {
                        prefetch(a.as_ptr(), at + 2 * h);
                        prefetch(b.as_ptr(), at + 2 * h);
                        prefetch(ob.as_ptr(), at + h);
                    }
                }
                let s = Slot {
                    off,
                    n: (h - off).min(lanes),
                    j: 0,
                };
                if step > lanes && off + step <= h {
                    let s1 = Slot {
                        off: off + lanes,
                        ..s
                    };
                    let (a2, b2) = (
                        [load(io, a, s, 0.0), load(io, a, s1, 0.0)],
                        [load(io, b, s, 0.0), load(io, b, s1, 0.0)],
                    );
                    let [y0, y1] = glu_lane(V(Pair(io.simd())), a2, b2);
                    store(io, ob, s, y0);
                    store(io, ob, s1, y1);
                    off += step;
                } else {
                    let y = glu_lane(v, load(io, a, s, 0.0), load(io, b, s, 0.0));
                    store(io, ob, s, y);
                    off += lanes;
                }
            }
        }
    }
}

/// GLU over contiguous rows of `n`: the first half of each row is the value `a`, the
/// second the gate `b`, `out = a·σ(b)` with rows of `n/2` (MLX `glu`, Flax `glu`, both
/// `axis=-1`).
///
/// Elementwise after the split, with the accuracy of [`silu`](crate::silu) (σ in
/// double-f32, one rounding). f16/bf16 rows compute in f32 and round once to the half type. `a = ±inf` with `b = −inf` gives NaN (inf·0), as in both
/// frameworks.
///
/// # Panics
/// If `n` is 0 or odd (MLX raises `ValueError`, JAX an `AssertionError`), `x.len()` is not
/// a multiple of `n`, or `out.len() != x.len() / 2`.
///
/// ```
/// let mut y = [0.0f32; 2];
/// lanewise::glu(&[3.0, -1.0, 0.0, f32::INFINITY], &mut y, 4);
/// assert_eq!(y, [1.5, -1.0]);
/// let x = [3.0f32, -1.0, 0.0, f32::INFINITY].map(lanewise::bf16::from_f32);
/// let mut h = [lanewise::bf16::ZERO; 2];
/// lanewise::glu(&x, &mut h, 4);
/// assert_eq!(h.map(|v| v.to_f32()), [1.5, -1.0]);
/// ```
#[track_caller]
pub fn glu<T: Element>(x: &[T], out: &mut [T], n: usize) {
    let axis = Axis::contiguous("glu", x.len(), n);
    run("glu", x, out, axis);
}

/// GLU over any axis: the axis is split in halves (`value`, then `gate`); the output has
/// the same layout with the axis halved ([`Axis::with_len`]`(len / 2)`).
///
/// # Panics
/// If the axis length is odd, `x.len() != axis.len()`, or `out.len()` is not half of it.
///
/// ```
/// use lanewise::Axis;
/// // [4, 1] tensor, split along axis 0: value rows 0-1, gate rows 2-3.
/// let mut y = [0.0f32; 2];
/// lanewise::glu_axis(&[2.0, 4.0, 0.0, f32::INFINITY], &mut y, Axis::of_shape(&[4, 1], 0));
/// assert_eq!(y, [1.0, 4.0]);
/// ```
#[track_caller]
pub fn glu_axis<T: Element>(x: &[T], out: &mut [T], axis: Axis) {
    run("glu_axis", x, out, axis);
}

#[track_caller]
fn run<T: Element>(name: &str, x: &[T], out: &mut [T], axis: Axis) {
    axis.check(name, "input", x.len());
    assert!(
        axis.len.is_multiple_of(2),
        "lanewise::{name}: the split axis has odd length {}",
        axis.len
    );
    check_arg(name, "output", out.len(), x.len() / 2);
    if x.is_empty() {
        return;
    }
    let half = axis.len / 2 * axis.inner;
    by_element!(T, glu_rows(x: &[E] = cast_slice(x), out: &mut [E] = cast_slice_mut(out), half: usize = half))
}

/// The rows of a checked glu call: value and gate `half` elements apart.
fn glu_rows<T: Element>(x: &[T], out: &mut [T], half: usize) {
    dispatch(Glu { x, out, half });
}
