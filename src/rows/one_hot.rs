//! One-hot encoding: integer class indices to rows of 0.0/1.0.

use super::layout::{Axis, check_arg};
use crate::dtype::Element;

/// A class index for [`one_hot`]: integers, and floats compared exactly (as JAX does for
/// float input, deprecated there).
pub trait ClassIndex: Copy {
    /// The class `0..num_classes` this index selects, or `None` (negative, too large, or a
    /// float that is not an integer, NaN included).
    ///
    /// ```
    /// use lanewise::ClassIndex;
    /// assert_eq!(3i64.class(5), Some(3));
    /// assert_eq!((-1i32).class(5), None);
    /// assert_eq!((-0.0f32).class(5), Some(0));
    /// assert_eq!(1.5f32.class(5), None);
    /// ```
    fn class(self, num_classes: usize) -> Option<usize>;
}

macro_rules! int_index {
    ($($t:ty),*) => {$(
        impl ClassIndex for $t {
            #[inline]
            fn class(self, num_classes: usize) -> Option<usize> {
                usize::try_from(self).ok().filter(|&k| k < num_classes)
            }
        }
    )*};
}
int_index!(u8, u16, u32, u64, usize, i8, i16, i32, i64, isize);

macro_rules! float_index {
    ($($t:ty),*) => {$(
        impl ClassIndex for $t {
            #[inline]
            fn class(self, num_classes: usize) -> Option<usize> {
                (self >= 0.0 && self < num_classes as $t && self.fract() == 0.0)
                    .then_some(self as usize)
            }
        }
    )*};
}
float_index!(f32, f64);

macro_rules! half_index {
    ($($t:ty),*) => {$(
        impl ClassIndex for $t {
            #[inline]
            fn class(self, num_classes: usize) -> Option<usize> {
                Element::to_f32(self).class(num_classes)
            }
        }
    )*};
}
half_index!(half::f16, half::bf16);

/// One-hot rows: `out[i·C + k] = (indices[i] == k)` as 1 or 0 of the output's element type
/// (f32, f16 or bf16), with `C = num_classes` (Flax `one_hot(x, num_classes, dtype)` with
/// `axis=-1`; MLX has none).
///
/// Out-of-range indices (negative or ≥ C) give an all-zero row, with no wraparound, as in
/// JAX. Float indices match by exact equality (−0.0 is class 0; 1.5 and NaN match none).
///
/// # Panics
/// If `out.len() != indices.len() · num_classes`.
///
/// ```
/// let mut y = [9.0f32; 6];
/// lanewise::one_hot(&[2i32, -1], &mut y, 3);
/// assert_eq!(y, [0.0, 0.0, 1.0, 0.0, 0.0, 0.0]);
/// let mut h = [lanewise::f16::ZERO; 2];
/// lanewise::one_hot(&[1u8], &mut h, 2);
/// assert_eq!(h, [lanewise::f16::ZERO, lanewise::f16::ONE]);
/// ```
#[track_caller]
pub fn one_hot<I: ClassIndex, T: Element>(indices: &[I], out: &mut [T], num_classes: usize) {
    let want = indices.len().checked_mul(num_classes);
    assert!(
        want == Some(out.len()),
        "lanewise::one_hot: output has {} elements but {} indices × {num_classes} classes need {}",
        out.len(),
        indices.len(),
        want.map_or("more than usize::MAX".to_string(), |n| n.to_string())
    );
    one_hot_axis(indices, out, Axis::new(indices.len(), num_classes, 1));
}

/// One-hot with the class axis anywhere: `axis` is the **output** layout
/// `(outer, num_classes, inner)` and `indices` holds `outer·inner` indices, so
/// `out[(o·C + k)·inner + i] = (indices[o·inner + i] == k)`. JAX's `axis=a` for indices of
/// shape `s` is `Axis::new(s[..a].product(), C, s[a..].product())`.
///
/// # Panics
/// If `indices.len() != axis.rows()` or `out.len() != axis.len()`.
///
/// ```
/// use lanewise::Axis;
/// // Two indices, classes along axis 0 of a [3, 2] output.
/// let mut y = [0.0f32; 6];
/// lanewise::one_hot_axis(&[1u8, 2], &mut y, Axis::new(1, 3, 2));
/// assert_eq!(y, [0.0, 0.0, 1.0, 0.0, 0.0, 1.0]);
/// ```
#[track_caller]
pub fn one_hot_axis<I: ClassIndex, T: Element>(indices: &[I], out: &mut [T], axis: Axis) {
    check_arg("one_hot_axis", "indices", indices.len(), axis.rows());
    axis.check("one_hot_axis", "output", out.len());
    out.fill(T::from_f32(0.0));
    let one = T::from_f32(1.0);
    let Axis { len: c, inner, .. } = axis;
    for (i, &ix) in indices.iter().enumerate() {
        if let Some(k) = ix.class(c) {
            let (o, i) = (i / inner, i % inner);
            out[(o * c + k) * inner + i] = one;
        }
    }
}
