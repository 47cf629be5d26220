//! Special rows of spec/ACTIVATIONS.md §3 and §4 (NaN, ±inf, all −inf, masks), the
//! documented adversarial cases, logsumexp's `b` and sign, standardize's options, glu and
//! one_hot — on every ISA.

use lanewise::reference::rows::{self as refr, RowRef, ulp_error_floor_f32};
use lanewise::{
    Algorithm, Axis, Isa, LogSumExpOptions, StandardizeOptions, table::ROW_OPS, with_isa,
};

const NAN: f32 = f32::NAN;
const INF: f32 = f32::INFINITY;
const NINF: f32 = f32::NEG_INFINITY;

/// Bits equal, any NaN equal to any NaN... except that lanewise's NaN is the canonical one.
fn same(a: f32, b: f32) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan() && a.to_bits() == NAN.to_bits())
}

fn close(y: f32, want: f64, bound: f64) -> bool {
    ulp_error_floor_f32(
        y,
        RowRef {
            value: want,
            floor: 0.0,
        },
    ) <= bound
}

fn run_all(f: impl Fn() -> Vec<f32>) -> Vec<f32> {
    let mut first: Option<Vec<f32>> = None;
    for isa in Isa::available() {
        let y = with_isa(isa, &f).unwrap();
        if let Some(f0) = &first {
            let b0: Vec<u32> = f0.iter().map(|v| v.to_bits()).collect();
            let b1: Vec<u32> = y.iter().map(|v| v.to_bits()).collect();
            assert_eq!(b0, b1, "bits differ on {isa}");
        } else {
            first = Some(y);
        }
    }
    first.unwrap()
}

fn row_op(name: &str, x: &[f32], mask: Option<&[bool]>) -> Vec<f32> {
    let op = ROW_OPS
        .iter()
        .find(|o| o.name == name && o.variant.is_empty())
        .unwrap();
    let a = Axis::new(1, x.len(), 1);
    let len = if op.kind == lanewise::table::RowKind::Reduce {
        1
    } else {
        x.len()
    };
    run_all(|| {
        let mut y = vec![0.0f32; len];
        (op.run)(x, &mut y, a, mask);
        y
    })
}

/// The §4 table of reductions: `(row, softmax, log_softmax, logsumexp, softmin)`; `None`
/// entries are finite and checked against the reference.
#[test]
fn spec_table_of_reductions() {
    type Row = (
        [f32; 3],
        Option<[f32; 3]>,
        Option<[f32; 3]>,
        Option<f32>,
        Option<[f32; 3]>,
    );
    let table: [Row; 5] = [
        ([NINF, 0.0, 1.0], None, None, None, Some([NAN; 3])),
        (
            [NINF; 3],
            Some([NAN; 3]),
            Some([NAN; 3]),
            Some(NINF),
            Some([NAN; 3]),
        ),
        (
            [INF, 0.0, 1.0],
            Some([NAN; 3]),
            Some([NAN; 3]),
            Some(INF),
            None,
        ),
        (
            [INF, NINF, 0.0],
            Some([NAN; 3]),
            Some([NAN; 3]),
            Some(INF),
            Some([NAN; 3]),
        ),
        (
            [NAN, 0.0, 1.0],
            Some([NAN; 3]),
            Some([NAN; 3]),
            Some(NAN),
            Some([NAN; 3]),
        ),
    ];
    for (x, sm, lsm, lse, smin) in table {
        type Case = (&'static str, Option<Vec<f32>>, Vec<RowRef>);
        let cases: [Case; 4] = [
            ("softmax", sm.map(|v| v.to_vec()), refr::softmax(&x, None)),
            (
                "log_softmax",
                lsm.map(|v| v.to_vec()),
                refr::log_softmax(&x, None),
            ),
            (
                "logsumexp",
                lse.map(|v| vec![v]),
                vec![refr::logsumexp(&x, None)],
            ),
            ("softmin", smin.map(|v| v.to_vec()), refr::softmin(&x, None)),
        ];
        for (name, want, reference) in cases {
            let y = row_op(name, &x, None);
            match want {
                Some(w) => {
                    for (a, b) in y.iter().zip(&w) {
                        assert!(same(*a, *b), "{name}({x:?}) = {y:?}, want {w:?}");
                    }
                }
                None => {
                    for (a, r) in y.iter().zip(&reference) {
                        assert!(
                            ulp_error_floor_f32(*a, *r) <= 4.0,
                            "{name}({x:?}) = {y:?}, want {reference:?}"
                        );
                    }
                }
            }
        }
    }
    // The values the spec prints.
    let y = row_op("softmax", &[NINF, 0.0, 1.0], None);
    assert_eq!(y[0], 0.0);
    assert!((y[1] - 0.269).abs() < 1e-3 && (y[2] - 0.731).abs() < 1e-3);
    let y = row_op("log_softmax", &[NINF, 0.0, 1.0], None);
    assert_eq!(y[0], NINF);
    assert!((y[1] + 1.313).abs() < 1e-3 && (y[2] + 0.313).abs() < 1e-3);
    assert!((row_op("logsumexp", &[NINF, 0.0, 1.0], None)[0] - 1.313).abs() < 1e-3);
    let y = row_op("softmin", &[INF, 0.0, 1.0], None);
    assert!(y[0] == 0.0 && (y[1] - 0.731).abs() < 1e-3 && (y[2] - 0.269).abs() < 1e-3);
}

#[test]
fn fully_masked_rows() {
    let x = [1.0, NAN, INF];
    let m = [false; 3];
    assert_eq!(row_op("softmax", &x, Some(&m)), [0.0; 3]);
    assert_eq!(row_op("softmin", &x, Some(&m)), [0.0; 3]);
    assert_eq!(row_op("log_softmax", &x, Some(&m)), [NINF; 3]);
    assert_eq!(row_op("logsumexp", &x, Some(&m)), [NINF]);
    assert!(same(row_op("logmeanexp", &x, Some(&m))[0], NAN));
    assert!(
        row_op("standardize", &x, Some(&m))
            .iter()
            .all(|v| same(*v, NAN))
    );
}

#[test]
fn masked_out_values_do_not_leak() {
    let x = [NAN, 1.0, INF, 1.0, NINF];
    let m = [false, true, false, true, false];
    assert_eq!(row_op("softmax", &x, Some(&m)), [0.0, 0.5, 0.0, 0.5, 0.0]);
    let ln2 = core::f32::consts::LN_2;
    assert_eq!(
        row_op("log_softmax", &x, Some(&m)),
        [NINF, -ln2, NINF, -ln2, NINF]
    );
    assert_eq!(row_op("logsumexp", &x, Some(&m)), [1.0 + ln2]);
    assert_eq!(row_op("logmeanexp", &x, Some(&m)), [1.0]);
    // Unmasked −inf only: softmax NaN there, masked positions 0 (JAX).
    let y = row_op("softmax", &[NINF, 5.0], Some(&[true, false]));
    assert!(same(y[0], NAN) && y[1] == 0.0);
    let y = row_op("logmeanexp", &[NINF, 5.0], Some(&[true, false]));
    assert_eq!(y, [NINF]);
    // standardize: masked-out elements are transformed, but stay out of μ and σ.
    let y = row_op(
        "standardize",
        &[1.0, 3.0, 100.0, INF],
        Some(&[true, true, false, false]),
    );
    assert!(close(y[0], -1.0 / (1.0f64 + 1e-5).sqrt(), 1.0));
    assert!(close(y[2], 98.0 / (1.0f64 + 1e-5).sqrt(), 1.0));
    assert_eq!(y[3], INF);
}

#[test]
fn documented_rows() {
    // Huge spread.
    assert_eq!(
        row_op("softmax", &[1e30, 0.0, -1e30], None),
        [1.0, 0.0, 0.0]
    );
    assert_eq!(
        row_op("softmin", &[1e30, 0.0, -1e30], None),
        [0.0, 0.0, 1.0]
    );
    // Single element.
    assert_eq!(row_op("softmax", &[-7.5], None), [1.0]);
    assert_eq!(row_op("log_softmax", &[-7.5], None), [0.0]);
    assert_eq!(row_op("logsumexp", &[-7.5], None), [-7.5]);
    assert_eq!(row_op("logmeanexp", &[-7.5], None), [-7.5]);
    // Equal logits: 1/n and −log n, rounded once.
    assert_eq!(row_op("softmax", &[3.0; 7], None), [1.0 / 7.0; 7]);
    assert_eq!(
        row_op("log_softmax", &[1e8, 1e8], None),
        [-core::f32::consts::LN_2; 2]
    );
    assert_eq!(row_op("logmeanexp", &[2.5; 1000], None), [2.5]);
    // log_softmax far below the maximum overflows to −inf, as the true value does.
    let y = row_op("log_softmax", &[3e38, -3e38], None);
    assert_eq!(y, [0.0, NINF]);
    // Outputs near 0 keep their relative accuracy (log_softmax of the maximum).
    let y = row_op("log_softmax", &[0.0, -30.0], None);
    assert!(close(y[0], -libm::log1p(libm::exp(-30.0)), 1.0));
    // Subnormal softmax outputs are produced.
    let y = row_op("softmax", &[0.0, -100.0], None);
    assert!(y[1] > 0.0 && y[1] < f32::MIN_POSITIVE);
    assert!(close(
        y[1],
        libm::exp(-100.0) / (1.0 + libm::exp(-100.0)),
        4.0
    ));
    // −0 and +0 are the same maximum whatever their order.
    let a = row_op("log_softmax", &[-0.0, 0.0], None);
    let b = row_op("log_softmax", &[0.0, -0.0], None);
    assert_eq!(a, b);
}

#[test]
fn empty_rows_of_reductions() {
    let a = Axis::new(2, 0, 3);
    let mut y = [0.0f32; 6];
    lanewise::logsumexp_axis(&[], &mut y, a, None);
    assert_eq!(y, [NINF; 6]);
    lanewise::logmeanexp_axis(&[], &mut y, a, None);
    assert!(y.iter().all(|v| same(*v, NAN)));
    let mut z: [f32; 0] = [];
    lanewise::softmax_axis(&[], &mut z, a, None);
}

fn lse_b(x: &[f32], b: &[f32], mask: Option<&[bool]>, signed: bool) -> (f32, f32) {
    let v = run_all(|| {
        let (mut y, mut s) = ([0.0f32], [9.0f32]);
        let o = LogSumExpOptions {
            mask,
            b: Some(b),
            sign: if signed { Some(&mut s) } else { None },
        };
        lanewise::logsumexp_with(x, &mut y, Axis::new(1, x.len(), 1), o);
        vec![y[0], s[0]]
    });
    (v[0], v[1])
}

#[test]
fn logsumexp_scale_and_sign() {
    let mut r = lanewise::accuracy::rows::Rng(3);
    for n in [1usize, 2, 5, 17, 100, 4099] {
        for mixed in [false, true] {
            let x: Vec<f32> = (0..n).map(|_| (r.normal() * 5.0) as f32).collect();
            let b: Vec<f32> = (0..n)
                .map(|i| {
                    let m = r.range(0.1, 3.0);
                    if i % 7 == 3 {
                        0.0
                    } else if mixed && r.unit() < 0.4 {
                        -m
                    } else {
                        m
                    }
                })
                .collect();
            let (want, sign) = refr::logsumexp_b(&x, None, &b);
            let (y, s) = lse_b(&x, &b, None, true);
            let e = ulp_error_floor_f32(y, want);
            assert!(e <= 3.5, "n={n} mixed={mixed}: {y} vs {want:?} ({e} ulp)");
            assert_eq!(s as f64, sign);
            let (y2, _) = lse_b(&x, &b, None, false);
            if sign < 0.0 {
                assert!(same(y2, NAN));
            } else {
                assert_eq!(y2, y);
            }
        }
    }
    // b = 1 everywhere is plain logsumexp (up to its own bound).
    let x = [0.5f32, -2.0, 3.0];
    let (y, s) = lse_b(&x, &[1.0; 3], None, true);
    assert!(close(y, refr::logsumexp(&x, None).value, 3.0) && s == 1.0);
    // b == 0 entries are left out, also from the maximum.
    assert_eq!(lse_b(&[1e30, 0.0], &[0.0, 1.0], None, true), (0.0, 1.0));
    // Cancellation to exactly zero: −inf with sign 0.
    assert_eq!(lse_b(&[0.0, 0.0], &[1.0, -1.0], None, true), (NINF, 0.0));
    // +inf with the sign of its b; both signs: NaN.
    assert_eq!(lse_b(&[INF, 0.0], &[-2.0, 1.0], None, true), (INF, -1.0));
    assert_eq!(lse_b(&[INF, 0.0], &[2.0, 1.0], None, true), (INF, 1.0));
    let (y, s) = lse_b(&[INF, INF], &[2.0, -1.0], None, true);
    assert!(same(y, NAN) && same(s, NAN));
    let (y, s) = lse_b(&[1.0, NAN], &[2.0, 1.0], None, true);
    assert!(same(y, NAN) && same(s, NAN));
    // A sum beyond the f32 range is still right (f64 fallback).
    let (y, s) = lse_b(&[0.0, 0.0], &[3e38, 3e38], None, true);
    assert!(close(y, (6e38f64).ln(), 1.0) && s == 1.0, "{y}");
    // Masked-out entries with NaN b do not leak.
    assert_eq!(
        lse_b(&[0.0, 5.0], &[1.0, NAN], Some(&[true, false]), true),
        (0.0, 1.0)
    );
}

fn std_with(x: &[f32], o: StandardizeOptions<'_>) -> Vec<f32> {
    run_all(|| {
        let mut y = vec![0.0f32; x.len()];
        lanewise::standardize_with(x, &mut y, Axis::new(1, x.len(), 1), o);
        y
    })
}

#[test]
fn standardize_options() {
    let stable = StandardizeOptions {
        algorithm: Algorithm::Stable,
        ..Default::default()
    };
    // JAX's fast formula gives ±474 here (spec §3.6); both algorithms are right.
    let x = [1e4f32, 1e4 + 1.0, 1e4 + 2.0, 1e4 + 3.0];
    for o in [StandardizeOptions::default(), stable] {
        let y = std_with(&x, o);
        let want = refr::standardize(&x, None, None, None, 1e-5, false);
        for (a, r) in y.iter().zip(&want) {
            assert!(ulp_error_floor_f32(*a, *r) <= 1.0, "{y:?}");
        }
    }
    // Constant row: 0 with ε > 0, NaN with ε = 0 (0·inf), as JAX.
    assert_eq!(std_with(&[4.0; 5], Default::default()), [0.0; 5]);
    let e0 = StandardizeOptions {
        epsilon: 0.0,
        ..Default::default()
    };
    assert!(std_with(&[4.0; 5], e0).iter().all(|v| same(*v, NAN)));
    // NaN or inf in the row: all NaN.
    assert!(
        std_with(&[1.0, NAN, 2.0], Default::default())
            .iter()
            .all(|v| same(*v, NAN))
    );
    assert!(
        std_with(&[1.0, INF, 2.0], stable)
            .iter()
            .all(|v| same(*v, NAN))
    );
    // Given mean and variance.
    let o = StandardizeOptions {
        mean: Some(&[1.0]),
        variance: Some(&[4.0]),
        epsilon: 0.0,
        ..Default::default()
    };
    assert_eq!(std_with(&[3.0, -1.0, 1.0], o), [1.0, -1.0, 0.0]);
    // Given mean only: fast uses mean(x²) − μ² (JAX), stable mean((x − μ)²).
    let x = [1.0f32, 2.0, 6.0];
    for (alg, fast) in [(Algorithm::Fast, true), (Algorithm::Stable, false)] {
        let o = StandardizeOptions {
            mean: Some(&[2.0]),
            algorithm: alg,
            ..Default::default()
        };
        let y = std_with(&x, o);
        let want = refr::standardize(&x, None, Some(2.0), None, 1e-5, fast);
        for (a, r) in y.iter().zip(&want) {
            assert!(
                ulp_error_floor_f32(*a, *r) <= 1.0,
                "{alg:?}: {y:?} vs {want:?}"
            );
        }
    }
    // Rows whose squares leave the f32 range (f64 fallback), and tiny rows with ε = 0.
    for (x, eps) in [
        (vec![3e38f32, -3e38, 1e38, 0.0], 1e-5f32),
        (vec![1e-30f32, -2e-30, 3e-30], 0.0),
        (vec![1e20f32, 1e20, -1e20], 1e-5),
    ] {
        for alg in [Algorithm::Fast, Algorithm::Stable] {
            let o = StandardizeOptions {
                epsilon: eps,
                algorithm: alg,
                ..Default::default()
            };
            let y = std_with(&x, o);
            let want = refr::standardize(&x, None, None, None, eps, false);
            for (a, r) in y.iter().zip(&want) {
                assert!(
                    ulp_error_floor_f32(*a, *r) <= 1.0,
                    "{x:?} {alg:?}: {y:?} vs {want:?}"
                );
            }
        }
    }
}

#[test]
fn glu_special_values() {
    let y = run_all(|| {
        let mut y = [0.0f32; 4];
        lanewise::glu(&[INF, -INF, 2.0, NAN, NINF, INF, NINF, 0.0], &mut y, 8);
        y.to_vec()
    });
    assert!(same(y[0], NAN)); // inf·σ(−inf) = inf·0
    assert_eq!(y[1], NINF);
    assert_eq!(y[2], 0.0);
    assert!(same(y[3], NAN));
}

#[test]
fn one_hot_values_and_layouts() {
    let mut y = [5.0f32; 8];
    lanewise::one_hot(&[3i64, 4, -1, 0], &mut y[..], 2);
    assert_eq!(y, [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0]);
    let mut y = [0.0f32; 9];
    lanewise::one_hot(&[-0.0f32, 1.5, NAN], &mut y, 3);
    assert_eq!(y, [1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]);
    let mut y = [0.0f32; 4];
    lanewise::one_hot(&[1u8, 0], &mut y, 2);
    assert_eq!(y, [0.0, 1.0, 1.0, 0.0]);
    // Class axis first (JAX axis=0) for indices of shape [2, 3]: output [C, 2, 3].
    let idx = [0usize, 1, 2, 2, 1, 0];
    let c = 3;
    let mut y = vec![0.0f32; c * 6];
    lanewise::one_hot_axis(&idx, &mut y, Axis::new(1, c, 6));
    for k in 0..c {
        for (i, &ix) in idx.iter().enumerate() {
            assert_eq!(y[k * 6 + i], (ix == k) as u8 as f32);
        }
    }
    // Middle axis (JAX axis=1): output [2, C, 3].
    let mut y = vec![0.0f32; c * 6];
    lanewise::one_hot_axis(&idx, &mut y, Axis::new(2, c, 3));
    for o in 0..2 {
        for k in 0..c {
            for i in 0..3 {
                assert_eq!(y[(o * c + k) * 3 + i], (idx[o * 3 + i] == k) as u8 as f32);
            }
        }
    }
}
