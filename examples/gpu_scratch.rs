use lanewise::gpu::Gpu;
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let op = lanewise::table::find(&args[0]).unwrap();
    let gpu = Gpu::new()?;
    let xs: Vec<f32> = (0..(1u64 << 32)).step_by(4097).map(|b| f32::from_bits(b as u32)).collect();
    let mut g = vec![0.0f32; xs.len()];
    gpu.map_slice(op.name, &xs, &mut g, &[])?;
    let mut c = vec![0.0f32; xs.len()];
    (op.run)(&xs, &mut c, &op.defaults());
    let mut k = 0;
    let mut hist = std::collections::BTreeMap::new();
    for i in 0..xs.len() {
        if g[i].to_bits() != c[i].to_bits() && !(g[i].is_nan() && c[i].is_nan()) {
            *hist.entry(xs[i].to_bits() >> 23).or_insert(0) += 1;
            if k < 8 || (k % 50000 == 0) {
            let r = op.reference(xs[i] as f64, &op.defaults().iter().map(|&p| p as f64).collect::<Vec<_>>());
            println!("x={:e} ({:08x}) gpu={:e} cpu={:e} ref={:e}", xs[i], xs[i].to_bits(), g[i], c[i], r);
            }
            k += 1;
        }
    }
    println!("exponent fields with mismatches: {:?}", hist.iter().map(|(e, n)| format!("{e:x}:{n}")).collect::<Vec<_>>().join(" "));
    Ok(())
}
