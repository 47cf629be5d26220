//! Where the rows lie: the `(outer, len, inner)` layout, the argument checks, and the walk
//! over one group of rows in chunks of [`VLANES`] virtual lanes.
//!
//! This file is the only place that loads or stores row elements: f32 directly, f16/bf16
//! widened to f32 in registers on load and rounded once on store by the conversions of
//! [`crate::convert`] (tails through a small stack buffer, as the elementwise driver does).

use super::reduce::{Combine, tree};
use crate::convert::{Bf16Bits, F16Bits, Format, Io};
use crate::dtype::{Dtype, Element};
use crate::simd::{F, M, V};
use bytemuck::{cast_slice, cast_slice_mut};
use pulp::Simd;

/// Row elements are summed in this many virtual lanes (element `j` of a row goes to lane
/// `j % VLANES`), then the lanes are combined in one fixed tree. Every instruction set and
/// both layouts follow this order, so every one of them returns the same bits.
pub(crate) const VLANES: usize = 16;

/// The longest row (axis length) the row-wise functions accept: per-row counts stay exact
/// in f32.
///
/// ```
/// assert_eq!(lanewise::MAX_AXIS_LEN, 1 << 24);
/// ```
pub const MAX_AXIS_LEN: usize = 1 << 24;

/// The layout of a row-major tensor seen as `[outer, len, inner]`: the functions reduce
/// (or normalise) over the middle axis of `len` elements, which lie `inner` elements apart.
///
/// Contiguous rows of `n` are `Axis::new(total / n, n, 1)`; axis 0 of a `[B, T, C]` tensor
/// is `Axis::new(1, B, T·C)`, axis 1 is `Axis::new(B, T, C)`.
///
/// ```
/// use lanewise::Axis;
/// assert_eq!(Axis::of_shape(&[2, 3, 4], 1), Axis::new(2, 3, 4));
/// assert_eq!(Axis::of_shape(&[2, 3, 4], 2), Axis::new(6, 4, 1));
/// assert_eq!(Axis::new(2, 3, 4).len(), 24);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Axis {
    /// Product of the dimensions before the axis.
    pub outer: usize,
    /// Length of the axis (the row length).
    pub len: usize,
    /// Product of the dimensions after the axis (the distance between row elements).
    pub inner: usize,
}

impl Axis {
    /// `outer` blocks of `len` positions, `inner` elements per position.
    pub const fn new(outer: usize, len: usize, inner: usize) -> Axis {
        Axis { outer, len, inner }
    }

    /// The layout of axis `axis` of a row-major tensor of the given shape.
    ///
    /// # Panics
    /// If `axis >= shape.len()`.
    ///
    /// ```
    /// let a = lanewise::Axis::of_shape(&[64, 4096, 16], 1);
    /// assert_eq!((a.outer, a.len, a.inner), (64, 4096, 16));
    /// ```
    #[track_caller]
    pub fn of_shape(shape: &[usize], axis: usize) -> Axis {
        assert!(
            axis < shape.len(),
            "lanewise::Axis::of_shape: axis {axis} out of range for a shape of {} dimensions",
            shape.len()
        );
        Axis {
            outer: shape[..axis].iter().product(),
            len: shape[axis],
            inner: shape[axis + 1..].iter().product(),
        }
    }

    /// Number of elements of the tensor (`outer·len·inner`).
    ///
    /// ```
    /// assert_eq!(lanewise::Axis::new(2, 3, 4).len(), 24);
    /// ```
    pub const fn len(&self) -> usize {
        self.outer * self.len * self.inner
    }

    /// Whether the tensor has no elements.
    ///
    /// ```
    /// assert!(lanewise::Axis::new(2, 0, 4).is_empty());
    /// ```
    pub const fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of rows (`outer·inner`): the output length of a reduction.
    ///
    /// ```
    /// assert_eq!(lanewise::Axis::new(2, 3, 4).rows(), 8);
    /// ```
    pub const fn rows(&self) -> usize {
        self.outer * self.inner
    }

    /// The same layout with another axis length (GLU's output has `len / 2`).
    ///
    /// ```
    /// assert_eq!(lanewise::Axis::new(2, 8, 3).with_len(4), lanewise::Axis::new(2, 4, 3));
    /// ```
    pub const fn with_len(self, len: usize) -> Axis {
        Axis { len, ..self }
    }

    /// Contiguous rows of `n` over `total` elements, with the checks of the slice functions.
    #[track_caller]
    pub(crate) fn contiguous(name: &str, total: usize, n: usize) -> Axis {
        assert!(n > 0, "lanewise::{name}: row length is 0");
        assert!(
            total.is_multiple_of(n),
            "lanewise::{name}: input has {total} elements, not a multiple of the row length {n}"
        );
        Axis::new(total / n, n, 1)
    }

    /// Panics unless the tensor (`what`) has `x` elements and its rows are not too long.
    #[track_caller]
    pub(crate) fn check(&self, name: &str, what: &str, x: usize) {
        let n = self
            .outer
            .checked_mul(self.len)
            .and_then(|p| p.checked_mul(self.inner));
        assert!(
            n == Some(x),
            "lanewise::{name}: {what} has {x} elements but the layout {}×{}×{} needs {}",
            self.outer,
            self.len,
            self.inner,
            n.map_or("more than usize::MAX".to_string(), |n| n.to_string())
        );
        assert!(
            self.len <= MAX_AXIS_LEN,
            "lanewise::{name}: axis length {} exceeds the supported {MAX_AXIS_LEN}",
            self.len
        );
    }
}

/// Panics unless an argument slice has the expected length.
#[track_caller]
pub(crate) fn check_arg(name: &str, what: &str, got: usize, want: usize) {
    assert!(
        got == want,
        "lanewise::{name}: {what} has {got} elements but {want} are needed"
    );
}

/// One vector slot of a chunk: `n` elements at `off` (0 ≤ n ≤ lanes); the other lanes are
/// padding. `n == 0` also means the slot lies past the end of the row. `j` is where the slot
/// lies in a per-group f32 scratch of [`scratch_len`] elements (softmax keeps `e^{x−m}`
/// there between its passes when the output is a half type).
#[derive(Clone, Copy)]
pub(crate) struct Slot {
    pub off: usize,
    pub n: usize,
    pub j: usize,
}

impl Slot {
    /// The same slot in the group's scratch.
    #[inline(always)]
    pub(crate) fn local(self) -> Slot {
        Slot {
            off: self.j,
            ..self
        }
    }
}

/// f32 elements a per-group scratch needs for rows of `axis` (see [`Slot::j`]).
pub(crate) fn scratch_len(axis: Axis) -> usize {
    if axis.inner == 1 {
        axis.len
    } else {
        axis.len * axis.inner.min(VLANES)
    }
}

/// A group of rows processed together: one contiguous row, or up to `L` strided rows side
/// by side (lane `l` holds row `l`).
pub(crate) trait Walk: Copy {
    /// Whether this is one contiguous row (its per-row values are in every lane).
    const CONTIG: bool;
    /// Vector slots per chunk of [`VLANES`] row elements.
    fn slots<S: Simd>() -> usize;
    /// Chunks per row (the last one padded).
    fn chunks(self) -> usize;
    /// Leading chunks whose every slot is a full vector.
    fn full_chunks<S: Simd>(self) -> usize;
    /// Slot `g` of a full chunk `c` (a whole vector).
    fn full<S: Simd>(self, c: usize, g: usize) -> Slot;
    /// Slot `g` of chunk `c`.
    fn slot<S: Simd>(self, c: usize, g: usize) -> Slot;
    /// Rows held (1 for a contiguous row).
    fn rows(self) -> usize;
    /// Offset of element `j` of row `r` of the group.
    fn at(self, r: usize, j: usize) -> usize;
    /// Index of row `r` of the group among all rows (`o·inner + i`).
    fn row_index(self, r: usize) -> usize;
    /// Row length.
    fn len(self) -> usize;
    /// Combines the per-slot states of a pass into one state per row (in every lane of
    /// the result for a contiguous row), in the fixed [`tree`] order.
    fn reduce<S: Simd, C: Combine<N>, const N: usize>(
        v: V<S>,
        acc: [[F<S>; N]; VLANES],
    ) -> [F<S>; N];
}

/// One contiguous row: virtual lane `g·L + l` is lane `l` of slot `g`.
#[derive(Clone, Copy)]
pub(crate) struct Contig {
    pub start: usize,
    pub len: usize,
    pub row: usize,
}

impl Walk for Contig {
    const CONTIG: bool = true;
    #[inline(always)]
    fn slots<S: Simd>() -> usize {
        VLANES / S::F32_LANES
    }
    #[inline(always)]
    fn chunks(self) -> usize {
        self.len.div_ceil(VLANES)
    }
    #[inline(always)]
    fn full_chunks<S: Simd>(self) -> usize {
        self.len / VLANES
    }
    #[inline(always)]
    fn full<S: Simd>(self, c: usize, g: usize) -> Slot {
        let p = c * VLANES + g * S::F32_LANES;
        Slot {
            off: self.start + p,
            n: S::F32_LANES,
            j: p,
        }
    }
    #[inline(always)]
    fn slot<S: Simd>(self, c: usize, g: usize) -> Slot {
        let p = c * VLANES + g * S::F32_LANES;
        Slot {
            off: self.start + p,
            n: self.len.saturating_sub(p).min(S::F32_LANES),
            j: p,
        }
    }
    fn rows(self) -> usize {
        1
    }
    fn at(self, _r: usize, j: usize) -> usize {
        self.start + j
    }
    fn row_index(self, _r: usize) -> usize {
        self.row
    }
    fn len(self) -> usize {
        self.len
    }
    #[inline(always)]
    fn reduce<S: Simd, C: Combine<N>, const N: usize>(
        v: V<S>,
        acc: [[F<S>; N]; VLANES],
    ) -> [F<S>; N] {
        // Virtual lane g·L + l is lane l of slot g: lay the slots out in memory in order.
        let l = S::F32_LANES;
        let mut items = [[0.0f32; N]; VLANES];
        for g in 0..VLANES / l {
            for i in 0..N {
                let lanes: &[f32] = bytemuck::cast_slice(core::slice::from_ref(&acc[g][i]));
                for (k, &x) in lanes.iter().enumerate() {
                    items[g * l + k][i] = x;
                }
            }
        }
        tree::<pulp::Scalar, C, N>(V(pulp::Scalar::new()), items).map(|x| v.splat(x))
    }
}

/// Up to `L` rows that lie `inner` apart, side by side: slot `g` is virtual lane `g`.
#[derive(Clone, Copy)]
pub(crate) struct Strided {
    /// Offset of element 0 of the first row.
    pub base: usize,
    pub len: usize,
    pub inner: usize,
    /// Rows held (≤ L); the lanes beyond hold zeros and are never stored.
    pub lanes: usize,
    /// Row index of the first row.
    pub row: usize,
}

impl Walk for Strided {
    const CONTIG: bool = false;
    #[inline(always)]
    fn slots<S: Simd>() -> usize {
        VLANES
    }
    #[inline(always)]
    fn chunks(self) -> usize {
        self.len.div_ceil(VLANES)
    }
    #[inline(always)]
    fn full_chunks<S: Simd>(self) -> usize {
        if self.lanes == S::F32_LANES {
            self.len / VLANES
        } else {
            0
        }
    }
    #[inline(always)]
    fn full<S: Simd>(self, c: usize, g: usize) -> Slot {
        let j = c * VLANES + g;
        Slot {
            off: self.base + j * self.inner,
            n: S::F32_LANES,
            j: j * S::F32_LANES,
        }
    }
    #[inline(always)]
    fn slot<S: Simd>(self, c: usize, g: usize) -> Slot {
        let j = c * VLANES + g;
        Slot {
            off: self.base + j * self.inner,
            n: if j < self.len { self.lanes } else { 0 },
            j: j * self.lanes,
        }
    }
    fn rows(self) -> usize {
        self.lanes
    }
    fn at(self, r: usize, j: usize) -> usize {
        self.base + r + j * self.inner
    }
    fn row_index(self, r: usize) -> usize {
        self.row + r
    }
    fn len(self) -> usize {
        self.len
    }
    #[inline(always)]
    fn reduce<S: Simd, C: Combine<N>, const N: usize>(
        v: V<S>,
        acc: [[F<S>; N]; VLANES],
    ) -> [F<S>; N] {
        tree::<S, C, N>(v, acc)
    }
}

/// A row-wise kernel: what to do with one group of rows, with the instruction-set token
/// `io` (which also converts half elements).
pub(crate) trait RowKernel {
    fn group<IO: Io, W: Walk>(&mut self, io: IO, w: W);
}

/// Vectors whose terms [`walk`] computes before folding them in: independent work for
/// the out-of-order core while the accumulators wait on each other.
const BLOCK_VECS: usize = 4;

/// One pass over the slots of a group (see [`walk`]), with a state of `N` vectors per slot.
pub(crate) trait Pass<S: Simd, const K: usize, const N: usize> {
    /// Whether a strided walk takes [`STRIDED_SLOTS`] slots at a time through the group
    /// (passes whose states do not fit in registers together).
    const SLOT_MAJOR: bool = N > 0;
    /// `K` vectors computed from one slot, independently of the other slots.
    fn term(&mut self, v: V<S>, s: Slot) -> [F<S>; K];
    /// The terms of two whole slots; a pass whose term is a long chain may compute them side
    /// by side as a [`crate::simd::Pair`].
    #[inline(always)]
    fn term2(&mut self, v: V<S>, s: [Slot; 2]) -> [[F<S>; K]; 2] {
        [self.term(v, s[0]), self.term(v, s[1])]
    }
    /// Adds the terms of a slot into that slot's state (called in row order).
    fn fold(&self, v: V<S>, st: &mut [F<S>; N], t: [F<S>; K]);
    /// Called on a slot's state after chunk `c` of that slot is folded.
    #[inline(always)]
    fn end_chunk(&self, _v: V<S>, _c: usize, _st: &mut [F<S>; N]) {}
    /// Folds the terms of `terms.len() / slots` consecutive chunks from chunk `c` into the
    /// states of the `slots` slots; a pass whose fold does not depend on the order (the
    /// maximum) may shorten the dependency chain.
    #[inline(always)]
    fn fold_block(
        &self,
        v: V<S>,
        st: &mut [[F<S>; N]],
        terms: &[[F<S>; K]],
        slots: usize,
        c: usize,
    ) {
        for (b, chunk) in terms.chunks_exact(slots).enumerate() {
            for (st, t) in st.iter_mut().zip(chunk) {
                self.fold(v, st, *t);
                self.end_chunk(v, c + b, st);
            }
        }
    }
}

/// Inputs from this size on fetch their next row ahead of its use (see [`prefetch`]): below
/// it, rows come from the caches fast enough that the requests cost more than they save
/// (measured on softmax: 4 MiB rows of 4096 lost 5–10 %; 64 MiB gained 25–45 %).
pub(crate) const PREFETCH_MIN_BYTES: usize = 16 << 20;

/// Asks the cache hierarchy for element `at` of the slice at `base` ahead of its use (into
/// L2); a hint only (no bounds are needed: a prefetch never faults, and the address is
/// never dereferenced), and nothing off x86-64.
///
/// The softmax family's exp pass over a contiguous row is arithmetic on data already in
/// cache, during which the memory system would idle: it fetches the next row this way (one
/// request per vector, a cache line of f32), so that memory and arithmetic overlap on rows
/// that come from DRAM.
#[inline(always)]
pub(crate) fn prefetch<T>(base: *const T, at: usize) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: `prefetcht1` only hints the caches: it never faults and reads nothing into the
    // program, whatever the address (`wrapping_add` computes it without a claim that it lies
    // in an allocation).
    unsafe {
        use core::arch::x86_64::{_MM_HINT_T1, _mm_prefetch};
        _mm_prefetch::<_MM_HINT_T1>(base.wrapping_add(at).cast::<i8>());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (base, at);
}

/// Slots whose states a strided walk keeps in registers at once.
const STRIDED_SLOTS: usize = 4;

/// Visits every slot of a group and folds each slot's terms into `st[slot]` in row order.
///
/// A contiguous row goes chunk after chunk; the terms of up to [`BLOCK_VECS`] vectors are
/// computed before they are folded, so that consecutive (independent) exp evaluations
/// overlap while the accumulators wait on each other. A strided group has a slot per
/// virtual lane, whose states together would not fit in registers: a pass with a state
/// takes [`STRIDED_SLOTS`] slots at a time through the whole group (the same order within
/// each slot, so the same bits), one without goes chunk after chunk.
#[inline(always)]
pub(crate) fn walk<S: Simd, W: Walk, const K: usize, const N: usize, P: Pass<S, K, N>>(
    v: V<S>,
    w: W,
    p: &mut P,
    st: &mut [[F<S>; N]; VLANES],
) {
    let slots = W::slots::<S>();
    let (full, chunks) = (w.full_chunks::<S>(), w.chunks());
    if !W::CONTIG && P::SLOT_MAJOR {
        for g0 in (0..VLANES).step_by(STRIDED_SLOTS) {
            let mut local = [[v.splat(0.0); N]; STRIDED_SLOTS];
            local.copy_from_slice(&st[g0..g0 + STRIDED_SLOTS]);
            // (Loops, not closures: a closure would not inherit the target features.)
            let mut t = [[v.splat(0.0); K]; STRIDED_SLOTS];
            let mut c = 0;
            while c < full {
                for (i, t) in t.iter_mut().enumerate() {
                    *t = p.term(v, w.full::<S>(c, g0 + i));
                }
                p.fold_block(v, &mut local, &t, STRIDED_SLOTS, c);
                c += 1;
            }
            while c < chunks {
                for (i, t) in t.iter_mut().enumerate() {
                    *t = p.term(v, w.slot::<S>(c, g0 + i));
                }
                p.fold_block(v, &mut local, &t, STRIDED_SLOTS, c);
                c += 1;
            }
            st[g0..g0 + STRIDED_SLOTS].copy_from_slice(&local);
        }
        return;
    }
    let per = (BLOCK_VECS / slots).max(1);
    let mut buf = [[v.splat(0.0); K]; VLANES];
    let mut c = 0;
    // Full chunks, in blocks: every slot is a whole vector (n is a constant here).
    while c + per <= full {
        // The block's slots in order (chunk after chunk), two at a time (no closure: it
        // would not inherit the target features).
        let count = per * slots;
        for i in (0..count & !1).step_by(2) {
            let (s0, s1) = (
                w.full::<S>(c + i / slots, i % slots),
                w.full::<S>(c + (i + 1) / slots, (i + 1) % slots),
            );
            [buf[i], buf[i + 1]] = p.term2(v, [s0, s1]);
        }
        if count % 2 == 1 {
            let i = count - 1;
            buf[i] = p.term(v, w.full::<S>(c + i / slots, i % slots));
        }
        p.fold_block(v, &mut st[..slots], &buf[..per * slots], slots, c);
        c += per;
    }
    // The rest: partial slots and padding.
    while c < chunks {
        for (g, t) in buf[..slots].iter_mut().enumerate() {
            *t = p.term(v, w.slot::<S>(c, g));
        }
        p.fold_block(v, &mut st[..slots], &buf[..slots], slots, c);
        c += 1;
    }
}

/// Runs `k` on every group of rows of `axis`: contiguous rows when `inner == 1`,
/// otherwise blocks of up to `L` strided rows.
#[inline(always)]
pub(crate) fn for_each_group<IO: Io, K: RowKernel>(io: IO, axis: Axis, k: &mut K) {
    if axis.inner == 1 {
        for_each_row(io, axis, k);
    } else {
        for_each_strided_group(io, axis, k);
    }
}

/// Runs `k` on every row of `axis`, whose rows are contiguous (`inner == 1`).
#[inline(always)]
pub(crate) fn for_each_row<IO: Io, K: RowKernel>(io: IO, axis: Axis, k: &mut K) {
    debug_assert_eq!(axis.inner, 1);
    if axis.len == 0 {
        return;
    }
    for r in 0..axis.outer {
        k.group(
            io,
            Contig {
                start: r * axis.len,
                len: axis.len,
                row: r,
            },
        );
    }
}

/// Runs `k` on every block of up to `L` strided rows of `axis` (any `inner`).
#[inline(always)]
pub(crate) fn for_each_strided_group<IO: Io, K: RowKernel>(io: IO, axis: Axis, k: &mut K) {
    let lanes = <IO::S as Simd>::F32_LANES;
    if axis.len == 0 {
        return;
    }
    for o in 0..axis.outer {
        for i0 in (0..axis.inner).step_by(lanes) {
            k.group(
                io,
                Strided {
                    base: o * axis.len * axis.inner + i0,
                    len: axis.len,
                    inner: axis.inner,
                    lanes: (axis.inner - i0).min(lanes),
                    row: o * axis.inner + i0,
                },
            );
        }
    }
}

/// Loads a slot as f32 lanes (half elements widened exactly): its `n` elements, `fill` in
/// the other lanes.
#[inline(always)]
pub(crate) fn load<IO: Io, T: Element>(io: IO, x: &[T], s: Slot, fill: f32) -> F<IO::S> {
    match T::DTYPE {
        Dtype::F32 => load_f32::<IO::S>(cast_slice(x), s, fill),
        Dtype::F16 => load_half::<IO, F16Bits>(io, cast_slice(x), s, fill),
        Dtype::Bf16 => load_half::<IO, Bf16Bits>(io, cast_slice(x), s, fill),
    }
}

#[inline(always)]
fn load_f32<S: Simd>(x: &[f32], s: Slot, fill: f32) -> F<S> {
    let lanes = S::F32_LANES;
    if s.n == lanes {
        S::as_simd_f32s(&x[s.off..s.off + lanes]).0[0]
    } else {
        let mut buf = [fill; VLANES];
        if s.n > 0 {
            buf[..s.n].copy_from_slice(&x[s.off..s.off + s.n]);
        }
        bytemuck::pod_read_unaligned(cast_slice(&buf[..lanes]))
    }
}

#[inline(always)]
fn load_half<IO: Io, H: Format<Elem = u16>>(io: IO, x: &[u16], s: Slot, fill: f32) -> F<IO::S> {
    let lanes = <IO::S as Simd>::F32_LANES;
    if s.n == lanes {
        H::load(io, &x[s.off..s.off + lanes])
    } else {
        let v = V(io.simd());
        let mut buf = [0u16; VLANES];
        if s.n > 0 {
            buf[..s.n].copy_from_slice(&x[s.off..s.off + s.n]);
        }
        v.sel(
            lanes_below(v, s.n),
            H::load(io, &buf[..lanes]),
            v.splat(fill),
        )
    }
}

/// Loads a slot of a boolean mask: lanes past `n` are false.
#[inline(always)]
pub(crate) fn load_mask<S: Simd>(v: V<S>, m: &[bool], s: Slot) -> M<S> {
    let lanes = S::F32_LANES;
    let mut buf = [0u32; VLANES];
    if s.n > 0 {
        for (b, &t) in buf.iter_mut().zip(&m[s.off..s.off + s.n]) {
            *b = t as u32;
        }
    }
    let u = bytemuck::pod_read_unaligned(bytemuck::cast_slice(&buf[..lanes]));
    v.not_m(v.eq_u(u, v.splat_u(0)))
}

/// Lanes `0..n` set.
#[inline(always)]
pub(crate) fn lanes_below<S: Simd>(v: V<S>, n: usize) -> M<S> {
    const IOTA: [f32; VLANES] = [
        0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0,
    ];
    let iota: F<S> = bytemuck::pod_read_unaligned(bytemuck::cast_slice(&IOTA[..S::F32_LANES]));
    v.lt(iota, v.splat(n as f32))
}

/// Stores the slot's `n` lanes of `y`, rounded once to `T`.
#[inline(always)]
pub(crate) fn store<IO: Io, T: Element>(io: IO, out: &mut [T], s: Slot, y: F<IO::S>) {
    match T::DTYPE {
        Dtype::F32 => store_f32::<IO::S>(cast_slice_mut(out), s, y),
        Dtype::F16 => store_half::<IO, F16Bits>(io, cast_slice_mut(out), s, y),
        Dtype::Bf16 => store_half::<IO, Bf16Bits>(io, cast_slice_mut(out), s, y),
    }
}

#[inline(always)]
fn store_f32<S: Simd>(out: &mut [f32], s: Slot, y: F<S>) {
    if s.n == S::F32_LANES {
        S::as_mut_simd_f32s(&mut out[s.off..s.off + S::F32_LANES]).0[0] = y;
    } else if s.n > 0 {
        let all: &[f32] = cast_slice(core::slice::from_ref(&y));
        out[s.off..s.off + s.n].copy_from_slice(&all[..s.n]);
    }
}

#[inline(always)]
fn store_half<IO: Io, H: Format<Elem = u16>>(io: IO, out: &mut [u16], s: Slot, y: F<IO::S>) {
    let lanes = <IO::S as Simd>::F32_LANES;
    if s.n == lanes {
        H::store(io, y, &mut out[s.off..s.off + lanes]);
    } else if s.n > 0 {
        let mut buf = [0u16; VLANES];
        H::store(io, y, &mut buf[..lanes]);
        out[s.off..s.off + s.n].copy_from_slice(&buf[..s.n]);
    }
}

/// Stores the first `n` lanes of `y` at `out[off..]` (one value per row of a group),
/// rounded once to `T` (the same bits as [`store`]).
#[inline(always)]
pub(crate) fn store_rows<S: Simd, T: Element>(
    _v: V<S>,
    out: &mut [T],
    off: usize,
    n: usize,
    y: F<S>,
) {
    let all: &[f32] = cast_slice(core::slice::from_ref(&y));
    for (o, &y) in out[off..off + n].iter_mut().zip(&all[..n]) {
        *o = T::from_f32(y);
    }
}

/// Lane `l` of `y`.
#[inline(always)]
pub(crate) fn lane<S: Simd>(_v: V<S>, y: F<S>, l: usize) -> f32 {
    bytemuck::cast_slice::<F<S>, f32>(core::slice::from_ref(&y))[l]
}
