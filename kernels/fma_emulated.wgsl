// a·b + c for devices whose `fma` is a multiply then an add (WGSL and Vulkan allow that;
// Mesa's lavapipe does it). The product is formed exactly as ph + pl by Veltkamp–Dekker
// splitting, the sum by TwoSum, then rounded: the correctly rounded fma except in rare
// double-rounding ties. Operands too large to split (or infinite, or NaN) take the plain
// a·b + c, whose special values are the fma's; so does a zero result, whose sign the plain
// sum gets right (−0 only from −0 + −0).
//
// NOTE: exact only under IEEE evaluation as written (the SPIR-V path marks every operation
// NoContraction); a compiler that reassociates turns pl into 0.

fn split(a: f32) -> Dd {
    let t = 4097.0 * a;
    let hi = t - (t - a);
    return Dd(hi, a - hi);
}

// a·b + c with the product exact (Dekker) and the sum by TwoSum, rounded at the end.
fn fmadd_core(a: f32, b: f32, c: f32) -> f32 {
    let ph = a * b;
    let sa = split(a);
    let sb = split(b);
    let pl = (((sa.hi * sb.hi - ph) + sa.hi * sb.lo) + sa.lo * sb.hi) + sa.lo * sb.lo;
    let s = two_sum(ph, c);
    return s.hi + (s.lo + pl);
}

fn fmadd(a: f32, b: f32, c: f32) -> f32 {
    let plain = a * b + c;
    // Tiny products (subnormal factors or results) are formed scaled by 2^64, where the
    // split and the product error are exact, then scaled back (a second rounding that can
    // only matter on an exact tie).
    let tiny = (abs(a * b) < 0x1p-100f) & (abs(c) < 0x1p-36f);
    let k = select(1.0, 0x1p32f, tiny);
    let r = fmadd_core(a * k, b * k, c * (k * k)) * select(1.0, 0x1p-64f, tiny);
    let ok = (abs(a) < 0x1p100f) & (abs(b) < 0x1p100f) & (abs(a * b) < 0x1p120f) & (abs(c) < 0x1p126f);
    return select(plain, r, ok & (r != 0.0));
}
