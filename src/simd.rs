//! A thin, inlined wrapper over `pulp::Simd` that reads like scalar code.
//!
//! Every kernel is written once against [`V`]; NaN handling never relies on `min`/`max`
//! (whose NaN rules differ between x86 and NEON), only on compares and selects, so every
//! instruction set produces the same bits.
//!
//! [`V`] runs over [`Lanes`]: any `pulp::Simd` token (one register of lanes), or [`Pair`]
//! of one, which carries two registers and issues every operation on both, side by side.
//! A kernel's dependency chain (a few dozen operations of 3–4 cycles each) is far longer
//! than the distance between independent operations the core's scheduler can see ahead in
//! one vector's code; the pair puts two independent chains next to each other in program
//! order, so the pipes stay busy. Each lane computes exactly what it would alone.

use pulp::Simd;

/// A vector of f32 lanes for the lane set `S`.
pub(crate) type F<S> = <S as Lanes>::F;
/// A lane mask for the lane set `S`.
pub(crate) type M<S> = <S as Lanes>::M;
/// A vector of u32 lanes for the lane set `S`.
pub(crate) type U<S> = <S as Lanes>::U;

/// The lane operations [`V`] builds on: one register of a `pulp::Simd` token, or a
/// [`Pair`] of them.
pub(crate) trait Lanes: Copy + 'static {
    type F: Copy;
    type M: Copy;
    type U: Copy;
    fn splat(self, v: f32) -> Self::F;
    fn add(self, a: Self::F, b: Self::F) -> Self::F;
    fn sub(self, a: Self::F, b: Self::F) -> Self::F;
    fn mul(self, a: Self::F, b: Self::F) -> Self::F;
    fn div(self, a: Self::F, b: Self::F) -> Self::F;
    fn sqrt(self, a: Self::F) -> Self::F;
    /// `a * b + c`, rounded once.
    fn fma(self, a: Self::F, b: Self::F, c: Self::F) -> Self::F;
    fn abs(self, a: Self::F) -> Self::F;
    fn and(self, a: Self::F, b: Self::F) -> Self::F;
    fn or(self, a: Self::F, b: Self::F) -> Self::F;
    fn xor(self, a: Self::F, b: Self::F) -> Self::F;
    fn lt(self, a: Self::F, b: Self::F) -> Self::M;
    fn le(self, a: Self::F, b: Self::F) -> Self::M;
    fn gt(self, a: Self::F, b: Self::F) -> Self::M;
    fn ge(self, a: Self::F, b: Self::F) -> Self::M;
    fn eq(self, a: Self::F, b: Self::F) -> Self::M;
    fn and_m(self, a: Self::M, b: Self::M) -> Self::M;
    fn or_m(self, a: Self::M, b: Self::M) -> Self::M;
    fn not_m(self, a: Self::M) -> Self::M;
    /// `m ? a : b` per lane.
    fn sel(self, m: Self::M, a: Self::F, b: Self::F) -> Self::F;
    /// Whether any lane of `m` is set.
    fn any(self, m: Self::M) -> bool;
    fn bits(self, a: Self::F) -> Self::U;
    fn to_f32(self, a: Self::U) -> Self::F;
    fn splat_u(self, v: u32) -> Self::U;
    fn add_u(self, a: Self::U, b: Self::U) -> Self::U;
    fn sub_u(self, a: Self::U, b: Self::U) -> Self::U;
    fn and_u(self, a: Self::U, b: Self::U) -> Self::U;
    fn or_u(self, a: Self::U, b: Self::U) -> Self::U;
    fn shl(self, a: Self::U, amount: u32) -> Self::U;
    fn shr(self, a: Self::U, amount: u32) -> Self::U;
    fn eq_u(self, a: Self::U, b: Self::U) -> Self::M;
    /// `y · 2^n` with AVX-512's `vscalefps` (`n` integral), rounded once; `None` on other
    /// instruction sets, whose callers compute the same value with two exact steps.
    fn scalef_native(self, y: Self::F, n: Self::F) -> Option<Self::F>;
    /// `a > b ? a : b` per lane (`b` where either is NaN, and where both are zeros): one
    /// `vmaxps` on x86, whose operand order gives exactly these results; a compare and a
    /// select elsewhere.
    fn larger(self, a: Self::F, b: Self::F) -> Self::F;
    /// `a < b ? a : b` per lane (`b` where either is NaN, and where both are zeros): one
    /// `vminps` on x86, a compare and a select elsewhere.
    fn smaller(self, a: Self::F, b: Self::F) -> Self::F;
}

/// [`Lanes::larger`] / [`Lanes::smaller`]: the x86 instruction (`vmaxps` / `vminps`, whose
/// operand order gives `cmp(a, b) ? a : b`, NaN and zeros included) where the token has
/// it, a compare and a select elsewhere.
macro_rules! min_max {
    ($s:ident, $a:ident, $b:ident, $m512:ident, $m256:ident, $cmp:ident) => {{
        #[cfg(target_arch = "x86_64")]
        {
            let any = &$s as &dyn core::any::Any;
            if let Some(v4) = any.downcast_ref::<pulp::x86::V4>() {
                let r = v4.avx512f.$m512(bytemuck::cast($a), bytemuck::cast($b));
                return bytemuck::cast(r);
            }
            if let Some(v3) = any.downcast_ref::<pulp::x86::V3>() {
                let r = v3.avx.$m256(bytemuck::cast($a), bytemuck::cast($b));
                return bytemuck::cast(r);
            }
        }
        $s.select_f32s($s.$cmp($a, $b), $a, $b)
    }};
}

impl<S: Simd> Lanes for S {
    type F = S::f32s;
    type M = S::m32s;
    type U = S::u32s;
    #[inline(always)]
    fn splat(self, v: f32) -> Self::F {
        self.splat_f32s(v)
    }
    #[inline(always)]
    fn add(self, a: Self::F, b: Self::F) -> Self::F {
        self.add_f32s(a, b)
    }
    #[inline(always)]
    fn sub(self, a: Self::F, b: Self::F) -> Self::F {
        self.sub_f32s(a, b)
    }
    #[inline(always)]
    fn mul(self, a: Self::F, b: Self::F) -> Self::F {
        self.mul_f32s(a, b)
    }
    #[inline(always)]
    fn div(self, a: Self::F, b: Self::F) -> Self::F {
        self.div_f32s(a, b)
    }
    #[inline(always)]
    fn sqrt(self, a: Self::F) -> Self::F {
        self.sqrt_f32s(a)
    }
    #[inline(always)]
    fn fma(self, a: Self::F, b: Self::F, c: Self::F) -> Self::F {
        self.mul_add_f32s(a, b, c)
    }
    #[inline(always)]
    fn abs(self, a: Self::F) -> Self::F {
        self.abs_f32s(a)
    }
    #[inline(always)]
    fn and(self, a: Self::F, b: Self::F) -> Self::F {
        self.and_f32s(a, b)
    }
    #[inline(always)]
    fn or(self, a: Self::F, b: Self::F) -> Self::F {
        self.or_f32s(a, b)
    }
    #[inline(always)]
    fn xor(self, a: Self::F, b: Self::F) -> Self::F {
        self.xor_f32s(a, b)
    }
    #[inline(always)]
    fn lt(self, a: Self::F, b: Self::F) -> Self::M {
        self.less_than_f32s(a, b)
    }
    #[inline(always)]
    fn le(self, a: Self::F, b: Self::F) -> Self::M {
        self.less_than_or_equal_f32s(a, b)
    }
    #[inline(always)]
    fn gt(self, a: Self::F, b: Self::F) -> Self::M {
        self.greater_than_f32s(a, b)
    }
    #[inline(always)]
    fn ge(self, a: Self::F, b: Self::F) -> Self::M {
        self.greater_than_or_equal_f32s(a, b)
    }
    #[inline(always)]
    fn eq(self, a: Self::F, b: Self::F) -> Self::M {
        self.equal_f32s(a, b)
    }
    #[inline(always)]
    fn and_m(self, a: Self::M, b: Self::M) -> Self::M {
        self.and_m32s(a, b)
    }
    #[inline(always)]
    fn or_m(self, a: Self::M, b: Self::M) -> Self::M {
        self.or_m32s(a, b)
    }
    #[inline(always)]
    fn not_m(self, a: Self::M) -> Self::M {
        self.not_m32s(a)
    }
    #[inline(always)]
    fn sel(self, m: Self::M, a: Self::F, b: Self::F) -> Self::F {
        self.select_f32s(m, a, b)
    }
    #[inline(always)]
    fn any(self, m: Self::M) -> bool {
        self.first_true_m32s(m) < S::F32_LANES
    }
    #[inline(always)]
    fn bits(self, a: Self::F) -> Self::U {
        self.transmute_u32s_f32s(a)
    }
    #[inline(always)]
    fn to_f32(self, a: Self::U) -> Self::F {
        self.transmute_f32s_u32s(a)
    }
    #[inline(always)]
    fn splat_u(self, v: u32) -> Self::U {
        self.splat_u32s(v)
    }
    #[inline(always)]
    fn add_u(self, a: Self::U, b: Self::U) -> Self::U {
        self.add_u32s(a, b)
    }
    #[inline(always)]
    fn sub_u(self, a: Self::U, b: Self::U) -> Self::U {
        self.sub_u32s(a, b)
    }
    #[inline(always)]
    fn and_u(self, a: Self::U, b: Self::U) -> Self::U {
        self.and_u32s(a, b)
    }
    #[inline(always)]
    fn or_u(self, a: Self::U, b: Self::U) -> Self::U {
        self.or_u32s(a, b)
    }
    #[inline(always)]
    fn shl(self, a: Self::U, amount: u32) -> Self::U {
        self.wrapping_dyn_shl_u32s(a, self.splat_u32s(amount))
    }
    #[inline(always)]
    fn shr(self, a: Self::U, amount: u32) -> Self::U {
        self.wrapping_dyn_shr_u32s(a, self.splat_u32s(amount))
    }
    #[inline(always)]
    fn eq_u(self, a: Self::U, b: Self::U) -> Self::M {
        self.equal_u32s(a, b)
    }
    #[inline(always)]
    fn scalef_native(self, y: Self::F, n: Self::F) -> Option<Self::F> {
        #[cfg(target_arch = "x86_64")]
        if let Some(v4) = (&self as &dyn core::any::Any).downcast_ref::<pulp::x86::V4>() {
            let r = v4
                .avx512f
                ._mm512_scalef_ps(bytemuck::cast(y), bytemuck::cast(n));
            return Some(bytemuck::cast(r));
        }
        let _ = (y, n);
        None
    }
    #[inline(always)]
    fn larger(self, a: Self::F, b: Self::F) -> Self::F {
        min_max!(self, a, b, _mm512_max_ps, _mm256_max_ps, greater_than_f32s)
    }
    #[inline(always)]
    fn smaller(self, a: Self::F, b: Self::F) -> Self::F {
        min_max!(self, a, b, _mm512_min_ps, _mm256_min_ps, less_than_f32s)
    }
}

/// Whether kernels with long dependency chains run as a [`Pair`] on `S`: on AVX2, where it
/// was measured (Zen 3, n = 4096: +10–30 % on most transcendental functions, +20–60 % on
/// the softmax family; the README's "Speed" has the table). AVX-512 and NEON keep one
/// register per step, as tuned before: no machine of those kinds was at hand to measure the
/// pair on. The bits are the same either way.
#[inline(always)]
pub(crate) fn pairs<S: Simd>() -> bool {
    #[cfg(target_arch = "x86_64")]
    if core::any::TypeId::of::<S>() == core::any::TypeId::of::<pulp::x86::V3>() {
        return true;
    }
    false
}

/// Two registers of `S`'s lanes, every operation issued on both side by side (see the
/// module documentation). A mask test (`any`) is true when a lane of either register is set,
/// so a pair takes a kernel's rare path when either half needs it; both paths give the same
/// bits, so each lane's result is what `S` alone computes.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Pair<S>(pub S);

/// `[f(a[0], …), f(a[1], …)]`: one `Pair` operation from the token's.
macro_rules! pair {
    ($s:expr, $f:ident, $($a:ident),*) => {
        [$s.0.$f($($a[0]),*), $s.0.$f($($a[1]),*)]
    };
}

impl<S: Simd> Lanes for Pair<S> {
    type F = [S::f32s; 2];
    type M = [S::m32s; 2];
    type U = [S::u32s; 2];
    #[inline(always)]
    fn splat(self, v: f32) -> Self::F {
        let x = Lanes::splat(self.0, v);
        [x, x]
    }
    #[inline(always)]
    fn add(self, a: Self::F, b: Self::F) -> Self::F {
        pair!(self, add_f32s, a, b)
    }
    #[inline(always)]
    fn sub(self, a: Self::F, b: Self::F) -> Self::F {
        pair!(self, sub_f32s, a, b)
    }
    #[inline(always)]
    fn mul(self, a: Self::F, b: Self::F) -> Self::F {
        pair!(self, mul_f32s, a, b)
    }
    #[inline(always)]
    fn div(self, a: Self::F, b: Self::F) -> Self::F {
        pair!(self, div_f32s, a, b)
    }
    #[inline(always)]
    fn sqrt(self, a: Self::F) -> Self::F {
        pair!(self, sqrt_f32s, a)
    }
    #[inline(always)]
    fn fma(self, a: Self::F, b: Self::F, c: Self::F) -> Self::F {
        pair!(self, mul_add_f32s, a, b, c)
    }
    #[inline(always)]
    fn abs(self, a: Self::F) -> Self::F {
        pair!(self, abs_f32s, a)
    }
    #[inline(always)]
    fn and(self, a: Self::F, b: Self::F) -> Self::F {
        pair!(self, and_f32s, a, b)
    }
    #[inline(always)]
    fn or(self, a: Self::F, b: Self::F) -> Self::F {
        pair!(self, or_f32s, a, b)
    }
    #[inline(always)]
    fn xor(self, a: Self::F, b: Self::F) -> Self::F {
        pair!(self, xor_f32s, a, b)
    }
    #[inline(always)]
    fn lt(self, a: Self::F, b: Self::F) -> Self::M {
        pair!(self, less_than_f32s, a, b)
    }
    #[inline(always)]
    fn le(self, a: Self::F, b: Self::F) -> Self::M {
        pair!(self, less_than_or_equal_f32s, a, b)
    }
    #[inline(always)]
    fn gt(self, a: Self::F, b: Self::F) -> Self::M {
        pair!(self, greater_than_f32s, a, b)
    }
    #[inline(always)]
    fn ge(self, a: Self::F, b: Self::F) -> Self::M {
        pair!(self, greater_than_or_equal_f32s, a, b)
    }
    #[inline(always)]
    fn eq(self, a: Self::F, b: Self::F) -> Self::M {
        pair!(self, equal_f32s, a, b)
    }
    #[inline(always)]
    fn and_m(self, a: Self::M, b: Self::M) -> Self::M {
        pair!(self, and_m32s, a, b)
    }
    #[inline(always)]
    fn or_m(self, a: Self::M, b: Self::M) -> Self::M {
        pair!(self, or_m32s, a, b)
    }
    #[inline(always)]
    fn not_m(self, a: Self::M) -> Self::M {
        pair!(self, not_m32s, a)
    }
    #[inline(always)]
    fn sel(self, m: Self::M, a: Self::F, b: Self::F) -> Self::F {
        pair!(self, select_f32s, m, a, b)
    }
    #[inline(always)]
    fn any(self, m: Self::M) -> bool {
        Lanes::any(self.0, self.0.or_m32s(m[0], m[1]))
    }
    #[inline(always)]
    fn bits(self, a: Self::F) -> Self::U {
        pair!(self, transmute_u32s_f32s, a)
    }
    #[inline(always)]
    fn to_f32(self, a: Self::U) -> Self::F {
        pair!(self, transmute_f32s_u32s, a)
    }
    #[inline(always)]
    fn splat_u(self, v: u32) -> Self::U {
        let x = self.0.splat_u32s(v);
        [x, x]
    }
    #[inline(always)]
    fn add_u(self, a: Self::U, b: Self::U) -> Self::U {
        pair!(self, add_u32s, a, b)
    }
    #[inline(always)]
    fn sub_u(self, a: Self::U, b: Self::U) -> Self::U {
        pair!(self, sub_u32s, a, b)
    }
    #[inline(always)]
    fn and_u(self, a: Self::U, b: Self::U) -> Self::U {
        pair!(self, and_u32s, a, b)
    }
    #[inline(always)]
    fn or_u(self, a: Self::U, b: Self::U) -> Self::U {
        pair!(self, or_u32s, a, b)
    }
    #[inline(always)]
    fn shl(self, a: Self::U, amount: u32) -> Self::U {
        [
            Lanes::shl(self.0, a[0], amount),
            Lanes::shl(self.0, a[1], amount),
        ]
    }
    #[inline(always)]
    fn shr(self, a: Self::U, amount: u32) -> Self::U {
        [
            Lanes::shr(self.0, a[0], amount),
            Lanes::shr(self.0, a[1], amount),
        ]
    }
    #[inline(always)]
    fn eq_u(self, a: Self::U, b: Self::U) -> Self::M {
        pair!(self, equal_u32s, a, b)
    }
    #[inline(always)]
    fn scalef_native(self, y: Self::F, n: Self::F) -> Option<Self::F> {
        let lo = self.0.scalef_native(y[0], n[0])?;
        Some([lo, self.0.scalef_native(y[1], n[1])?])
    }
    #[inline(always)]
    fn larger(self, a: Self::F, b: Self::F) -> Self::F {
        [self.0.larger(a[0], b[0]), self.0.larger(a[1], b[1])]
    }
    #[inline(always)]
    fn smaller(self, a: Self::F, b: Self::F) -> Self::F {
        [self.0.smaller(a[0], b[0]), self.0.smaller(a[1], b[1])]
    }
}

/// Lane-set token with arithmetic helpers.
#[derive(Clone, Copy, Debug)]
pub(crate) struct V<S: Lanes>(pub S);

#[allow(dead_code)]
impl<S: Lanes> V<S> {
    #[inline(always)]
    pub fn splat(self, v: f32) -> F<S> {
        self.0.splat(v)
    }
    #[inline(always)]
    pub fn add(self, a: F<S>, b: F<S>) -> F<S> {
        self.0.add(a, b)
    }
    #[inline(always)]
    pub fn sub(self, a: F<S>, b: F<S>) -> F<S> {
        self.0.sub(a, b)
    }
    #[inline(always)]
    pub fn mul(self, a: F<S>, b: F<S>) -> F<S> {
        self.0.mul(a, b)
    }
    #[inline(always)]
    pub fn div(self, a: F<S>, b: F<S>) -> F<S> {
        self.0.div(a, b)
    }
    #[inline(always)]
    pub fn sqrt(self, a: F<S>) -> F<S> {
        self.0.sqrt(a)
    }
    /// `a * b + c`, rounded once.
    #[inline(always)]
    pub fn fma(self, a: F<S>, b: F<S>, c: F<S>) -> F<S> {
        self.0.fma(a, b, c)
    }
    /// `c - a * b`, rounded once.
    #[inline(always)]
    pub fn fnma(self, a: F<S>, b: F<S>, c: F<S>) -> F<S> {
        self.0.fma(self.neg(a), b, c)
    }
    #[inline(always)]
    pub fn neg(self, a: F<S>) -> F<S> {
        self.0.xor(a, self.0.splat(-0.0))
    }
    #[inline(always)]
    pub fn abs(self, a: F<S>) -> F<S> {
        self.0.abs(a)
    }
    /// Bitwise OR of the lanes' bits.
    #[inline(always)]
    pub fn or(self, a: F<S>, b: F<S>) -> F<S> {
        self.0.or(a, b)
    }
    /// Bitwise XOR of the lanes' bits.
    #[inline(always)]
    pub fn xor(self, a: F<S>, b: F<S>) -> F<S> {
        self.0.xor(a, b)
    }
    /// The sign bit of `a` alone (`-0.0` or `+0.0` per lane).
    #[inline(always)]
    pub fn sign_bit(self, a: F<S>) -> F<S> {
        self.0.and(a, self.0.splat(-0.0))
    }
    /// `a` with its sign bit flipped where `sign` has it set.
    #[inline(always)]
    pub fn xor_sign(self, a: F<S>, sign: F<S>) -> F<S> {
        self.0.xor(a, self.sign_bit(sign))
    }
    /// `|a|` with the sign of `sign`.
    #[inline(always)]
    pub fn copysign(self, a: F<S>, sign: F<S>) -> F<S> {
        self.0.or(self.abs(a), self.sign_bit(sign))
    }
    #[inline(always)]
    pub fn lt(self, a: F<S>, b: F<S>) -> M<S> {
        self.0.lt(a, b)
    }
    #[inline(always)]
    pub fn le(self, a: F<S>, b: F<S>) -> M<S> {
        self.0.le(a, b)
    }
    #[inline(always)]
    pub fn gt(self, a: F<S>, b: F<S>) -> M<S> {
        self.0.gt(a, b)
    }
    #[inline(always)]
    pub fn ge(self, a: F<S>, b: F<S>) -> M<S> {
        self.0.ge(a, b)
    }
    #[inline(always)]
    pub fn eq(self, a: F<S>, b: F<S>) -> M<S> {
        self.0.eq(a, b)
    }
    /// Lanes holding NaN.
    #[inline(always)]
    pub fn is_nan(self, a: F<S>) -> M<S> {
        self.0.not_m(self.0.eq(a, a))
    }
    #[inline(always)]
    pub fn and_m(self, a: M<S>, b: M<S>) -> M<S> {
        self.0.and_m(a, b)
    }
    #[inline(always)]
    pub fn or_m(self, a: M<S>, b: M<S>) -> M<S> {
        self.0.or_m(a, b)
    }
    #[inline(always)]
    pub fn not_m(self, a: M<S>) -> M<S> {
        self.0.not_m(a)
    }
    /// `m ? a : b` per lane.
    #[inline(always)]
    pub fn sel(self, m: M<S>, a: F<S>, b: F<S>) -> F<S> {
        self.0.sel(m, a, b)
    }
    /// Whether every lane of `m` is set.
    #[inline(always)]
    pub fn all(self, m: M<S>) -> bool {
        !self.any(self.0.not_m(m))
    }
    /// Whether any lane of `m` is set.
    #[inline(always)]
    pub fn any(self, m: M<S>) -> bool {
        self.0.any(m)
    }
    #[inline(always)]
    pub fn bits(self, a: F<S>) -> U<S> {
        self.0.bits(a)
    }
    #[inline(always)]
    pub fn to_f32(self, a: U<S>) -> F<S> {
        self.0.to_f32(a)
    }
    #[inline(always)]
    pub fn splat_u(self, v: u32) -> U<S> {
        self.0.splat_u(v)
    }
    #[inline(always)]
    pub fn add_u(self, a: U<S>, b: U<S>) -> U<S> {
        self.0.add_u(a, b)
    }
    #[inline(always)]
    pub fn sub_u(self, a: U<S>, b: U<S>) -> U<S> {
        self.0.sub_u(a, b)
    }
    #[inline(always)]
    pub fn and_u(self, a: U<S>, b: U<S>) -> U<S> {
        self.0.and_u(a, b)
    }
    #[inline(always)]
    pub fn or_u(self, a: U<S>, b: U<S>) -> U<S> {
        self.0.or_u(a, b)
    }
    #[inline(always)]
    pub fn shl(self, a: U<S>, amount: u32) -> U<S> {
        self.0.shl(a, amount)
    }
    #[inline(always)]
    pub fn shr(self, a: U<S>, amount: u32) -> U<S> {
        self.0.shr(a, amount)
    }
    #[inline(always)]
    pub fn eq_u(self, a: U<S>, b: U<S>) -> M<S> {
        self.0.eq_u(a, b)
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
    /// `a > b ? a : b` per lane ([`Lanes::larger`]).
    #[inline(always)]
    pub fn larger(self, a: F<S>, b: F<S>) -> F<S> {
        self.0.larger(a, b)
    }
    /// `a < b ? a : b` per lane ([`Lanes::smaller`]).
    #[inline(always)]
    pub fn smaller(self, a: F<S>, b: F<S>) -> F<S> {
        self.0.smaller(a, b)
    }
    /// `y · 2^n` rounded once with AVX-512's `vscalefps` ([`Lanes::scalef_native`]).
    #[inline(always)]
    pub fn scalef_native(self, y: F<S>, n: F<S>) -> Option<F<S>> {
        self.0.scalef_native(y, n)
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
