//! Polynomial math primitives, written once over [`V`](crate::simd::V) for every instruction set.
//!
//! Each primitive is range reduction plus a minimax polynomial (coefficients fitted with
//! Sollya's `fpminimax` to f32 coefficients), special values handled with selects. Where a
//! composite function needs more than f32 precision in an intermediate (the tails of gelu,
//! silu, softplus, ...), the intermediate is carried as an unevaluated sum `hi + lo` of two
//! f32 ("double-f32") so that the result is rounded once at the end.

pub(crate) mod erf;
pub(crate) mod exp;
pub(crate) mod log;
pub(crate) mod mish;
pub(crate) mod sigmoid;
pub(crate) mod softplus;
pub(crate) mod tanh;

use crate::simd::Lanes;
use crate::simd::{F, V};

/// A double-f32 value `hi + lo` (|lo| ≤ ulp(hi)/2 or so), scaled by `2^n` where `t` carries
/// `n` the way [`exp::Reduced`] does (`t = 1.5·2^23 + n`).
#[derive(Clone, Copy)]
pub(crate) struct Dd<S: Lanes> {
    pub hi: F<S>,
    pub lo: F<S>,
}

impl<S: Lanes> Dd<S> {
    #[inline(always)]
    pub fn new(hi: F<S>, lo: F<S>) -> Self {
        Dd { hi, lo }
    }
    /// `self · other`, keeping about 44 bits.
    #[inline(always)]
    pub fn mul(self, v: V<S>, o: Dd<S>) -> Dd<S> {
        let (hi, lo) = v.two_prod(self.hi, o.hi);
        let lo = v.fma(self.hi, o.lo, v.fma(self.lo, o.hi, lo));
        Dd { hi, lo }
    }
    /// `self · f` for an f32 vector `f`.
    #[inline(always)]
    pub fn mul_f(self, v: V<S>, f: F<S>) -> Dd<S> {
        let (hi, lo) = v.two_prod(self.hi, f);
        Dd {
            hi,
            lo: v.fma(self.lo, f, lo),
        }
    }
    /// `hi + lo`, rounded once.
    #[inline(always)]
    pub fn round(self, v: V<S>) -> F<S> {
        v.add(self.hi, self.lo)
    }
}
