//! Exhaustive accuracy of the half formats: every one of the 65,536 f16 or bf16 inputs of a
//! function on one instruction set, against the f64 reference rounded once to the format.

use super::Stats;
use crate::dtype::{Dtype, Element};
use crate::isa::{Isa, IsaError, with_isa};
use crate::lut::{Tables, with_tables};
use crate::table::OpInfo;

/// Results of one exhaustive half-format sweep.
///
/// ```
/// use lanewise::{Isa, f16, accuracy::halves::sweep, table::find};
/// let st = sweep::<f16>(find("sigmoid").unwrap(), &[], Isa::Scalar).unwrap();
/// assert_eq!(st.count, 65536);
/// assert!(st.max_ulp <= 0.5);
/// assert_eq!(st.correctly_rounded, st.count);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HalfStats {
    /// The format swept.
    pub dtype: Dtype,
    /// Inputs checked (65,536).
    pub count: u64,
    /// Largest error in ulps of the format (0.5 = correctly rounded; NaN or infinity of the
    /// wrong kind counts as infinite).
    pub max_ulp: f64,
    /// The first input (by bit pattern) where `max_ulp` occurs, widened to f32.
    pub worst_input: f32,
    /// Outputs bit-identical to the reference rounded once to the format (any NaN matches
    /// any NaN).
    pub correctly_rounded: u64,
    /// Outputs that are NaN, infinite or zero where the rounded reference is not the same
    /// kind (or a zero of the other sign).
    pub special_mismatches: u64,
    /// A hash of all output bits, for cross-ISA identity.
    pub hash: u64,
}

impl HalfStats {
    /// Fraction of outputs that are correctly rounded (0 to 1).
    ///
    /// ```
    /// use lanewise::{Isa, bf16, accuracy::halves::sweep, table::find};
    /// let st = sweep::<bf16>(find("relu").unwrap(), &[], Isa::Scalar).unwrap();
    /// assert_eq!(st.correctly_rounded_fraction(), 1.0);
    /// ```
    pub fn correctly_rounded_fraction(&self) -> f64 {
        self.correctly_rounded as f64 / self.count.max(1) as f64
    }
}

/// Runs `op` with parameters `params` on all 65,536 bit patterns of `T` (f16 or bf16) with
/// `isa`'s kernel (lookup tables off), and compares every output with the f64 reference
/// rounded once to `T`.
///
/// Returns [`IsaError::Unavailable`] when the machine lacks `isa`.
///
/// ```
/// use lanewise::{Isa, f16, accuracy::halves::sweep, table::find};
/// let st = sweep::<f16>(find("exp").unwrap(), &[], Isa::best()).unwrap();
/// assert_eq!(st.correctly_rounded, 65536);
/// ```
pub fn sweep<T: Element>(op: &OpInfo, params: &[f32], isa: Isa) -> Result<HalfStats, IsaError> {
    let (x, y) = every_input::<T>(op, params, isa)?;
    let p64: Vec<f64> = params.iter().map(|&p| p as f64).collect();
    let mut st = HalfStats {
        dtype: T::DTYPE,
        count: 0,
        max_ulp: 0.0,
        worst_input: 0.0,
        correctly_rounded: 0,
        special_mismatches: 0,
        hash: 0xcbf2_9ce4_8422_2325,
    };
    for (&xi, &yi) in x.iter().zip(&y) {
        let r = op.reference(xi.to_f32() as f64, &p64);
        let want = T::from_f64_rounded(r);
        let yf = yi.to_f32() as f64;
        let e = T::DTYPE.ulp_error(yf, r);
        let bits = |v: T| bytemuck::cast::<T, u16>(v);
        st.count += 1;
        if e > st.max_ulp {
            st.max_ulp = e;
            st.worst_input = xi.to_f32();
        }
        let wf = want.to_f32();
        if bits(yi) == bits(want) || (yf.is_nan() && wf.is_nan()) {
            st.correctly_rounded += 1;
        } else if yf.is_nan() != wf.is_nan()
            || yf.is_infinite() != wf.is_infinite()
            || (yf == 0.0) != (wf == 0.0)
            || (yf == 0.0 && wf == 0.0)
        {
            st.special_mismatches += 1;
        }
        st.hash = (st.hash ^ bits(yi) as u64).wrapping_mul(0x100_0000_01b3);
    }
    Ok(st)
}

/// Every bit pattern of `T` and `op`'s outputs on them, computed by `isa`'s kernel (lookup
/// tables off: they are built by that kernel, and `tests/half_tables.rs` checks they equal
/// it).
fn every_input<T: Element>(
    op: &OpInfo,
    params: &[f32],
    isa: Isa,
) -> Result<(Vec<T>, Vec<T>), IsaError> {
    let x: Vec<T> = (0..=u16::MAX).map(bytemuck::cast::<u16, T>).collect();
    let mut y = vec![T::default(); x.len()];
    with_isa(isa, || {
        with_tables(Tables::Off, || op.run_as(&x, &mut y, params))
    })?;
    Ok((x, y))
}

/// The same 65,536 inputs as [`sweep`], summarised as the f32 sweeps are ([`Stats`]: mean
/// error and the share within 1 ulp too; errors in ulps of `T`), with a hash of the output
/// bits for cross-ISA identity. (`Stats` counts a zero of the wrong sign as correctly
/// rounded, as the f32 sweeps do; [`sweep`] does not.)
///
/// ```
/// use lanewise::{Isa, bf16, accuracy::halves::stats, table::find};
/// let (st, _hash) = stats::<bf16>(find("gelu").unwrap(), &[], Isa::Scalar).unwrap();
/// assert_eq!(st.count, 65536);
/// assert!(st.max_ulp <= 0.5);
/// assert_eq!(st.correctly_rounded, st.count);
/// ```
pub fn stats<T: Element>(op: &OpInfo, params: &[f32], isa: Isa) -> Result<(Stats, u64), IsaError> {
    let (x, y) = every_input::<T>(op, params, isa)?;
    let p64: Vec<f64> = params.iter().map(|&p| p as f64).collect();
    let mut st = Stats::default();
    let mut hash = 0xcbf2_9ce4_8422_2325u64;
    for (&xi, &yi) in x.iter().zip(&y) {
        let xf = xi.to_f32();
        st.record_as(
            T::DTYPE,
            xf,
            yi.to_f32() as f64,
            op.reference(xf as f64, &p64),
        );
        hash = (hash ^ bytemuck::cast::<T, u16>(yi) as u64).wrapping_mul(0x100_0000_01b3);
    }
    Ok((st, hash))
}
