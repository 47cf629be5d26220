//! f16/bf16 slices with many lanes whose rounding the f32 result cannot decide: those lanes
//! are recomputed from the f64 reference in batches, and a batch that fills up in the middle
//! of a vector must not be overwritten by that vector's store. (PReLU's two-input path needs
//! no such test: a product of two half values is exact in f32, so rounding it is correct.)

use lanewise::lut::{Tables, with_tables};
use lanewise::table::{OPS, OpInfo};
use lanewise::{Element, Isa, bf16, f16, with_isa};

fn bits<T: Element>(v: T) -> u16 {
    bytemuck::cast(v)
}

/// An input of `T` where rounding `op`'s f32 result to `T` differs from the correctly rounded
/// true value (so the slice function must recompute it), if `op` has one.
fn misrounded_input<T: Element>(op: &OpInfo, p: &[f32]) -> Option<T> {
    let p64: Vec<f64> = p.iter().map(|&v| v as f64).collect();
    let x: Vec<T> = (0..=u16::MAX).map(bytemuck::cast).collect();
    let xf: Vec<f32> = x.iter().map(|v| v.to_f32()).collect();
    let mut y = vec![0.0f32; x.len()];
    with_isa(Isa::Scalar, || (op.run)(&xf, &mut y, p)).unwrap();
    x.iter().zip(&y).find_map(|(&xi, &yi)| {
        let want = T::from_f64_rounded(op.reference(xi.to_f32() as f64, &p64));
        let naive = T::from_f32(yi);
        let nan = want.to_f32().is_nan() && naive.to_f32().is_nan();
        (!nan && bits(want) != bits(naive)).then_some(xi)
    })
}

/// One harmless lane, then hundreds of copies of a lane the driver must recompute: on every
/// vector width the 64-lane batch fills in the middle of a vector. Out of place and in place,
/// every output must be the correctly rounded value.
fn long_runs_of_recomputed_lanes<T: Element>() {
    let mut checked = 0;
    for op in OPS {
        let p = op.defaults();
        let Some(bad) = misrounded_input::<T>(op, &p) else {
            continue;
        };
        let p64: Vec<f64> = p.iter().map(|&v| v as f64).collect();
        let want = T::from_f64_rounded(op.reference(bad.to_f32() as f64, &p64));
        for len in [200usize, 203, 1000] {
            let mut x = vec![bad; len];
            x[0] = T::from_f32(0.0);
            let want0 = T::from_f64_rounded(op.reference(0.0, &p64));
            for isa in Isa::available() {
                let mut y = vec![T::default(); len];
                // The kernels' batches are what this tests: lookup tables off.
                let kernel = |f: &mut dyn FnMut()| with_tables(Tables::Off, f);
                with_isa(isa, || kernel(&mut || op.run_as(&x, &mut y, &p))).unwrap();
                let mut z = x.clone();
                with_isa(isa, || kernel(&mut || op.run_inplace_as(&mut z, &p))).unwrap();
                for (what, out) in [("out of place", &y), ("in place", &z)] {
                    assert_eq!(bits(out[0]), bits(want0), "{} {what}", op.name);
                    for (i, &o) in out.iter().enumerate().skip(1) {
                        assert_eq!(
                            bits(o),
                            bits(want),
                            "{} {} {what} on {isa}, len {len}, element {i}: x = {bad}",
                            op.name,
                            T::DTYPE
                        );
                    }
                }
            }
        }
        checked += 1;
    }
    assert!(checked > 0, "no function misrounds any {} input", T::DTYPE);
}

#[test]
fn f16_long_runs_of_recomputed_lanes() {
    long_runs_of_recomputed_lanes::<f16>();
}

#[test]
fn bf16_long_runs_of_recomputed_lanes() {
    long_runs_of_recomputed_lanes::<bf16>();
}
