//! ULP accuracy against the f64 references, and identical bits on every ISA.

use lanewise::accuracy::sweep;
use lanewise::reference::ulp_error_f32;
use lanewise::table::OPS;
use lanewise::{Isa, with_isa};
use proptest::prelude::*;

/// Every STEP-th f32 bit pattern (odd, so every exponent and low-mantissa mix is hit):
/// 16.7 M inputs per function and ISA. Under user-mode emulation (the aarch64 run of CI,
/// through qemu) every instruction costs tens of host instructions, so there the step is
/// 4099: 1.05 M inputs per function and ISA, every function still swept on every ISA.
fn dense_step() -> u64 {
    if emulated() { 4099 } else { 257 }
}

/// Whether cargo runs this test through qemu (`CARGO_TARGET_<TRIPLE>_RUNNER`, as `.ci/run`
/// and the README set it for aarch64).
fn emulated() -> bool {
    let prefix = format!(
        "CARGO_TARGET_{}_",
        std::env::consts::ARCH.to_ascii_uppercase()
    );
    std::env::vars()
        .any(|(k, v)| k.starts_with(&prefix) && k.ends_with("_RUNNER") && v.contains("qemu"))
}

#[test]
fn dense_sweep_within_bounds_and_identical_across_isas() {
    let isas = Isa::available();
    let mut failures = vec![];
    for op in OPS {
        let params = op.defaults();
        let mut first: Option<(Isa, u64)> = None;
        for &isa in &isas {
            let (st, hash) = sweep(op, &params, isa, dense_step(), 2, &|_, _| {}).unwrap();
            if st.max_ulp > op.ulp_f32 {
                failures.push(format!(
                    "{} on {isa}: max {} ulp at {:e} (bound {})",
                    op.name, st.max_ulp, st.worst_input, op.ulp_f32
                ));
            }
            match first {
                None => first = Some((isa, hash)),
                Some((isa0, h0)) if h0 != hash => failures.push(format!(
                    "{}: output bits differ between {isa0} and {isa}",
                    op.name
                )),
                _ => {}
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Arbitrary bit patterns (NaNs, infinities, subnormals included), random lengths.
    #[test]
    fn arbitrary_bit_patterns(bits in proptest::collection::vec(any::<u32>(), 0..300)) {
        let x: Vec<f32> = bits.iter().map(|&b| f32::from_bits(b)).collect();
        for op in OPS {
            let params = op.defaults();
            let p64: Vec<f64> = params.iter().map(|&p| p as f64).collect();
            let mut reference_bits: Option<Vec<u32>> = None;
            for isa in Isa::available() {
                let mut y = vec![0.0f32; x.len()];
                with_isa(isa, || (op.run)(&x, &mut y, &params)).unwrap();
                for (&xi, &yi) in x.iter().zip(&y) {
                    let e = ulp_error_f32(yi, op.reference(xi as f64, &p64));
                    prop_assert!(e <= op.ulp_f32, "{} on {isa}: x = {xi:e} ({:#x}) gives {yi:e}, {e} ulp", op.name, xi.to_bits());
                }
                let yb: Vec<u32> = y.iter().map(|v| v.to_bits()).collect();
                if let Some(r) = &reference_bits {
                    prop_assert_eq!(r, &yb, "{}: bits differ on {}", op.name, isa);
                } else {
                    reference_bits = Some(yb);
                }
            }
        }
    }
}

/// Non-default parameters: a bound holds for the parameters users actually pass.
#[test]
fn other_parameters() {
    let cases: &[(&str, &[f32], f64)] = &[
        ("leaky_relu", &[0.2], 0.5),
        ("leaky_relu", &[-0.5], 0.5),
        ("elu", &[0.5], 2.0),
        ("celu", &[2.0], 2.0),
        ("hard_tanh", &[-2.0, 3.0], 0.0),
        ("hard_tanh", &[2.0, -1.0], 0.0),
        ("hard_shrink", &[1.5], 0.0),
        ("soft_shrink", &[-0.25], 0.5),
        ("step", &[1.0], 0.0),
        ("squareplus", &[1.0], 2.0),
        ("squareplus", &[0.0], 2.0),
    ];
    for &(name, params, bound) in cases {
        let op = lanewise::table::find(name).unwrap();
        let (st, _) = sweep(op, params, lanewise::active_isa(), 65537, 2, &|_, _| {}).unwrap();
        assert!(
            st.max_ulp <= bound,
            "{name}{params:?}: {} ulp at {:e}",
            st.max_ulp,
            st.worst_input
        );
    }
}

/// A lane's result does not depend on the other lanes of its vector: the kernels pick a
/// form per vector (a lean one where every lane allows it, selects for outliers such as a
/// large |x| or an infinity, a full-range one otherwise), and every form must give each
/// lane the bits it gets among lanes like itself. Each probe value sits at two positions
/// of a slice filled with another value, and must come out as in a slice of its own.
#[test]
fn neighbours_do_not_change_a_lane() {
    let magnitudes = [
        0.0,
        1e-40,
        1e-7,
        0.3,
        0.8,
        2.0,
        5.0,
        9.9,
        10.5,
        13.5,
        14.5,
        16.0,
        17.4,
        20.0,
        31.0,
        33.0,
        40.0,
        64.0,
        86.0,
        87.5,
        88.5,
        89.0,
        95.0,
        104.2,
        105.0,
        111.0,
        150.0,
        1e4,
        1e13,
        1e20,
        3e38,
        f32::INFINITY,
    ];
    let mut values: Vec<f32> = magnitudes.iter().flat_map(|&m| [m, -m]).collect();
    values.push(f32::NAN);
    const LEN: usize = 32;
    const AT: [usize; 2] = [3, 20];
    for op in OPS {
        let params = op.defaults();
        for isa in Isa::available() {
            let run = |x: &[f32]| {
                let mut y = vec![0.0f32; x.len()];
                with_isa(isa, || (op.run)(x, &mut y, &params)).unwrap();
                y
            };
            let alone: Vec<u32> = values
                .iter()
                .map(|&p| run(&[p; LEN])[0].to_bits())
                .collect();
            for &fill in &values {
                for (&probe, &want) in values.iter().zip(&alone) {
                    let mut x = [fill; LEN];
                    AT.iter().for_each(|&i| x[i] = probe);
                    let y = run(&x);
                    for i in AT {
                        assert_eq!(
                            y[i].to_bits(),
                            want,
                            "{} on {isa}: x = {probe:e} gives {:e} next to {fill:e}, {:e} alone",
                            op.name,
                            y[i],
                            f32::from_bits(want)
                        );
                    }
                }
            }
        }
    }
}
