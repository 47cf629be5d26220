//! Element types of the slice functions: `f32`, [`half::f16`] and [`half::bf16`].
//!
//! Half inputs widen to f32 in registers, the f32 kernel runs, and the store rounds once to
//! the half format (nearest, ties to even; NaN stays a quiet NaN, overflow gives ±inf,
//! subnormals are kept). Where an f32 result lies so close to a rounding boundary of the half
//! format that its few-ulp error could decide the direction, that lane is recomputed from the
//! f64 reference, so every half output is the correctly rounded true value.

use crate::convert::{self, Bf16Bits, F16Bits, F32Lanes, Format};
pub use half::{bf16, f16};

/// Calls the generic `$f::<E>` for the element type `$T` through a function for each
/// element type that is not generic, so it is compiled once, in this crate: a caller in another
/// crate (a test, a bench, an inference engine) instantiates only this dispatch, not the
/// kernels under it. The argument types name the element type `E`; `$v` converts the
/// caller's value (of `$T`) to it, e.g. `x: &[E] = cast_slice(x)`.
macro_rules! by_element {
    ($T:ty, $f:ident($($a:ident: $ty:ty = $v:expr),* $(,)?)) => {
        match <$T as $crate::Element>::DTYPE {
            $crate::Dtype::F32 => $crate::dtype::by_element!(@as f32, $f($($a: $ty = $v),*)),
            $crate::Dtype::F16 => $crate::dtype::by_element!(@as $crate::f16, $f($($a: $ty = $v),*)),
            $crate::Dtype::Bf16 => $crate::dtype::by_element!(@as $crate::bf16, $f($($a: $ty = $v),*)),
        }
    };
    (@as $E:ty, $f:ident($($a:ident: $ty:ty = $v:expr),*)) => {{
        #[allow(dead_code)]
        type E = $E;
        #[inline(never)]
        #[track_caller]
        #[allow(clippy::too_many_arguments)]
        fn go($($a: $ty),*) {
            $f::<E>($($a),*)
        }
        go($($v),*)
    }};
}
pub(crate) use by_element;

/// The storage format of an [`Element`].
///
/// ```
/// use lanewise::{Dtype, Element};
/// assert_eq!(<lanewise::bf16 as Element>::DTYPE, Dtype::Bf16);
/// assert_eq!(Dtype::F16.name(), "f16");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dtype {
    /// IEEE binary32.
    F32,
    /// IEEE binary16 ([`half::f16`]): 10 fraction bits, exponents −14..=15.
    F16,
    /// bfloat16 ([`half::bf16`]): 7 fraction bits, the exponent range of f32.
    Bf16,
}

impl Dtype {
    /// Every format, widest first.
    ///
    /// ```
    /// assert_eq!(lanewise::Dtype::ALL[0], lanewise::Dtype::F32);
    /// ```
    pub const ALL: [Dtype; 3] = [Dtype::F32, Dtype::F16, Dtype::Bf16];

    /// `f32`, `f16` or `bf16`.
    pub const fn name(self) -> &'static str {
        match self {
            Dtype::F32 => "f32",
            Dtype::F16 => "f16",
            Dtype::Bf16 => "bf16",
        }
    }

    /// Bytes per element (4, 2, 2).
    ///
    /// ```
    /// assert_eq!(lanewise::Dtype::Bf16.size(), 2);
    /// ```
    pub const fn size(self) -> usize {
        match self {
            Dtype::F32 => 4,
            Dtype::F16 | Dtype::Bf16 => 2,
        }
    }

    /// Stored fraction bits (23, 10, 7).
    ///
    /// ```
    /// assert_eq!(lanewise::Dtype::Bf16.mantissa_bits(), 7);
    /// ```
    pub const fn mantissa_bits(self) -> i32 {
        match self {
            Dtype::F32 => 23,
            Dtype::F16 => 10,
            Dtype::Bf16 => 7,
        }
    }

    /// Exponent of the smallest normal number (−126, −14, −126).
    ///
    /// ```
    /// assert_eq!(lanewise::Dtype::F16.min_exponent(), -14);
    /// ```
    pub const fn min_exponent(self) -> i32 {
        match self {
            Dtype::F16 => -14,
            Dtype::F32 | Dtype::Bf16 => -126,
        }
    }

    /// `r` rounded once to this format (nearest, ties to even), returned as f64.
    ///
    /// ```
    /// use lanewise::Dtype;
    /// assert_eq!(Dtype::F16.round(1.0 + 1.0 / 2048.0), 1.0); // a tie goes to even
    /// assert_eq!(Dtype::F16.round(65520.0), f64::INFINITY);
    /// assert_eq!(Dtype::Bf16.round(3.0), 3.0);
    /// ```
    pub fn round(self, r: f64) -> f64 {
        match self {
            Dtype::F32 => r as f32 as f64,
            Dtype::F16 => f16::from_f64_rounded(r).to_f64(),
            Dtype::Bf16 => bf16::from_f64_rounded(r).to_f64(),
        }
    }

    /// Error of `y` against the true value `r` in ulps of this format
    /// (`ulp(r) = 2^(max(⌊log2|r|⌋, min_exponent) − mantissa_bits)`), as
    /// [`reference::ulp_error`](crate::reference::ulp_error) defines it.
    ///
    /// ```
    /// use lanewise::Dtype;
    /// assert_eq!(Dtype::Bf16.ulp_error(1.0078125, 1.0), 1.0);
    /// assert_eq!(Dtype::F16.ulp_error(65504.0, 70000.0), f64::INFINITY); // should be +inf
    /// ```
    pub fn ulp_error(self, y: f64, r: f64) -> f64 {
        crate::reference::ulp_error(
            y,
            r,
            self.round(r),
            self.mantissa_bits(),
            self.min_exponent(),
        )
    }
}

impl core::fmt::Display for Dtype {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
    }
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for f32 {}
    impl Sealed for half::f16 {}
    impl Sealed for half::bf16 {}
}

/// An element type the slice functions accept: `f32`, [`f16`](struct@f16) or [`bf16`](struct@bf16).
///
/// Every function is generic over it (`lanewise::silu::<T>`), so f32 call sites read as
/// before and half slices go through the same names. The half types are `bytemuck::Pod`, so
/// a caller that holds raw `u16` bits casts them without copying.
///
/// ```
/// use lanewise::{Element, f16};
/// let bits: Vec<u16> = [-1.0f32, 0.0, 2.0].iter().map(|&v| f16::from_f32(v).to_bits()).collect();
/// let x: &[f16] = bytemuck::cast_slice(&bits);
/// let mut y = [f16::ZERO; 3];
/// lanewise::silu(x, &mut y);
/// assert_eq!(y[2], f16::from_f64_rounded(2.0 * lanewise::reference::sigmoid(2.0)));
/// ```
pub trait Element:
    sealed::Sealed
    + bytemuck::Pod
    + Default
    + PartialEq
    + PartialOrd
    + core::fmt::Debug
    + core::fmt::Display
    + Send
    + Sync
    + 'static
{
    /// The storage format.
    const DTYPE: Dtype;

    /// The value as f32 (exact).
    ///
    /// ```
    /// use lanewise::{Element, bf16};
    /// assert_eq!(Element::to_f32(bf16::ONE), 1.0);
    /// ```
    fn to_f32(self) -> f32;

    /// `v` rounded to this type (nearest, ties to even; NaN → quiet NaN), with the same bits
    /// as the slice functions' stores on every instruction set.
    ///
    /// ```
    /// use lanewise::{Element, f16};
    /// assert_eq!(<f16 as Element>::from_f32(65520.0), f16::INFINITY);
    /// ```
    fn from_f32(v: f32) -> Self;

    /// `v` rounded once to this type (nearest, ties to even). `half`'s `f16::from_f64` goes
    /// through f32 where F16C is present and can then round twice; this cannot.
    ///
    /// ```
    /// use lanewise::{Element, f16};
    /// // Just above the midpoint between 1 and 1 + 2^-10: rounds up.
    /// let v = 1.0 + 2f64.powi(-11) + 2f64.powi(-40);
    /// assert_eq!(f16::from_f64_rounded(v).to_f64(), 1.0 + 2f64.powi(-10));
    /// ```
    fn from_f64_rounded(v: f64) -> Self;
}

impl Element for f32 {
    const DTYPE: Dtype = Dtype::F32;
    fn to_f32(self) -> f32 {
        self
    }
    fn from_f32(v: f32) -> Self {
        v
    }
    fn from_f64_rounded(v: f64) -> Self {
        v as f32
    }
}

impl Element for f16 {
    const DTYPE: Dtype = Dtype::F16;
    fn to_f32(self) -> f32 {
        F16Bits::widen_one(self.to_bits())
    }
    fn from_f32(v: f32) -> Self {
        f16::from_bits(F16Bits::narrow_one(v))
    }
    fn from_f64_rounded(v: f64) -> Self {
        f16::from_bits(F16Bits::narrow_one(round_to_odd(v)))
    }
}

impl Element for bf16 {
    const DTYPE: Dtype = Dtype::Bf16;
    fn to_f32(self) -> f32 {
        Bf16Bits::widen_one(self.to_bits())
    }
    fn from_f32(v: f32) -> Self {
        bf16::from_bits(Bf16Bits::narrow_one(v))
    }
    fn from_f64_rounded(v: f64) -> Self {
        bf16::from_bits(Bf16Bits::narrow_one(round_to_odd(v)))
    }
}

/// `v` rounded to f32 with round-to-odd: the neighbour with an odd last bit when inexact.
///
/// Rounding that result once more to a format with at least two fewer bits gives the same
/// value as rounding `v` directly (f16 keeps 11 bits and bf16 8 of f32's 24, subnormals
/// included), which is how `from_f64_rounded` avoids double rounding.
fn round_to_odd(v: f64) -> f32 {
    let y = v as f32;
    if v.is_nan() || y as f64 == v {
        return y;
    }
    if y.is_infinite() {
        return f32::MAX.copysign(y);
    }
    if y.to_bits() & 1 == 1 {
        return y;
    }
    // y is the even neighbour of v: step one ulp toward v.
    if (y as f64).abs() > v.abs() {
        f32::from_bits(y.to_bits() - 1)
    } else {
        f32::from_bits(y.to_bits() + 1)
    }
}

/// Converts between element types, rounding once: `out[i] = x[i]` as `B`.
///
/// Widening is exact; narrowing rounds to nearest, ties to even (NaN → quiet NaN, overflow
/// → ±inf, subnormals kept), with the same bits on every instruction set. A half → half
/// conversion goes through f32 exactly, so it also rounds once.
///
/// # Panics
/// If `x` and `out` differ in length.
///
/// ```
/// use lanewise::{bf16, f16};
/// let x = [1.0f32, 65520.0, 1e-8, f32::NAN];
/// let mut h = [f16::ZERO; 4];
/// lanewise::convert(&x, &mut h);
/// assert_eq!(h[0], f16::ONE);
/// assert_eq!(h[1], f16::INFINITY); // above f16::MAX + ulp/2
/// assert_eq!(h[2].to_bits(), 0); // below half the smallest subnormal
/// assert!(h[3].is_nan());
/// let mut b = [bf16::ZERO; 4];
/// lanewise::convert(&h, &mut b);
/// assert_eq!(b[0], bf16::ONE);
/// ```
#[track_caller]
pub fn convert<A: Element, B: Element>(x: &[A], out: &mut [B]) {
    crate::driver::check_len("convert", x.len(), out.len());
    use bytemuck::{cast_slice, cast_slice_mut};
    match A::DTYPE {
        Dtype::F32 => {
            by_element!(B, from_f32(x: &[f32] = cast_slice(x), out: &mut [E] = cast_slice_mut(out)))
        }
        Dtype::F16 => {
            by_element!(B, from_f16(x: &[u16] = cast_slice(x), out: &mut [E] = cast_slice_mut(out)))
        }
        Dtype::Bf16 => {
            by_element!(B, from_bf16(x: &[u16] = cast_slice(x), out: &mut [E] = cast_slice_mut(out)))
        }
    }
}

fn from_f32<B: Element>(x: &[f32], out: &mut [B]) {
    convert_from::<F32Lanes, B>(x, out)
}

fn from_f16<B: Element>(x: &[u16], out: &mut [B]) {
    convert_from::<F16Bits, B>(x, out)
}

fn from_bf16<B: Element>(x: &[u16], out: &mut [B]) {
    convert_from::<Bf16Bits, B>(x, out)
}

fn convert_from<I: Format, B: Element>(x: &[I::Elem], out: &mut [B]) {
    match B::DTYPE {
        Dtype::F32 => convert::convert::<I, F32Lanes>(x, bytemuck::cast_slice_mut(out)),
        Dtype::F16 => convert::convert::<I, F16Bits>(x, bytemuck::cast_slice_mut(out)),
        Dtype::Bf16 => convert::convert::<I, Bf16Bits>(x, bytemuck::cast_slice_mut(out)),
    }
}
