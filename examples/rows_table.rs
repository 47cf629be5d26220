//! Prints the README's row-wise tables from the table of row operations: names, bound, and
//! the max error measured on the adversarial rows (`lanewise::accuracy::rows`) on every ISA;
//! then the same for f16 and bf16 rows (in half ulps, `RowOpInfo::ulp_bound`).
//!
//! `cargo run --release --example rows_table`
use lanewise::accuracy::rows::{RowStats, TestRow, adversarial_rows, check, check_as};
use lanewise::table::{ROW_OPS, RowOpInfo};
use lanewise::{Dtype, Element, Isa, bf16, f16};

/// The worst statistics of `op` on `T` rows over every ISA.
fn worst_as<T: Element>(op: &RowOpInfo, rows: &[TestRow]) -> RowStats {
    let mut worst = RowStats::default();
    for isa in Isa::available() {
        let (st, _) = check_as::<T>(op, rows, isa).unwrap();
        if st.max_ulp >= worst.max_ulp {
            worst = st;
        }
    }
    worst
}

fn label(op: &RowOpInfo) -> String {
    if op.variant.is_empty() {
        format!("`{}`", op.name)
    } else {
        format!("`{}` ({})", op.name, op.variant)
    }
}

fn half_table(rows: &[TestRow]) {
    println!();
    println!(
        "| lanewise | bound f16 | max f16, adversarial rows | bound bf16 | max bf16, adversarial rows |"
    );
    println!("|---|---:|---:|---:|---:|");
    for op in ROW_OPS {
        let (h, b) = if op.reference.is_some() {
            (
                format!("{:.6}", worst_as::<f16>(op, rows).max_ulp),
                format!("{:.6}", worst_as::<bf16>(op, rows).max_ulp),
            )
        } else {
            ("exact (tested)".into(), "exact (tested)".into())
        };
        println!(
            "| {} | {} | {h} | {} | {b} |",
            label(op),
            op.ulp_bound(Dtype::F16),
            op.ulp_bound(Dtype::Bf16)
        );
    }
}

fn main() {
    let rows = adversarial_rows();
    println!(
        "| lanewise | MLX | Flax / JAX | bound (ulp) | floor | max error, adversarial rows | worst |"
    );
    println!("|---|---|---|---:|---|---:|---|");
    for op in ROW_OPS {
        let names = |v: &[&str]| {
            if v.is_empty() {
                "—".to_string()
            } else {
                v.iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        };
        let mut worst = RowStats::default();
        for isa in Isa::available() {
            let (st, _) = check(op, &rows, isa).unwrap();
            if st.max_ulp >= worst.max_ulp {
                worst = st;
            }
        }
        let name = label(op);
        let measured = if op.reference.is_some() {
            format!("{:.3}", worst.max_ulp)
        } else {
            "exact (tested)".to_string()
        };
        println!(
            "| {name} | {} | {} | {} | {} | {measured} | {} |",
            names(op.mlx),
            names(op.flax),
            op.ulp_f32,
            op.floor,
            worst.worst
        );
    }
    half_table(&rows);
}
