//! Slice handling: every length, unaligned sub-slices, in place == out of place, panics.

use lanewise::table::OPS;
use lanewise::{Isa, IsaError, with_isa};

fn inputs(n: usize) -> Vec<f32> {
    (0..n)
        .map(|i| ((i as f32) * 0.37 - 9.0) * if i % 3 == 0 { -1.0 } else { 1.0 })
        .collect()
}

#[test]
fn lengths_offsets_and_in_place() {
    let base = inputs(4096 + 80);
    for isa in Isa::available() {
        for op in OPS {
            let p = op.defaults();
            // Reference: one element at a time (pure tail handling).
            let one = |x: f32| {
                let mut y = [0.0f32];
                with_isa(isa, || (op.run)(&[x], &mut y, &p)).unwrap();
                y[0].to_bits()
            };
            let lengths = (0..=70).chain([1000, 4096 + 13]);
            for n in lengths {
                for off in [0usize, 1, 3] {
                    let x = &base[off..off + n];
                    let mut y = vec![0.0f32; n + 2];
                    with_isa(isa, || (op.run)(x, &mut y[1..n + 1], &p)).unwrap();
                    let mut z = x.to_vec();
                    with_isa(isa, || (op.run_inplace)(&mut z, &p)).unwrap();
                    for i in (0..n).step_by(if n > 100 { 97 } else { 1 }) {
                        assert_eq!(
                            y[i + 1].to_bits(),
                            one(x[i]),
                            "{} n={n} off={off} i={i} on {isa}",
                            op.name
                        );
                    }
                    let yb: Vec<u32> = y[1..n + 1].iter().map(|v| v.to_bits()).collect();
                    let zb: Vec<u32> = z.iter().map(|v| v.to_bits()).collect();
                    assert_eq!(
                        yb, zb,
                        "{} in place != out of place, n={n} on {isa}",
                        op.name
                    );
                    assert_eq!(
                        (y[0], y[n + 1]),
                        (0.0, 0.0),
                        "{} wrote outside its output",
                        op.name
                    );
                }
            }
        }
    }
}

#[test]
fn large_slice() {
    let n = (1 << 20) + 5;
    let x = inputs(n);
    let mut y = vec![0.0f32; n];
    lanewise::gelu(&x, &mut y);
    let mut z = vec![0.0f32; 1];
    lanewise::gelu(&x[n - 1..], &mut z);
    assert_eq!(y[n - 1], z[0]);
}

#[test]
#[should_panic(expected = "lanewise::silu: input has 3 elements but output has 2")]
fn mismatched_lengths_panic() {
    lanewise::silu(&[1.0, 2.0, 3.0], &mut [0.0; 2]);
}

#[test]
#[should_panic(expected = "lanewise::leaky_relu: input has 1 elements but output has 4")]
fn mismatched_lengths_panic_with_params() {
    lanewise::leaky_relu(&[1.0], &mut [0.0; 4], 0.1);
}

#[test]
#[should_panic(expected = "lanewise::prelu: input length 5 is not a multiple of alpha length 2")]
fn prelu_bad_alpha_panics() {
    lanewise::prelu(&[1.0; 5], &mut [0.0; 5], &[0.1, 0.2]);
}

#[test]
fn isa_selection() {
    assert!(Isa::Scalar.is_available());
    assert_eq!(
        lanewise::parse_isa("bogus"),
        Err(IsaError::Unknown("bogus".into()))
    );
    #[cfg(target_arch = "x86_64")]
    {
        assert_eq!(
            with_isa(Isa::Neon, || ()),
            Err(IsaError::Unavailable(Isa::Neon))
        );
        assert!(lanewise::parse_isa("neon").is_err());
    }
    #[cfg(target_arch = "aarch64")]
    {
        assert_eq!(lanewise::parse_isa("neon"), Ok(Isa::Neon));
        assert_eq!(lanewise::active_isa(), Isa::Neon);
        assert_eq!(with_isa(Isa::Neon, lanewise::active_isa), Ok(Isa::Neon));
        for isa in [Isa::Avx2, Isa::Avx512] {
            assert_eq!(with_isa(isa, || ()), Err(IsaError::Unavailable(isa)));
            assert!(lanewise::parse_isa(isa.name()).is_err());
        }
    }
    assert_eq!(with_isa(Isa::Scalar, lanewise::active_isa), Ok(Isa::Scalar));
    assert_eq!(Isa::from_name("AVX512"), Some(Isa::Avx512));
    let msg = IsaError::Unavailable(Isa::Neon).to_string();
    assert!(
        msg.contains("not available") && msg.contains("scalar"),
        "{msg}"
    );
}

#[test]
fn table_names_are_unique_and_found() {
    for op in OPS {
        assert!(
            std::ptr::eq(lanewise::table::find(op.name).unwrap(), op),
            "{}",
            op.name
        );
        assert_eq!(OPS.iter().filter(|o| o.name == op.name).count(), 1);
    }
    assert_eq!(lanewise::table::find("swish").unwrap().name, "silu");
    assert_eq!(
        lanewise::table::find("gelu_approx").unwrap().name,
        "gelu_tanh"
    );
}
