//! Row-wise functions on the device: contiguous rows of `row_len` f32.

use super::GpuError;
use super::buffer::GpuBuffer;
use super::device::{Gpu, Kernel};
use super::shaders::WORKGROUP;
use crate::Dtype;

/// A row-wise function (semantics of `spec/ACTIVATIONS.md` §3, over the last axis).
///
/// ```
/// use lanewise::gpu::RowFn;
/// assert_eq!(RowFn::Glu.out_len(12, 4), 6);
/// assert_eq!(RowFn::Logsumexp.out_len(12, 4), 3);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum RowFn {
    /// `e^(x − max) / Σ e^(x − max)`; a row with NaN or +inf, or all −inf, is all NaN.
    Softmax,
    /// `softmax(−x)` (MLX `softmin`).
    Softmin,
    /// `(x − max) − log Σ e^(x − max)`; −inf entries give −inf.
    LogSoftmax,
    /// `max + log Σ e^(x − max)`, one value per row; +inf if any +inf, −inf if all −inf,
    /// NaN if any NaN.
    Logsumexp,
    /// `(x − μ)/√(σ² + epsilon)` with the two-pass variance (JAX `algorithm="stable"`).
    Standardize {
        /// Added to the variance (JAX default 1e-5).
        epsilon: f32,
    },
    /// `a·σ(b)` with `a` the first half of each row and `b` the second.
    Glu,
}

impl RowFn {
    /// Every row-wise function (standardize at epsilon 1e-5).
    pub const ALL: [RowFn; 6] = [
        RowFn::Softmax,
        RowFn::Softmin,
        RowFn::LogSoftmax,
        RowFn::Logsumexp,
        RowFn::Standardize { epsilon: 1e-5 },
        RowFn::Glu,
    ];

    /// The function's name (and its kernel's entry point).
    ///
    /// ```
    /// assert_eq!(lanewise::gpu::RowFn::LogSoftmax.name(), "log_softmax");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            RowFn::Softmax => "softmax",
            RowFn::Softmin => "softmin",
            RowFn::LogSoftmax => "log_softmax",
            RowFn::Logsumexp => "logsumexp",
            RowFn::Standardize { .. } => "standardize",
            RowFn::Glu => "glu",
        }
    }

    /// The entry point in [`super::rows_shader`].
    ///
    /// ```
    /// assert_eq!(lanewise::gpu::RowFn::Softmax.entry_point(), "softmax");
    /// ```
    pub fn entry_point(self) -> &'static str {
        self.name()
    }

    /// Published max error on the GPU, in f32 ulps of `max(|r|, floor)` with the CPU row
    /// functions' references and floors ([`crate::reference::rows`], [`Self::cpu_entry`]),
    /// tested on lavapipe over random rows and the CPU tests' adversarial rows. Each is at
    /// most the CPU bound.
    ///
    /// ```
    /// assert_eq!(lanewise::gpu::RowFn::Softmax.ulp_bound(), 1.0);
    /// ```
    pub fn ulp_bound(self) -> f64 {
        match self {
            RowFn::Logsumexp | RowFn::LogSoftmax => 1.5,
            _ => 1.0,
        }
    }

    /// The CPU row function's entry in [`crate::table::ROW_OPS`] (its bound and floor).
    ///
    /// ```
    /// assert_eq!(lanewise::gpu::RowFn::Softmax.cpu_entry().ulp_f32, 4.0);
    /// ```
    pub fn cpu_entry(self) -> &'static crate::table::RowOpInfo {
        let variant = match self {
            RowFn::Standardize { .. } => "algorithm=Stable",
            _ => "",
        };
        crate::table::ROW_OPS
            .iter()
            .find(|o| o.name == self.name() && o.variant == variant)
            .expect("every GPU row function is in ROW_OPS")
    }

    /// Output length for an input of `len` elements in rows of `row_len`.
    ///
    /// ```
    /// assert_eq!(lanewise::gpu::RowFn::Softmax.out_len(12, 4), 12);
    /// ```
    pub fn out_len(self, len: usize, row_len: usize) -> usize {
        match self {
            RowFn::Logsumexp => len / row_len.max(1),
            RowFn::Glu => len / 2,
            _ => len,
        }
    }
}

impl Gpu {
    /// Runs a row-wise function over `x` in rows of `row_len`, into `out`
    /// ([`RowFn::out_len`] elements).
    ///
    /// # Errors
    /// [`GpuError::Shader`] if the kernel fails to compile.
    ///
    /// # Panics
    /// If a buffer is not f32, `row_len` is 0 or does not divide `x.len()`, a GLU row is odd,
    /// or `out` has the wrong length (the message names the function and the sizes).
    ///
    /// ```no_run
    /// use lanewise::gpu::{Gpu, RowFn};
    /// # let gpu = Gpu::new()?;
    /// let x = gpu.upload(&[1.0f32, 2.0, 3.0, 4.0])?;
    /// let mut y = gpu.empty_like(&x)?;
    /// gpu.rows(RowFn::Softmax, &x, &mut y, 2)?;
    /// # Ok::<(), lanewise::gpu::GpuError>(())
    /// ```
    #[track_caller]
    pub fn rows(
        &self,
        f: RowFn,
        x: &GpuBuffer,
        out: &mut GpuBuffer,
        row_len: usize,
    ) -> Result<(), GpuError> {
        let name = f.name();
        assert!(
            x.dtype() == Dtype::F32 && out.dtype() == Dtype::F32,
            "lanewise::gpu::{name}: row kernels take f32 buffers, got {} and {}",
            x.dtype(),
            out.dtype()
        );
        assert!(
            row_len > 0 && x.len().is_multiple_of(row_len),
            "lanewise::gpu::{name}: input of {} elements is not rows of {row_len}",
            x.len()
        );
        assert!(
            f != RowFn::Glu || row_len.is_multiple_of(2),
            "lanewise::gpu::glu: row length {row_len} is odd"
        );
        let want = f.out_len(x.len(), row_len);
        assert!(
            out.len() == want,
            "lanewise::gpu::{name}: input of {} elements in rows of {row_len} needs an output of {want}, got {}",
            x.len(),
            out.len()
        );
        let rows = x.len() / row_len;
        if rows == 0 {
            return Ok(());
        }
        let eps = match f {
            RowFn::Standardize { epsilon } => epsilon,
            _ => 0.0,
        };
        let mut u = [0u8; 16];
        let as_u32 = |v: usize| u32::try_from(v).expect("lanewise::gpu: more than 2^32 elements");
        u[..4].copy_from_slice(&as_u32(rows).to_le_bytes());
        u[4..8].copy_from_slice(&as_u32(row_len).to_le_bytes());
        u[8..12].copy_from_slice(&eps.to_le_bytes());
        let groups = match f {
            RowFn::Glu => (want as u64).div_ceil(u64::from(WORKGROUP)),
            _ => rows as u64,
        };
        let pipeline = self.pipeline(Kernel::Rows(f.entry_point()))?;
        self.dispatch(&pipeline, &[(0, x.raw()), (1, out.raw())], &u, 2, groups);
        Ok(())
    }

    /// Slice in, slice out form of [`Gpu::rows`].
    ///
    /// # Errors
    /// As [`Gpu::rows`], plus transfer errors.
    ///
    /// # Panics
    /// As [`Gpu::rows`].
    ///
    /// ```no_run
    /// use lanewise::gpu::{Gpu, RowFn};
    /// # let gpu = Gpu::new()?;
    /// let mut y = [0.0f32; 2];
    /// gpu.rows_slice(RowFn::Logsumexp, &[0.0, 0.0, 1.0, 1.0], &mut y, 2)?;
    /// # Ok::<(), lanewise::gpu::GpuError>(())
    /// ```
    #[track_caller]
    pub fn rows_slice(
        &self,
        f: RowFn,
        x: &[f32],
        out: &mut [f32],
        row_len: usize,
    ) -> Result<(), GpuError> {
        let xb = self.upload(x)?;
        let mut ob = self.zeros(Dtype::F32, out.len())?;
        self.rows(f, &xb, &mut ob, row_len)?;
        self.download_into(&ob, out)
    }
}
