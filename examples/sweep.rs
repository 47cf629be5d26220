//! Developer sweep: `cargo run --release --example sweep -- STEP [names...]`.
use lanewise::{Isa, accuracy::sweep, table::OPS};
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let step: u64 = args.first().and_then(|s| s.parse().ok()).unwrap_or(4099);
    let names = &args[1.min(args.len())..];
    for op in OPS
        .iter()
        .filter(|o| names.is_empty() || names.iter().any(|n| n == o.name))
    {
        let mut line = format!("{:15} bound {:4}", op.name, op.ulp_f32);
        let mut hashes = vec![];
        for isa in Isa::available()
            .into_iter()
            .filter(|i| std::env::var("ISA").map_or(true, |w| w == i.name()))
        {
            let (st, h) = sweep(op, &op.defaults(), isa, step, 2, &|_, _| {}).unwrap();
            hashes.push(h);
            line += &format!(
                " | {isa}: max {:.3} at {:e} cr {:.2}% spec {}",
                st.max_ulp,
                st.worst_input,
                100.0 * st.correctly_rounded as f64 / st.count as f64,
                st.special_mismatches
            );
        }
        let same = hashes.windows(2).all(|w| w[0] == w[1]);
        println!("{line} same={same}");
    }
}
