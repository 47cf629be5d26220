//! Row-wise functions: published bounds on adversarial rows against the f64 references,
//! identical bits on every ISA, the strided (axis) layout equal to the contiguous one after
//! a transpose, every row length, masks, and the panics.

mod common;

use common::{STRIDED_SHAPES, label, masks, out_len, strided_input};
use lanewise::accuracy::rows::{Rng, adversarial_rows, check};
use lanewise::table::{ROW_OPS, RowKind};
use lanewise::{Axis, Isa, with_isa};

fn bits(y: &[f32]) -> Vec<u32> {
    y.iter().map(|v| v.to_bits()).collect()
}

#[test]
fn bounds_on_adversarial_rows_and_identical_bits_on_every_isa() {
    let rows = adversarial_rows();
    let mut failures = vec![];
    for op in ROW_OPS.iter().filter(|o| o.reference.is_some()) {
        let mut first: Option<(Isa, u64)> = None;
        for isa in Isa::available() {
            let (st, hash) = check(op, &rows, isa).unwrap();
            assert!(
                st.count > 90,
                "{}: only {} outputs checked",
                label(op),
                st.count
            );
            if st.max_ulp > op.ulp_f32 {
                failures.push(format!(
                    "{} on {isa}: {} ulp at {} (bound {})",
                    label(op),
                    st.max_ulp,
                    st.worst,
                    op.ulp_f32
                ));
            }
            match first {
                None => first = Some((isa, hash)),
                Some((i0, h0)) if h0 != hash => {
                    failures.push(format!("{}: bits differ between {i0} and {isa}", label(op)))
                }
                _ => {}
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// `[O, L, I]` → rows `[O, I, L]`.
fn transpose(x: &[f32], a: Axis) -> Vec<f32> {
    let mut t = vec![0.0; x.len()];
    for o in 0..a.outer {
        for j in 0..a.len {
            for i in 0..a.inner {
                t[(o * a.inner + i) * a.len + j] = x[(o * a.len + j) * a.inner + i];
            }
        }
    }
    t
}

fn transpose_mask(m: &[bool], a: Axis) -> Vec<bool> {
    let f: Vec<f32> = m.iter().map(|&b| b as u8 as f32).collect();
    transpose(&f, a).iter().map(|&v| v != 0.0).collect()
}

/// The axis form on `[O, L, I]` equals, bit for bit, the contiguous form on the transpose,
/// for every function, with and without a mask, on every ISA; and every row of a
/// contiguous call equals a call on that row alone.
#[test]
fn strided_axis_equals_contiguous_after_transpose() {
    let mut r = Rng(7);
    for isa in Isa::available() {
        for (o, l, i) in STRIDED_SHAPES {
            let a = Axis::new(o, l, i);
            let (x, mask) = strided_input(&mut r, a);
            for op in ROW_OPS.iter().filter(|o| o.kind != RowKind::Expand) {
                for m in masks(op, l, &mask) {
                    let mut y = vec![0.0f32; out_len(op, a)];
                    with_isa(isa, || (op.run)(&x, &mut y, a, m)).unwrap();
                    let xt = transpose(&x, a);
                    let mt = m.map(|m| transpose_mask(m, a));
                    let at = Axis::new(o * i, l, 1);
                    let mut yt = vec![0.0f32; out_len(op, at)];
                    with_isa(isa, || (op.run)(&xt, &mut yt, at, mt.as_deref())).unwrap();
                    let back = match op.kind {
                        RowKind::Reduce => yt.clone(),
                        RowKind::Normalize => {
                            let mut b = vec![0.0; yt.len()];
                            for oo in 0..o {
                                for j in 0..l {
                                    for ii in 0..i {
                                        b[(oo * l + j) * i + ii] = yt[(oo * i + ii) * l + j];
                                    }
                                }
                            }
                            b
                        }
                        _ => {
                            let h = l / 2;
                            let mut b = vec![0.0; yt.len()];
                            for oo in 0..o {
                                for j in 0..h {
                                    for ii in 0..i {
                                        b[(oo * h + j) * i + ii] = yt[(oo * i + ii) * h + j];
                                    }
                                }
                            }
                            b
                        }
                    };
                    assert_eq!(
                        bits(&y),
                        bits(&back),
                        "{} on {isa}, shape [{o}, {l}, {i}], mask {}",
                        label(op),
                        m.is_some()
                    );
                }
            }
        }
    }
}

/// Every row length 1..=70 (every tail of every vector width), several rows per call,
/// equals the same rows one call at a time, and nothing is written outside `out`.
/// `op` on `row` as an input of its own (`per` outputs), on `isa`.
fn row_alone(op: &lanewise::table::RowOpInfo, isa: Isa, row: &[f32], per: usize) -> Vec<f32> {
    let mut z = vec![0.0f32; per];
    let one = Axis::new(1, row.len(), 1);
    with_isa(isa, || (op.run)(row, &mut z, one, None)).unwrap();
    z
}

#[test]
fn every_length_and_rows_independent() {
    let mut r = Rng(11);
    for isa in Isa::available() {
        for n in 1..=70usize {
            let rows = 3;
            let x: Vec<f32> = (0..n * rows).map(|_| (r.normal() * 6.0) as f32).collect();
            for op in ROW_OPS.iter().filter(|o| o.kind != RowKind::Expand) {
                if op.kind == RowKind::Split && n % 2 == 1 {
                    continue;
                }
                let a = Axis::new(rows, n, 1);
                let len = out_len(op, a);
                let mut y = vec![7.0f32; len + 2];
                with_isa(isa, || (op.run)(&x, &mut y[1..len + 1], a, None)).unwrap();
                assert_eq!(
                    (y[0], y[len + 1]),
                    (7.0, 7.0),
                    "{} wrote outside",
                    label(op)
                );
                let per = len / rows;
                for k in 0..rows {
                    assert_eq!(
                        bits(&y[1 + k * per..1 + (k + 1) * per]),
                        bits(&row_alone(op, isa, &x[k * n..(k + 1) * n], per)),
                        "{} n={n} row {k} on {isa}",
                        label(op)
                    );
                }
            }
        }
    }
}

/// Inputs of 16 MiB and more fetch the next row ahead during the softmax family's exp pass
/// (a cache hint): every row of such an input still gets the bits of the same row alone,
/// the last one (whose "next row" lies past the end) included.
#[test]
fn large_inputs_equal_their_rows_alone() {
    let (rows, n) = (1025usize, 4096usize); // 16.02 MiB of f32
    let mut r = Rng(5);
    let x: Vec<f32> = (0..rows * n).map(|_| (r.normal() * 6.0) as f32).collect();
    let a = Axis::new(rows, n, 1);
    for isa in Isa::available() {
        for op in ROW_OPS
            .iter()
            .filter(|o| o.kind == RowKind::Reduce || o.name.contains("softm"))
        {
            let len = out_len(op, a);
            let per = len / rows;
            let mut y = vec![0.0f32; len];
            with_isa(isa, || (op.run)(&x, &mut y, a, None)).unwrap();
            for k in [0, 1, rows / 2, rows - 1] {
                assert_eq!(
                    bits(&y[k * per..(k + 1) * per]),
                    bits(&row_alone(op, isa, &x[k * n..(k + 1) * n], per)),
                    "{} row {k} on {isa}",
                    label(op)
                );
            }
        }
    }
}

#[test]
fn contiguous_forms_equal_axis_forms() {
    let x: Vec<f32> = (0..60).map(|i| (i as f32 * 0.37).sin() * 5.0).collect();
    let a = Axis::new(5, 12, 1);
    let run = |f: fn(&[f32], &mut [f32], usize), len: usize| {
        let mut y = vec![0.0; len];
        f(&x, &mut y, 12);
        bits(&y)
    };
    let axis = |name: &str, variant: &str| {
        let op = ROW_OPS
            .iter()
            .find(|o| o.name == name && o.variant == variant)
            .unwrap();
        let mut y = vec![0.0; out_len(op, a)];
        (op.run)(&x, &mut y, a, None);
        bits(&y)
    };
    assert_eq!(run(lanewise::softmax, 60), axis("softmax", ""));
    assert_eq!(run(lanewise::softmin, 60), axis("softmin", ""));
    assert_eq!(run(lanewise::log_softmax, 60), axis("log_softmax", ""));
    assert_eq!(run(lanewise::logsumexp, 5), axis("logsumexp", ""));
    assert_eq!(run(lanewise::logmeanexp, 5), axis("logmeanexp", ""));
    assert_eq!(run(lanewise::standardize, 60), axis("standardize", ""));
    assert_eq!(run(lanewise::glu, 30), axis("glu", ""));
}

#[test]
fn table_is_consistent() {
    for op in ROW_OPS {
        assert!(op.ulp_f32 >= 0.0 && !op.floor.is_empty(), "{}", op.name);
        assert_eq!(
            ROW_OPS
                .iter()
                .filter(|o| o.name == op.name && o.variant == op.variant)
                .count(),
            1
        );
        assert_eq!(op.reference.is_none(), op.kind == RowKind::Expand);
    }
    for name in [
        "softmax",
        "softmin",
        "log_softmax",
        "logsumexp",
        "logmeanexp",
        "standardize",
        "glu",
        "one_hot",
    ] {
        assert!(ROW_OPS.iter().any(|o| o.name == name), "{name} missing");
    }
}

// ---- panics: the function and the sizes are named ----

#[test]
#[should_panic(
    expected = "lanewise::softmax: input has 10 elements, not a multiple of the row length 4"
)]
fn panics_not_multiple() {
    lanewise::softmax(&[0.0; 10], &mut [0.0; 10], 4);
}

#[test]
#[should_panic(expected = "lanewise::log_softmax: output has 7 elements but 8 are needed")]
fn panics_output_length() {
    lanewise::log_softmax(&[0.0; 8], &mut [0.0; 7], 4);
}

#[test]
#[should_panic(expected = "lanewise::logsumexp: output has 8 elements but 2 are needed")]
fn panics_reduction_output_length() {
    lanewise::logsumexp(&[0.0; 8], &mut [0.0; 8], 4);
}

#[test]
#[should_panic(expected = "lanewise::softmin: row length is 0")]
fn panics_zero_row() {
    lanewise::softmin::<f32>(&[], &mut [], 0);
}

#[test]
#[should_panic(
    expected = "lanewise::softmax_axis: input has 12 elements but the layout 2×3×4 needs 24"
)]
fn panics_layout() {
    lanewise::softmax_axis(&[0.0; 12], &mut [0.0; 12], Axis::new(2, 3, 4), None);
}

#[test]
#[should_panic(expected = "lanewise::logmeanexp_axis: mask has 5 elements but 6 are needed")]
fn panics_mask_length() {
    lanewise::logmeanexp_axis(
        &[0.0; 6],
        &mut [0.0; 2],
        Axis::new(2, 3, 1),
        Some(&[true; 5]),
    );
}

#[test]
#[should_panic(expected = "lanewise::glu: the split axis has odd length 5")]
fn panics_glu_odd() {
    lanewise::glu(&[0.0; 10], &mut [0.0; 5], 5);
}

#[test]
#[should_panic(expected = "lanewise::glu_axis: output has 4 elements but 6 are needed")]
fn panics_glu_output() {
    lanewise::glu_axis(&[0.0; 12], &mut [0.0; 4], Axis::new(1, 4, 3));
}

#[test]
#[should_panic(
    expected = "lanewise::one_hot: output has 5 elements but 2 indices × 3 classes need 6"
)]
fn panics_one_hot() {
    lanewise::one_hot(&[0u32, 1], &mut [0.0; 5], 3);
}

#[test]
#[should_panic(expected = "lanewise::standardize_with: mean has 1 elements but 2 are needed")]
fn panics_standardize_mean() {
    let o = lanewise::StandardizeOptions {
        mean: Some(&[0.0]),
        ..Default::default()
    };
    lanewise::standardize_with(&[0.0; 6], &mut [0.0; 6], Axis::new(2, 3, 1), o);
}

#[test]
#[should_panic(expected = "lanewise::logsumexp_with: b has 3 elements but 4 are needed")]
fn panics_b_length() {
    let o = lanewise::LogSumExpOptions {
        b: Some(&[1.0; 3]),
        ..Default::default()
    };
    lanewise::logsumexp_with(&[0.0; 4], &mut [0.0; 1], Axis::new(1, 4, 1), o);
}

#[test]
#[should_panic(
    expected = "lanewise::Axis::of_shape: axis 3 out of range for a shape of 3 dimensions"
)]
fn panics_of_shape() {
    Axis::of_shape(&[1, 2, 3], 3);
}
