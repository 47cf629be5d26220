//! Prints the medians of `cargo bench --bench half` (read from criterion's output under
//! `target/criterion`) as the README's markdown table: Gelem/s of every function on f32, f16
//! and bf16 at n = 4096 and n = 16M, and the half/f32 ratios.
//!
//! `cargo bench --bench half -- --warm-up-time 1 --measurement-time 2`, then
//! `cargo run --release --example half_speed`.
use lanewise::table::OPS;
use std::path::Path;

/// The median time per iteration in ns, from criterion's `estimates.json`.
fn median_ns(group: &str, name: &str, dtype: &str) -> Option<f64> {
    let path = Path::new("target/criterion")
        .join(group)
        .join(name)
        .join(dtype)
        .join("new/estimates.json");
    let json = std::fs::read_to_string(path).ok()?;
    let median = &json[json.find("\"median\"")?..];
    let value = &median[median.find("\"point_estimate\":")? + "\"point_estimate\":".len()..];
    let end = value.find([',', '}'])?;
    value[..end].trim().parse().ok()
}

fn main() {
    let sizes = [(4096usize, "n = 4096"), (16 << 20, "n = 16M")];
    print!("| function |");
    for (_, label) in sizes {
        print!(" f32, {label} | f16 | bf16 | f16/f32 | bf16/f32 |");
    }
    println!();
    println!("|---|{}", "---:|".repeat(5 * sizes.len()));
    for op in OPS {
        print!("| `{}` |", op.name);
        for (n, _) in sizes {
            let group = format!("half_n{n}");
            let g = |d: &str| median_ns(&group, op.name, d).map(|ns| n as f64 / ns);
            let (a, b, c) = (g("f32"), g("f16"), g("bf16"));
            let cell = |v: Option<f64>| v.map_or("—".into(), |v| format!("{v:.2}"));
            let ratio = |v: Option<f64>| match (v, a) {
                (Some(v), Some(a)) => format!("{:.2}", v / a),
                _ => "—".into(),
            };
            print!(
                " {} | {} | {} | {} | {} |",
                cell(a),
                cell(b),
                cell(c),
                ratio(b),
                ratio(c)
            );
        }
        println!();
    }
}
