//! In-place forms of the contiguous row functions that keep the shape: softmax, softmin,
//! log_softmax and standardize.
//!
//! The rows are copied a block at a time (at most [`BLOCK`] elements, or one row if longer)
//! into a buffer that stays in cache, and the out-of-place function writes them back, so the
//! results are the out-of-place results bit for bit and the memory used is one block.

use super::layout::Axis;
use crate::dtype::Element;

/// Elements copied per block (whole rows; one row when a row is longer).
const BLOCK: usize = 1 << 14;

/// Runs `f(copy, rows)` over blocks of whole rows of `n` of `x`.
#[track_caller]
fn by_blocks<T: Element>(name: &str, x: &mut [T], n: usize, f: impl Fn(&[T], &mut [T])) {
    Axis::contiguous(name, x.len(), n);
    let per = (BLOCK / n).max(1) * n;
    let mut copy = vec![T::default(); per.min(x.len())];
    for rows in x.chunks_mut(per) {
        let c = &mut copy[..rows.len()];
        c.copy_from_slice(rows);
        f(c, rows);
    }
}

/// [`softmax`](crate::softmax) in place, over contiguous rows of `n` (f32, f16 or bf16); the
/// same bits as the out-of-place form.
///
/// # Panics
/// If `n` is 0 or `x.len()` is not a multiple of `n`.
///
/// ```
/// let mut x = [1.0f32, 1.0, 0.0, f32::NEG_INFINITY];
/// lanewise::softmax_inplace(&mut x, 2);
/// assert_eq!(x, [0.5, 0.5, 1.0, 0.0]);
/// ```
#[track_caller]
pub fn softmax_inplace<T: Element>(x: &mut [T], n: usize) {
    by_blocks("softmax_inplace", x, n, |c, rows| {
        crate::softmax(c, rows, n)
    });
}

/// [`softmin`](crate::softmin) in place, over contiguous rows of `n`.
///
/// # Panics
/// As [`softmax_inplace`].
///
/// ```
/// let mut x = [3.0f32, 3.0];
/// lanewise::softmin_inplace(&mut x, 2);
/// assert_eq!(x, [0.5, 0.5]);
/// ```
#[track_caller]
pub fn softmin_inplace<T: Element>(x: &mut [T], n: usize) {
    by_blocks("softmin_inplace", x, n, |c, rows| {
        crate::softmin(c, rows, n)
    });
}

/// [`log_softmax`](crate::log_softmax) in place, over contiguous rows of `n`.
///
/// # Panics
/// As [`softmax_inplace`].
///
/// ```
/// let mut x = [lanewise::bf16::from_f32(1e8); 2];
/// lanewise::log_softmax_inplace(&mut x, 2);
/// assert_eq!(x[0], lanewise::bf16::from_f32(-core::f32::consts::LN_2));
/// ```
#[track_caller]
pub fn log_softmax_inplace<T: Element>(x: &mut [T], n: usize) {
    by_blocks("log_softmax_inplace", x, n, |c, rows| {
        crate::log_softmax(c, rows, n)
    });
}

/// [`standardize`](crate::standardize) in place (JAX's defaults: ε = 1e-5, the one-pass
/// algorithm), over contiguous rows of `n`.
///
/// # Panics
/// As [`softmax_inplace`].
///
/// ```
/// let mut x = [1.0f32, 3.0];
/// lanewise::standardize_inplace(&mut x, 2);
/// assert!((x[0] + 1.0).abs() < 1e-4 && (x[1] - 1.0).abs() < 1e-4);
/// ```
#[track_caller]
pub fn standardize_inplace<T: Element>(x: &mut [T], n: usize) {
    by_blocks("standardize_inplace", x, n, |c, rows| {
        crate::standardize(c, rows, n)
    });
}
