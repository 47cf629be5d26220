// lanewise GPU elementwise functions: one `op_<name>` per entry of src/table.rs `OPS`,
// transcribed from src/ops/kernels.rs. `p` holds the parameters in table order.

fn neg_inf_nan(x: f32, y: f32) -> f32 {
    return select(y, nan(), x == -inf());
}

// c·y for c = hi + lo, rounded once; y = ±inf gives ±inf (the correction term would make
// it NaN), a finite y whose y·hi overflows keeps the fma, which overflows only where c·y does.
fn mul_const(y: f32, c: Dd) -> f32 {
    let p = y * c.hi;
    let r = fmadd(y, c.hi, y * c.lo);
    return select(r, p, abs(y) == inf());
}

// (hi + lo)/6 without a division (src/ops/kernels.rs `div6`): q = hi·RN(1/6) is within an
// ulp, the remainder exact, one correction rounds (up to near-ties with lo).
fn div6(hi: f32, lo: f32) -> f32 {
    let q = hi * (1.0 / 6.0);
    let r = fnma(q, 6.0, hi) + lo;
    return fmadd(r, 1.0 / 6.0, q);
}

// softplus for any x: the lean form for |x| ≤ SOFTPLUS_LEAN (src/ops/kernels.rs
// `softplus_lean`), else `softplus`.
fn lw_softplus(x: f32) -> f32 {
    if abs(x) <= SOFTPLUS_LEAN {
        let l = log1p_exp_neg_lean(x);
        let h = two_sum(relu(x), l.hi);
        return h.hi + (h.lo + l.lo);
    }
    return softplus(x);
}

fn softplus(x: f32) -> f32 {
    let ed = exp_neg_abs(x);
    let l = log1p_parts(unscale(ed.p, ed.red));
    let h = two_sum(relu(x), l.hi);
    let y = h.hi + (h.lo + l.lo);
    return select(y, x, x == inf());
}

// z = 2·√(2/π)·x·(1 + 0.044715·x²) in double-f32 (src/ops/kernels.rs `gelu_tanh_z`).
fn gelu_tanh_z(x: f32) -> Dd {
    let q = two_prod(x, x);
    let m0 = two_prod(q.hi, GELU_TANH_C.hi);
    let m_lo = fmadd(q.hi, GELU_TANH_C.lo, fmadd(q.lo, GELU_TANH_C.hi, m0.lo));
    let w0 = two_sum(1.0, m0.hi);
    let w = Dd(w0.hi, w0.lo + m_lo);
    let k0 = two_prod(x, GELU_TANH_K.hi);
    let k = Dd(k0.hi, fmadd(x, GELU_TANH_K.lo, k0.lo));
    return dd_mul(k, w);
}

fn gelu_tanh(x: f32) -> f32 {
    let big = abs(x) > 16.0;
    let xc = select(x, copysign(16.0, x), big);
    let z = gelu_tanh_z(xc);
    var y = scaled_times(sigmoid_dd(z.hi, z.lo), xc);
    y = select(y, x, big & (x > 0.0));
    return select(y, -0.0, big & (x < 0.0));
}

fn mish(x: f32) -> f32 {
    let ed = exp_neg_abs(x);
    let p = ed.p;
    let red = ed.red;
    let e = unscale(p, red);
    let ep2_0 = fast_two_sum(2.0, e.hi);
    let ep2 = Dd(ep2_0.hi, ep2_0.lo + e.lo);
    let w = dd_mul(e, ep2);
    let dn = fast_two_sum(2.0, w.hi);
    let num_n = dd_mul(p, ep2);
    let a0 = fast_two_sum(1.0, e.hi + e.hi);
    let a = Dd(a0.hi, a0.lo + (e.lo + e.lo));
    let e2 = dd_mul(e, e);
    let dp = fast_two_sum(a.hi, e2.hi + e2.hi);
    let neg = x < 0.0;
    let num = dd_select(a, num_n, neg);
    let den = Dd(
        select(dp.hi, dn.hi, neg),
        select(dp.lo + (a.lo + (e2.lo + e2.lo)), dn.lo + w.lo, neg),
    );
    var t = dd_mul(num, recip_dd(den));
    let zero = neg & (x < -120.0);
    t = Dd(select(t.hi, 0.0, zero), select(t.lo, 0.0, zero));
    let s = Scaled(t, select(SHIFTER, red.t, neg), select(0.0, red.n, neg));
    let y = scaled_times(s, x);
    return select(y, x, x == inf());
}

fn log1mexp(x: f32) -> f32 {
    let ed = exp_neg_abs(x);
    let e = unscale(ed.p, ed.red);
    var y = log1p_dd(Dd(-e.hi, -e.lo));
    let tiny = x < 1.0e-3;
    y = select(y, lw_log(-lw_expm1(-x)), tiny);
    y = select(y, -0.0, (y == 0.0) & (x > 0.0));
    return select(y, nan(), x < 0.0);
}

fn op_relu(x: f32, p: vec4<f32>) -> f32 {
    return relu(x);
}

fn op_relu6(x: f32, p: vec4<f32>) -> f32 {
    let y = relu(x);
    return select(y, 6.0, y > 6.0);
}

fn op_relu2(x: f32, p: vec4<f32>) -> f32 {
    let y = relu(x);
    return y * y;
}

fn op_leaky_relu(x: f32, p: vec4<f32>) -> f32 {
    return select(x * p.x, x, x >= 0.0);
}

fn op_identity(x: f32, p: vec4<f32>) -> f32 {
    return x;
}

fn op_hard_tanh(x: f32, p: vec4<f32>) -> f32 {
    let y = select(x, p.x, x < p.x);
    return select(y, p.y, y > p.y);
}

fn op_hard_shrink(x: f32, p: vec4<f32>) -> f32 {
    return select(0.0, x, abs(x) > p.x);
}

fn op_soft_shrink(x: f32, p: vec4<f32>) -> f32 {
    var shrunk = x - copysign(p.x, x);
    shrunk = select(shrunk, 0.0, x == 0.0);
    return select(0.0, shrunk, abs(x) > p.x);
}

fn op_step(x: f32, p: vec4<f32>) -> f32 {
    return select(0.0, 1.0, x >= p.x);
}

fn op_hard_sigmoid(x: f32, p: vec4<f32>) -> f32 {
    // Fast2Sum: exact in the ramp |x| < 3; the clamps test x (s rounds up to 6 at 3 − 2^-22).
    let s = fast_two_sum(3.0, x);
    let mid = div6(s.hi, s.lo);
    let y = select(mid, 0.0, x <= -3.0);
    return select(y, 1.0, x >= 3.0);
}

fn op_hard_swish(x: f32, p: vec4<f32>) -> f32 {
    let s = fast_two_sum(3.0, x);
    let pr = two_prod(x, s.hi);
    let mid = div6(pr.hi, fmadd(x, s.lo, pr.lo));
    // x·0 (−0 for negative x, NaN for −inf), written out: drivers fold a product with the
    // constant 0 to +0 even under SignedZeroInfNanPreserve (Mesa 22.3 does).
    let x_times_0 = select(copysign(0.0, x), nan(), x == -inf());
    var y = select(mid, x_times_0, x <= -3.0);
    y = select(y, x, x == 0.0);
    return select(y, x, x >= 3.0);
}

fn op_softsign(x: f32, p: vec4<f32>) -> f32 {
    let d = two_sum(1.0, abs(x));
    let r = recip_dd(d);
    let y = fmadd(x, r.hi, x * r.lo);
    let huge = (abs(x) > 0x1p64f) & (abs(x) < inf());
    return select(y, copysign(1.0, x), huge);
}

fn op_sparse_plus(x: f32, p: vec4<f32>) -> f32 {
    let s = fast_two_sum(1.0, x);
    let mid = fmadd(s.hi, s.hi, (s.hi + s.hi) * s.lo) * 0.25;
    let y = select(mid, x, x >= 1.0);
    return select(y, 0.0, x <= -1.0);
}

fn op_sparse_sigmoid(x: f32, p: vec4<f32>) -> f32 {
    var y = x + 1.0;
    y = select(y, 0.0, y < 0.0);
    y = select(y, 2.0, y > 2.0);
    return y * 0.5;
}

fn op_squareplus(x: f32, p: vec4<f32>) -> f32 {
    let b = p.x;
    let a = abs(x);
    let huge = a > 1.0e18;
    let q = two_prod(x, x);
    let se = two_sum(q.hi, b);
    var r = sqrt(se.hi);
    let res = fnma(r, r, se.hi) + (se.lo + q.lo);
    var r_lo = res * div(0.5, r);
    r_lo = select(r_lo, 0.0, r == 0.0);
    r = select(r, a, huge);
    r_lo = select(r_lo, 0.0, huge);
    let t = two_sum(x * 0.5, r * 0.5);
    let pos = t.hi + fmadd(r_lo, 0.5, t.lo);
    let d = two_sum(r * 0.5, a * 0.5);
    let inv = recip_dd(Dd(d.hi, fmadd(r_lo, 0.5, d.lo)));
    let hb = 0.25 * b;
    let neg = fmadd(hb, inv.hi, hb * inv.lo);
    var y = select(neg, pos, x >= 0.0);
    if b == 0.0 {
        y = relu(x);
    }
    y = select(y, x, is_nan(x));
    y = select(y, x, x == inf());
    return select(y, nan(), x == -inf());
}

fn op_elu(x: f32, p: vec4<f32>) -> f32 {
    let neg = p.x * lw_expm1(x);
    return select(neg, x, x > 0.0);
}

fn op_celu(x: f32, p: vec4<f32>) -> f32 {
    // + 0 turns −0 into +0 (written as a select: drivers drop a `+ 0.0`).
    var neg = p.x * lw_expm1(div(x, p.x));
    neg = select(neg, 0.0, neg == 0.0);
    return select(neg, x, x > 0.0);
}

fn op_selu(x: f32, p: vec4<f32>) -> f32 {
    let pos = mul_const(x, SELU_LAMBDA);
    let neg = mul_const(lw_expm1(x), SELU_LA);
    return select(neg, pos, x > 0.0);
}

fn op_sigmoid(x: f32, p: vec4<f32>) -> f32 {
    return lw_sigmoid(x);
}

fn op_log_sigmoid(x: f32, p: vec4<f32>) -> f32 {
    return -lw_softplus(-x);
}

fn op_softplus(x: f32, p: vec4<f32>) -> f32 {
    return lw_softplus(x);
}

fn op_silu(x: f32, p: vec4<f32>) -> f32 {
    if abs(x) <= SIGMOID_LEAN {
        return sigmoid_lean(x, 0.0, false, x);
    }
    return neg_inf_nan(x, scaled_times(sigmoid_dd(x, 0.0), x));
}

fn op_mish(x: f32, p: vec4<f32>) -> f32 {
    if abs(x) <= SIGMOID_LEAN {
        return mish_lean(x);
    }
    return neg_inf_nan(x, mish(x));
}

fn op_gelu(x: f32, p: vec4<f32>) -> f32 {
    return lw_gelu(x);
}

fn op_gelu_tanh(x: f32, p: vec4<f32>) -> f32 {
    let z = gelu_tanh_z(x);
    if abs(z.hi) <= SIGMOID_LEAN {
        return sigmoid_lean(z.hi, z.lo, true, x);
    }
    return neg_inf_nan(x, gelu_tanh(x));
}

fn op_gelu_fast(x: f32, p: vec4<f32>) -> f32 {
    let z = two_prod(x, GELU_FAST.hi);
    let z_lo = fmadd(x, GELU_FAST.lo, z.lo);
    if abs(z.hi) <= SIGMOID_LEAN {
        return sigmoid_lean(z.hi, z_lo, true, x);
    }
    return neg_inf_nan(x, scaled_times(sigmoid_dd(z.hi, z_lo), x));
}

fn op_tanh(x: f32, p: vec4<f32>) -> f32 {
    return lw_tanh(x);
}

fn op_log1mexp(x: f32, p: vec4<f32>) -> f32 {
    return log1mexp(x);
}

fn op_exp(x: f32, p: vec4<f32>) -> f32 {
    return lw_exp(x);
}

fn op_expm1(x: f32, p: vec4<f32>) -> f32 {
    return lw_expm1(x);
}

fn op_log(x: f32, p: vec4<f32>) -> f32 {
    return lw_log(x);
}

fn op_log1p(x: f32, p: vec4<f32>) -> f32 {
    return lw_log1p(x);
}

fn op_erf(x: f32, p: vec4<f32>) -> f32 {
    return lw_erf(x);
}

fn op_erfc(x: f32, p: vec4<f32>) -> f32 {
    return lw_erfc(x);
}
