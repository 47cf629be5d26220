fn main() {
    let a: Vec<String> = std::env::args().skip(1).collect();
    let op = lanewise::table::find(&a[0]).unwrap();
    let x: f32 = a[1].parse().unwrap();
    for isa in lanewise::Isa::available() {
        let mut y = [0.0f32];
        lanewise::with_isa(isa, || (op.run)(&[x], &mut y, &op.defaults())).unwrap();
        println!(
            "{isa}: {}({x:e}) = {:e}  ref {:e}",
            op.name,
            y[0],
            op.reference(
                x as f64,
                &op.defaults().iter().map(|&p| p as f64).collect::<Vec<_>>()
            )
        );
    }
}
