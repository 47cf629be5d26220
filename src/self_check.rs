//! White-box checks of the crate's internals, each a function that panics with a message on
//! failure. `tests/internals.rs` runs them; they are not part of the API (hidden from the
//! docs, no stability promise).
//!
//! They live in the library rather than in `#[cfg(test)]` modules because a unit-test
//! harness is a second compilation of the whole library (every kernel for every element type
//! and instruction set), which doubled the test command's build on two cores; the library
//! therefore has `test = false` in `Cargo.toml`, and these checks link the one release
//! build that the integration tests, the doc tests and the tool share. Each is documented
//! where it is written, next to what it checks.

pub use crate::convert::fp16::checks::agrees_with_conversions as f16_arith_agrees_with_conversions;
pub use crate::convert::select::checks::{
    forms_are_recognised as half_select_forms_are_recognised,
    plans_follow_format_and_bits as half_select_plans_follow_format_and_bits,
    rules_model_the_kernels as half_select_rules_model_the_kernels,
    select_equals_the_kernel_on_bf16 as half_select_equals_the_kernel_on_bf16,
    select_equals_the_kernel_on_f16 as half_select_equals_the_kernel_on_f16,
};
pub use crate::convert::soft::checks::unflagged_lanes_round_like_their_neighbourhood as half_unflagged_lanes_round_like_their_neighbourhood;
pub use crate::isa::checks::dispatch_runs_the_selected_level;
pub use crate::lut::checks::table_reads_agree as half_table_reads_agree;
pub use crate::rows::softmax::checks::times_small_keeps_the_bits as softmax_times_small_keeps_the_bits;
