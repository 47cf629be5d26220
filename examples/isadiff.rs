use lanewise::{Isa, table::find, with_isa};
fn main() {
    let name = std::env::args().nth(1).unwrap();
    let op = find(&name).unwrap();
    let xs: Vec<f32> = (0..(1u64 << 32))
        .step_by(65537)
        .map(|b| f32::from_bits(b as u32))
        .collect();
    let mut a = vec![0.0; xs.len()];
    let mut b = vec![0.0; xs.len()];
    with_isa(Isa::Scalar, || (op.run)(&xs, &mut a, &op.defaults())).unwrap();
    with_isa(Isa::Avx512, || (op.run)(&xs, &mut b, &op.defaults())).unwrap();
    let mut n = 0;
    for i in 0..xs.len() {
        if a[i].to_bits() != b[i].to_bits() {
            n += 1;
            if n < 6 {
                println!(
                    "x={:e} ({:#x}) scalar={:e} avx512={:e}",
                    xs[i],
                    xs[i].to_bits(),
                    a[i],
                    b[i]
                );
            }
        }
    }
    println!("{n} differ");
}
