// a·b + c rounded once: the device's fused multiply-add (checked when the device opens).

fn fmadd(a: f32, b: f32, c: f32) -> f32 {
    return fma(a, b, c);
}
