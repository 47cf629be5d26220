use std::time::Instant;
fn main() {
    let a: Vec<String> = std::env::args().collect();
    let which = a[1].clone();
    let n = 4096;
    let x: Vec<f32> = (0..n)
        .map(|i| -10.0 + 20.0 * ((i * 7919) % 65521) as f32 / 65521.0)
        .collect();
    let mut y = vec![0.0f32; n];
    let reps: usize = std::env::var("REPS").map_or(100000, |s| s.parse().unwrap());
    let t = Instant::now();
    for _ in 0..reps {
        match which.as_str() {
            "softmax" => lanewise::softmax(std::hint::black_box(&x), &mut y, n),
            "lse" => {
                let mut z = [0.0f32];
                lanewise::logsumexp(std::hint::black_box(&x), &mut z, n)
            }
            _ => lanewise::exp(std::hint::black_box(&x), &mut y),
        }
    }
    let dt = t.elapsed().as_secs_f64();
    println!("{which}: {:.3} Gelem/s", (n * reps) as f64 / dt / 1e9);
}
