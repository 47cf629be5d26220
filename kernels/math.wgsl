// lanewise GPU math: the primitives of src/math, transcribed operation by operation.
//
// Every constant (coefficients, splits, thresholds) comes from the generated prelude, which
// formats the Rust constants bit-exactly (src/gpu/shaders.rs); `poly_*` are the prelude's
// unrolled Horner evaluations, one fma per coefficient, in the order of `V::poly`. Where the
// CPU code uses a fused multiply-add, this code calls `fmadd`: the device's `fma` where that
// is fused (fma_fused.wgsl), an exact-product emulation where it is not (fma_emulated.wgsl);
// special values are handled with the same compares and selects. Functions that the CPU evaluates per vector with an "any lane
// needs the slow path" shortcut compute both paths here and select per invocation: the
// selected value is the same.

struct Dd {
    hi: f32,
    lo: f32,
}

// x = n·ln2 + r, with t = SHIFTER + n.
struct Reduced {
    t: f32,
    n: f32,
    r: f32,
}

// value · 2^n, with t = SHIFTER + n.
struct Scaled {
    val: Dd,
    t: f32,
    n: f32,
}

// e^(hi + lo) = 2^n · p.
struct ExpDd {
    p: Dd,
    red: Reduced,
}

// +inf and a quiet NaN, built from their bits at run time (WGSL has no literal for either).
fn inf() -> f32 {
    return bitcast<f32>(INF_BITS);
}

fn nan() -> f32 {
    return bitcast<f32>(NAN_BITS);
}

// NaN test on the bits: Mesa folds `x != x` to false and `x + 0` to x even under
// SignedZeroInfNanPreserve, so NaN and signed-zero logic that the CPU writes with float
// compares is written with integer ones here.
fn is_nan(x: f32) -> bool {
    return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u;
}

// One NaN for every input NaN (the CPU kernels return the canonical quiet NaN).
fn canon(y: f32) -> f32 {
    return select(y, nan(), is_nan(y));
}

fn copysign(a: f32, s: f32) -> f32 {
    return bitcast<f32>((bitcast<u32>(a) & 0x7fffffffu) | (bitcast<u32>(s) & 0x80000000u));
}

// c − a·b, rounded once.
fn fnma(a: f32, b: f32, c: f32) -> f32 {
    return fmadd(-a, b, c);
}

// a / b correctly rounded, as the CPU's division is: Vulkan allows `/` an error of 2.5 ulp
// and Mesa computes a·(1/b). The quotient is corrected by its exact remainder, then the
// neighbour on the remainder's side is taken if its remainder is smaller (ties to even). An
// infinite, zero or NaN quotient is the plain one.
fn div(a: f32, b: f32) -> f32 {
    let q0 = a / b;
    let q1 = fmadd(fnma(q0, b, a), 1.0 / b, q0);
    let r1 = fnma(q1, b, a);
    // The neighbour of q1 towards a/b (r1/b > 0: towards +inf).
    let up = (r1 > 0.0) == (b > 0.0);
    let step = select(0xffffffffu, 1u, up == (q1 > 0.0));
    let q2 = bitcast<f32>(bitcast<u32>(q1) + step);
    let r2 = fnma(q2, b, a);
    let even2 = (bitcast<u32>(q2) & 1u) == 0u;
    let take2 = (abs(r2) < abs(r1)) | ((abs(r2) == abs(r1)) & even2);
    let q = select(q1, q2, take2 & (r1 != 0.0));
    let ok = (abs(q0) < inf()) & (q0 != 0.0) & (abs(b) < inf()) & (abs(q1) < inf()) & (q1 != 0.0);
    return select(q0, q, ok);
}

fn relu(x: f32) -> f32 {
    return select(x, 0.0, x <= 0.0);
}

// hi + lo == a·b exactly.
fn two_prod(a: f32, b: f32) -> Dd {
    let hi = a * b;
    return Dd(hi, fmadd(a, b, -hi));
}

// hi + lo == a + b exactly, for |a| ≥ |b|.
fn fast_two_sum(a: f32, b: f32) -> Dd {
    let hi = a + b;
    return Dd(hi, b - (hi - a));
}

// Knuth's TwoSum: hi + lo == a + b exactly, any magnitudes.
fn two_sum(a: f32, b: f32) -> Dd {
    let s = a + b;
    let bb = s - a;
    return Dd(s, (a - (s - bb)) + (b - bb));
}

fn dd_mul(a: Dd, o: Dd) -> Dd {
    let p = two_prod(a.hi, o.hi);
    return Dd(p.hi, fmadd(a.hi, o.lo, fmadd(a.lo, o.hi, p.lo)));
}

fn dd_mul_f(a: Dd, f: f32) -> Dd {
    let p = two_prod(a.hi, f);
    return Dd(p.hi, fmadd(a.lo, f, p.lo));
}

fn dd_round(a: Dd) -> f32 {
    return a.hi + a.lo;
}

fn dd_select(f: Dd, t: Dd, c: bool) -> Dd {
    return Dd(select(f.hi, t.hi, c), select(f.lo, t.lo, c));
}

// ---- exp (src/math/exp.rs) ----

fn exp_reduce(x: f32) -> Reduced {
    let t = fmadd(x, LOG2E, SHIFTER);
    let n = t - SHIFTER;
    let r1 = fnma(n, LN2_HI, x);
    return Reduced(t, n, fnma(n, LN2_LO, r1));
}

// 2^n from t = SHIFTER + n, n in [-126, 127].
fn pow2(t: f32) -> f32 {
    return bitcast<f32>((bitcast<u32>(t) << 23u) + (127u << 23u));
}

// y · 2^n rounded once, n in [-200, 200] (two steps where one could overflow or underflow).
fn scale(y: f32, t: f32, n: f32) -> f32 {
    if abs(n) > 126.0 {
        let t1 = fmadd(n, 0.5, SHIFTER);
        let n1 = t1 - SHIFTER;
        return (y * pow2(t1)) * pow2(t - n1);
    }
    return y * pow2(t);
}

fn lw_exp(x: f32) -> f32 {
    let red = exp_reduce(x);
    var y = scale(fmadd(red.r, poly_exp_q(red.r), 1.0), red.t, red.n);
    y = select(y, inf(), x > EXP_OVERFLOW);
    return select(y, 0.0, x < EXP_UNDERFLOW);
}

// e^(hi + lo) as 2^n·(p.hi + p.lo), |hi| ≤ 150.
fn exp_dd(hi: f32, lo: f32) -> ExpDd {
    let t = fmadd(hi, LOG2E, SHIFTER);
    let n = t - SHIFTER;
    let r1 = fnma(n, LN2_HI, hi);
    let r2 = fnma(n, LN2_LO, r1);
    let e2 = fnma(n, LN2_LO, r1 - r2);
    let r = r2 + lo;
    let r_lo = (lo - (r - r2)) + e2;
    let q = poly_exp_q(r);
    let p_hi = 1.0 + r * q;
    var p_lo = fmadd(r, q, 1.0 - p_hi);
    p_lo = fmadd(p_hi, r_lo, p_lo);
    return ExpDd(Dd(p_hi, p_lo), Reduced(t, n, r));
}

// e^(hi + lo) as 2^n·(p.hi + p.lo), r rounded once (src/math/exp.rs `exp_lean`, with `DD`
// and `TIGHT`), |hi| < 355.
fn exp_lean_tight_dd(hi: f32, lo: f32) -> ExpDd {
    let t = fmadd(hi, LOG2E, SHIFTER);
    let n = t - SHIFTER;
    let r1 = fnma(n, LN2_HI, hi);
    let r = r1 + fnma(n, LN2_LO, lo);
    let r2 = r * r;
    let q_lo = fmadd(EXP_Q_2, r, EXP_Q_1);
    let q_mid = fmadd(EXP_Q_4, r, EXP_Q_3);
    let u = r * fmadd(r2, fmadd(r2, EXP_Q_5, q_mid), q_lo);
    let p_hi = fmadd(r, u, 1.0 + r);
    let p_lo = fmadd(r, u, (1.0 - p_hi) + r);
    return ExpDd(Dd(p_hi, p_lo), Reduced(t, n, r));
}

// 2^n·(em + 1) − 1 rounded once, n in [-126, 126].
fn expm1_normal(t: f32, n: f32, em: Dd) -> f32 {
    let s = pow2(t);
    let h = fast_two_sum(s - 1.0, s * em.hi);
    let mid = h.hi + fmadd(s, em.lo, h.lo);
    let p = fast_two_sum(1.0, em.hi);
    let p_lo = p.lo + em.lo;
    let hi_part = fmadd(s, p.hi, fmadd(s, p_lo, -1.0));
    return select(mid, hi_part, abs(n) > 24.0);
}

fn lw_expm1(x: f32) -> f32 {
    let toward_zero = fnma(copysign(0.5, x), 1.0, x * LOG2E);
    let t = toward_zero + SHIFTER;
    let n = t - SHIFTER;
    let r1 = fnma(n, LN2_HI, x);
    let r = fnma(n, LN2_LO, r1);
    let r_lo = fnma(n, LN2_LO, r1 - r);
    let q = poly_expm1_q(r);
    let r2 = two_prod(r, r);
    let em_hi = fmadd(r2.hi, q, r);
    let em_lo = fmadd(r2.lo, q, fmadd(r2.hi, q, r - em_hi));
    let em = Dd(em_hi, em_lo + fmadd(r_lo, em_hi, r_lo));
    var y: f32;
    if abs(x) <= 87.0 {
        y = expm1_normal(t, n, em);
    } else {
        var big = scale(1.0 + em.hi, t, n);
        big = select(big, inf(), x > EXP_OVERFLOW);
        y = select(big, -1.0, x < 0.0);
    }
    return select(y, x, x == 0.0);
}

// 2^n·p as an absolute double-f32 (lo dropped below 2^-126).
fn unscale(p: Dd, red: Reduced) -> Dd {
    let hi = scale(p.hi, red.t, red.n);
    let deep = red.n < -126.0;
    let tc = select(red.t, SHIFTER, deep);
    return Dd(hi, select(p.lo * pow2(tc), 0.0, deep));
}

// e^{−|x|} as 2^n·p, |x| clamped to 120.
fn exp_neg_abs(x: f32) -> ExpDd {
    let a = -abs(x);
    return exp_dd(select(a, -120.0, a < -120.0), 0.0);
}

// ---- log (src/math/log.rs) ----

// log(u·2^k_off) + extra before its final rounding, u finite positive normal.
fn log_core_dd(u: f32, k_off: f32, extra: f32) -> Dd {
    let ix = bitcast<u32>(u) - SQRT_HALF_BITS;
    let kb = (ix + (256u << 23u)) >> 23u;
    let k = (bitcast<f32>(kb | 0x4b000000u) - (8388608.0 + 256.0)) + k_off;
    let m = bitcast<f32>((ix & 0x007fffffu) + SQRT_HALF_BITS);
    let f = m - 1.0;
    let kh = k * LOG_LN2_HI;
    let s = kh + f;
    let err = (kh - s) + f;
    let tail = fmadd(f * f, poly_log1p_p(f), err + extra);
    return Dd(s, fmadd(k, LOG_LN2_LO, tail));
}

fn log_specials(u: f32, y: f32) -> f32 {
    var r = select(y, u, u == inf());
    r = select(r, -inf(), u == 0.0);
    return select(nan(), r, u >= 0.0);
}

fn lw_log(x: f32) -> f32 {
    let tiny = x < F32_MIN_POSITIVE;
    let xs = select(x, x * 8388608.0, tiny);
    let k_off = select(0.0, -23.0, tiny);
    return log_specials(x, dd_round(log_core_dd(xs, k_off, 0.0)));
}

// log(1 + (hi + lo)) before its final rounding.
fn log1p_parts(a: Dd) -> Dd {
    let u = 1.0 + a.hi;
    let big = abs(a.hi) > 1.0;
    let p = select(1.0, a.hi, big);
    let q = select(a.hi, 1.0, big);
    let d = (p - u) + q;
    let c = div(d + a.lo, u);
    return log_core_dd(u, 0.0, c);
}

fn log1p_dd(a: Dd) -> f32 {
    return log_specials(1.0 + a.hi, dd_round(log1p_parts(a)));
}

fn lw_log1p(x: f32) -> f32 {
    let y = log1p_dd(Dd(x, 0.0));
    return select(y, x, x == 0.0);
}

// ---- sigmoid (src/math/sigmoid.rs) ----

// (f · value) · 2^n, rounded once where the result is normal.
fn scaled_times(s: Scaled, f: f32) -> f32 {
    let p = f * s.val.hi;
    var y = fmadd(f, s.val.hi, f * s.val.lo);
    let plain = (abs(p) == inf()) | (f == 0.0);
    y = select(y, p, plain);
    return scale(y, s.t, s.n);
}

fn scaled_value(s: Scaled) -> f32 {
    return scale(dd_round(s.val), s.t, s.n);
}

// 1 / (hi + lo) as a double-f32.
fn recip_dd(d: Dd) -> Dd {
    let r = div(1.0, d.hi);
    var e = fnma(r, d.hi, 1.0);
    e = fnma(r, d.lo, e);
    return Dd(r, r * e);
}

// σ(z_hi + z_lo), to about 2^-44 relative.
fn sigmoid_dd(z_hi: f32, z_lo: f32) -> Scaled {
    let neg = z_hi < 0.0;
    var a_hi = -abs(z_hi);
    var a_lo = select(-z_lo, z_lo, neg);
    let deep = a_hi < -120.0;
    a_hi = select(a_hi, -120.0, deep);
    a_lo = select(a_lo, 0.0, deep);
    let ed = exp_dd(a_hi, a_lo);
    let p = ed.p;
    let red = ed.red;
    let tc = select(red.t, SHIFTER - 126.0, red.n < -126.0);
    let s = pow2(tc);
    let e_hi = p.hi * s;
    let e_lo = p.lo * s;
    let d = fast_two_sum(1.0, e_hi);
    let r = recip_dd(Dd(d.hi, d.lo + e_lo));
    let pr = dd_mul(p, r);
    let zero = deep & neg;
    let pr_hi = select(pr.hi, 0.0, zero);
    let pr_lo = select(pr.lo, 0.0, zero);
    return Scaled(
        Dd(select(r.hi, pr_hi, neg), select(r.lo, pr_lo, neg)),
        select(SHIFTER, red.t, neg),
        select(0.0, red.n, neg),
    );
}

// e^−|z| = 2^n·(p_hi + p_lo) and what the lean kernels build on it (src/math/sigmoid.rs
// `LeanExp`, per lane: z > SIGMOID_FAR clamped, z < −SIGMOID_FAR worked at 2^64 times its size).
struct LeanExp {
    neg: bool,
    p_hi: f32,
    p_lo: f32,
    s: f32,
    s_inv: f32,
    f: f32,
    scale: f32,
    f_s: f32,
    unscale: f32,
    deep: bool,
}

// src/math/sigmoid.rs `lean_exp`. `dd`: the argument is a double-f32 (otherwise z_lo is
// ignored and r rounds as there).
fn lean_exp(z: f32, z_lo: f32, dd: bool, f: f32) -> LeanExp {
    let neg = z < 0.0;
    var a = -abs(z);
    var a_lo = select(-z_lo, z_lo, neg);
    let clamp = !neg & (a < -SIGMOID_FAR);
    a = select(a, -SIGMOID_FAR, clamp);
    a_lo = select(a_lo, 0.0, clamp);
    let deep = a < -SIGMOID_FAR;
    let scale = select(1.0, 0x1p64f, deep);
    let t = fmadd(a, LOG2E, SHIFTER);
    let n = t - SHIFTER;
    let r1 = fnma(n, LN2_HI, a);
    let r = select(fnma(n, LN2_LO, r1), r1 + fnma(n, LN2_LO, a_lo), dd);
    let r2 = r * r;
    let c_lo = fmadd(EXP_Q_1, r, EXP_Q_0);
    let c_mid = fmadd(EXP_Q_3, r, EXP_Q_2);
    let c_hi = fmadd(EXP_Q_5, r, EXP_Q_4);
    let q = fmadd(r2, fmadd(r2, c_hi, c_mid), c_lo);
    let p_hi = fmadd(r, q, 1.0);
    let p_lo = fmadd(r, q, 1.0 - p_hi);
    let k = bitcast<u32>(t) << 23u;
    let s = bitcast<f32>(k + (127u << 23u)) * scale;
    let s_inv = bitcast<f32>((127u << 23u) - k);
    return LeanExp(neg, p_hi, p_lo, s, s_inv, f, scale, f * scale, select(1.0, 0x1p-64f, deep), deep);
}

// src/math/sigmoid.rs `remainder`: A − quo·D, exact but for quo·D.lo.
fn remainder(a: Dd, d: Dd, quo: f32) -> f32 {
    return fnma(quo, d.hi, a.hi) + fnma(quo, d.lo, a.lo);
}

// src/math/sigmoid.rs `ratio_tail`: f·R (z < 0) or f·(1 − R) (z ≥ 0) for R = A/D.
fn ratio_tail(e: LeanExp, a: Dd, d: Dd, quo: f32, inv_d: f32) -> f32 {
    let m = remainder(a, d, quo);
    let h = fast_two_sum(1.0, -quo);
    let pos_lo = e.f_s * fnma(m, inv_d, h.lo);
    let neg_lo = m * (e.f * inv_d);
    return fmadd(e.f_s, select(h.hi, quo, e.neg), select(pos_lo, neg_lo, e.neg)) * e.unscale;
}

// f·σ(z_hi + z_lo) for |z_hi| ≤ SIGMOID_LEAN (src/math/sigmoid.rs `sigmoid_lean`,
// `sigmoid_tail`): p/(2^−n + p) and 1 − p/(2^−n + p).
fn sigmoid_lean(z: f32, z_lo: f32, dd: bool, f: f32) -> f32 {
    let e = lean_exp(z, z_lo, dd, f);
    let d = fast_two_sum(e.s_inv, e.p_hi);
    let quo = div(e.p_hi, d.hi);
    let inv_d = fnma(quo, e.s, e.s);
    return ratio_tail(e, Dd(e.p_hi, e.p_lo), Dd(d.hi, d.lo + e.p_lo), quo, inv_d);
}

// mish(x) for |x| ≤ SIGMOID_LEAN (src/math/mish.rs `mish_lean`).
fn mish_lean(x: f32) -> f32 {
    let e = lean_exp(x, 0.0, false, x);
    let ex = Dd(select(e.p_hi * e.s, 0.0, e.deep), select(e.p_lo * e.s, 0.0, e.deep));
    let g = fast_two_sum(2.0, ex.hi);
    let a_neg = dd_mul(Dd(e.p_hi, e.p_lo), Dd(g.hi, g.lo + ex.lo));
    let u = Dd(ex.hi + ex.hi, ex.lo + ex.lo);
    let ap = two_prod(u.hi, ex.hi);
    let a_pos = Dd(ap.hi, fmadd(u.hi, u.lo, ap.lo));
    let b0 = fast_two_sum(1.0, u.hi);
    let a = Dd(select(a_pos.hi, a_neg.hi, e.neg), select(a_pos.lo, a_neg.lo, e.neg));
    let b_hi = select(b0.hi, e.s_inv + e.s_inv, e.neg);
    let b_lo = select(b0.lo + u.lo, 0.0, e.neg);
    let d0 = fast_two_sum(b_hi, a.hi);
    let d = Dd(d0.hi, d0.lo + (b_lo + a.lo));
    let quo = div(a.hi, d.hi);
    let inv_d = div(e.scale, d.hi);
    let y = ratio_tail(e, a, d, quo, inv_d);
    return select(y, x, x == 0.0);
}

// log1p(e^−|x|) as hi + lo for |x| ≤ SOFTPLUS_LEAN (src/math/softplus.rs
// `log1p_exp_neg_lean`): 2·atanh(s) for s = p/(2^{1−n} + p).
fn log1p_exp_neg_lean(x: f32) -> Dd {
    let e = lean_exp(x, 0.0, false, x);
    let d = fast_two_sum(e.s_inv + e.s_inv, e.p_hi);
    let quo = div(e.p_hi, d.hi);
    let m = remainder(Dd(e.p_hi, e.p_lo), Dd(d.hi, d.lo + e.p_lo), quo);
    let h = e.s * 0.5;
    let s_lo = m * fnma(quo, h, h);
    let u = quo * quo;
    let w = fmadd(u, quo * poly_atanh_t(u), s_lo);
    return Dd(quo + quo, w + w);
}

fn lw_sigmoid(x: f32) -> f32 {
    if abs(x) <= SIGMOID_LEAN {
        return sigmoid_lean(x, 0.0, false, 1.0);
    }
    return scaled_value(sigmoid_dd(x, 0.0));
}

// ---- tanh (src/math/tanh.rs) ----

fn lw_tanh(x: f32) -> f32 {
    let a = abs(x);
    let x2 = x * x;
    let small = fmadd(x * x2, poly_tanh_p(x2), x);
    let e = lw_exp(a + a);
    let big = fnma(2.0, div(1.0, e + 1.0), 1.0);
    let y = select(copysign(big, x), small, a < TANH_SMALL);
    return select(y, x, x == 0.0);
}

// ---- erf, erfc, exact gelu (src/math/erf.rs) ----

// f·erfc(z) for z = z.hi + z.lo ≥ 0.5 (+inf included), given z² = q: 2^n·(hi + lo)
// (src/math/erf.rs `erfc_tail`; `scaled`: f joins the product, otherwise it is 1).
fn erfc_tail(z_in: Dd, q_in: Dd, f: f32, scaled: bool) -> Scaled {
    let far = z_in.hi > TAIL_MAX;
    let z = Dd(select(z_in.hi, TAIL_MAX, far), select(z_in.lo, 0.0, far));
    let q = Dd(select(q_in.hi, TAIL_MAX * TAIL_MAX, far), select(q_in.lo, 0.0, far));
    let d_hi = 1.0 + z.hi;
    let d_lo = (z.hi - (d_hi - 1.0)) + z.lo;
    let t = recip_dd(Dd(d_hi, d_lo));
    let u = t.hi - 0.375;
    let uq = estrin_h_q(u);
    let h_hi = fmadd(u, uq, H_C0_HI);
    let h_lo = fmadd(u, uq, H_C0_HI - h_hi) + H_C0_LO;
    let ed = exp_lean_tight_dd(-q.hi, -q.lo);
    var et = dd_mul(ed.p, t);
    if scaled {
        et = dd_mul_f(et, f);
    }
    let val = dd_mul(et, Dd(h_hi, h_lo));
    // 0 with f's sign (written on the bits: drivers fold signed zeros).
    let zero = select(0.0, bitcast<f32>(bitcast<u32>(f) & 0x80000000u), scaled);
    return Scaled(Dd(select(val.hi, zero, far), select(val.lo, zero, far)), ed.red.t, ed.red.n);
}

// erfc(|x|) for |x| ≥ 0.5.
fn erfc_tail_abs(x: f32) -> Scaled {
    let a = abs(x);
    return erfc_tail(Dd(a, 0.0), two_prod(a, a), 1.0, false);
}

// erf(x) on |x| < 1.5 as a double-f32.
fn erf_small_dd(x: f32) -> Dd {
    let x2 = x * x;
    let w = x * fmadd(x2, poly_erf_q(x2), ERF_C0_LO);
    let p = two_prod(x, ERF_C0_HI);
    let s = fast_two_sum(p.hi, w);
    return Dd(s.hi, s.lo + p.lo);
}

fn lw_erf(x: f32) -> f32 {
    let x2 = x * x;
    // Evaluated on x·2^24 and scaled back (exactly, unless the result is subnormal): near the
    // smallest normals the correction x·C0_LO would otherwise itself be subnormal.
    let xs = x * 16777216.0;
    var small = fmadd(xs, ERF_C0_HI, xs * fmadd(x2, poly_erf_q(x2), ERF_C0_LO));
    small = small * (1.0 / 16777216.0);
    small = select(small, x, x == 0.0);
    let is_small = abs(x) < ERF_SMALL;
    if is_small {
        return small;
    }
    let e = scaled_value(erfc_tail_abs(x));
    return copysign(1.0 - e, x);
}

fn lw_erfc(x: f32) -> f32 {
    let s = erf_small_dd(x);
    let h = fast_two_sum(1.0, -s.hi);
    let mid = h.hi + (h.lo - s.lo);
    let right = x >= 0.5;
    let left = x <= -1.5;
    if !(right | left) {
        return mid;
    }
    let e = scaled_value(erfc_tail_abs(x));
    let y = select(mid, e, right);
    return select(y, 2.0 - e, left);
}

// x·Φ(x) = ½·x·erfc(−x/√2).
fn lw_gelu(x: f32) -> f32 {
    let x2 = two_prod(x, x);
    let p = poly_phi_p(x2.hi);
    var small = fmadd(x2.hi, p, fmadd(x2.lo, p, x * 0.5));
    small = select(small, x, x == 0.0);
    let left = x <= -0.75;
    let right = x >= 0.75;
    if !(left | right) {
        return small;
    }
    let a = abs(x);
    let z_hi = a * RSQRT2_HI;
    let z_lo = fmadd(a, RSQRT2_LO, fmadd(a, RSQRT2_HI, -z_hi));
    let q = Dd(x2.hi * 0.5, x2.lo * 0.5);
    // The tail carries −½|x|: its value is gelu(−|x|).
    let tail = erfc_tail(Dd(z_hi, z_lo), q, a * -0.5, true);
    let y_left = scaled_value(tail);
    let g = tail.val;
    let tc = select(tail.t, SHIFTER - 126.0, tail.n < -126.0);
    let s = pow2(tc);
    let sum = fast_two_sum(a, g.hi * s);
    let y_right = sum.hi + fmadd(g.lo, s, sum.lo);
    var y = select(small, y_left, left);
    y = select(y, y_right, right);
    y = select(y, x, x == inf());
    return select(y, nan(), x == -inf());
}
