//! Row-wise functions on f16 and bf16 rows, on every ISA: the published half-ulp bound
//! (`RowOpInfo::ulp_bound`) on the adversarial rows against the f64 reference rounded to the
//! half type; every output equal to the f32 function of the widened row rounded once (f32
//! accumulation, one rounding); identical bits on every ISA; the axis layouts; every length
//! 1..=70; the spec's special rows and masks; the options; the panics.

mod common;

use common::{STRIDED_SHAPES, label, masks, out_len, strided_input};
use lanewise::accuracy::rows::{Rng, adversarial_rows, check_as};
use lanewise::table::{ROW_OPS, RowKind, RowOpInfo};
use lanewise::{
    Algorithm, Axis, Element, Isa, LogSumExpOptions, StandardizeOptions, bf16, f16, with_isa,
};

fn bits<T: Element>(y: &[T]) -> Vec<u32> {
    y.iter()
        .map(|v| {
            let b = bytemuck::bytes_of(v);
            b.iter().rev().fold(0u32, |a, &x| a << 8 | x as u32)
        })
        .collect()
}

fn widen<T: Element>(x: &[T]) -> Vec<f32> {
    x.iter().map(|v| v.to_f32()).collect()
}

fn narrow<T: Element>(x: &[f32]) -> Vec<T> {
    x.iter().map(|&v| T::from_f32(v)).collect()
}

/// `op` on `T` rows, and the f32 function of the widened rows rounded once to `T`.
fn both<T: Element>(
    op: &RowOpInfo,
    x: &[T],
    a: Axis,
    mask: Option<&[bool]>,
    isa: Isa,
) -> (Vec<T>, Vec<T>) {
    let n = out_len(op, a);
    let mut y = vec![T::default(); n];
    with_isa(isa, || op.run_as(x, &mut y, a, mask)).unwrap();
    let mut y32 = vec![0.0f32; n];
    with_isa(isa, || (op.run)(&widen(x), &mut y32, a, mask)).unwrap();
    (y, narrow(&y32))
}

fn bound_on_adversarial_rows<T: Element>() {
    let rows = adversarial_rows();
    let mut failures = vec![];
    for op in ROW_OPS.iter().filter(|o| o.reference.is_some()) {
        let bound = op.ulp_bound(T::DTYPE);
        let mut first: Option<(Isa, u64)> = None;
        for isa in Isa::available() {
            let (st, hash) = check_as::<T>(op, &rows, isa).unwrap();
            assert!(st.count > 90, "{}: only {} outputs", label(op), st.count);
            eprintln!(
                "{} {} on {isa}: max {:.6} half-ulp (bound {bound}) at {}",
                label(op),
                T::DTYPE,
                st.max_ulp,
                st.worst
            );
            if st.max_ulp > bound {
                failures.push(format!(
                    "{} {} on {isa}: {} ulp at {} (bound {bound})",
                    label(op),
                    T::DTYPE,
                    st.max_ulp,
                    st.worst
                ));
            }
            match first {
                None => first = Some((isa, hash)),
                Some((i0, h0)) if h0 != hash => failures.push(format!(
                    "{} {}: bits differ between {i0} and {isa}",
                    label(op),
                    T::DTYPE
                )),
                _ => {}
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn f16_bound_on_adversarial_rows_and_identical_bits() {
    bound_on_adversarial_rows::<f16>();
}

#[test]
fn bf16_bound_on_adversarial_rows_and_identical_bits() {
    bound_on_adversarial_rows::<bf16>();
}

/// Every output, masked or not, is the f32 function of the widened row rounded once: the
/// accumulation is f32 and the f32 algorithm unchanged.
fn f32_rounded_once<T: Element>() {
    for t in adversarial_rows() {
        let n = t.x.len();
        let x: Vec<T> = narrow(&t.x);
        for op in ROW_OPS.iter().filter(|o| o.kind != RowKind::Expand) {
            if op.kind == RowKind::Split && n % 2 == 1 {
                continue;
            }
            let mask = t.mask.as_deref().filter(|_| op.kind != RowKind::Split);
            for isa in Isa::available() {
                let (y, want) = both(op, &x, Axis::new(1, n, 1), mask, isa);
                assert_eq!(
                    bits(&y),
                    bits(&want),
                    "{} {} on {isa}, row {}",
                    label(op),
                    T::DTYPE,
                    t.name
                );
            }
        }
    }
}

#[test]
fn half_is_the_f32_result_rounded_once() {
    f32_rounded_once::<f16>();
    f32_rounded_once::<bf16>();
}

/// Strided layouts (any axis), with and without a mask: equal to the f32 axis form rounded
/// once (which equals the contiguous form on the transpose: tests/rowwise.rs), and for the
/// reductions equal to the contiguous half form on the transposed tensor.
fn strided<T: Element>() {
    let mut r = Rng(21);
    for isa in Isa::available() {
        for (o, l, i) in STRIDED_SHAPES {
            let a = Axis::new(o, l, i);
            let (x32, mask) = strided_input(&mut r, a);
            let x: Vec<T> = narrow(&x32);
            for op in ROW_OPS.iter().filter(|o| o.kind != RowKind::Expand) {
                for m in masks(op, l, &mask) {
                    let (y, want) = both(op, &x, a, m, isa);
                    let what = format!(
                        "{} {} on {isa}, shape [{o}, {l}, {i}], mask {}",
                        label(op),
                        T::DTYPE,
                        m.is_some()
                    );
                    assert_eq!(bits(&y), bits(&want), "{what}");
                    if op.kind == RowKind::Reduce {
                        // Row (oo, ii) of the transpose is [oo·I + ii] of the output.
                        let mut xt = vec![T::default(); x.len()];
                        let mut mt = vec![true; x.len()];
                        for oo in 0..o {
                            for j in 0..l {
                                for ii in 0..i {
                                    xt[(oo * i + ii) * l + j] = x[(oo * l + j) * i + ii];
                                    if let Some(m) = m {
                                        mt[(oo * i + ii) * l + j] = m[(oo * l + j) * i + ii];
                                    }
                                }
                            }
                        }
                        let at = Axis::new(o * i, l, 1);
                        let mut yt = vec![T::default(); at.rows()];
                        let mt = m.map(|_| &mt[..]);
                        with_isa(isa, || op.run_as(&xt, &mut yt, at, mt)).unwrap();
                        assert_eq!(bits(&y), bits(&yt), "{what}: transpose");
                    }
                }
            }
        }
    }
}

#[test]
fn strided_layouts() {
    strided::<f16>();
    strided::<bf16>();
}

/// Every row length 1..=70 (every tail of every vector width), three rows per call: equal
/// to one call per row and to the f32 result rounded once, nothing written outside `out`.
fn every_length<T: Element>() {
    let mut r = Rng(11);
    let sentinel = T::from_f32(7.0);
    for isa in Isa::available() {
        for n in 1..=70usize {
            let rows = 3;
            let x: Vec<T> = (0..n * rows)
                .map(|_| T::from_f32((r.normal() * 6.0) as f32))
                .collect();
            for op in ROW_OPS.iter().filter(|o| o.kind != RowKind::Expand) {
                if op.kind == RowKind::Split && n % 2 == 1 {
                    continue;
                }
                let a = Axis::new(rows, n, 1);
                let len = out_len(op, a);
                let mut y = vec![sentinel; len + 2];
                with_isa(isa, || op.run_as(&x, &mut y[1..len + 1], a, None)).unwrap();
                assert!(
                    y[0] == sentinel && y[len + 1] == sentinel,
                    "{} wrote outside",
                    label(op)
                );
                let (_, want) = both(op, &x, a, None, isa);
                assert_eq!(bits(&y[1..len + 1]), bits(&want), "{} n={n}", label(op));
                let per = len / rows;
                for k in 0..rows {
                    let mut z = vec![T::default(); per];
                    let one = Axis::new(1, n, 1);
                    with_isa(isa, || op.run_as(&x[k * n..(k + 1) * n], &mut z, one, None)).unwrap();
                    assert_eq!(
                        bits(&y[1 + k * per..1 + (k + 1) * per]),
                        bits(&z),
                        "{} {} n={n} row {k} on {isa}",
                        label(op),
                        T::DTYPE
                    );
                }
            }
        }
    }
}

#[test]
fn every_length_and_rows_independent() {
    every_length::<f16>();
    every_length::<bf16>();
}

const NAN: f32 = f32::NAN;
const INF: f32 = f32::INFINITY;
const NINF: f32 = f32::NEG_INFINITY;

/// `name` (default variant) on one row of `T` on every ISA (same bits), widened.
fn row<T: Element>(name: &str, x: &[f32], mask: Option<&[bool]>) -> Vec<f32> {
    let op = ROW_OPS
        .iter()
        .find(|o| o.name == name && o.variant.is_empty())
        .unwrap();
    let x: Vec<T> = narrow(x);
    let a = Axis::new(1, x.len(), 1);
    let mut first: Option<Vec<T>> = None;
    for isa in Isa::available() {
        let mut y = vec![T::default(); out_len(op, a)];
        with_isa(isa, || op.run_as(&x, &mut y, a, mask)).unwrap();
        match &first {
            None => first = Some(y),
            Some(f) => assert_eq!(bits(f), bits(&y), "{name} {}: bits on {isa}", T::DTYPE),
        }
    }
    widen(&first.unwrap())
}

/// Equal, NaN matching NaN (and then the canonical quiet NaN of `T`).
fn same<T: Element>(y: &[f32], want: &[f32]) -> bool {
    let nan = bits(&[T::from_f32(NAN)])[0];
    y.len() == want.len()
        && y.iter().zip(want).all(|(a, b)| {
            if b.is_nan() {
                bits(&[T::from_f32(*a)])[0] == nan
            } else {
                a.to_bits() == b.to_bits()
            }
        })
}

/// The spec's special rows (NaN, ±inf, all −inf), masks and fully masked rows in half.
fn special_rows<T: Element>() {
    let nan3 = [NAN; 3];
    let cases: &[(&str, &[f32], &[f32])] = &[
        ("softmax", &[NINF, 0.0, 1.0], &[0.0, f32::NAN, f32::NAN]),
        ("softmax", &[NINF; 3], &nan3),
        ("softmax", &[INF, 0.0, 1.0], &nan3),
        ("softmax", &[NAN, 0.0, 1.0], &nan3),
        ("log_softmax", &[NINF; 3], &nan3),
        ("log_softmax", &[INF, NINF, 0.0], &nan3),
        ("logsumexp", &[NINF; 3], &[NINF]),
        ("logsumexp", &[INF, NINF, 0.0], &[INF]),
        ("logsumexp", &[NAN, 0.0, 1.0], &[NAN]),
        ("softmin", &[NINF, 0.0, 1.0], &nan3),
        ("softmin", &[INF, INF, 0.0], &[0.0, 0.0, 1.0]),
        ("softmax", &[3.0, 3.0], &[0.5, 0.5]),
        ("softmax", &[1e30, 0.0, -1e30], &[f32::NAN; 3]), // ±inf in f16, finite in bf16
        ("logsumexp", &[-7.5], &[-7.5]),
        ("logmeanexp", &[2.5; 1000], &[2.5]),
        ("log_softmax", &[-7.5], &[0.0]),
    ];
    for &(name, x, want) in cases {
        let y = row::<T>(name, x, None);
        if name == "softmax" && x[0] == 1e30 {
            // 1e30 is +inf in f16 (a NaN row); bf16 holds it: [1, 0, 0].
            let w: &[f32] = if T::from_f32(1e30).to_f32().is_infinite() {
                &nan3
            } else {
                &[1.0, 0.0, 0.0]
            };
            assert!(same::<T>(&y, w), "{name}({x:?}) {} = {y:?}", T::DTYPE);
        } else if name == "softmax" && x[0] == NINF && x[1] == 0.0 {
            assert_eq!(y[0], 0.0);
            let e = (1.0f64).exp();
            assert_eq!(y[1], T::from_f64_rounded(1.0 / (1.0 + e)).to_f32());
            assert_eq!(y[2], T::from_f64_rounded(e / (1.0 + e)).to_f32());
        } else {
            assert!(same::<T>(&y, want), "{name}({x:?}) {} = {y:?}", T::DTYPE);
        }
    }
    // Fully masked rows and masked-out values that must not leak.
    let x = [1.0, NAN, INF];
    let m = [false; 3];
    assert_eq!(row::<T>("softmax", &x, Some(&m)), [0.0; 3]);
    assert_eq!(row::<T>("softmin", &x, Some(&m)), [0.0; 3]);
    assert_eq!(row::<T>("log_softmax", &x, Some(&m)), [NINF; 3]);
    assert_eq!(row::<T>("logsumexp", &x, Some(&m)), [NINF]);
    assert!(same::<T>(&row::<T>("logmeanexp", &x, Some(&m)), &[NAN]));
    assert!(same::<T>(&row::<T>("standardize", &x, Some(&m)), &nan3));
    let x = [NAN, 1.0, INF, 1.0, NINF];
    let m = [false, true, false, true, false];
    assert_eq!(row::<T>("softmax", &x, Some(&m)), [0.0, 0.5, 0.0, 0.5, 0.0]);
    let ln2 = T::from_f32(core::f32::consts::LN_2).to_f32();
    assert_eq!(
        row::<T>("log_softmax", &x, Some(&m)),
        [NINF, -ln2, NINF, -ln2, NINF]
    );
    assert_eq!(
        row::<T>("logsumexp", &x, Some(&m)),
        [T::from_f64_rounded(1.0 + core::f64::consts::LN_2).to_f32()]
    );
    assert_eq!(row::<T>("logmeanexp", &x, Some(&m)), [1.0]);
    // standardize with inf/NaN: a NaN row.
    assert!(same::<T>(
        &row::<T>("standardize", &[1.0, INF, 2.0], None),
        &nan3
    ));
}

#[test]
fn special_rows_in_half() {
    special_rows::<f16>();
    special_rows::<bf16>();
}

/// logsumexp's `b` and sign, standardize's given mean and variance, glu and one_hot take
/// and give `T`, equal to the f32 forms rounded once.
fn options<T: Element>() {
    let x32 = [0.5f32, -1.25, 3.0, 0.0, 2.0, -4.0];
    let b32 = [1.0f32, -2.0, 0.5, 0.0, -1.0, 3.0];
    let (x, b): (Vec<T>, Vec<T>) = (narrow(&x32), narrow(&b32));
    let a = Axis::new(2, 3, 1);
    for isa in Isa::available() {
        let (mut y, mut s) = (vec![T::default(); 2], vec![T::default(); 2]);
        let o = LogSumExpOptions {
            b: Some(&b),
            sign: Some(&mut s),
            ..Default::default()
        };
        with_isa(isa, || lanewise::logsumexp_with(&x, &mut y, a, o)).unwrap();
        let (mut y32, mut s32) = ([0.0f32; 2], [0.0f32; 2]);
        let o = LogSumExpOptions {
            b: Some(&b32),
            sign: Some(&mut s32),
            ..Default::default()
        };
        with_isa(isa, || lanewise::logsumexp_with(&widen(&x), &mut y32, a, o)).unwrap();
        assert_eq!(bits(&y), bits(&narrow::<T>(&y32)), "{} on {isa}", T::DTYPE);
        assert_eq!(bits(&s), bits(&narrow::<T>(&s32)), "{} on {isa}", T::DTYPE);
        assert_eq!(widen(&s), [1.0, -1.0]);

        let (mean, var): (Vec<T>, Vec<T>) = (narrow(&[1.0, -0.5]), narrow(&[4.0, 0.25]));
        for algorithm in [Algorithm::Fast, Algorithm::Stable] {
            for given in 0..3 {
                let o = StandardizeOptions {
                    mean: (given >= 1).then_some(&mean[..]),
                    variance: (given == 2).then_some(&var[..]),
                    epsilon: 1e-3,
                    algorithm,
                    ..Default::default()
                };
                let mut y = vec![T::default(); 6];
                with_isa(isa, || lanewise::standardize_with(&x, &mut y, a, o)).unwrap();
                let (m32, v32) = (widen(&mean), widen(&var));
                let o = StandardizeOptions {
                    mean: (given >= 1).then_some(&m32[..]),
                    variance: (given == 2).then_some(&v32[..]),
                    epsilon: 1e-3,
                    algorithm,
                    ..Default::default()
                };
                let mut y32 = vec![0.0f32; 6];
                with_isa(isa, || {
                    lanewise::standardize_with(&widen(&x), &mut y32, a, o)
                })
                .unwrap();
                assert_eq!(bits(&y), bits(&narrow::<T>(&y32)), "{algorithm:?} {given}");
            }
        }
        if T::DTYPE == lanewise::Dtype::F16 {
            // Given mean 1 and variance 4 (ε = 0): (3 − 1)/2 = 1 exactly.
            let o = StandardizeOptions {
                mean: Some(&mean[..1]),
                variance: Some(&var[..1]),
                epsilon: 0.0,
                ..Default::default()
            };
            let mut y = vec![T::default(); 3];
            lanewise::standardize_with(&x[..3], &mut y, Axis::new(1, 3, 1), o);
            assert_eq!(widen(&y)[2], 1.0);
        }

        let mut g = vec![T::default(); 3];
        with_isa(isa, || lanewise::glu(&x, &mut g, 6)).unwrap();
        let mut g32 = [0.0f32; 3];
        with_isa(isa, || lanewise::glu(&widen(&x), &mut g32, 6)).unwrap();
        assert_eq!(bits(&g), bits(&narrow::<T>(&g32)));
    }
    // one_hot: T indices (through the table) and integer indices into T rows.
    let idx: Vec<T> = narrow(&[2.0, -1.0, 0.0, 1.5, NAN]);
    let mut h = vec![T::from_f32(9.0); 15];
    let op = ROW_OPS.iter().find(|o| o.name == "one_hot").unwrap();
    op.run_as(&idx, &mut h, Axis::new(5, 3, 1), None);
    let mut want = [0.0f32; 15];
    want[2] = 1.0;
    want[6] = 1.0;
    assert_eq!(widen(&h), want);
    let mut h = vec![T::from_f32(9.0); 15];
    lanewise::one_hot(&[2i64, -1, 0, 3, 7], &mut h, 3);
    assert_eq!(widen(&h), want);
}

#[test]
fn options_in_half() {
    options::<f16>();
    options::<bf16>();
}

#[test]
fn table_runs_every_dtype() {
    for op in ROW_OPS.iter().filter(|o| o.kind != RowKind::Expand) {
        let a = Axis::new(1, 4, 1);
        let x: Vec<bf16> = narrow(&[0.5, -1.0, 2.0, 0.25]);
        let (y, want) = both(op, &x, a, None, lanewise::active_isa());
        assert_eq!(bits(&y), bits(&want), "{}", label(op));
    }
    assert!(
        ROW_OPS
            .iter()
            .all(|o| o.ulp_bound(lanewise::Dtype::F16) < 0.51)
    );
}

// ---- panics: the function and the sizes are named, for half slices too ----

#[test]
#[should_panic(
    expected = "lanewise::softmax: input has 10 elements, not a multiple of the row length 4"
)]
fn panics_not_multiple() {
    lanewise::softmax(&[f16::ZERO; 10], &mut [f16::ZERO; 10], 4);
}

#[test]
#[should_panic(expected = "lanewise::logsumexp: output has 8 elements but 2 are needed")]
fn panics_reduction_output_length() {
    lanewise::logsumexp(&[bf16::ZERO; 8], &mut [bf16::ZERO; 8], 4);
}

#[test]
#[should_panic(
    expected = "lanewise::log_softmax_axis: input has 12 elements but the layout 2×3×4 needs 24"
)]
fn panics_layout() {
    lanewise::log_softmax_axis(
        &[f16::ZERO; 12],
        &mut [f16::ZERO; 12],
        Axis::new(2, 3, 4),
        None,
    );
}

#[test]
#[should_panic(expected = "lanewise::glu: the split axis has odd length 5")]
fn panics_glu_odd() {
    lanewise::glu(&[bf16::ZERO; 10], &mut [bf16::ZERO; 5], 5);
}

#[test]
#[should_panic(expected = "lanewise::standardize_with: variance has 1 elements but 2 are needed")]
fn panics_standardize_variance() {
    let v = [f16::ONE];
    let o = StandardizeOptions {
        variance: Some(&v),
        ..Default::default()
    };
    lanewise::standardize_with(&[f16::ZERO; 6], &mut [f16::ZERO; 6], Axis::new(2, 3, 1), o);
}

#[test]
#[should_panic(expected = "lanewise::logsumexp_with: sign has 1 elements but 2 are needed")]
fn panics_sign_length() {
    let mut s = [bf16::ZERO; 1];
    let o = LogSumExpOptions {
        sign: Some(&mut s),
        ..Default::default()
    };
    lanewise::logsumexp_with(
        &[bf16::ZERO; 4],
        &mut [bf16::ZERO; 2],
        Axis::new(2, 2, 1),
        o,
    );
}

#[test]
#[should_panic(
    expected = "lanewise::one_hot: output has 5 elements but 2 indices × 3 classes need 6"
)]
fn panics_one_hot() {
    lanewise::one_hot(&[0u32, 1], &mut [f16::ZERO; 5], 3);
}

// ---- in place: the out-of-place bits, for f32, f16 and bf16 ----

type InPlace<T> = fn(&mut [T], usize);
type OutOfPlace<T> = fn(&[T], &mut [T], usize);

fn inplace_equals_out_of_place<T: Element>() {
    let pairs: [(&str, InPlace<T>, OutOfPlace<T>); 4] = [
        ("softmax", lanewise::softmax_inplace, lanewise::softmax),
        ("softmin", lanewise::softmin_inplace, lanewise::softmin),
        (
            "log_softmax",
            lanewise::log_softmax_inplace,
            lanewise::log_softmax,
        ),
        (
            "standardize",
            lanewise::standardize_inplace,
            lanewise::standardize,
        ),
    ];
    let mut r = Rng(5);
    // Short rows, rows around the vector widths, rows longer than the copied block, and
    // totals that end in a partial block.
    for (n, rows) in [(1, 3), (7, 5), (16, 9), (33, 1000), (4096, 5), (20_000, 2)] {
        let mut x: Vec<T> = (0..n * rows)
            .map(|_| T::from_f32((r.normal() * 5.0) as f32))
            .collect();
        if x.len() > 8 {
            x[5] = T::from_f32(NINF);
            x[8] = T::from_f32(NAN);
        }
        for (name, inplace, out_of_place) in pairs {
            for isa in Isa::available() {
                let mut want = vec![T::default(); x.len()];
                with_isa(isa, || out_of_place(&x, &mut want, n)).unwrap();
                let mut y = x.clone();
                with_isa(isa, || inplace(&mut y, n)).unwrap();
                assert_eq!(
                    bits(&y),
                    bits(&want),
                    "{name}_inplace {} n={n} rows={rows} on {isa}",
                    T::DTYPE
                );
            }
        }
    }
}

#[test]
fn inplace_forms_equal_out_of_place() {
    inplace_equals_out_of_place::<f32>();
    inplace_equals_out_of_place::<f16>();
    inplace_equals_out_of_place::<bf16>();
}

#[test]
#[should_panic(
    expected = "lanewise::softmax_inplace: input has 10 elements, not a multiple of the row length 4"
)]
fn panics_inplace_not_multiple() {
    lanewise::softmax_inplace(&mut [f16::ZERO; 10], 4);
}

#[test]
#[should_panic(expected = "lanewise::standardize_inplace: row length is 0")]
fn panics_inplace_zero_row() {
    lanewise::standardize_inplace::<f32>(&mut [], 0);
}
