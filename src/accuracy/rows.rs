//! Accuracy of the row-wise functions: a deterministic set of adversarial rows, and the
//! check of one function of [`ROW_OPS`](crate::table::ROW_OPS) on them against its f64
//! reference, on one instruction set.

use crate::Axis;
use crate::dtype::Element;
use crate::isa::{Isa, IsaError, with_isa};
use crate::reference::rows::{RowRef, ulp_error_floor};
use crate::table::{RowKind, RowOpInfo};

/// A named test row with an optional mask.
///
/// ```
/// let t = lanewise::accuracy::rows::TestRow { name: "pair".into(), x: vec![0.0, 1.0], mask: None };
/// assert_eq!(t.x.len(), 2);
/// ```
#[derive(Clone, Debug)]
pub struct TestRow {
    /// What the row exercises.
    pub name: String,
    /// The row.
    pub x: Vec<f32>,
    /// The mask (`where`), if any.
    pub mask: Option<Vec<bool>>,
}

/// A small deterministic generator (SplitMix64).
///
/// ```
/// let mut r = lanewise::accuracy::rows::Rng(1);
/// let u = r.unit();
/// assert!((0.0..1.0).contains(&u));
/// ```
#[derive(Clone, Debug)]
pub struct Rng(pub u64);

impl Rng {
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Uniform in [lo, hi).
    pub fn range(&mut self, lo: f64, hi: f64) -> f32 {
        (lo + (hi - lo) * self.unit()) as f32
    }
    /// A standard normal deviate.
    pub fn normal(&mut self) -> f64 {
        let (u, v) = (self.unit().max(1e-300), self.unit());
        (-2.0 * u.ln()).sqrt() * (2.0 * core::f64::consts::PI * v).cos()
    }
}

fn row(name: &str, x: Vec<f32>) -> TestRow {
    TestRow {
        name: name.to_string(),
        x,
        mask: None,
    }
}

/// ```
/// let rows = lanewise::accuracy::rows::adversarial_rows();
/// assert!(rows.iter().any(|t| t.x.len() == 1 << 16));
/// ```
///
/// The adversarial rows: single elements, huge spreads, equal logits, −inf entries, long
/// rows (2^16, and one past the biased sums of the softmax family), dominated rows, rows
/// near the mean, lengths around the vector widths, shifts `x − m` that f32 cannot hold,
/// subnormal outputs, and masked variants.
pub fn adversarial_rows() -> Vec<TestRow> {
    let mut r = Rng(0x1a9e_5eed);
    let ninf = f32::NEG_INFINITY;
    let mut rows = vec![
        row("single", vec![3.0]),
        row("single zero", vec![-0.0]),
        row("spread 1e30", vec![1e30, 0.0, -1e30]),
        row("equal huge", vec![1e8, 1e8]),
        row("equal 7", vec![5.0; 7]),
        row("equal 33 negative", vec![-1e30; 33]),
        row("-inf entries", vec![ninf, 0.0, 1.0]),
        row(
            "mostly -inf",
            (0..40)
                .map(|i| if i % 7 == 3 { i as f32 } else { ninf })
                .collect(),
        ),
        row(
            "jax fast cancels",
            vec![1e4, 1e4 + 1.0, 1e4 + 2.0, 1e4 + 3.0],
        ),
        row(
            "two ulps apart",
            vec![1.0, 1.0 + f32::EPSILON, 1.0 + 2.0 * f32::EPSILON],
        ),
        row(
            "subnormal outputs",
            (0..50)
                .map(|i| -80.0 - i as f32 * 0.5)
                .chain([0.0])
                .collect(),
        ),
        row(
            "deep tail",
            vec![0.0, -87.0, -88.5, -100.0, -103.9, -104.1, -150.0],
        ),
        row("near zero log_softmax", vec![0.0, -30.0, -25.0, -40.0]),
        row(
            "tiny values",
            (0..21).map(|i| (i as f32 - 10.0) * 1e-30).collect(),
        ),
        row(
            "huge values",
            (0..19).map(|i| (i as f32 - 9.0) * 3e37).collect(),
        ),
    ];
    // Shifts x − m that need more than 24 bits: random exponents.
    for n in [17usize, 100, 1000] {
        let x = (0..n)
            .map(|_| {
                let e = r.range(-20.0, 6.0) as i32;
                let s = if r.unit() < 0.5 { -1.0 } else { 1.0 };
                s * r.range(1.0, 2.0) * 2f32.powi(e)
            })
            .collect();
        rows.push(row(&format!("mixed exponents {n}"), x));
    }
    // Lengths around the vector widths and the virtual lanes.
    for n in (1..=40).chain([63, 64, 65, 127, 129, 255, 257]) {
        let x = (0..n).map(|_| (r.normal() * 3.0) as f32).collect();
        rows.push(row(&format!("normal len {n}"), x));
    }
    for (lo, hi) in [(-100.0, 100.0), (-1e4, 1e4), (-1.0, 1.0)] {
        let x = (0..1000).map(|_| r.range(lo, hi)).collect();
        rows.push(row(&format!("uniform [{lo}, {hi}]"), x));
    }
    // glu: every value magnitude (and 0) beside every gate, in the halves of one row: the
    // lean σ kernel's range of `a` and `b`, its edges, and beyond them (a generator of its
    // own, so that the rows after it stay as they were).
    let mut g = Rng(0x61_0a7e);
    let values: Vec<f32> = (-70..=70)
        .step_by(5)
        .flat_map(|e| {
            let m = g.range(1.0, 2.0) * 2f32.powi(e);
            [m, -m]
        })
        .chain([0.0, -0.0, 2f32.powi(-60), 2f32.powi(60), 2f32.powi(-61)])
        .collect();
    let gates: Vec<f32> = (0..60)
        .map(|_| g.range(-100.0, 100.0))
        .chain([-87.0, 87.0, -87.01, -32.0, 32.0, -32.01, 32.01, -40.0, 0.0])
        .collect();
    let pairs = values.len() * gates.len();
    rows.push(row(
        "value by gate",
        (0..2 * pairs)
            .map(|i| {
                let j = i % pairs;
                if i < pairs {
                    values[j / gates.len()]
                } else {
                    gates[j % gates.len()]
                }
            })
            .collect(),
    ));
    // Long rows.
    let long = 1 << 16;
    rows.push(row(
        "long normal",
        (0..long).map(|_| (r.normal() * 10.0) as f32).collect(),
    ));
    rows.push(row("long equal", vec![0.25; long]));
    rows.push(row(
        "long dominated",
        (0..long)
            .map(|i| if i == 777 { 0.0 } else { -20.0 })
            .collect(),
    ));
    rows.push(row(
        "long near mean",
        (0..long)
            .map(|_| 1000.0 + (r.normal() * 0.01) as f32)
            .collect(),
    ));
    rows.push(row(
        "long ramp",
        (0..long).map(|i| i as f32 * 1e-3 - 30.0).collect(),
    ));
    // Longer than the rows whose sums start from a bias (they take the plain TwoSum).
    let longer = crate::rows::softmax::BIASED_SUM_MAX_LEN + 53;
    rows.push(row(
        "longer normal",
        (0..longer).map(|_| (r.normal() * 10.0) as f32).collect(),
    ));
    // Masked variants (NaN and inf where masked out must not leak).
    let base: Vec<TestRow> = rows.iter().filter(|t| t.x.len() >= 3).cloned().collect();
    for t in base.iter().step_by(3) {
        let mut x = t.x.clone();
        let mask: Vec<bool> = (0..x.len()).map(|_| r.unit() < 0.7).collect();
        for (j, v) in x.iter_mut().enumerate() {
            if !mask[j] && j % 5 == 0 {
                *v = [f32::NAN, f32::INFINITY, ninf][j % 3];
            }
        }
        rows.push(TestRow {
            name: format!("{} masked", t.name),
            x,
            mask: Some(mask),
        });
    }
    rows.push(TestRow {
        name: "fully masked".into(),
        x: vec![1.0, f32::NAN, 3.0],
        mask: Some(vec![false; 3]),
    });
    rows.push(TestRow {
        name: "one unmasked".into(),
        x: vec![1.0, f32::INFINITY, 3.0, 7.0],
        mask: Some(vec![false, false, true, false]),
    });
    rows
}

/// The worst error of a function over a set of rows.
///
/// ```
/// let st = lanewise::accuracy::rows::RowStats::default();
/// assert_eq!(st.count, 0);
/// ```
#[derive(Clone, Debug, Default)]
pub struct RowStats {
    /// Outputs compared.
    pub count: u64,
    /// Largest error (ulps of `max(|r|, floor)`).
    pub max_ulp: f64,
    /// The row and element index where it occurs.
    pub worst: String,
}

/// ```
/// use lanewise::accuracy::rows::{TestRow, check};
/// let op = lanewise::table::ROW_OPS.iter().find(|o| o.name == "log_softmax").unwrap();
/// let rows = [TestRow { name: "r".into(), x: vec![0.0, -30.0], mask: None }];
/// let (st, _) = check(op, &rows, lanewise::active_isa()).unwrap();
/// assert!(st.max_ulp <= op.ulp_f32);
/// ```
///
/// Runs `op` on every row of `rows` on `isa` (contiguous layout, one row per call) and
/// compares every output with the reference; also returns a hash of all output bits (for
/// cross-ISA identity). Rows of odd length are skipped for [`RowKind::Split`];
/// [`RowKind::Expand`] has no reference and gives empty statistics.
pub fn check(op: &RowOpInfo, rows: &[TestRow], isa: Isa) -> Result<(RowStats, u64), IsaError> {
    check_as::<f32>(op, rows, isa)
}

/// [`check`] on rows of element type `T`: every row is first rounded to `T` (the reference
/// is computed on the rounded row, widened exactly), `op` runs on `T` slices, and errors are
/// in ulps of `T` ([`ulp_error_floor`]), to compare with
/// [`RowOpInfo::ulp_bound`](crate::table::RowOpInfo::ulp_bound). The hash covers the
/// output bits.
///
/// ```
/// use lanewise::{Dtype, f16, accuracy::rows::{TestRow, check_as}};
/// let op = lanewise::table::ROW_OPS.iter().find(|o| o.name == "softmax").unwrap();
/// let rows = [TestRow { name: "r".into(), x: vec![0.0, -3.0, 1.5], mask: None }];
/// let (st, _) = check_as::<f16>(op, &rows, lanewise::active_isa()).unwrap();
/// assert!(st.max_ulp <= op.ulp_bound(Dtype::F16));
/// ```
pub fn check_as<T: Element>(
    op: &RowOpInfo,
    rows: &[TestRow],
    isa: Isa,
) -> Result<(RowStats, u64), IsaError> {
    let mut st = RowStats::default();
    let mut hash = 0xcbf2_9ce4_8422_2325u64;
    let Some(reference) = op.reference else {
        return Ok((st, hash));
    };
    for t in rows {
        let n = t.x.len();
        if op.kind == RowKind::Split && n % 2 == 1 {
            continue;
        }
        let out_len = match op.kind {
            RowKind::Reduce => 1,
            RowKind::Split => n / 2,
            _ => n,
        };
        let mask = t
            .mask
            .as_deref()
            .filter(|_| matches!(op.kind, RowKind::Normalize | RowKind::Reduce));
        let x: Vec<T> = t.x.iter().map(|&v| T::from_f32(v)).collect();
        let xw: Vec<f32> = x.iter().map(|&v| v.to_f32()).collect();
        let mut y = vec![T::default(); out_len];
        with_isa(isa, || op.run_as(&x, &mut y, Axis::new(1, n, 1), mask))?;
        let want: Vec<RowRef> = reference(&xw, mask);
        for (j, (&yj, &rj)) in y.iter().zip(&want).enumerate() {
            for &b in bytemuck::bytes_of(&yj) {
                hash = (hash ^ b as u64).wrapping_mul(0x100_0000_01b3);
            }
            let e = ulp_error_floor(yj.to_f32() as f64, rj, T::DTYPE);
            st.count += 1;
            if e > st.max_ulp || st.count == 1 {
                st.max_ulp = e;
                st.worst = format!("{}[{j}] = {:e}, want {:e}", t.name, yj.to_f32(), rj.value);
            }
        }
    }
    Ok((st, hash))
}
