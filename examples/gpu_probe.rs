//! Prints GPU and CPU outputs of one function at given inputs (debugging aid).
//!
//! `cargo run --release --features gpu --example gpu_probe -- NAME X...`
use lanewise::gpu::Gpu;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let op = lanewise::table::find(&args[0]).ok_or("unknown function")?;
    let xs: Vec<f32> = args[1..].iter().map(|s| s.parse().unwrap()).collect();
    let gpu = Gpu::new()?;
    let mut g = vec![0.0f32; xs.len()];
    gpu.map_slice(op.name, &xs, &mut g, &[])?;
    let mut c = vec![0.0f32; xs.len()];
    (op.run)(&xs, &mut c, &op.defaults());
    for i in 0..xs.len() {
        let r = op.reference(
            xs[i] as f64,
            &op.defaults().iter().map(|&p| p as f64).collect::<Vec<_>>(),
        );
        println!(
            "x={:e} gpu={:e} ({:08x}) cpu={:e} ({:08x}) ref={:e}",
            xs[i],
            g[i],
            g[i].to_bits(),
            c[i],
            c[i].to_bits(),
            r
        );
    }
    Ok(())
}
