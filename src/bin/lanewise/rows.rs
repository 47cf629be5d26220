//! Row-wise functions (`lanewise::table::ROW_OPS`) in the reports: `ulp` checks them on the
//! adversarial rows of `lanewise::accuracy::rows` (rows cannot be enumerated), `bench`
//! runs them on rows of 4096 elements.

use crate::dtype::Dtype;
use crate::output::{Field, ulp_text};
use lanewise::accuracy::rows::{RowStats, TestRow, check_as};
use lanewise::table::{ROW_OPS, RowKind, RowOpInfo};
use lanewise::{Axis, Isa, bf16, f16};
use std::time::Instant;

/// Row length of the benchmark.
pub const BENCH_ROW: usize = 4096;

/// The row function's name in reports, with its options (`standardize (algorithm=Stable)`).
pub fn label(op: &RowOpInfo) -> String {
    if op.variant.is_empty() {
        op.name.to_string()
    } else {
        format!("{} ({})", op.name, op.variant)
    }
}

/// The row operations called `name` (every variant), if any.
pub fn find(name: &str) -> Vec<&'static RowOpInfo> {
    ROW_OPS.iter().filter(|o| o.name == name).collect()
}

/// Whether `ulp` can check the function (it has an f64 reference; one_hot does not).
pub fn checkable(op: &RowOpInfo) -> bool {
    op.reference.is_some()
}

/// Whether `bench` runs the function (one_hot takes class indices, not values).
pub fn benchable(op: &RowOpInfo) -> bool {
    op.kind != RowKind::Expand
}

/// The result of one row function on one instruction set over the adversarial rows.
pub struct RowResult {
    /// The function.
    pub op: &'static RowOpInfo,
    /// Where it ran.
    pub isa: Isa,
    /// The element type of the rows.
    pub dtype: Dtype,
    /// The worst error (in ulps of `dtype`) and where it occurs.
    pub stats: RowStats,
    /// Whether the outputs equal those of the first ISA checked (`None` on that one).
    pub same_bits: Option<bool>,
    /// Wall time.
    pub seconds: f64,
}

impl RowResult {
    /// The published bound in ulps of the element type.
    pub fn bound(&self) -> f64 {
        self.op.ulp_bound(self.dtype.lib())
    }

    /// Why this result fails the check, if it does.
    pub fn failure(&self, scale: f64) -> Option<String> {
        let what = format!(
            "{} on {} ({} rows)",
            label(self.op),
            self.isa,
            self.dtype.name()
        );
        if self.stats.max_ulp > self.bound() * scale {
            Some(format!(
                "{what}: max {} ulp at {} exceeds the bound {}",
                ulp_text(self.stats.max_ulp),
                self.stats.worst,
                self.bound() * scale
            ))
        } else if self.same_bits == Some(false) {
            Some(format!(
                "{what}: output bits differ from the first ISA checked"
            ))
        } else {
            None
        }
    }

    /// The result's cells.
    pub fn fields(&self, scale: f64) -> Vec<Field> {
        let st = &self.stats;
        vec![
            Field::text("fn", "function", label(self.op)),
            Field::text("isa", "isa", self.isa.name()),
            Field::text("dtype", "dtype", self.dtype.name()),
            Field::int("outputs", "outputs", st.count),
            Field::num("bound", "bound", self.bound(), self.bound().to_string()),
            Field::text("floor", "floor", self.op.floor),
            Field::num("max_ulp", "max ulp", st.max_ulp, ulp_text(st.max_ulp)),
            Field::text("worst", "worst output", st.worst.clone()),
            crate::ulp::same_bits_field(self.same_bits),
            crate::ulp::time_field(self.seconds),
            crate::ulp::result_field(self.failure(scale).is_none()),
        ]
    }
}

/// Checks every function × element type on every ISA over `rows` (rounded to the element
/// type); `done()` is called after each.
pub fn measure(
    ops: &[&'static RowOpInfo],
    isas: &[Isa],
    dtypes: &[Dtype],
    rows: &[TestRow],
    done: &dyn Fn(),
) -> Vec<RowResult> {
    let mut out = Vec::new();
    for &op in ops {
        for &dtype in dtypes {
            measure_one(op, isas, dtype, rows, done, &mut out);
        }
    }
    out
}

/// One function and element type on every ISA.
fn measure_one(
    op: &'static RowOpInfo,
    isas: &[Isa],
    dtype: Dtype,
    rows: &[TestRow],
    done: &dyn Fn(),
    out: &mut Vec<RowResult>,
) {
    let mut first = None;
    for &isa in isas {
        let t = Instant::now();
        let checked = match dtype {
            Dtype::F32 => check_as::<f32>(op, rows, isa),
            Dtype::F16 => check_as::<f16>(op, rows, isa),
            Dtype::Bf16 => check_as::<bf16>(op, rows, isa),
        };
        let (stats, hash) = checked.expect("the instruction sets were checked when parsed");
        let same_bits = crate::ulp::same_bits(&mut first, hash);
        out.push(RowResult {
            op,
            isa,
            dtype,
            stats,
            same_bits,
            seconds: t.elapsed().as_secs_f64(),
        });
        done();
    }
}

/// The layout and output length of `n` inputs as rows of [`BENCH_ROW`] (one row when
/// `n` is smaller or not a multiple).
pub fn bench_layout(op: &RowOpInfo, n: usize) -> (Axis, usize) {
    let len = if n >= BENCH_ROW && n.is_multiple_of(BENCH_ROW) {
        BENCH_ROW
    } else {
        n
    };
    let axis = Axis::new(n / len, len, 1);
    let out = match op.kind {
        RowKind::Reduce => n / len,
        RowKind::Split => n / 2,
        RowKind::Normalize | RowKind::Expand => n,
    };
    (axis, out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use lanewise::accuracy::rows::adversarial_rows;

    #[test]
    fn every_checkable_row_function_passes_on_every_isa_and_dtype() {
        let ops: Vec<_> = ROW_OPS.iter().filter(|o| checkable(o)).collect();
        let isas = Isa::available();
        let rows = adversarial_rows();
        let res = measure(&ops, &isas, &Dtype::ALL, &rows, &|| {});
        assert_eq!(res.len(), ops.len() * isas.len() * Dtype::ALL.len());
        for r in &res {
            assert!(r.failure(1.0).is_none(), "{:?}", r.failure(1.0));
            assert!(r.stats.count > 0);
        }
        // An artificially tightened bound fails where the error is not zero.
        assert!(res.iter().any(|r| r.failure(1e-3).is_some()));
    }

    #[test]
    fn layouts() {
        let softmax = find("softmax")[0];
        assert_eq!(
            bench_layout(softmax, 1 << 20),
            (Axis::new(256, 4096, 1), 1 << 20)
        );
        let lse = find("logsumexp")[0];
        assert_eq!(bench_layout(lse, 8192), (Axis::new(2, 4096, 1), 2));
        assert_eq!(bench_layout(lse, 1000), (Axis::new(1, 1000, 1), 1));
        let glu = find("glu")[0];
        assert_eq!(bench_layout(glu, 8192).1, 4096);
        assert_eq!(find("standardize").len(), 2);
        assert_eq!(
            label(find("standardize")[1]),
            "standardize (algorithm=Stable)"
        );
    }
}
