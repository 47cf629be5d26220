//! The white-box checks of the library's internals (`lanewise::self_check`), one test each.
//! The library has no unit-test harness of its own (see `src/self_check.rs`).

use lanewise::self_check as check;

#[test]
fn dispatch_runs_the_selected_level() {
    check::dispatch_runs_the_selected_level();
}

#[test]
fn f16_arith_agrees_with_conversions() {
    check::f16_arith_agrees_with_conversions();
}

#[test]
fn half_select_forms_are_recognised() {
    check::half_select_forms_are_recognised();
}

#[test]
fn half_select_plans_follow_format_and_bits() {
    check::half_select_plans_follow_format_and_bits();
}

#[test]
fn half_table_reads_agree() {
    check::half_table_reads_agree();
}

#[test]
fn half_select_equals_the_kernel_on_f16() {
    check::half_select_equals_the_kernel_on_f16();
}

#[test]
fn half_select_equals_the_kernel_on_bf16() {
    check::half_select_equals_the_kernel_on_bf16();
}

#[test]
fn half_select_rules_model_the_kernels() {
    check::half_select_rules_model_the_kernels();
}

#[test]
fn half_unflagged_lanes_round_like_their_neighbourhood() {
    check::half_unflagged_lanes_round_like_their_neighbourhood();
}

#[test]
fn softmax_times_small_keeps_the_bits() {
    check::softmax_times_small_keeps_the_bits();
}
