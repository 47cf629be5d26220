//! f16 and bf16: every input of every function correctly rounded on every ISA, the
//! conversions bit-exact and identical across ISAs, special values, slice handling.

use lanewise::accuracy::halves::sweep;
use lanewise::lut::{Tables, clear_tables, with_tables};
use lanewise::table::{OPS, OpInfo, find};
use lanewise::{Dtype, Element, Isa, bf16, convert, f16, with_isa};
use proptest::prelude::*;

fn bits<T: Element>(v: T) -> u16 {
    bytemuck::cast(v)
}

fn all<T: Element>() -> Vec<T> {
    (0..=u16::MAX).map(bytemuck::cast).collect()
}

/// All 65,536 inputs of `T`, every function, every ISA: each output is the f64 reference
/// rounded once to `T` (bit for bit, signed zeros included; any NaN for NaN), and every ISA
/// returns the same bits.
fn every_input_correctly_rounded<T: Element>() {
    let mut failures = vec![];
    for op in OPS {
        let p = op.defaults();
        let mut first: Option<(Isa, u64)> = None;
        for isa in Isa::available() {
            let st = sweep::<T>(op, &p, isa).unwrap();
            if st.correctly_rounded != st.count {
                failures.push(format!(
                    "{} {} on {isa}: {} of {} correctly rounded, max {} ulp at {:e}",
                    op.name,
                    T::DTYPE,
                    st.correctly_rounded,
                    st.count,
                    st.max_ulp,
                    st.worst_input
                ));
            }
            match first {
                None => first = Some((isa, st.hash)),
                Some((isa0, h)) if h != st.hash => failures.push(format!(
                    "{} {}: bits differ between {isa0} and {isa}",
                    op.name,
                    T::DTYPE
                )),
                _ => {}
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn f16_every_input_correctly_rounded_on_every_isa() {
    every_input_correctly_rounded::<f16>();
}

#[test]
fn bf16_every_input_correctly_rounded_on_every_isa() {
    every_input_correctly_rounded::<bf16>();
}

/// Parameters other than the defaults (the cases of the f32 suite), on the active ISA.
#[test]
fn other_parameters_correctly_rounded() {
    let cases: &[(&str, &[f32])] = &[
        ("leaky_relu", &[0.2]),
        ("leaky_relu", &[-0.5]),
        ("leaky_relu", &[0.25]),
        ("leaky_relu", &[-3.0]),
        ("elu", &[0.5]),
        ("celu", &[2.0]),
        ("hard_tanh", &[-2.0, 3.0]),
        ("hard_tanh", &[2.0, -1.0]),
        ("hard_shrink", &[1.5]),
        ("soft_shrink", &[-0.25]),
        ("soft_shrink", &[1.5]),
        ("soft_shrink", &[0.0]),
        ("step", &[1.0]),
        ("squareplus", &[1.0]),
        ("squareplus", &[0.0]),
    ];
    for &(name, p) in cases {
        let op = find(name).unwrap();
        let isa = lanewise::active_isa();
        let h = sweep::<f16>(op, p, isa).unwrap();
        let b = sweep::<bf16>(op, p, isa).unwrap();
        for st in [h, b] {
            assert_eq!(
                st.correctly_rounded, st.count,
                "{name}{p:?} {}: max {} ulp at {:e}",
                st.dtype, st.max_ulp, st.worst_input
            );
        }
    }
}

/// PReLU with a slope per channel goes through the two-input driver: every f16/bf16 input
/// against every slope, correctly rounded.
fn prelu_per_channel<T: Element>() {
    let alpha: Vec<T> = [0.25f32, -0.5, 3.0, 0.01]
        .iter()
        .map(|&a| T::from_f32(a))
        .collect();
    let x: Vec<T> = all::<T>()
        .into_iter()
        .flat_map(|v| [v; 4])
        .collect::<Vec<_>>();
    for isa in Isa::available() {
        let mut y = vec![T::default(); x.len()];
        with_isa(isa, || lanewise::prelu(&x, &mut y, &alpha)).unwrap();
        let mut z = x.clone();
        with_isa(isa, || lanewise::prelu_inplace(&mut z, &alpha)).unwrap();
        for (i, ((&xi, &yi), &zi)) in x.iter().zip(&y).zip(&z).enumerate() {
            let a = alpha[i % 4].to_f32() as f64;
            let r = lanewise::reference::elementwise("leaky_relu", xi.to_f32() as f64, &[a]);
            let want = T::from_f64_rounded(r.unwrap());
            let ok = bits(yi) == bits(want) || (yi.to_f32().is_nan() && want.to_f32().is_nan());
            assert!(
                ok,
                "prelu {} on {isa}: x = {xi}, alpha = {a}: {yi}, want {want}",
                T::DTYPE
            );
            assert_eq!(bits(yi), bits(zi), "prelu_inplace {} on {isa}", T::DTYPE);
        }
    }
}

#[test]
fn prelu_per_channel_correctly_rounded() {
    prelu_per_channel::<f16>();
    prelu_per_channel::<bf16>();
}

/// The f32 bits an f16 widens to: exact (the `half` crate), a NaN quieted with its payload.
fn widened_f16(h: u16) -> u32 {
    let v = f16::from_bits(h);
    if v.is_nan() {
        ((h as u32 & 0x8000) << 16) | 0x7fc0_0000 | ((h as u32 & 0x03ff) << 13)
    } else {
        v.to_f32().to_bits()
    }
}

#[test]
fn widening_is_exact_on_every_isa() {
    let xh = all::<f16>();
    let xb = all::<bf16>();
    for isa in Isa::available() {
        let mut yh = vec![0.0f32; xh.len()];
        let mut yb = vec![0.0f32; xb.len()];
        with_isa(isa, || {
            convert(&xh, &mut yh);
            convert(&xb, &mut yb);
        })
        .unwrap();
        for (b, (&h, &f)) in (0u16..).zip(yh.iter().zip(&yb)) {
            assert_eq!(h.to_bits(), widened_f16(b), "f16 {b:#06x} on {isa}");
            assert_eq!(f.to_bits(), (b as u32) << 16, "bf16 {b:#06x} on {isa}");
            assert_eq!(
                h.to_bits(),
                <f16 as Element>::to_f32(f16::from_bits(b)).to_bits()
            );
        }
    }
}

/// Every f32 bit pattern, narrowed on every ISA, equals the `half` crate's conversion
/// (round to nearest even, overflow to inf, subnormals, NaN quieted with the top of its
/// payload), and so every ISA gives the same bits. (Under emulation, every 61st chunk.)
#[test]
fn narrowing_every_f32_on_every_isa() {
    use half::slice::HalfFloatSliceExt;
    const CHUNK: usize = 1 << 20;
    let chunks: Vec<u32> = (0..(1u32 << 12))
        .step_by(if cfg!(target_arch = "aarch64") { 61 } else { 1 })
        .collect();
    let isas = Isa::available();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let failures = std::sync::Mutex::new(Vec::<String>::new());
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                let mut x = vec![0.0f32; CHUNK];
                let (mut h, mut want_h) = (vec![f16::ZERO; CHUNK], vec![f16::ZERO; CHUNK]);
                let (mut b, mut want_b) = (vec![bf16::ZERO; CHUNK], vec![bf16::ZERO; CHUNK]);
                while let Some(&c) =
                    chunks.get(next.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
                {
                    for (i, v) in (c << 20..).zip(x.iter_mut()) {
                        *v = f32::from_bits(i);
                    }
                    want_h.convert_from_f32_slice(&x);
                    want_b.convert_from_f32_slice(&x);
                    for &isa in &isas {
                        with_isa(isa, || {
                            convert(&x, &mut h);
                            convert(&x, &mut b);
                        })
                        .unwrap();
                        let first_bad = |got: &[u16], want: &[u16]| {
                            got.iter().zip(want).position(|(g, w)| g != w).map(|i| {
                                format!(
                                    "{:#010x} gives {:#06x}, want {:#06x}",
                                    x[i].to_bits(),
                                    got[i],
                                    want[i]
                                )
                            })
                        };
                        for (name, bad) in [
                            (
                                "f16",
                                first_bad(bytemuck::cast_slice(&h), bytemuck::cast_slice(&want_h)),
                            ),
                            (
                                "bf16",
                                first_bad(bytemuck::cast_slice(&b), bytemuck::cast_slice(&want_b)),
                            ),
                        ] {
                            if let Some(bad) = bad {
                                failures
                                    .lock()
                                    .unwrap()
                                    .push(format!("{name} on {isa}: {bad}"));
                            }
                        }
                    }
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The neighbours of `h` in its format, below and above (as f64).
fn neighbours<T: Element>(h: T) -> (f64, f64) {
    let b = bits(h);
    let step = |d: i32| {
        let n: T = bytemuck::cast((b as i32 + d) as u16);
        n.to_f32() as f64
    };
    let (lo, hi) = if b & 0x8000 == 0 {
        (step(-1), step(1))
    } else {
        (step(1), step(-1))
    };
    (
        if b == 0 { -0.0 } else { lo },
        if b == 0x8000 { 0.0 } else { hi },
    )
}

/// `T::from_f64_rounded(v)` is the nearest value of `T` to `v` (ties to even; ±inf from
/// the largest finite value plus half its ulp up), checked in f64 without going through f32.
fn check_from_f64<T: Element>(v: f64) -> Result<(), TestCaseError> {
    let h = T::from_f64_rounded(v);
    let hf = h.to_f32() as f64;
    if v.is_nan() {
        prop_assert!(hf.is_nan());
        return Ok(());
    }
    let top: T = bytemuck::cast(bits(T::from_f32(f32::INFINITY)) - 1);
    let (below, _) = neighbours(top);
    let top = top.to_f32() as f64;
    let overflow = top + (top - below) / 2.0;
    prop_assert_eq!(
        hf.is_infinite(),
        v.abs() >= overflow,
        "{} {:e} → {:e}",
        T::DTYPE,
        v,
        hf
    );
    if hf.is_infinite() {
        prop_assert_eq!(hf.is_sign_negative(), v < 0.0);
        return Ok(());
    }
    let d = (v - hf).abs();
    let (lo, hi) = neighbours(h);
    for n in [lo, hi] {
        if n.is_finite() {
            let dn = (v - n).abs();
            prop_assert!(d <= dn, "{} {v:e} → {hf:e}, but {n:e} is nearer", T::DTYPE);
            if d == dn && d > 0.0 {
                prop_assert_eq!(bits(h) & 1, 0, "{} {:e}: a tie goes to even", T::DTYPE, v);
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4096))]

    /// Arbitrary f64 values, and values a hair off the midpoints between half neighbours.
    #[test]
    fn from_f64_rounded_is_nearest(b in any::<u64>(), h in any::<u16>(), k in -3i64..=3) {
        let v = f64::from_bits(b);
        check_from_f64::<f16>(v)?;
        check_from_f64::<bf16>(v)?;
        for dtype in [Dtype::F16, Dtype::Bf16] {
            let (x, (lo, hi)) = match dtype {
                Dtype::F16 => (f16::from_bits(h).to_f32() as f64, neighbours(f16::from_bits(h))),
                _ => (bf16::from_bits(h).to_f32() as f64, neighbours(bf16::from_bits(h))),
            };
            if !x.is_finite() || !hi.is_finite() || !lo.is_finite() {
                continue;
            }
            let mid = (x + hi) / 2.0;
            let near = f64::from_bits((mid.to_bits() as i64 + k * 1_000_000) as u64);
            check_from_f64::<f16>(near)?;
            check_from_f64::<bf16>(near)?;
        }
    }
}

/// ±inf, ±0 and NaN give the f32 function's special value (spec §4, checked by the f32
/// suite) rounded to the half format: exactly the same value where it is representable
/// (NaN for NaN, infinities and zeros with their signs), else the correctly rounded one.
fn special_values<T: Element>() {
    let specials = [f32::NEG_INFINITY, -0.0, 0.0, f32::INFINITY, f32::NAN];
    let x: Vec<T> = specials.iter().map(|&v| T::from_f32(v)).collect();
    for op in OPS {
        let p = op.defaults();
        let mut y32 = [0.0f32; 5];
        (op.run)(&specials, &mut y32, &p);
        for isa in Isa::available() {
            let mut y = vec![T::default(); 5];
            with_isa(isa, || op.run_as(&x, &mut y, &p)).unwrap();
            for ((&s, &f), &h) in specials.iter().zip(&y32).zip(&y) {
                let what = format!("{}({s}) in {} on {isa}: {h}, f32 {f:e}", op.name, T::DTYPE);
                let hf = h.to_f32();
                assert_eq!(hf.is_nan(), f.is_nan(), "{what}");
                if T::from_f32(f).to_f32() == f && !f.is_nan() {
                    assert_eq!(hf.to_bits(), f.to_bits(), "{what}");
                } else if !f.is_nan() {
                    let r =
                        op.reference(s as f64, &p.iter().map(|&v| v as f64).collect::<Vec<_>>());
                    assert_eq!(bits(h), bits(T::from_f64_rounded(r)), "{what}");
                }
            }
        }
    }
}

#[test]
fn special_values_match_f32() {
    special_values::<f16>();
    special_values::<bf16>();
}

fn inputs<T: Element>(n: usize) -> Vec<T> {
    (0..n)
        .map(|i| T::from_f32(((i as f32) * 0.37 - 9.0) * if i % 3 == 0 { -1.0 } else { 1.0 }))
        .collect()
}

/// Every length 0..=70 and two long ones, unaligned starts, in place = out of place =
/// one element at a time, nothing written outside the output (run with the kernels, and
/// with lookup tables built at the first call).
fn lengths_offsets_in_place<T: Element>(op: &OpInfo, isa: Isa) {
    let base = inputs::<T>(1100);
    let p = op.defaults();
    let one = |x: T| {
        let mut y = [T::default()];
        with_isa(isa, || op.run_as(&[x], &mut y, &p)).unwrap();
        bits(y[0])
    };
    let guard = T::from_f32(12345.0);
    for n in (0..=70).chain([1000, 1000 + 13 + 80]) {
        for off in [0usize, 1, 3] {
            let x = &base[off..(off + n).min(base.len())];
            let n = x.len();
            let mut y = vec![guard; n + 2];
            with_isa(isa, || op.run_as(x, &mut y[1..n + 1], &p)).unwrap();
            let mut z = x.to_vec();
            with_isa(isa, || op.run_inplace_as(&mut z, &p)).unwrap();
            for i in (0..n).step_by(if n > 100 { 37 } else { 1 }) {
                assert_eq!(
                    bits(y[i + 1]),
                    one(x[i]),
                    "{} {} n={n} off={off} i={i} on {isa}",
                    op.name,
                    T::DTYPE
                );
            }
            let yb: Vec<u16> = y[1..n + 1].iter().map(|&v| bits(v)).collect();
            let zb: Vec<u16> = z.iter().map(|&v| bits(v)).collect();
            assert_eq!(
                yb,
                zb,
                "{} {} in place != out of place, n={n} on {isa}",
                op.name,
                T::DTYPE
            );
            assert_eq!(
                (bits(y[0]), bits(y[n + 1])),
                (bits(guard), bits(guard)),
                "{} wrote outside its output",
                op.name
            );
        }
    }
}

#[test]
fn slices_of_every_length() {
    for mode in [Tables::Off, Tables::Eager] {
        with_tables(mode, || {
            for isa in Isa::available() {
                clear_tables(); // room for every function's tables on this ISA
                for op in OPS {
                    lengths_offsets_in_place::<f16>(op, isa);
                    lengths_offsets_in_place::<bf16>(op, isa);
                }
            }
        });
    }
}

#[test]
fn f32_call_sites_and_u16_bits() {
    // f32 literals keep compiling unchanged…
    let mut y = [0.0f32; 2];
    lanewise::relu(&[-1.0, 2.0], &mut y);
    assert_eq!(y, [0.0, 2.0]);
    // …and raw u16 bits cast to f16 without a copy.
    let bits: Vec<u16> = vec![0x3c00, 0xbc00]; // 1, −1
    let mut out = vec![0u16; 2];
    lanewise::relu::<f16>(
        bytemuck::cast_slice(&bits),
        bytemuck::cast_slice_mut(&mut out),
    );
    assert_eq!(out, [0x3c00, 0x0000]);
}

#[test]
#[should_panic(expected = "lanewise::silu: input has 3 elements but output has 2")]
fn mismatched_half_lengths_panic() {
    lanewise::silu(&[f16::ONE; 3], &mut [f16::ZERO; 2]);
}

#[test]
#[should_panic(expected = "lanewise::convert: input has 1 elements but output has 2")]
fn mismatched_convert_lengths_panic() {
    convert(&[1.0f32], &mut [bf16::ZERO; 2]);
}
