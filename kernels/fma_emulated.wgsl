// a·b + c for devices whose `fma` is a multiply then an add (WGSL and Vulkan allow that;
// Mesa's lavapipe does it). The product is formed exactly as ph + pl by Veltkamp–Dekker
// splitting, the sum by TwoSum, then rounded: the correctly rounded fma except in rare
// double-rounding ties. Infinite or NaN operands take the plain a·b + c, whose special
// values are the fma's.
//
// NOTE: exact only under IEEE evaluation as written (the SPIR-V path marks every operation
// NoContraction); a compiler that reassociates turns pl into 0.

fn split(a: f32) -> Dd {
    let t = 4097.0 * a;
    let hi = t - (t - a);
    return Dd(hi, a - hi);
}

// a·b + c as hi + lo: the product exact (Dekker), the sum by TwoSum, lo rounded to odd.
fn fmadd_parts(a: f32, b: f32, c: f32) -> Dd {
    let ph = a * b;
    let sa = split(a);
    let sb = split(b);
    let pl = (((sa.hi * sb.hi - ph) + sa.hi * sb.lo) + sa.lo * sb.hi) + sa.lo * sb.lo;
    let s = two_sum(ph, c);
    return Dd(s.hi, round_odd_sum(s.lo, pl));
}

// s + t rounded to odd (toward zero, last bit set when inexact): added to a larger value
// and rounded to nearest, it rounds as the exact s + t would (no double-rounding tie).
fn round_odd_sum(s: f32, t: f32) -> f32 {
    let u = two_sum(s, t);
    var bits = bitcast<u32>(u.hi);
    // Rounded away from zero (the error has the other sign): step back toward zero.
    bits = select(bits, bits - 1u, (u.lo < 0.0) != (u.hi < 0.0));
    return select(u.hi, bitcast<f32>(bits | 1u), u.lo != 0.0);
}

fn fmadd(a: f32, b: f32, c: f32) -> f32 {
    let plain = a * b + c;
    // Huge factors are scaled down by 2^64, tiny products (subnormal factors or results) up
    // by 2^64, so that the split and the product error are exact; both scalings are powers
    // of two, undone exactly below.
    let ka = select(1.0, 0x1p-64f, abs(a) >= 0x1p96f);
    let kb = select(1.0, 0x1p-64f, abs(b) >= 0x1p96f);
    let tiny = (abs(a * b) < 0x1p-100f) & (abs(c) < 0x1p-36f);
    let kt = select(1.0, 0x1p32f, tiny);
    let e = fmadd_parts(a * (ka * kt), b * (kb * kt), (c * (ka * kb)) * (kt * kt));
    var r = e.hi + e.lo;
    if tiny {
        if abs(e.hi) < 0x1p-62f {
            // A subnormal result: round once to its grid (2^-149, here 2^-85) by adding a
            // constant whose binade has that spacing, then scale back exactly.
            let m = copysign(0x1p-62f, e.hi);
            let t = two_sum(m, e.hi);
            r = ((t.hi + round_odd_sum(t.lo, e.lo)) - m) * 0x1p-64f;
        } else {
            r = r * 0x1p-64f;
        }
    }
    r = r * select(1.0, 0x1p64f, ka < 1.0) * select(1.0, 0x1p64f, kb < 1.0);
    let finite = (abs(a) < inf()) & (abs(b) < inf()) & (abs(c) < inf());
    // A zero result has the sign of the exact value when that is not zero (it underflowed),
    // else the plain sum's (−0 only from −0 + −0).
    let zero = select(plain, copysign(0.0, e.hi), e.hi != 0.0);
    return select(plain, select(zero, r, r != 0.0), finite);
}
