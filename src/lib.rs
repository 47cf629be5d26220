//! # lanewise
//!
//! SIMD activation-function kernels for inference engines: every stateless activation of
//! Apple MLX (`mlx.nn`) and Flax NNX (`jax.nn`) as slice functions `f(x, out, params…)` and
//! `f_inplace(x, params…)`, runtime-dispatched across AVX-512, AVX2, NEON and scalar code
//! that all return the same bits, each with a published max-ULP bound over every f32 input.
//!
//! ```
//! let x = [-2.0f32, -0.5, 0.0, 0.5, 2.0];
//! let mut y = [0.0f32; 5];
//! lanewise::gelu(&x, &mut y);
//! assert_eq!(y[2], 0.0);
//! println!("{} on {}", y[4], lanewise::active_isa());
//! ```
//!
//! The same functions take `half::f16` and `half::bf16` slices (re-exported as
//! [`f16`](struct@f16) and [`bf16`](struct@bf16)): computed in f32 in registers and rounded once, to the correctly
//! rounded result (see [`Element`]).
//!
//! ```
//! use lanewise::f16;
//! let x: Vec<f16> = [-2.0f32, 0.0, 2.0].iter().map(|&v| f16::from_f32(v)).collect();
//! let mut y = vec![f16::ZERO; 3];
//! lanewise::gelu(&x, &mut y);
//! assert_eq!(y[1], f16::ZERO);
//! ```
//!
//! For half types, the functions built on the transcendental primitives switch to a
//! 65,536-entry lookup table of their own kernel's results once they have been applied to
//! 65,536 elements: the same bits, faster ([`lut`] says when, and how to turn it off).
//!
//! The table of operations ([`table::OPS`]) lists every function with its MLX and Flax
//! names, parameters and bound; [`reference`](mod@reference) holds the f64 references the bounds are
//! measured against.

pub mod accuracy;
mod convert;
pub mod digest;
mod driver;
mod dtype;
#[cfg(feature = "gpu")]
pub mod gpu;
mod isa;
pub mod lut;
// Polynomial coefficients are written as Sollya printed them; each literal rounds to the
// intended f32 (excessive_precision), and some equal well-known constants by design.
#[allow(clippy::excessive_precision, clippy::approx_constant)]
mod math;
#[allow(clippy::excessive_precision)]
mod ops;
pub mod reference;
mod rows;
#[doc(hidden)]
pub mod self_check;
mod simd;
pub mod table;

pub use dtype::{Dtype, Element, bf16, convert, f16};
pub use isa::{Isa, IsaError, active_isa, parse_isa, with_isa};
pub use ops::*;
pub use rows::*;
