use lanewise::gpu::{Gpu, RowFn, accuracy::{sweep_rows, row_reference}};
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let gpu = Gpu::new()?;
    let mut seed = 0x1234_5678_9abc_def0u64;
    let mut rnd = move || { seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17; (seed >> 11) as f64 / (1u64 << 53) as f64 };
    for n in [1usize, 2, 3, 7, 255, 256, 257, 1000, 4096, 65536] {
        let rows = ((1 << 14) / n.max(1)).clamp(2, 64);
        for scale in [1.0f64, 10.0, 100.0] {
            let x: Vec<f32> = (0..rows * n).map(|_| ((rnd() * 2.0 - 1.0) * scale) as f32).collect();
            for f in RowFn::ALL {
                if f == RowFn::Glu && n % 2 == 1 { continue; }
                let st = sweep_rows(&gpu, f, &x, n)?;
                println!("n={n:6} scale={scale:5} {:12} max {:.3} ulp at {:e} (mean {:.4}) specials {}", f.name(), st.max_ulp, st.worst_input, st.mean_ulp(), st.special_mismatches);
            }
        }
    }
    // logsumexp cancellation
    let x = [-0.6931472f32, -0.6931472];
    let mut y = [0.0f32];
    gpu.rows_slice(RowFn::Logsumexp, &x, &mut y, 2)?;
    println!("lse cancel: {:e} ref {:e}", y[0], row_reference(RowFn::Logsumexp, &x)[0]);
    Ok(())
}
