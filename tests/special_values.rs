//! Special values of spec/ACTIVATIONS.md §4, plus the documented lanewise choices where MLX
//! and JAX disagree (JAX's −0 for elu/selu, the full SELU constants).

use lanewise::{Isa, table::find, with_isa};

const NAN: f32 = f32::NAN;
const INF: f32 = f32::INFINITY;

/// Outputs for the inputs [−inf, −0, +0, +inf, NaN]; signed zeros compared by bits.
const TABLE: &[(&str, [f32; 5])] = &[
    ("relu", [0.0, 0.0, 0.0, INF, NAN]),
    ("relu6", [0.0, 0.0, 0.0, 6.0, NAN]),
    ("relu2", [0.0, 0.0, 0.0, INF, NAN]),
    ("leaky_relu", [-INF, -0.0, 0.0, INF, NAN]),
    ("elu", [-1.0, -0.0, 0.0, INF, NAN]),
    ("celu", [-1.0, 0.0, 0.0, INF, NAN]),
    ("selu", [-1.758_099_3, -0.0, 0.0, INF, NAN]),
    ("sigmoid", [0.0, 0.5, 0.5, 1.0, NAN]),
    (
        "log_sigmoid",
        [
            -INF,
            -core::f32::consts::LN_2,
            -core::f32::consts::LN_2,
            -0.0,
            NAN,
        ],
    ),
    (
        "softplus",
        [
            0.0,
            core::f32::consts::LN_2,
            core::f32::consts::LN_2,
            INF,
            NAN,
        ],
    ),
    ("silu", [NAN, -0.0, 0.0, INF, NAN]),
    ("mish", [NAN, -0.0, 0.0, INF, NAN]),
    ("gelu", [NAN, -0.0, 0.0, INF, NAN]),
    ("gelu_tanh", [NAN, -0.0, 0.0, INF, NAN]),
    ("gelu_fast", [NAN, -0.0, 0.0, INF, NAN]),
    ("tanh", [-1.0, -0.0, 0.0, 1.0, NAN]),
    ("hard_tanh", [-1.0, -0.0, 0.0, 1.0, NAN]),
    ("hard_swish", [NAN, -0.0, 0.0, INF, NAN]),
    ("softsign", [NAN, -0.0, 0.0, NAN, NAN]),
    ("soft_shrink", [-INF, 0.0, 0.0, INF, 0.0]),
    ("hard_shrink", [-INF, 0.0, 0.0, INF, 0.0]),
    ("step", [0.0, 1.0, 1.0, 1.0, 0.0]),
    ("hard_sigmoid", [0.0, 0.5, 0.5, 1.0, NAN]),
    ("sparse_plus", [0.0, 0.25, 0.25, INF, NAN]),
    ("sparse_sigmoid", [0.0, 0.5, 0.5, 1.0, NAN]),
    ("squareplus", [NAN, 1.0, 1.0, INF, NAN]),
    ("log1mexp", [NAN, -INF, -INF, -0.0, NAN]),
    ("identity", [-INF, -0.0, 0.0, INF, NAN]),
    ("exp", [0.0, 1.0, 1.0, INF, NAN]),
    ("expm1", [-1.0, -0.0, 0.0, INF, NAN]),
    ("log", [NAN, -INF, -INF, INF, NAN]),
    ("log1p", [NAN, -0.0, 0.0, INF, NAN]),
    ("erf", [-1.0, -0.0, 0.0, 1.0, NAN]),
    ("erfc", [2.0, 1.0, 1.0, 0.0, NAN]),
];

fn same(a: f32, b: f32) -> bool {
    (a.is_nan() && b.is_nan()) || a.to_bits() == b.to_bits()
}

#[test]
fn spec_table_on_every_isa() {
    let x = [-INF, -0.0, 0.0, INF, NAN];
    for isa in Isa::available() {
        for (name, want) in TABLE {
            let op = find(name).unwrap();
            let mut y = [0.0f32; 5];
            with_isa(isa, || (op.run)(&x, &mut y, &op.defaults())).unwrap();
            for i in 0..5 {
                assert!(
                    same(y[i], want[i]),
                    "{name}({}) on {isa} = {:?}, want {:?}",
                    x[i],
                    y[i],
                    want[i]
                );
            }
        }
    }
}

#[test]
fn every_table_function_has_special_values() {
    for op in lanewise::table::OPS {
        assert!(
            TABLE.iter().any(|(n, _)| *n == op.name),
            "{} missing from TABLE",
            op.name
        );
    }
}

#[test]
fn documented_points() {
    let check = |name: &str, x: f32, want: f32| {
        let op = find(name).unwrap();
        let mut y = [0.0f32];
        (op.run)(&[x], &mut y, &op.defaults());
        assert!(same(y[0], want), "{name}({x}) = {}, want {want}", y[0]);
    };
    let close = |name: &str, x: f32, want: f64| {
        let op = find(name).unwrap();
        let mut y = [0.0f32];
        (op.run)(&[x], &mut y, &op.defaults());
        let e = lanewise::reference::ulp_error_f32(y[0], want);
        assert!(
            e <= op.ulp_f32.max(0.5),
            "{name}({x}) = {}, want ≈ {want} ({e} ulp)",
            y[0]
        );
    };
    close("sigmoid", -100.0, 3.720_076e-44); // subnormal, where both frameworks flush to 0
    check("log_sigmoid", -100.0, -100.0);
    check("softplus", 3e38, 3e38);
    close("exp", 88.722_83, 3.402_798_5e38);
    check("exp", 88.72284, INF);
    check("exp", -103.97, 1.4e-45);
    check("exp", -104.0, 0.0);
    close("erfc", 10.0, 2.088_487_6e-45);
    close("gelu", -5.0, -1.433_257_9e-6);
    close("gelu", -13.0, -7.952_314e-38);
    check("softsign", 3e38, 1.0);
    close("squareplus", -1e20, 1e-20);
    check("hard_swish", 3e38, 3e38);
    check("log1mexp", 0.0, -INF);
    check("leaky_relu", -5e-39, -5e-41);
    check("silu", -3e38, -0.0);
    // λ·x just below f32::MAX although x·fl(λ) overflows.
    close(
        "selu",
        3.238_622_1e38,
        1.050_700_987_355_480_5 * 3.238_622_1e38_f32 as f64,
    );
    check("gelu", -3e38, -0.0);
    // Past erfc's far tail (|x|/√2 > 11) and just inside it: −0, not +0.
    check("gelu", -20.0, -0.0);
    check("gelu", -15.0, -0.0);
}

#[test]
fn prelu_matches_leaky_relu_and_broadcasts() {
    let x = [-1.0f32, -1.0, 2.0, -2.0, -0.0, f32::NAN];
    let mut y = [0.0f32; 6];
    lanewise::prelu(&x, &mut y, &[0.25, 0.5]);
    assert_eq!(&y[..4], &[-0.25, -0.5, 2.0, -1.0]);
    assert!(y[4].to_bits() == (-0.0f32).to_bits() && y[5].is_nan());
    let mut z = x;
    lanewise::prelu_inplace(&mut z, &[0.25, 0.5]);
    assert_eq!(y.map(f32::to_bits), z.map(f32::to_bits));
    let mut s = [0.0f32; 6];
    lanewise::prelu(&x, &mut s, &[0.25]);
    let mut l = [0.0f32; 6];
    lanewise::leaky_relu(&x, &mut l, 0.25);
    assert_eq!(s.map(f32::to_bits), l.map(f32::to_bits));
    // −inf·0 is NaN: the canonical one on every machine (x86 multiplies give −NaN, Arm +NaN).
    let mut n = [0.0f32; 2];
    lanewise::prelu(&[f32::NEG_INFINITY, -1.0], &mut n, &[0.0, 0.5]);
    assert_eq!(n[0].to_bits(), f32::NAN.to_bits());
}
