//! Prints the README's function table from the table of operations.
use lanewise::table::OPS;
fn main() {
    for op in OPS {
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
        let params = if op.params.is_empty() {
            "—".to_string()
        } else {
            op.params
                .iter()
                .map(|p| format!("{} ({})", p.name, p.default))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let (st, _) = lanewise::accuracy::sweep(
            op,
            &op.defaults(),
            lanewise::active_isa(),
            65537,
            2,
            &|_, _| {},
        )
        .unwrap();
        println!(
            "| `{}` | {} | {} | {} | {} | {:.3} | EXH_{} |",
            op.name,
            names(op.mlx),
            names(op.flax),
            params,
            op.ulp_f32,
            st.max_ulp,
            op.name
        );
    }
}
