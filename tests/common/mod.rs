//! Shared by the row-wise tests (tests/rowwise.rs, tests/rowwise_half.rs): the strided
//! layouts, their inputs and masks, and the table's output lengths.

use lanewise::Axis;
use lanewise::accuracy::rows::Rng;
use lanewise::table::{RowKind, RowOpInfo};

/// `[outer, len, inner]` layouts for the axis forms: one element, lengths and strides around
/// the vector widths, a long axis, and one whose groups outgrow the scratch a thread keeps
/// (softmax then keeps `e^{x−m}` in the output).
pub const STRIDED_SHAPES: [(usize, usize, usize); 9] = [
    (1, 66_000, 17),
    (1, 1, 2),
    (2, 5, 3),
    (1, 16, 16),
    (2, 17, 8),
    (1, 33, 17),
    (3, 100, 5),
    (1, 40, 33),
    (2, 2, 1),
];

/// Inputs of the layout `a` (normal, σ = 4) with a −inf and an exact tie where there is
/// room, and a mask that keeps about 80 % of them.
pub fn strided_input(r: &mut Rng, a: Axis) -> (Vec<f32>, Vec<bool>) {
    // Every third row of a group spreads wide (|max| > 88: the softmax family shifts it
    // exactly while its neighbours take the power-of-two shift).
    let mut x: Vec<f32> = (0..a.len())
        .map(|p| {
            let wide = (p % a.inner) % 3 == 1;
            (r.normal() * if wide { 200.0 } else { 4.0 }) as f32
        })
        .collect();
    if x.len() > 10 {
        x[3] = f32::NEG_INFINITY;
        x[7] = x[8];
    }
    let mask = (0..a.len()).map(|_| r.unit() < 0.8).collect();
    (x, mask)
}

/// The masks to run `op` with on rows of length `len`: none at all for a split of odd length
/// (it cannot run), only no mask for a split (it takes none), else without and with `mask`.
pub fn masks<'a>(op: &RowOpInfo, len: usize, mask: &'a [bool]) -> Vec<Option<&'a [bool]>> {
    match op.kind {
        RowKind::Split if len % 2 == 1 => vec![],
        RowKind::Split => vec![None],
        _ => vec![None, Some(mask)],
    }
}

/// The output length of `op` on the layout `axis`.
pub fn out_len(op: &RowOpInfo, axis: Axis) -> usize {
    match op.kind {
        RowKind::Normalize | RowKind::Expand => axis.len(),
        RowKind::Reduce => axis.rows(),
        RowKind::Split => axis.len() / 2,
    }
}

/// The function's name and variant, for messages.
pub fn label(op: &RowOpInfo) -> String {
    format!("{}{}", op.name, op.variant)
}
