//! f16 arithmetic (AVX512-FP16) for the functions whose f16 result is one IEEE operation on
//! f16 operands — a product, a difference, a fused multiply-add — kept or replaced by
//! constants according to comparisons.
//!
//! IEEE rounds that one operation once, so its result is the correctly rounded value: the
//! bits the widen–kernel–narrow path gives, NaN inputs quieted as the widening quiets them
//! (each NaN lane goes through an arithmetic instruction). It runs on 32 f16 lanes a register
//! with no conversion, where the conversion path runs 16 f32 lanes and converts twice. The
//! FP16 instructions ignore MXCSR's DAZ and FTZ, so subnormal inputs and results are kept, at
//! full speed.
//!
//! Stable Rust has no FP16 intrinsics (they need the unstable `f16` type), so each FP16
//! instruction is an `asm!` of one instruction on 512-bit registers; loads, stores and
//! constants use the stable AVX-512 intrinsics. The path is taken only when the active
//! instruction set is avx512 and the processor has AVX512-FP16; elsewhere the conversion
//! path gives the same bits.

/// An elementwise function as f16 arithmetic (the parameter, where there is one, as f16
/// bits).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Arith {
    /// relu: `x·1` where `!(x ≤ 0)` (NaN included, so quieted), +0 elsewhere.
    Relu,
    /// relu2: `x·x` where `!(x ≤ 0)`, +0 elsewhere.
    Relu2,
    /// sparse_sigmoid, `0.5·clip(x + 1, 0, 2)`: `min(1, max(0, fma(x, 0.5, 0.5)))`, NaN
    /// carried by the fma (the clamps return a NaN operand).
    SparseSigmoid,
    /// leaky_relu with a nonzero f16 slope: `x` where `x ≥ 0`, `x·slope` elsewhere (NaN
    /// included).
    Leaky(u16),
    /// soft_shrink with an f16 λ ≥ +0: `x − copysign(λ, x)` where `|x| > λ`, +0 elsewhere
    /// (NaN included).
    Shrink(u16),
}

impl Arith {
    /// leaky_relu's form, for a slope that f16 holds exactly, other than zero and NaN
    /// (whose kernels make a canonical NaN from −inf·0 or the slope).
    pub(crate) fn leaky(slope: f32) -> Option<Arith> {
        f16_bits(slope).filter(|_| slope != 0.0).map(Arith::Leaky)
    }

    /// soft_shrink's form, for a λ ≥ +0 that f16 holds exactly (a negative λ, −0 included,
    /// reaches the kernel's zero test and sign rule, which the conversion path keeps).
    pub(crate) fn shrink(lambda: f32) -> Option<Arith> {
        f16_bits(lambda)
            .filter(|_| lambda.is_sign_positive())
            .map(Arith::Shrink)
    }
}

/// The f16 bits of `c` when f16 holds it exactly (not NaN).
fn f16_bits(c: f32) -> Option<u16> {
    let h = half::f16::from_f32(c);
    (!c.is_nan() && h.to_f32() == c).then_some(h.to_bits())
}

/// `out[i] = op(x[i])` on AVX512-FP16 when the active instruction set is avx512 and the
/// processor has it: returns whether it ran (nothing is written otherwise). Equal lengths.
pub(crate) fn map(op: Arith, x: &[u16], out: &mut [u16]) -> bool {
    debug_assert_eq!(x.len(), out.len());
    run(op, Some(x), out)
}

/// `x[i] = op(x[i])`, as [`map`].
pub(crate) fn map_inplace(op: Arith, x: &mut [u16]) -> bool {
    run(op, None, x)
}

/// PReLU with a slope per element, `out[i] = x[i] ≥ 0 ? x[i] : x[i]·a[i]` with every NaN
/// result the canonical one (as the kernel makes it), on AVX512-FP16 as [`map`] (equal
/// lengths). Every f16 slope is an f16 number, so the product is always one operation.
pub(crate) fn prelu(x: &[u16], a: &[u16], out: &mut [u16]) -> bool {
    debug_assert!(x.len() == a.len() && x.len() == out.len());
    #[cfg(target_arch = "x86_64")]
    if active() {
        // SAFETY: as in `run`.
        unsafe { x86::prelu(x, a, out) };
        return true;
    }
    false
}

/// Whether calls on this thread take the f16 arithmetic ([`crate::Isa::f16_arithmetic`] of
/// the active level).
pub(crate) fn active() -> bool {
    crate::isa::active_isa().f16_arithmetic()
}

#[cfg(not(target_arch = "x86_64"))]
fn run(_: Arith, _: Option<&[u16]>, _: &mut [u16]) -> bool {
    false
}

#[cfg(target_arch = "x86_64")]
fn run(op: Arith, x: Option<&[u16]>, out: &mut [u16]) -> bool {
    if !active() {
        return false;
    }
    // SAFETY: the processor has AVX512-FP16 (checked just above), and with it the AVX-512
    // foundation and byte/word instructions (avx512 is active).
    unsafe { x86::run(op, x, out) };
    true
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::Arith;
    use core::arch::asm;
    use core::arch::x86_64::{
        __m512i, _mm512_and_si512, _mm512_mask_blend_epi16, _mm512_or_si512, _mm512_set1_epi16,
    };

    /// f16 lanes per register.
    const LANES: usize = 32;

    /// `vcmpph` predicates (quiet: no exception for a quiet NaN).
    const NLE_UQ: i32 = 0x16; // !(a ≤ b): a > b or unordered
    const NGE_UQ: i32 = 0x19; // !(a ≥ b): a < b or unordered
    const GT_OQ: i32 = 0x1e; // a > b, ordered
    const UNORD_Q: i32 = 0x03; // a or b is NaN

    /// f16 bits of constants.
    const ONE: i16 = 0x3c00;
    const HALF: i16 = 0x3800;
    const SIGN: i16 = i16::MIN; // 0x8000
    const MAGNITUDE: i16 = i16::MAX; // 0x7fff
    /// f32's NaN rounded to f16, the kernels' canonical NaN.
    const NAN: i16 = 0x7e00;

    /// The lane mask of `a <P> b` (predicate `P`).
    macro_rules! cmp {
        ($p:expr, $a:expr, $b:expr) => {{
            let (a, b): (__m512i, __m512i) = ($a, $b);
            let k: u32;
            // SAFETY: register-only instruction (AVX512-FP16, enabled on the function).
            unsafe {
                asm!("vcmpph {k}, {a}, {b}, {p}", k = lateout(kreg) k, a = in(zmm_reg) a,
                    b = in(zmm_reg) b, p = const $p, options(pure, nomem, nostack));
            }
            k
        }};
    }

    /// `ins a, b` in lanes where `k` is set, +0 elsewhere (zero-masking).
    macro_rules! zmasked {
        ($ins:literal, $k:expr, $a:expr, $b:expr) => {{
            let (k, a, b): (u32, __m512i, __m512i) = ($k, $a, $b);
            let r: __m512i;
            // SAFETY: register-only instruction (AVX512-FP16, enabled on the function).
            unsafe {
                asm!(concat!($ins, " {r}{{{k}}}{{z}}, {a}, {b}"), r = lateout(zmm_reg) r,
                    k = in(kreg) k, a = in(zmm_reg) a, b = in(zmm_reg) b,
                    options(pure, nomem, nostack));
            }
            r
        }};
    }

    /// `ins a, b` in lanes where `k` is set, `src` elsewhere (merge-masking).
    macro_rules! merged {
        ($ins:literal, $src:expr, $k:expr, $a:expr, $b:expr) => {{
            let (mut r, k, a, b): (__m512i, u32, __m512i, __m512i) = ($src, $k, $a, $b);
            // SAFETY: register-only instruction (AVX512-FP16, enabled on the function).
            unsafe {
                asm!(concat!($ins, " {r}{{{k}}}, {a}, {b}"), r = inout(zmm_reg) r,
                    k = in(kreg) k, a = in(zmm_reg) a, b = in(zmm_reg) b,
                    options(pure, nomem, nostack));
            }
            r
        }};
    }

    /// `ins a, b` in every lane (`vmaxph`/`vminph`: `a` if it is the greater / smaller, else
    /// `b`, so a NaN `b` is returned).
    macro_rules! plain {
        ($ins:literal, $a:expr, $b:expr) => {{
            let (a, b): (__m512i, __m512i) = ($a, $b);
            let r: __m512i;
            // SAFETY: register-only instruction (AVX512-FP16, enabled on the function).
            unsafe {
                asm!(concat!($ins, " {r}, {a}, {b}"), r = lateout(zmm_reg) r,
                    a = in(zmm_reg) a, b = in(zmm_reg) b, options(pure, nomem, nostack));
            }
            r
        }};
    }

    /// `a·x + b` rounded once in every lane.
    macro_rules! fma {
        ($x:expr, $a:expr, $b:expr) => {{
            let (mut r, a, b): (__m512i, __m512i, __m512i) = ($x, $a, $b);
            // SAFETY: register-only instruction (AVX512-FP16, enabled on the function).
            unsafe {
                asm!("vfmadd213ph {r}, {a}, {b}", r = inout(zmm_reg) r, a = in(zmm_reg) a,
                    b = in(zmm_reg) b, options(pure, nomem, nostack));
            }
            r
        }};
    }

    /// `v = f(v)` over every whole register of `x` (or of `out`, in place) into `out`, then
    /// the last elements through a zero-padded stack buffer.
    macro_rules! sweep {
        ($x:expr, $out:expr, |$v:ident| $body:expr) => {{
            let f = |$v: __m512i| -> __m512i { $body };
            let out: &mut [u16] = $out;
            let (whole, tail) = match $x {
                Some(x) => {
                    let (xs, xt) = x.as_chunks::<LANES>();
                    let (os, _) = out.as_chunks_mut::<LANES>();
                    for (o, x) in os.iter_mut().zip(xs) {
                        *o = bytemuck::cast(f(bytemuck::cast(*x)));
                    }
                    (xs.len() * LANES, xt)
                }
                None => {
                    let (os, _) = out.as_chunks_mut::<LANES>();
                    for o in os.iter_mut() {
                        *o = bytemuck::cast(f(bytemuck::cast(*o)));
                    }
                    (os.len() * LANES, &[][..])
                }
            };
            if whole < out.len() {
                let mut b = [0u16; LANES];
                let n = out.len() - whole;
                b[..n].copy_from_slice(if $x.is_some() { tail } else { &out[whole..] });
                let y: [u16; LANES] = bytemuck::cast(f(bytemuck::cast(b)));
                out[whole..].copy_from_slice(&y[..n]);
            }
        }};
    }

    /// `op` over `x` into `out`, or over `out` in place when `x` is `None` (equal lengths).
    ///
    /// # Safety
    /// The processor must have AVX512-F, AVX512-BW and AVX512-FP16.
    #[target_feature(enable = "avx512f,avx512bw,avx512fp16")]
    pub(super) unsafe fn run(op: Arith, x: Option<&[u16]>, out: &mut [u16]) {
        let c = |bits: i16| _mm512_set1_epi16(bits);
        let (zero, one, half) = (c(0), c(ONE), c(HALF));
        match op {
            Arith::Relu => sweep!(x, out, |v| zmasked!(
                "vmulph",
                cmp!(NLE_UQ, v, zero),
                v,
                one
            )),
            Arith::Relu2 => sweep!(x, out, |v| zmasked!("vmulph", cmp!(NLE_UQ, v, zero), v, v)),
            Arith::SparseSigmoid => sweep!(x, out, |v| {
                let y = fma!(v, half, half);
                plain!("vminph", one, plain!("vmaxph", zero, y))
            }),
            Arith::Leaky(slope) => {
                let slope = c(slope as i16);
                sweep!(x, out, |v| merged!(
                    "vmulph",
                    v,
                    cmp!(NGE_UQ, v, zero),
                    v,
                    slope
                ))
            }
            Arith::Shrink(lambda) => {
                let lambda = c(lambda as i16);
                let (sign, magnitude) = (c(SIGN), c(MAGNITUDE));
                sweep!(x, out, |v| {
                    let outside = cmp!(GT_OQ, _mm512_and_si512(v, magnitude), lambda);
                    let signed = _mm512_or_si512(_mm512_and_si512(v, sign), lambda);
                    zmasked!("vsubph", outside, v, signed)
                })
            }
        }
    }

    /// [`super::prelu`]: `x·a` below zero (NaN included), `x` elsewhere, NaN results made
    /// canonical.
    ///
    /// # Safety
    /// As [`run`].
    #[target_feature(enable = "avx512f,avx512bw,avx512fp16")]
    pub(super) unsafe fn prelu(x: &[u16], a: &[u16], out: &mut [u16]) {
        let (zero, nan) = (_mm512_set1_epi16(0), _mm512_set1_epi16(NAN));
        let f = |v: __m512i, a: __m512i| -> __m512i {
            let y = merged!("vmulph", v, cmp!(NGE_UQ, v, zero), v, a);
            _mm512_mask_blend_epi16(cmp!(UNORD_Q, y, y), y, nan)
        };
        let (xs, xt) = x.as_chunks::<LANES>();
        let (as_, at) = a.as_chunks::<LANES>();
        let (os, ot) = out.as_chunks_mut::<LANES>();
        for ((o, x), a) in os.iter_mut().zip(xs).zip(as_) {
            *o = bytemuck::cast(f(bytemuck::cast(*x), bytemuck::cast(*a)));
        }
        if !ot.is_empty() {
            let (mut bx, mut ba) = ([0u16; LANES], [0u16; LANES]);
            bx[..xt.len()].copy_from_slice(xt);
            ba[..at.len()].copy_from_slice(at);
            let y: [u16; LANES] = bytemuck::cast(f(bytemuck::cast(bx), bytemuck::cast(ba)));
            ot.copy_from_slice(&y[..ot.len()]);
        }
    }
}

/// White-box checks, run by `tests/internals.rs` through [`crate::self_check`].
pub(crate) mod checks {
    use super::*;
    use crate::convert::{
        F16Bits, map as convert_map, map_inplace as convert_map_inplace, map2 as convert_map2,
    };
    use crate::driver::{Exact, Kernel, radius};
    use crate::isa::{Isa, with_isa};
    use crate::ops::kernels::{LeakyRelu, Prelu, Relu, Relu2, SoftShrink, SparseSigmoid};

    /// The f16 arithmetic equals the conversion path (with its near-midpoint test) on all
    /// 65,536 inputs, out of place and in place, at every length 0..=70 from three offsets,
    /// for parameters that f16 holds (signs, subnormals, infinities) — and the kernels
    /// claim no form for the others; PReLU's with every slope. On a processor without AVX512-FP16 only the latter
    /// part runs.
    pub fn agrees_with_conversions() {
        let slopes = [
            0.01,
            0.25,
            -0.5,
            3.0,
            1e-7,
            65504.0,
            -f32::INFINITY,
            0.0,
            -0.0,
        ];
        let lambdas = [
            0.5,
            0.0,
            1.5,
            5.96e-8,
            0.1,
            65504.0,
            f32::INFINITY,
            -0.0,
            -0.25,
        ];
        for s in slopes {
            let k = LeakyRelu { slope: s };
            let expected = f16_bits(s).is_some() && s != 0.0;
            assert_eq!(k.f16_arith().is_some(), expected, "leaky_relu {s}");
            agrees::<_, { radius("leaky_relu") }>("leaky_relu", &[s], k);
        }
        for l in lambdas {
            let k = SoftShrink { lambda: l };
            let expected = f16_bits(l).is_some() && l.is_sign_positive();
            assert_eq!(k.f16_arith().is_some(), expected, "soft_shrink {l}");
            agrees::<_, { radius("soft_shrink") }>("soft_shrink", &[l], k);
        }
        prelu_agrees();
        agrees::<_, { radius("relu") }>("relu", &[], Relu {});
        agrees::<_, { radius("relu2") }>("relu2", &[], Relu2 {});
        agrees::<_, { radius("sparse_sigmoid") }>("sparse_sigmoid", &[], SparseSigmoid {});
    }

    /// PReLU's f16 arithmetic against its conversion path: every input with every slope
    /// once (a permutation), every input with special slopes (zeros, NaN, infinities, a
    /// subnormal, 1), and every length 0..=70 from three offsets.
    fn prelu_agrees() {
        let exact = Exact {
            name: "leaky_relu",
            params: &[],
            slope: true,
        };
        let _ = with_isa(Isa::Avx512, || {
            if !active() {
                return;
            }
            let all = 0..=u16::MAX;
            let x: Vec<u16> = all.clone().chain(0..37).collect();
            let mut slopes: Vec<Vec<u16>> =
                vec![x.iter().map(|&i| i.wrapping_mul(40_503)).collect()];
            for special in [
                0x0000, 0x8000, 0x7e00, 0x7c01, 0x7c00, 0xfc00, 0x0001, 0x3c00,
            ] {
                slopes.push(vec![special; x.len()]);
            }
            for a in &slopes {
                let mut want = vec![0u16; x.len()];
                convert_map2::<Prelu, F16Bits, { radius("leaky_relu") }>(
                    &exact, Prelu, &x, a, &mut want,
                );
                let mut got = vec![0u16; x.len()];
                assert!(super::prelu(&x, a, &mut got));
                for i in 0..x.len() {
                    assert_eq!(
                        want[i], got[i],
                        "prelu: input {:#06x} slope {:#06x}: conversions {:#06x}, f16 arithmetic {:#06x}",
                        x[i], a[i], want[i], got[i]
                    );
                }
            }
            let a = &slopes[0];
            for n in 0..=70 {
                for off in [0, 1, 3] {
                    let (xs, as_) = (&x[0xb900 + off..][..n], &a[0xb900 + off..][..n]);
                    let mut want = vec![0u16; n];
                    convert_map2::<Prelu, F16Bits, { radius("leaky_relu") }>(
                        &exact, Prelu, xs, as_, &mut want,
                    );
                    let mut got = vec![0xdead; n + 2];
                    assert!(super::prelu(xs, as_, &mut got[1..n + 1]));
                    assert_eq!(&got[1..n + 1], &want[..], "prelu n={n} off={off}");
                    assert_eq!(
                        (got[0], got[n + 1]),
                        (0xdead, 0xdead),
                        "prelu wrote outside"
                    );
                }
            }
        });
    }

    /// One kernel's f16 arithmetic against its conversion path, on avx512 (where both run).
    fn agrees<K: Kernel + core::fmt::Debug, const R: u32>(name: &'static str, p: &[f32], k: K) {
        let Some(op) = k.f16_arith() else { return };
        let exact = Exact {
            name,
            params: p,
            slope: false,
        };
        // Without AVX-512 `with_isa` declines, without its FP16 part `active` is false:
        // there is nothing to compare then.
        let _ = with_isa(Isa::Avx512, || {
            if !active() {
                return;
            }
            let x: Vec<u16> = (0..=u16::MAX).chain(0..37).collect();
            let mut want = vec![0u16; x.len()];
            convert_map::<K, F16Bits, R>(&exact, k, &x, &mut want);
            let mut got = vec![0u16; x.len()];
            assert!(map(op, &x, &mut got));
            let mut inplace = x.clone();
            assert!(map_inplace(op, &mut inplace));
            for (i, (&w, (&g, &p))) in want.iter().zip(got.iter().zip(&inplace)).enumerate() {
                assert!(
                    w == g && w == p,
                    "{k:?}: input {:#06x}: conversions {w:#06x}, f16 arithmetic {g:#06x}, in place {p:#06x}",
                    x[i]
                );
            }
            for n in 0..=70 {
                for off in [0, 1, 3] {
                    let xs = &x[0x3a00 + off..0x3a00 + off + n];
                    let mut a = vec![0xdead; n + 2];
                    assert!(map(op, xs, &mut a[1..n + 1]));
                    let mut b = xs.to_vec();
                    convert_map_inplace::<K, F16Bits, R>(&exact, k, &mut b);
                    let mut c = xs.to_vec();
                    assert!(map_inplace(op, &mut c));
                    assert_eq!(&a[1..n + 1], &b[..], "{k:?} n={n} off={off}");
                    assert_eq!(c, b, "{k:?} in place, n={n} off={off}");
                    assert_eq!((a[0], a[n + 1]), (0xdead, 0xdead), "{k:?} wrote outside");
                }
            }
        });
    }
}
