//! White-box checks of the crate's internals, each a function that panics with a message on
//! failure. `tests/internals.rs` runs them; they are not part of the API (hidden from the
//! docs, no stability promise).
//!
//! They live in the library rather than in `#[cfg(test)]` modules because a unit-test
//! harness is a second compilation of the whole library (every kernel for every element type
//! and instruction set), which doubled the test command's build on two cores; the library
//! therefore has `test = false` in `Cargo.toml`, and these checks link the one release
//! build that the integration tests, the doc tests and the tool share.

/// Every instruction-set level runs its own SIMD code (not silently the scalar fallback),
/// and aarch64 always has NEON.
pub fn dispatch_runs_the_selected_level() {
    crate::isa::checks::dispatch_runs_the_selected_level();
}

/// Each select-only kernel takes the key-comparison form expected of it on f16 and bf16.
pub fn half_select_forms_are_recognised() {
    crate::convert::select::checks::forms_are_recognised();
}

/// The f16 select path equals the widen–kernel–narrow path on all 65,536 inputs, for
/// delicate parameters, in and out of place, on every instruction set here.
pub fn half_select_equals_the_kernel_on_f16() {
    crate::convert::select::checks::select_equals_the_kernel_on_f16();
}

/// As [`half_select_equals_the_kernel_on_f16`], on bf16.
pub fn half_select_equals_the_kernel_on_bf16() {
    crate::convert::select::checks::select_equals_the_kernel_on_bf16();
}

/// The select rules model each kernel at f32 inputs.
pub fn half_select_rules_model_the_kernels() {
    crate::convert::select::checks::rules_model_the_kernels();
}

/// A lane that the half-rounding filters leave alone rounds the same from every value
/// within the filter's radius.
pub fn half_unflagged_lanes_round_like_their_neighbourhood() {
    crate::convert::soft::checks::unflagged_lanes_round_like_their_neighbourhood();
}

/// softmax's output pass scales small exponentials without changing their bits.
pub fn softmax_times_small_keeps_the_bits() {
    crate::rows::softmax::checks::times_small_keeps_the_bits();
}
