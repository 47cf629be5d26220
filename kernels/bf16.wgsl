// bfloat16 <-> f32 in integer code: widening is a shift; narrowing rounds to nearest-even
// (overflow to ±inf, NaN -> quiet NaN).

fn widen(h: u32) -> f32 {
    return bitcast<f32>(h << 16u);
}

fn narrow(x: f32) -> u32 {
    let b = bitcast<u32>(x);
    if (b & 0x7fffffffu) > 0x7f800000u {
        return (b >> 16u) | 0x40u;
    }
    return (b + 0x7fffu + ((b >> 16u) & 1u)) >> 16u;
}
