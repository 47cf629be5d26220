//! Prints the README's row-wise table from the table of row operations: names, bound, and
//! the max error measured on the adversarial rows (`lanewise::accuracy::rows`) on every ISA.
//!
//! `cargo run --release --example rows_table`
use lanewise::Isa;
use lanewise::accuracy::rows::{adversarial_rows, check};
use lanewise::table::ROW_OPS;

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
        let mut worst = lanewise::accuracy::rows::RowStats::default();
        for isa in Isa::available() {
            let (st, _) = check(op, &rows, isa).unwrap();
            if st.max_ulp >= worst.max_ulp {
                worst = st;
            }
        }
        let name = if op.variant.is_empty() {
            format!("`{}`", op.name)
        } else {
            format!("`{}` ({})", op.name, op.variant)
        };
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
}
