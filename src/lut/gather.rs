//! Table reads by vector gathers (x86-64): one instruction reads the entries of 16 (AVX-512)
//! or 8 (AVX2) elements, each lane 4 bytes at its entry, of which the low 2 are kept.
//! [`super`] uses them where they outrun one load per element (see its `Lookup`).

use super::Table;
use crate::convert::Io;
use crate::simd::U;
use core::arch::x86_64::{_mm256_i32gather_epi32, _mm512_i32gather_epi32};
use pulp::x86::{V3, V4};
use pulp::{NullaryFnOnce, Simd, cast};

/// A token with a gather of 32-bit lanes at 16-bit indices.
trait Gather: Io {
    /// The entries of `t` at the indices `i` (each < 65,536), in the low halves of the
    /// lanes.
    fn gather(self, i: U<Self::S>, t: &Table) -> U<Self::S>;
}

impl Gather for V4 {
    #[inline(always)]
    fn gather(self, i: U<V4>, t: &Table) -> U<V4> {
        // SAFETY: AVX-512F is enabled (this runs inside the token's `vectorize`, and a token
        // exists only where pulp detected it). Each lane reads 4 bytes at byte 2·i of `t`
        // with i ≤ 65,535, so bytes 0..=131,073: inside the table's 65,537 entries (131,074
        // bytes; the last is padding). Gathers need no alignment.
        cast(unsafe { _mm512_i32gather_epi32::<2>(cast(i), t.as_ptr().cast()) })
    }
}

impl Gather for V3 {
    #[inline(always)]
    fn gather(self, i: U<V3>, t: &Table) -> U<V3> {
        // SAFETY: as for `V4`, with AVX2 proven by the token.
        let g = cast(unsafe { _mm256_i32gather_epi32::<2>(t.as_ptr().cast(), cast(i)) });
        // The high halves hold the next entries; `pack` needs lanes below 2^16.
        self.and_u32s(g, self.splat_u32s(0xffff))
    }
}

/// `out[i] = t[x[i]]` with the token's gathers, the last elements (fewer than a vector) by
/// plain loads.
struct Apart<'a, G>(G, &'a Table, &'a [u16], &'a mut [u16]);

impl<G: Gather> NullaryFnOnce for Apart<'_, G> {
    type Output = ();
    #[inline(always)]
    fn call(self) {
        let Apart(g, t, x, out) = self;
        let n = <G::S as Simd>::F32_LANES;
        let mut xs = x.chunks_exact(n);
        let mut os = out.chunks_exact_mut(n);
        for (o, x) in (&mut os).zip(&mut xs) {
            g.pack(g.gather(g.unpack(x), t), o);
        }
        super::loads(t, xs.remainder(), os.into_remainder());
    }
}

/// `x[i] = t[x[i]]`, as [`Apart`].
struct InPlace<'a, G>(G, &'a Table, &'a mut [u16]);

impl<G: Gather> NullaryFnOnce for InPlace<'_, G> {
    type Output = ();
    #[inline(always)]
    fn call(self) {
        let InPlace(g, t, x) = self;
        let n = <G::S as Simd>::F32_LANES;
        let mut xs = x.chunks_exact_mut(n);
        for x in &mut xs {
            let y = g.gather(g.unpack(x), t);
            g.pack(y, x);
        }
        super::loads_inplace(t, xs.into_remainder());
    }
}

/// The gather tokens of the machine: AVX-512 and AVX2 (pulp's detections).
#[derive(Clone, Copy)]
pub(super) enum Token {
    V4(V4),
    V3(V3),
}

impl Token {
    /// The token of `isa`, where it has gathers and the machine has it.
    pub(super) fn of(isa: crate::Isa) -> Option<Token> {
        let tokens = crate::isa::tokens();
        match isa {
            crate::Isa::Avx512 => tokens.v4.map(Token::V4),
            crate::Isa::Avx2 => tokens.v3.map(Token::V3),
            _ => None,
        }
    }

    /// `out[i] = t[x[i]]` (lengths equal).
    pub(super) fn map(self, t: &Table, x: &[u16], out: &mut [u16]) {
        match self {
            Token::V4(g) => g.vectorize(Apart(g, t, x, out)),
            Token::V3(g) => g.vectorize(Apart(g, t, x, out)),
        }
    }

    /// `x[i] = t[x[i]]`.
    pub(super) fn map_inplace(self, t: &Table, x: &mut [u16]) {
        match self {
            Token::V4(g) => g.vectorize(InPlace(g, t, x)),
            Token::V3(g) => g.vectorize(InPlace(g, t, x)),
        }
    }
}
