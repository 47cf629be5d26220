//! A thin, inlined wrapper over `pulp::Simd` that reads like scalar code.
//!
//! Every kernel is written once against [`V`]; NaN handling never relies on `min`/`max`
//! (whose NaN rules differ between x86 and NEON), only on compares and selects, so every
//! instruction set produces the same bits.

use pulp::Simd;

/// A vector of f32 lanes for the instruction set `S`.
pub(crate) type F<S> = <S as Simd>::f32s;
/// A lane mask for the instruction set `S`.
pub(crate) type M<S> = <S as Simd>::m32s;
/// A vector of u32 lanes for the instruction set `S`.
pub(crate) type U<S> = <S as Simd>::u32s;

/// Instruction-set token with arithmetic helpers.
#[derive(Clone, Copy, Debug)]
pub(crate) struct V<S: Simd>(pub S);

#[allow(dead_code)]
impl<S: Simd> V<S> {
    #[inline(always)]
    pub fn splat(self, v: f32) -> F<S> {
        self.0.splat_f32s(v)
    }
    #[inline(always)]
    pub fn add(self, a: F<S>, b: F<S>) -> F<S> {
        self.0.add_f32s(a, b)
    }
    #[inline(always)]
    pub fn sub(self, a: F<S>, b: F<S>) -> F<S> {
        self.0.sub_f32s(a, b)
    }
    #[inline(always)]
    pub fn mul(self, a: F<S>, b: F<S>) -> F<S> {
        self.0.mul_f32s(a, b)
    }
    #[inline(always)]
    pub fn div(self, a: F<S>, b: F<S>) -> F<S> {
        self.0.div_f32s(a, b)
    }
    #[inline(always)]
    pub fn sqrt(self, a: F<S>) -> F<S> {
        self.0.sqrt_f32s(a)
    }
    /// `a * b + c`, rounded once.
    #[inline(always)]
    pub fn fma(self, a: F<S>, b: F<S>, c: F<S>) -> F<S> {
        self.0.mul_add_f32s(a, b, c)
    }
    /// `c - a * b`, rounded once.
    #[inline(always)]
    pub fn fnma(self, a: F<S>, b: F<S>, c: F<S>) -> F<S> {
        self.0.mul_add_f32s(self.neg(a), b, c)
    }
    #[inline(always)]
    pub fn neg(self, a: F<S>) -> F<S> {
        self.0.xor_f32s(a, self.0.splat_f32s(-0.0))
    }
    #[inline(always)]
    pub fn abs(self, a: F<S>) -> F<S> {
        self.0.abs_f32s(a)
    }
    /// The sign bit of `a` alone (`-0.0` or `+0.0` per lane).
    #[inline(always)]
    pub fn sign_bit(self, a: F<S>) -> F<S> {
        self.0.and_f32s(a, self.0.splat_f32s(-0.0))
    }
    /// `a` with its sign bit flipped where `sign` has it set.
    #[inline(always)]
    pub fn xor_sign(self, a: F<S>, sign: F<S>) -> F<S> {
        self.0.xor_f32s(a, self.sign_bit(sign))
    }
    /// `|a|` with the sign of `sign`.
    #[inline(always)]
    pub fn copysign(self, a: F<S>, sign: F<S>) -> F<S> {
        self.0.or_f32s(self.abs(a), self.sign_bit(sign))
    }
    #[inline(always)]
    pub fn lt(self, a: F<S>, b: F<S>) -> M<S> {
        self.0.less_than_f32s(a, b)
    }
    #[inline(always)]
    pub fn le(self, a: F<S>, b: F<S>) -> M<S> {
        self.0.less_than_or_equal_f32s(a, b)
    }
    #[inline(always)]
    pub fn gt(self, a: F<S>, b: F<S>) -> M<S> {
        self.0.greater_than_f32s(a, b)
    }
    #[inline(always)]
    pub fn ge(self, a: F<S>, b: F<S>) -> M<S> {
        self.0.greater_than_or_equal_f32s(a, b)
    }
    #[inline(always)]
    pub fn eq(self, a: F<S>, b: F<S>) -> M<S> {
        self.0.equal_f32s(a, b)
    }
    /// Lanes holding NaN.
    #[inline(always)]
    pub fn is_nan(self, a: F<S>) -> M<S> {
        self.0.not_m32s(self.0.equal_f32s(a, a))
    }
    #[inline(always)]
    pub fn and_m(self, a: M<S>, b: M<S>) -> M<S> {
        self.0.and_m32s(a, b)
    }
    #[inline(always)]
    pub fn or_m(self, a: M<S>, b: M<S>) -> M<S> {
        self.0.or_m32s(a, b)
    }
    #[inline(always)]
    pub fn not_m(self, a: M<S>) -> M<S> {
        self.0.not_m32s(a)
    }
    /// `m ? a : b` per lane.
    #[inline(always)]
    pub fn sel(self, m: M<S>, a: F<S>, b: F<S>) -> F<S> {
        self.0.select_f32s(m, a, b)
    }
    /// Whether every lane of `m` is set.
    #[inline(always)]
    pub fn all(self, m: M<S>) -> bool {
        !self.any(self.0.not_m32s(m))
    }
    /// Whether any lane of `m` is set.
    #[inline(always)]
    pub fn any(self, m: M<S>) -> bool {
        self.0.first_true_m32s(m) < S::F32_LANES
    }
    #[inline(always)]
    pub fn bits(self, a: F<S>) -> U<S> {
        self.0.transmute_u32s_f32s(a)
    }
    #[inline(always)]
    pub fn to_f32(self, a: U<S>) -> F<S> {
        self.0.transmute_f32s_u32s(a)
    }
    #[inline(always)]
    pub fn splat_u(self, v: u32) -> U<S> {
        self.0.splat_u32s(v)
    }
    #[inline(always)]
    pub fn add_u(self, a: U<S>, b: U<S>) -> U<S> {
        self.0.add_u32s(a, b)
    }
    #[inline(always)]
    pub fn sub_u(self, a: U<S>, b: U<S>) -> U<S> {
        self.0.sub_u32s(a, b)
    }
    #[inline(always)]
    pub fn and_u(self, a: U<S>, b: U<S>) -> U<S> {
        self.0.and_u32s(a, b)
    }
    #[inline(always)]
    pub fn or_u(self, a: U<S>, b: U<S>) -> U<S> {
        self.0.or_u32s(a, b)
    }
    #[inline(always)]
    pub fn shl(self, a: U<S>, amount: u32) -> U<S> {
        self.0.wrapping_dyn_shl_u32s(a, self.0.splat_u32s(amount))
    }
    #[inline(always)]
    pub fn shr(self, a: U<S>, amount: u32) -> U<S> {
        self.0.wrapping_dyn_shr_u32s(a, self.0.splat_u32s(amount))
    }
    #[inline(always)]
    pub fn eq_u(self, a: U<S>, b: U<S>) -> M<S> {
        self.0.equal_u32s(a, b)
    }
    /// Horner evaluation of `c[0] + x*(c[1] + x*(...))`, one fma per coefficient.
    #[inline(always)]
    pub fn poly(self, x: F<S>, c: &[f32]) -> F<S> {
        let n = c.len();
        let mut acc = self.splat(c[n - 1]);
        let mut i = n - 1;
        while i > 0 {
            i -= 1;
            acc = self.fma(acc, x, self.splat(c[i]));
        }
        acc
    }
    /// Estrin evaluation of `c[0] + x*(c[1] + x*(...))` (at most 16 terms): pairs
    /// `c[i] + c[i+1]·x`, then pairs of those with `x²`, of those with `x⁴`, …, so the
    /// dependency chain grows with log2 of the degree instead of the degree (a few more
    /// multiplies than [`V::poly`]). `gpu::prelude`'s `estrin_*` functions build the same tree.
    /// Straight-line code: every test below is on the constant `N`.
    #[inline(always)]
    pub fn poly_estrin<const N: usize>(self, x: F<S>, c: &[f32; N]) -> F<S> {
        const { assert!(N >= 1 && N <= 16) };
        let n0 = N.div_ceil(2);
        let t = [
            self.estrin_pair(x, c, 0),
            self.estrin_pair(x, c, 2),
            self.estrin_pair(x, c, 4),
            self.estrin_pair(x, c, 6),
            self.estrin_pair(x, c, 8),
            self.estrin_pair(x, c, 10),
            self.estrin_pair(x, c, 12),
            self.estrin_pair(x, c, 14),
        ];
        if n0 == 1 {
            return t[0];
        }
        let x2 = self.mul(x, x);
        let u = [
            self.estrin_join(t[0], t[1], x2, n0 > 1),
            self.estrin_join(t[2], t[3], x2, n0 > 3),
            self.estrin_join(t[4], t[5], x2, n0 > 5),
            self.estrin_join(t[6], t[7], x2, n0 > 7),
        ];
        let n1 = n0.div_ceil(2);
        if n1 == 1 {
            return u[0];
        }
        let x4 = self.mul(x2, x2);
        let w0 = self.estrin_join(u[0], u[1], x4, n1 > 1);
        let w1 = self.estrin_join(u[2], u[3], x4, n1 > 3);
        if n1.div_ceil(2) == 1 {
            return w0;
        }
        let x8 = self.mul(x4, x4);
        self.fma(w1, x8, w0)
    }
    /// [`V::poly_estrin`]'s first level: `c[i] + c[i+1]·x`, `c[i]` alone at the end, 0 past it.
    #[inline(always)]
    fn estrin_pair(self, x: F<S>, c: &[f32], i: usize) -> F<S> {
        if i + 1 < c.len() {
            self.fma(self.splat(c[i + 1]), x, self.splat(c[i]))
        } else if i < c.len() {
            self.splat(c[i])
        } else {
            self.splat(0.0)
        }
    }
    /// `lo + hi·p`, or `lo` alone where there is no `hi`.
    #[inline(always)]
    fn estrin_join(self, lo: F<S>, hi: F<S>, p: F<S>, has_hi: bool) -> F<S> {
        if has_hi { self.fma(hi, p, lo) } else { lo }
    }
    /// The AVX-512 token, when `S` is it (a type test the compiler folds away).
    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    pub fn as_v4(self) -> Option<pulp::x86::V4> {
        (&self.0 as &dyn core::any::Any)
            .downcast_ref::<pulp::x86::V4>()
            .copied()
    }
    /// `y · 2^n` with AVX-512's `vscalefps` (`n` integral), rounded once; `None` on other
    /// instruction sets, whose callers compute the same value with two exact steps.
    #[inline(always)]
    pub fn scalef_native(self, y: F<S>, n: F<S>) -> Option<F<S>> {
        #[cfg(target_arch = "x86_64")]
        if let Some(v4) = self.as_v4() {
            let r = v4
                .avx512f
                ._mm512_scalef_ps(bytemuck::cast(y), bytemuck::cast(n));
            return Some(bytemuck::cast(r));
        }
        let _ = (y, n);
        None
    }
    /// `(hi, lo)` with `hi + lo == a * b` exactly.
    #[inline(always)]
    pub fn two_prod(self, a: F<S>, b: F<S>) -> (F<S>, F<S>) {
        let hi = self.mul(a, b);
        (hi, self.fma(a, b, self.neg(hi)))
    }
    /// `(hi, lo)` with `hi + lo == a + b` exactly, for `|a| >= |b|` (or `a` of larger exponent).
    #[inline(always)]
    pub fn fast_two_sum(self, a: F<S>, b: F<S>) -> (F<S>, F<S>) {
        let hi = self.add(a, b);
        (hi, self.sub(b, self.sub(hi, a)))
    }
}
