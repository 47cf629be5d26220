// IEEE binary16 <-> f32 in integer code: exact widening, round-to-nearest-even narrowing
// (overflow to ±inf, subnormals produced, NaN -> quiet NaN). Integer code, so the result
// does not depend on the GPU's conversion rounding or on denormal flushing.

fn widen(h: u32) -> f32 {
    let sign = (h & 0x8000u) << 16u;
    let e = (h >> 10u) & 0x1fu;
    let m = h & 0x3ffu;
    if e == 0x1fu {
        return bitcast<f32>(sign | 0x7f800000u | (m << 13u));
    }
    if e == 0u {
        // m·2^-24: an exact product, normal in f32.
        return copysign(f32(m) * 0x1p-24f, bitcast<f32>(sign | 0x3f800000u));
    }
    return bitcast<f32>(sign | ((e + 112u) << 23u) | (m << 13u));
}

fn narrow(x: f32) -> u32 {
    let b = bitcast<u32>(x);
    let sign = (b >> 16u) & 0x8000u;
    let a = b & 0x7fffffffu;
    if a > 0x7f800000u {
        return sign | 0x7e00u | ((a >> 13u) & 0x3ffu);
    }
    if a >= 0x477ff000u {
        // ≥ 65520 rounds to infinity.
        return sign | 0x7c00u;
    }
    if a >= 0x38800000u {
        // Normal binary16: rebias the exponent, round 23 -> 10 fraction bits to nearest-even
        // (a carry into the exponent is the right answer).
        let r = a - (112u << 23u);
        return sign | ((r + 0xfffu + ((r >> 13u) & 1u)) >> 13u);
    }
    if a <= 0x33000000u {
        // ≤ 2^-25 (the tie included) rounds to zero.
        return sign;
    }
    // Subnormal binary16: the significand m·2^(e−150) in units of 2^-24 is m >> (126 − e).
    let e = a >> 23u;
    let m = (a & 0x7fffffu) | 0x800000u;
    let sh = 126u - e;
    let q = m >> sh;
    let rem = m & ((1u << sh) - 1u);
    let half = 1u << (sh - 1u);
    let up = (rem > half) | ((rem == half) & ((q & 1u) == 1u));
    return sign | (q + select(0u, 1u, up));
}
