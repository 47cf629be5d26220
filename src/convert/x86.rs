//! x86-64 conversions: AVX2 (with F16C where present) and AVX-512.

use super::Io;
use crate::simd::{F, U};
use core::arch::x86_64::{
    __m128i, __m256bh, __m256i, _MM_FROUND_NO_EXC, _MM_FROUND_TO_NEAREST_INT, _mm256_cvtph_ps,
    _mm256_cvtps_ph, _mm512_cvtneps_pbh,
};
use pulp::cast;
use pulp::x86::{V3, V4};

/// `vcvtps2ph` rounding: to nearest even, whatever MXCSR says (F16C takes 3 bits)...
const NEAREST: i32 = _MM_FROUND_TO_NEAREST_INT;
/// ... and the AVX-512 form also without raising exceptions.
const NEAREST_SAE: i32 = _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC;

/// The first `N` elements of `x` as an array.
#[inline(always)]
fn head<const N: usize>(x: &[u16]) -> [u16; N] {
    *x.first_chunk().expect("the driver passes whole vectors")
}

impl Io for V3 {
    type S = V3;
    #[inline(always)]
    fn simd(self) -> V3 {
        self
    }
    #[inline(always)]
    fn unpack(self, x: &[u16]) -> U<V3> {
        let h: __m128i = cast(head::<8>(x));
        cast(self.avx2._mm256_cvtepu16_epi32(h))
    }
    #[inline(always)]
    fn pack(self, y: U<V3>, out: &mut [u16]) {
        let y: __m256i = cast(y);
        // Lanes hold values < 2^16, so unsigned saturation keeps them; packus works per
        // 128-bit half, the permute brings both halves' results together.
        let p = self.avx2._mm256_packus_epi32(y, y);
        let p = self.avx2._mm256_permute4x64_epi64::<0b00_00_10_00>(p);
        let p: [u16; 16] = cast(p);
        out[..8].copy_from_slice(&p[..8]);
    }
    #[inline(always)]
    fn blend16(self, m: pulp::m16x16, t: pulp::u16x16, f: pulp::u16x16) -> pulp::u16x16 {
        // A true lane's mask is all ones in both its bytes.
        cast(self.avx2._mm256_blendv_epi8(cast(f), cast(t), cast(m)))
    }
}

pulp::simd_type!({
    /// pulp's `V3` (AVX2 + FMA) plus F16C, for the f16 conversions.
    pub(crate) struct V3F16c {
        pub sse: f!("sse"),
        pub sse2: f!("sse2"),
        pub fxsr: f!("fxsr"),
        pub sse3: f!("sse3"),
        pub ssse3: f!("ssse3"),
        pub sse4_1: f!("sse4.1"),
        pub sse4_2: f!("sse4.2"),
        pub popcnt: f!("popcnt"),
        pub avx: f!("avx"),
        pub avx2: f!("avx2"),
        pub bmi1: f!("bmi1"),
        pub bmi2: f!("bmi2"),
        pub fma: f!("fma"),
        pub lzcnt: f!("lzcnt"),
        pub f16c: f!("f16c"),
    }
});

impl Io for V3F16c {
    type S = V3;
    #[inline(always)]
    fn simd(self) -> V3 {
        V3 {
            sse: self.sse,
            sse2: self.sse2,
            fxsr: self.fxsr,
            sse3: self.sse3,
            ssse3: self.ssse3,
            sse4_1: self.sse4_1,
            sse4_2: self.sse4_2,
            popcnt: self.popcnt,
            avx: self.avx,
            avx2: self.avx2,
            bmi1: self.bmi1,
            bmi2: self.bmi2,
            fma: self.fma,
            lzcnt: self.lzcnt,
        }
    }
    #[inline(always)]
    fn unpack(self, x: &[u16]) -> U<V3> {
        self.simd().unpack(x)
    }
    #[inline(always)]
    fn pack(self, y: U<V3>, out: &mut [u16]) {
        self.simd().pack(y, out)
    }
    #[inline(always)]
    fn blend16(self, m: pulp::m16x16, t: pulp::u16x16, f: pulp::u16x16) -> pulp::u16x16 {
        self.simd().blend16(m, t, f)
    }
    #[inline(always)]
    fn widen_f16(self, x: &[u16]) -> F<V3> {
        let h: __m128i = cast(head::<8>(x));
        // SAFETY: a `V3F16c` token exists only where pulp detected F16C (and the V3 features)
        // at run time, and this runs inside its `vectorize`, which enables them.
        cast(unsafe { _mm256_cvtph_ps(h) })
    }
    #[inline(always)]
    fn narrow_f16(self, y: F<V3>, out: &mut [u16]) {
        // SAFETY: as in `widen_f16`, the token proves F16C is present.
        let h: [u16; 8] = cast(unsafe { _mm256_cvtps_ph::<NEAREST>(cast(y)) });
        out[..8].copy_from_slice(&h);
    }
}

impl Io for V4 {
    type S = V4;
    #[inline(always)]
    fn simd(self) -> V4 {
        self
    }
    #[inline(always)]
    fn unpack(self, x: &[u16]) -> U<V4> {
        cast(self.avx512f._mm512_cvtepu16_epi32(cast(head::<16>(x))))
    }
    #[inline(always)]
    fn pack(self, y: U<V4>, out: &mut [u16]) {
        let p: [u16; 16] = cast(self.avx512f._mm512_cvtepi32_epi16(cast(y)));
        out[..16].copy_from_slice(&p);
    }
    #[inline(always)]
    fn blend16(self, m: pulp::b32, t: pulp::u16x32, f: pulp::u16x32) -> pulp::u16x32 {
        cast(self.avx512bw._mm512_mask_blend_epi16(m.0, cast(f), cast(t)))
    }
    #[inline(always)]
    fn ones16(self, m: pulp::b32) -> pulp::u16x32 {
        cast(self.avx512bw._mm512_movm_epi16(m.0))
    }
    #[inline(always)]
    fn widen_f16(self, x: &[u16]) -> F<V4> {
        cast(self.avx512f._mm512_cvtph_ps(cast(head::<16>(x))))
    }
    #[inline(always)]
    fn narrow_f16(self, y: F<V4>, out: &mut [u16]) {
        let h: [u16; 16] = cast(self.avx512f._mm512_cvtps_ph::<NEAREST_SAE>(cast(y)));
        out[..16].copy_from_slice(&h);
    }
}

pulp::simd_type!({
    /// pulp's `V4` (AVX-512 F, BW, CD, DQ, VL) plus AVX512-BF16, for the bf16 narrowing.
    pub(crate) struct V4Bf16 {
        pub sse: f!("sse"),
        pub sse2: f!("sse2"),
        pub fxsr: f!("fxsr"),
        pub sse3: f!("sse3"),
        pub ssse3: f!("ssse3"),
        pub sse4_1: f!("sse4.1"),
        pub sse4_2: f!("sse4.2"),
        pub popcnt: f!("popcnt"),
        pub avx: f!("avx"),
        pub avx2: f!("avx2"),
        pub bmi1: f!("bmi1"),
        pub bmi2: f!("bmi2"),
        pub fma: f!("fma"),
        pub lzcnt: f!("lzcnt"),
        pub avx512f: f!("avx512f"),
        pub avx512bw: f!("avx512bw"),
        pub avx512cd: f!("avx512cd"),
        pub avx512dq: f!("avx512dq"),
        pub avx512vl: f!("avx512vl"),
        pub avx512bf16: f!("avx512bf16"),
    }
});

impl Io for V4Bf16 {
    type S = V4;
    #[inline(always)]
    fn simd(self) -> V4 {
        V4 {
            sse: self.sse,
            sse2: self.sse2,
            fxsr: self.fxsr,
            sse3: self.sse3,
            ssse3: self.ssse3,
            sse4_1: self.sse4_1,
            sse4_2: self.sse4_2,
            popcnt: self.popcnt,
            avx: self.avx,
            avx2: self.avx2,
            bmi1: self.bmi1,
            bmi2: self.bmi2,
            fma: self.fma,
            lzcnt: self.lzcnt,
            avx512f: self.avx512f,
            avx512bw: self.avx512bw,
            avx512cd: self.avx512cd,
            avx512dq: self.avx512dq,
            avx512vl: self.avx512vl,
        }
    }
    #[inline(always)]
    fn unpack(self, x: &[u16]) -> U<V4> {
        self.simd().unpack(x)
    }
    #[inline(always)]
    fn pack(self, y: U<V4>, out: &mut [u16]) {
        self.simd().pack(y, out)
    }
    #[inline(always)]
    fn blend16(self, m: pulp::b32, t: pulp::u16x32, f: pulp::u16x32) -> pulp::u16x32 {
        self.simd().blend16(m, t, f)
    }
    #[inline(always)]
    fn ones16(self, m: pulp::b32) -> pulp::u16x32 {
        self.simd().ones16(m)
    }
    #[inline(always)]
    fn widen_f16(self, x: &[u16]) -> F<V4> {
        self.simd().widen_f16(x)
    }
    #[inline(always)]
    fn narrow_f16(self, y: F<V4>, out: &mut [u16]) {
        self.simd().narrow_f16(y, out)
    }
    /// `vcvtneps2bf16`: the same rounding as the portable form (nearest even, overflow to
    /// ±inf, a NaN quieted with the top of its payload), except that it reads subnormal
    /// inputs as zero; a vector with a subnormal lane (rare: |y| < 2^-126) takes the portable
    /// form instead.
    #[inline(always)]
    fn narrow_bf16(self, y: F<V4>, out: &mut [u16]) {
        let v4 = self.simd();
        let (exponent, fraction) = (v4.splat_u32x16(0x7f80_0000), v4.splat_u32x16(0x007f_ffff));
        // Subnormal lanes: a zero exponent and a nonzero fraction.
        let tiny = v4.avx512f._mm512_testn_epi32_mask(cast(y), cast(exponent));
        if v4
            .avx512f
            ._mm512_mask_test_epi32_mask(tiny, cast(y), cast(fraction))
            != 0
        {
            return v4.narrow_bf16(y, out);
        }
        // SAFETY: a `V4Bf16` token exists only where pulp detected AVX512-BF16 (and the V4
        // features) at run time, and this runs inside its `vectorize`, which enables them.
        // `__m256bh` and `[u16; 16]` are both 32 bytes of plain bits.
        let h: [u16; 16] =
            unsafe { core::mem::transmute::<__m256bh, [u16; 16]>(_mm512_cvtneps_pbh(cast(y))) };
        out[..16].copy_from_slice(&h);
    }
}
