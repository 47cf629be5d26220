//! GPU offload (cargo feature `gpu`): the elementwise and row-wise functions as WGSL compute
//! shaders run through [`wgpu`] (Vulkan, Metal, DX12).
//!
//! The kernels (`kernels/*.wgsl`) are the CPU polynomials of `src/math` transcribed
//! operation by operation, never the shading language's built-in `exp`/`tanh`/`erf`; their
//! constants are generated from the Rust constants ([`prelude`]). A [`Gpu`] owns a device and
//! its cached pipelines; a [`GpuBuffer`] stays on the device, so a chain of activations
//! never round-trips through host memory.
//!
//! ```no_run
//! use lanewise::gpu::Gpu;
//! let gpu = Gpu::new()?;
//! // Slice in, slice out:
//! let x = [-1.0f32, 0.0, 2.5];
//! let mut y = [0.0f32; 3];
//! gpu.map_slice("gelu", &x, &mut y, &[])?;
//! // A chain that stays on the device:
//! let a = gpu.upload(&x)?;
//! let mut b = gpu.empty_like(&a)?;
//! gpu.map("gelu", &a, &mut b, &[])?;
//! gpu.map_inplace("tanh", &mut b, &[])?;
//! let z: Vec<f32> = gpu.download(&b)?;
//! # Ok::<(), lanewise::gpu::GpuError>(())
//! ```
//!
//! f16 and bf16 buffers hold two elements per 32-bit word; the shader widens each exactly to
//! f32, runs the f32 code and rounds once to nearest-even in integer code, so no adapter
//! feature (`SHADER_F16`) is needed and the result does not depend on the GPU's conversion
//! rounding.

pub mod accuracy;
mod buffer;
mod device;
mod rows;
mod shaders;
mod spirv;

use crate::Dtype;
pub use buffer::GpuBuffer;
pub use device::{Gpu, GpuOptions};
pub use rows::RowFn;
pub use shaders::prelude;

/// What went wrong on the GPU path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GpuError {
    /// No adapter matched (the message lists what was found).
    NoAdapter(String),
    /// The adapter refused to create a device.
    RequestDevice(String),
    /// No elementwise function of that name or alias (see [`crate::table::find`]).
    UnknownFunction(String),
    /// A kernel failed to compile or validate on this device.
    Shader {
        /// The kernel (function and element type).
        kernel: String,
        /// The compiler's message.
        message: String,
    },
    /// A buffer exceeds the device's storage-binding limit.
    TooLarge {
        /// Bytes asked for.
        bytes: u64,
        /// The device's limit.
        limit: u64,
    },
    /// The device was lost or a transfer failed.
    Device(String),
}

impl std::fmt::Display for GpuError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GpuError::NoAdapter(m) => write!(f, "lanewise::gpu: no GPU adapter: {m}"),
            GpuError::RequestDevice(m) => write!(f, "lanewise::gpu: device request failed: {m}"),
            GpuError::UnknownFunction(n) => {
                write!(f, "lanewise::gpu: no elementwise function named {n:?}")
            }
            GpuError::Shader { kernel, message } => {
                write!(f, "lanewise::gpu: kernel {kernel} failed: {message}")
            }
            GpuError::TooLarge { bytes, limit } => write!(
                f,
                "lanewise::gpu: buffer of {bytes} bytes exceeds the device limit of {limit}"
            ),
            GpuError::Device(m) => write!(f, "lanewise::gpu: device error: {m}"),
        }
    }
}

impl std::error::Error for GpuError {}

/// The WGSL source of one elementwise function's kernel for one element type: the generated
/// [`prelude`], the math library and the entry points `map` (binding 0 → 1, parameters at
/// binding 2) and `map_inplace` (binding 3). `None` for an unknown name. This is the
/// variant for devices with a fused `fma`; [`map_shader_emulated_fma`] is the other.
///
/// ```
/// let src = lanewise::gpu::map_shader("gelu", lanewise::Dtype::F32).unwrap();
/// assert!(src.contains("fn op_gelu("));
/// ```
pub fn map_shader(name: &str, dtype: Dtype) -> Option<String> {
    crate::table::find(name).map(|op| shaders::map_source(op, dtype, true))
}

/// [`map_shader`] for devices whose `fma` is not fused (an exact-product emulation).
///
/// ```
/// let src = lanewise::gpu::map_shader_emulated_fma("exp", lanewise::Dtype::F32).unwrap();
/// assert!(src.contains("fn split("));
/// ```
pub fn map_shader_emulated_fma(name: &str, dtype: Dtype) -> Option<String> {
    crate::table::find(name).map(|op| shaders::map_source(op, dtype, false))
}

/// The WGSL source of the row-wise kernels (entry points named as [`RowFn::entry_point`]);
/// `fused_fma` as for [`map_shader`] / [`map_shader_emulated_fma`].
///
/// ```
/// assert!(lanewise::gpu::rows_shader(true).contains("fn softmax("));
/// ```
pub fn rows_shader(fused_fma: bool) -> String {
    shaders::rows_source(fused_fma)
}
