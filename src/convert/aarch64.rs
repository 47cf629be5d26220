//! aarch64 conversions: NEON widening/narrowing moves, and `fcvtl`/`fcvtn` for f16.

use super::Io;
use crate::simd::{F, U};
use core::arch::aarch64::{float32x4_t, uint16x4_t};
use core::arch::asm;
use pulp::aarch64::Neon;
use pulp::cast;

/// The first four elements of `x`.
#[inline(always)]
fn head(x: &[u16]) -> uint16x4_t {
    cast(
        *x.first_chunk::<4>()
            .expect("the driver passes whole vectors"),
    )
}

impl Io for Neon {
    type S = Neon;
    #[inline(always)]
    fn simd(self) -> Neon {
        self
    }
    #[inline(always)]
    fn unpack(self, x: &[u16]) -> U<Neon> {
        cast(self.neon.vmovl_u16(head(x)))
    }
    #[inline(always)]
    fn pack(self, y: U<Neon>, out: &mut [u16]) {
        let p: [u16; 4] = cast(self.neon.vmovn_u32(cast(y)));
        out[..4].copy_from_slice(&p);
    }
    #[inline(always)]
    fn unpack_high(self, x: &[u16]) -> U<Neon> {
        cast(self.neon.vshll_n_u16::<16>(head(x)))
    }
    #[inline(always)]
    fn pack_high(self, y: U<Neon>, out: &mut [u16]) {
        let p: [u16; 4] = cast(self.neon.vshrn_n_u32::<16>(cast(y)));
        out[..4].copy_from_slice(&p);
    }
    #[inline(always)]
    fn widen_f16(self, x: &[u16]) -> F<Neon> {
        let h = head(x);
        let r: float32x4_t;
        // SAFETY: `fcvtl` (half → single, exact) is a base ARMv8-A Advanced SIMD instruction,
        // present wherever the `Neon` token exists; it reads and writes only the named
        // registers.
        unsafe {
            asm!("fcvtl {r:v}.4s, {h:v}.4h", h = in(vreg) h, r = lateout(vreg) r,
                 options(pure, nomem, nostack, preserves_flags));
        }
        cast(r)
    }
    #[inline(always)]
    fn narrow_f16(self, y: F<Neon>, out: &mut [u16]) {
        let y: float32x4_t = cast(y);
        let r: uint16x4_t;
        // SAFETY: `fcvtn` (single → half, rounded by FPCR, which Rust leaves at
        // round-to-nearest-even without flush-to-zero) is base ARMv8-A Advanced SIMD; it
        // reads and writes only the named registers.
        unsafe {
            asm!("fcvtn {r:v}.4h, {y:v}.4s", y = in(vreg) y, r = lateout(vreg) r,
                 options(pure, nomem, nostack, preserves_flags));
        }
        let r: [u16; 4] = cast(r);
        out[..4].copy_from_slice(&r);
    }
}
