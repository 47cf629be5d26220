//! f16 and bf16 in registers: loads widen to f32, the f32 kernel runs, stores round once.
//!
//! Every instruction set converts to the same bits. f16 goes through the hardware
//! converters where there are some (F16C `vcvtph2ps`/`vcvtps2ph` with AVX2, their 512-bit
//! forms on AVX-512, NEON `fcvtl`/`fcvtn`) and through the integer code of [`soft`]
//! elsewhere (scalar, AVX2 without F16C); bf16 widens by a shift and narrows by an integer
//! round-to-nearest-even everywhere (AVX512-BF16's `vcvtneps2bf16` flushes subnormals, so
//! it would not give the same bits). The tests compare all 2^16 widenings and 2^32
//! narrowings across instruction sets.
//!
//! Rounding the f32 result of a kernel with an error of a few f32 ulps can land on the wrong
//! side of a half-format midpoint. [`Format::near_boundary`] flags the (rare) lanes where
//! that is possible and [`map`] recomputes them from the f64 reference, so every half output
//! is the correctly rounded true value.

#[cfg(target_arch = "aarch64")]
mod aarch64;
pub(crate) mod fp16;
mod map;
pub(crate) mod select;
pub(crate) mod soft;
#[cfg(target_arch = "x86_64")]
mod x86;
#[cfg(target_arch = "x86_64")]
pub(crate) use x86::V4Bf16;

pub(crate) use fp16::Arith;
pub(crate) use map::{convert, map, map_inplace, map2};
pub(crate) use select::{Keys, Pick, Select, Side, select, select_inplace};

use crate::isa::{Isa, active_isa};
use crate::simd::{F, M, U, V};
use pulp::Simd;

/// The most f32 lanes of any instruction set (AVX-512), the size of the tail buffers.
const MAX_LANES: usize = 16;

/// An instruction-set token that moves 16-bit elements between memory and f32 lanes.
///
/// Every method reads or writes exactly `LANES = Self::S::F32_LANES` elements at the front
/// of its slice (the driver hands it whole chunks, tails go through a stack buffer).
pub(crate) trait Io: Copy {
    /// The pulp token the kernels run on.
    type S: Simd;
    fn simd(self) -> Self::S;
    /// `LANES` u16 zero-extended to u32 lanes.
    fn unpack(self, x: &[u16]) -> U<Self::S>;
    /// The low 16 bits of every lane.
    fn pack(self, y: U<Self::S>, out: &mut [u16]);
    /// `LANES` u16 into the high halves of u32 lanes (low halves zero).
    #[inline(always)]
    fn unpack_high(self, x: &[u16]) -> U<Self::S> {
        V(self.simd()).shl(self.unpack(x), 16)
    }
    /// The high 16 bits of every lane.
    #[inline(always)]
    fn pack_high(self, y: U<Self::S>, out: &mut [u16]) {
        self.pack(V(self.simd()).shr(y, 16), out)
    }
    /// `LANES` f16 → f32 lanes, exact.
    #[inline(always)]
    fn widen_f16(self, x: &[u16]) -> F<Self::S> {
        soft::widen_f16(V(self.simd()), self.unpack(x))
    }
    /// f32 lanes → `LANES` f16, rounded to nearest even.
    #[inline(always)]
    fn narrow_f16(self, y: F<Self::S>, out: &mut [u16]) {
        self.pack(soft::narrow_f16(V(self.simd()), y), out)
    }
    /// f32 lanes → `LANES` bf16, as [`soft::narrow_bf16`] rounds.
    #[inline(always)]
    fn narrow_bf16(self, y: F<Self::S>, out: &mut [u16]) {
        self.pack_high(soft::narrow_bf16(V(self.simd()), y), out)
    }
    /// The 16-bit lanes of `t` where `m`, of `f` elsewhere. Bitwise here, for instruction
    /// sets whose masks are full lanes; the scalar level, AVX2 and AVX-512 (bit masks)
    /// override it.
    #[inline(always)]
    fn blend16(self, m: M16<Self::S>, t: U16<Self::S>, f: U16<Self::S>) -> U16<Self::S> {
        let s = self.simd();
        let m = self.ones16(m);
        s.xor_u16s(f, s.and_u16s(m, s.xor_u16s(t, f)))
    }
    /// The mask `m` as 16-bit lanes: all ones where set, zero elsewhere. A reinterpretation
    /// here (full-lane masks); the scalar level and AVX-512 override it.
    #[inline(always)]
    fn ones16(self, m: M16<Self::S>) -> U16<Self::S> {
        self.simd().transmute_u16s_m16s(m)
    }
}

/// 16-bit lanes, and their masks.
type U16<S> = <S as Simd>::u16s;
type M16<S> = <S as Simd>::m16s;

/// The scalar level: one lane, the portable conversions.
impl Io for pulp::Scalar {
    type S = pulp::Scalar;
    #[inline(always)]
    fn simd(self) -> Self {
        self
    }
    #[inline(always)]
    fn unpack(self, x: &[u16]) -> u32 {
        x[0] as u32
    }
    #[inline(always)]
    fn pack(self, y: u32, out: &mut [u16]) {
        out[0] = y as u16;
    }
    #[inline(always)]
    fn blend16(self, m: bool, t: u16, f: u16) -> u16 {
        if m { t } else { f }
    }
    #[inline(always)]
    fn ones16(self, m: bool) -> u16 {
        if m { 0xffff } else { 0 }
    }
}

/// A storage format of slice elements, as the half driver loads and stores it.
pub(crate) trait Format: Copy + 'static {
    /// The stored element: f32, or the bits of a half.
    type Elem: bytemuck::Pod + Default;
    /// Whether it is bf16 (its stores then use [`Io::narrow_bf16`]).
    #[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))] // read by x86's dispatch
    const BF16: bool = false;
    /// The first `LANES` elements of `x` as f32 lanes (exact).
    fn load<I: Io>(io: I, x: &[Self::Elem]) -> F<I::S>;
    /// `y` rounded to the format into the first `LANES` elements of `out`.
    fn store<I: Io>(io: I, y: F<I::S>, out: &mut [Self::Elem]);
    /// Lanes where a true value within `radius` f32 steps of `y` might round differently
    /// from `y` (a superset; a function of each lane's bits alone, so the same lanes on every
    /// instruction set).
    fn near_boundary<S: Simd>(v: V<S>, y: F<S>, radius: u32) -> M<S>;
    /// `r` rounded once to the format.
    fn from_f64(r: f64) -> Self::Elem;
    /// One element as f32 (exact).
    fn widen_one(e: Self::Elem) -> f32;
}

/// f32 elements (the source or target of [`convert`]).
#[derive(Clone, Copy)]
pub(crate) struct F32Lanes;

impl Format for F32Lanes {
    type Elem = f32;
    #[inline(always)]
    fn load<I: Io>(_: I, x: &[f32]) -> F<I::S> {
        let n = <I::S as Simd>::F32_LANES;
        bytemuck::pod_read_unaligned(bytemuck::cast_slice(&x[..n]))
    }
    #[inline(always)]
    fn store<I: Io>(_: I, y: F<I::S>, out: &mut [f32]) {
        let n = <I::S as Simd>::F32_LANES;
        out[..n].copy_from_slice(bytemuck::cast_slice(core::slice::from_ref(&y)));
    }
    #[inline(always)]
    fn near_boundary<S: Simd>(v: V<S>, y: F<S>, _: u32) -> M<S> {
        v.lt(y, y) // none: f32 results are stored as computed
    }
    fn from_f64(r: f64) -> f32 {
        r as f32
    }
    fn widen_one(e: f32) -> f32 {
        e
    }
}

/// f16 elements, as their bits.
#[derive(Clone, Copy)]
pub(crate) struct F16Bits;

impl F16Bits {
    /// One f32 → f16, rounded to nearest even, the scalar path's conversion.
    pub(crate) fn narrow_one(y: f32) -> u16 {
        soft::narrow_f16(V(pulp::Scalar::new()), y) as u16
    }
}

impl Format for F16Bits {
    type Elem = u16;
    #[inline(always)]
    fn load<I: Io>(io: I, x: &[u16]) -> F<I::S> {
        io.widen_f16(x)
    }
    #[inline(always)]
    fn store<I: Io>(io: I, y: F<I::S>, out: &mut [u16]) {
        io.narrow_f16(y, out)
    }
    #[inline(always)]
    fn near_boundary<S: Simd>(v: V<S>, y: F<S>, radius: u32) -> M<S> {
        soft::near_f16_boundary(v, y, radius)
    }
    fn from_f64(r: f64) -> u16 {
        <half::f16 as crate::Element>::from_f64_rounded(r).to_bits()
    }
    /// The scalar path's conversion.
    fn widen_one(h: u16) -> f32 {
        soft::widen_f16(V(pulp::Scalar::new()), h as u32)
    }
}

/// bf16 elements, as their bits.
#[derive(Clone, Copy)]
pub(crate) struct Bf16Bits;

impl Bf16Bits {
    /// One f32 → bf16, rounded to nearest even.
    pub(crate) fn narrow_one(y: f32) -> u16 {
        (soft::narrow_bf16(V(pulp::Scalar::new()), y) >> 16) as u16
    }
}

impl Format for Bf16Bits {
    type Elem = u16;
    const BF16: bool = true;
    #[inline(always)]
    fn load<I: Io>(io: I, x: &[u16]) -> F<I::S> {
        V(io.simd()).to_f32(io.unpack_high(x))
    }
    #[inline(always)]
    fn store<I: Io>(io: I, y: F<I::S>, out: &mut [u16]) {
        io.narrow_bf16(y, out)
    }
    #[inline(always)]
    fn near_boundary<S: Simd>(v: V<S>, y: F<S>, radius: u32) -> M<S> {
        soft::near_bf16_boundary(v, y, radius)
    }
    fn from_f64(r: f64) -> u16 {
        <half::bf16 as crate::Element>::from_f64_rounded(r).to_bits()
    }
    fn widen_one(h: u16) -> f32 {
        f32::from_bits((h as u32) << 16)
    }
}

/// An operation over 16-bit slices, run with a conversion token (the half counterpart of
/// `pulp::WithSimd`).
pub(crate) trait WithIo: Sized {
    type Output;
    /// Whether the operation rounds f32 lanes to bf16 ([`Io::narrow_bf16`]): only then does
    /// AVX-512 take the token with AVX512-BF16, so the others are not compiled twice.
    #[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))] // read by x86's dispatch
    const NARROWS_BF16: bool = false;
    fn with_io<I: Io>(self, io: I) -> Self::Output;

    /// Runs `self` on the active instruction set, with its conversion token ([`dispatch`]).
    ///
    /// A provided method rather than a free function for the build's sake: rustc compiles
    /// a provided method's copy for one `Self` type in the codegen unit of that type's
    /// module, and the target-feature functions it calls (everything the operation inlines)
    /// with it. As a free function in this module, every operation of the crate went into
    /// one codegen unit, which LLVM optimised on one core for most of the build.
    fn dispatch_here(self) -> Self::Output {
        #[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
        let tokens = crate::isa::tokens();
        match active_isa() {
            #[cfg(target_arch = "x86_64")]
            Isa::Avx512 => match tokens.v4_bf16 {
                Some(t) if Self::NARROWS_BF16 => t.vectorize(Call(self, t)),
                _ => {
                    let t = tokens.v4.expect("checked at selection");
                    t.vectorize(Call(self, t))
                }
            },
            #[cfg(target_arch = "x86_64")]
            Isa::Avx2 => match x86::V3F16c::try_new() {
                Some(t) => t.vectorize(Call(self, t)),
                None => {
                    let t = tokens.v3.expect("checked at selection");
                    t.vectorize(Call(self, t))
                }
            },
            #[cfg(target_arch = "aarch64")]
            Isa::Neon => {
                let t = tokens.neon.expect("checked at selection");
                t.vectorize(Call(self, t))
            }
            _ => self.with_io(pulp::Scalar::new()),
        }
    }
}

/// Runs `op` inside the target-feature context of the token `io`.
struct Call<Op, I>(Op, I);

impl<Op: WithIo, I: Io> pulp::NullaryFnOnce for Call<Op, I> {
    type Output = Op::Output;
    #[inline(always)]
    fn call(self) -> Op::Output {
        self.0.with_io(self.1)
    }
}

/// Runs `op` on the active instruction set, with its conversion token.
#[inline(always)]
pub(crate) fn dispatch<Op: WithIo>(op: Op) -> Op::Output {
    op.dispatch_here()
}
