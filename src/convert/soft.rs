//! Portable conversions between f32 and the half formats, in integer lane arithmetic over
//! [`V`]: the scalar path (and AVX2 machines without F16C) use them, and they define the bits
//! every hardware path must reproduce (the tests compare all of them).

use crate::simd::{F, M, U, V};
use pulp::Simd;

#[inline(always)]
pub(crate) fn sel_u<S: Simd>(v: V<S>, m: M<S>, a: U<S>, b: U<S>) -> U<S> {
    v.0.select_u32s(m, a, b)
}

#[inline(always)]
pub(crate) fn lt_u<S: Simd>(v: V<S>, a: U<S>, b: u32) -> M<S> {
    v.0.less_than_u32s(a, v.splat_u(b))
}

#[inline(always)]
fn gt_u<S: Simd>(v: V<S>, a: U<S>, b: u32) -> M<S> {
    v.0.greater_than_u32s(a, v.splat_u(b))
}

/// `a < b` for lanes `a` and a constant `b` both below 2^31 (masked bits), as a signed
/// comparison: one instruction on AVX2, where unsigned ones take two. (LLVM may still turn
/// it unsigned where it sees the sign bit clear; against [`lt_u`] it saves an instruction
/// in a few of the near-midpoint tests, counted in the disassembly.)
#[inline(always)]
fn below<S: Simd>(v: V<S>, a: U<S>, b: u32) -> M<S> {
    debug_assert!(b < 1 << 31);
    let s = v.0;
    s.less_than_i32s(s.transmute_i32s_u32s(a), s.splat_i32s(b as i32))
}

/// `|y|` as bits.
#[inline(always)]
pub(crate) fn abs_bits<S: Simd>(v: V<S>, y: F<S>) -> U<S> {
    v.and_u(v.bits(y), v.splat_u(0x7fff_ffff))
}

/// f16 bits (the low 16 bits of each lane) → f32, exact. A NaN keeps its payload and gets
/// its quiet bit set, as F16C `vcvtph2ps` and NEON `fcvtl` do.
#[inline(always)]
pub(crate) fn widen_f16<S: Simd>(v: V<S>, h: U<S>) -> F<S> {
    let sign = v.shl(v.and_u(h, v.splat_u(0x8000)), 16);
    let a = v.and_u(h, v.splat_u(0x7fff));
    let o = v.shl(a, 13);
    // Normal numbers: rebias the exponent by 127 − 15.
    let normal = v.add_u(o, v.splat_u(112 << 23));
    // Zero and subnormals a·2^-24, exactly: (2^-14 + a·2^-24) − 2^-14.
    let two_m14 = f32::from_bits(113 << 23);
    let small = v.bits(v.sub(v.to_f32(v.add_u(o, v.splat_u(113 << 23))), v.splat(two_m14)));
    // ±inf and NaN: the exponent becomes all ones; NaN gets the quiet bit.
    let quiet = sel_u(v, gt_u(v, a, 0x7c00), v.splat_u(0x0040_0000), v.splat_u(0));
    let special = v.or_u(v.add_u(o, v.splat_u(224 << 23)), quiet);
    let r = sel_u(v, lt_u(v, a, 0x0400), small, normal);
    let r = sel_u(v, gt_u(v, a, 0x7bff), special, r);
    v.to_f32(v.or_u(r, sign))
}

/// f32 → f16 bits (in the low 16 bits of each lane), rounded to nearest, ties to even:
/// overflow gives ±inf, subnormals are kept, NaN becomes a quiet NaN with the top of its
/// payload (as F16C `vcvtps2ph` and NEON `fcvtn` do).
#[inline(always)]
pub(crate) fn narrow_f16<S: Simd>(v: V<S>, y: F<S>) -> U<S> {
    let x = v.bits(y);
    let sign = v.and_u(v.shr(x, 16), v.splat_u(0x8000));
    let a = abs_bits(v, y);
    // Normal results: rebias, then drop 13 bits rounding to nearest even (a carry into the
    // exponent is the right answer).
    let odd = v.and_u(v.shr(a, 13), v.splat_u(1));
    let normal = v.shr(
        v.add_u(
            v.sub_u(a, v.splat_u(112 << 23)),
            v.add_u(v.splat_u(0x0fff), odd),
        ),
        13,
    );
    // Subnormal results (|y| < 2^-14): one f32 addition rounds |y| to the grid of 2^-24.
    let small = v.sub_u(
        v.bits(v.add(v.to_f32(a), v.splat(0.5))),
        v.splat_u(0x3f00_0000),
    );
    let nan = v.or_u(v.splat_u(0x7e00), v.and_u(v.shr(a, 13), v.splat_u(0x03ff)));
    let r = sel_u(v, lt_u(v, a, 0x3880_0000), small, normal);
    // From 65520 = f16::MAX + ulp/2 up, the result is inf.
    let r = sel_u(v, gt_u(v, a, 0x477f_efff), v.splat_u(0x7c00), r);
    let r = sel_u(v, gt_u(v, a, 0x7f80_0000), nan, r);
    v.or_u(r, sign)
}

/// f32 → bf16, rounded to nearest, ties to even, in the high 16 bits of each lane (the low
/// bits are left over): overflow gives ±inf, subnormals are kept, NaN becomes a quiet NaN
/// with the top of its payload.
#[inline(always)]
pub(crate) fn narrow_bf16<S: Simd>(v: V<S>, y: F<S>) -> U<S> {
    let x = v.bits(y);
    let odd = v.and_u(v.shr(x, 16), v.splat_u(1));
    let rounded = v.add_u(x, v.add_u(v.splat_u(0x7fff), odd));
    let nan = v.or_u(x, v.splat_u(0x0040_0000));
    sel_u(v, v.is_nan(y), nan, rounded)
}

/// Lanes of `y` less than `radius` f32 steps from a midpoint of f16 (a superset, a function
/// of each lane's bits alone, so the same lanes on every instruction set). Normal results
/// drop 13 bits, so the lane is near a midpoint when those bits are near 0x1000; subnormal
/// results drop more bits, whose midpoint is a multiple of 2^13, so there the low 13 bits
/// must be near 0 (and |y| ≥ 2^-26: anything smaller, zero included, rounds to zero with its
/// neighbours). The canonical NaN is never flagged.
///
/// The range tests compare `|y|` as floats against normal thresholds: one instruction each
/// on AVX2, where LLVM turns integer compares of magnitudes into unsigned ones (two
/// instructions), and the same answer with denormals-are-zero, since a subnormal `|y|` is
/// below both thresholds either way. The low bits of `y` and `|y|` agree, so the window test
/// takes `y`'s.
#[inline(always)]
pub(crate) fn near_f16_boundary<S: Simd>(v: V<S>, y: F<S>, radius: u32) -> M<S> {
    let a = v.abs(y);
    let r = radius - 1;
    let offset = sel_u(
        v,
        v.lt(a, v.splat(f32::from_bits(0x3880_0000))),
        v.splat_u(r),
        v.splat_u(r.wrapping_sub(0x1000)),
    );
    let d = v.and_u(v.add_u(v.bits(y), offset), v.splat_u(0x1fff));
    v.and_m(
        below(v, d, 2 * r + 1),
        v.gt(a, v.splat(f32::from_bits(0x327f_ffff))),
    )
}

/// Lanes of `y` less than `radius` f32 steps from a midpoint of bf16: the 16 dropped bits
/// near 0x8000. bf16 rounds the f32 pattern at a fixed bit in every binade (subnormals and
/// overflow included), so this is exact; the canonical NaN is never flagged.
#[inline(always)]
pub(crate) fn near_bf16_boundary<S: Simd>(v: V<S>, y: F<S>, radius: u32) -> M<S> {
    let r = radius - 1;
    let d = v.and_u(
        v.add_u(v.bits(y), v.splat_u(r.wrapping_sub(0x8000))),
        v.splat_u(0xffff),
    );
    below(v, d, 2 * r + 1)
}

/// White-box checks, run by `tests/internals.rs` through [`crate::self_check`].
pub(crate) mod checks {
    use super::*;

    /// `y` moved `k` f32 steps (the bit pattern of its magnitude ± k, sign kept, clamped at
    /// zero and infinity).
    fn steps(y: f32, k: i64) -> f32 {
        let a = (y.to_bits() & 0x7fff_ffff) as i64;
        f32::from_bits((a + k).clamp(0, 0x7f80_0000) as u32).copysign(y)
    }

    /// A lane the filters leave alone rounds the same from every value within `radius − 1`
    /// steps, so the true value (that close, by the kernel's bound) rounds like the result.
    /// Every 997th f32 pattern (every 9973rd under emulation) and the edge cases.
    pub fn unflagged_lanes_round_like_their_neighbourhood() {
        let v = V(pulp::Scalar::new());
        let step = if cfg!(target_arch = "aarch64") {
            9973
        } else {
            997
        };
        for radius in 1..=5u32 {
            let d = radius as i64 - 1;
            for b in (0..=u32::MAX)
                .step_by(step)
                .chain([0x3300_0000, 0x32ff_ffff, 0x477f_f000])
            {
                let y = f32::from_bits(b);
                if y.is_nan() {
                    continue;
                }
                let (lo, hi) = (steps(y, -d), steps(y, d));
                if !near_f16_boundary(v, y, radius) {
                    assert_eq!(
                        narrow_f16(v, lo),
                        narrow_f16(v, hi),
                        "f16 {b:#x} r={radius}"
                    );
                }
                if !near_bf16_boundary(v, y, radius) {
                    assert_eq!(
                        narrow_bf16(v, lo) >> 16,
                        narrow_bf16(v, hi) >> 16,
                        "bf16 {b:#x} r={radius}"
                    );
                }
            }
        }
    }
}
