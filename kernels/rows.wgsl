// lanewise GPU row-wise functions over contiguous rows of `n` f32 (f32 storage).
//
// softmax, softmin, log_softmax, logsumexp and standardize run one workgroup per row: the
// invocations stride over the row, then reduce through workgroup memory. Sums are carried in
// double-f32 (TwoSum per term and per tree step), so their error does not grow with the row
// length; x − max is formed exactly (TwoSum) and fed to the double-f32 exp of math.wgsl, so
// even e^(−80) terms keep full relative accuracy. glu is elementwise over the output.
//
// No barrier sits under a branch: the special cases (NaN, +inf, all −inf) are computed as
// flags and applied by selects at the store.

struct RowParams {
    rows: u32,
    n: u32,
    eps: f32,
    pad: u32,
}

@group(0) @binding(0) var<storage, read> src: array<f32>;
@group(0) @binding(1) var<storage, read_write> dst: array<f32>;
@group(0) @binding(2) var<uniform> rp: RowParams;

var<workgroup> sh_hi: array<f32, WORKGROUP>;
var<workgroup> sh_lo: array<f32, WORKGROUP>;
var<workgroup> sh_bits: array<u32, WORKGROUP>;

const HAS_NAN: u32 = 1u;
const HAS_POS_INF: u32 = 2u;
const HAS_NEG_INF: u32 = 4u;

fn row_index(wid: vec3<u32>, nwg: vec3<u32>) -> u32 {
    return wid.y * nwg.x + wid.x;
}

fn dd_add(a: Dd, b: Dd) -> Dd {
    let s = two_sum(a.hi, b.hi);
    return fast_two_sum(s.hi, s.lo + (a.lo + b.lo));
}

// (a.hi + a.lo) / (b.hi + b.lo) as a double-f32.
fn dd_div(a: Dd, b: Dd) -> Dd {
    let q = div(a.hi, b.hi);
    let r = fnma(q, b.hi, a.hi) + fnma(q, b.lo, a.lo);
    return Dd(q, div(r, b.hi));
}

fn flags_of(x: f32) -> u32 {
    var f = select(0u, HAS_NAN, is_nan(x));
    f |= select(0u, HAS_POS_INF, x == inf());
    f |= select(0u, HAS_NEG_INF, x == -inf());
    return f;
}

// The maximum over the workgroup (NaN never wins: it is reported by the flags).
fn wg_max(lid: u32, v: f32) -> f32 {
    sh_hi[lid] = v;
    workgroupBarrier();
    for (var s = WORKGROUP / 2u; s > 0u; s >>= 1u) {
        if lid < s {
            let o = sh_hi[lid + s];
            sh_hi[lid] = select(sh_hi[lid], o, o > sh_hi[lid]);
        }
        workgroupBarrier();
    }
    let r = sh_hi[0];
    workgroupBarrier();
    return r;
}

fn wg_or(lid: u32, v: u32) -> u32 {
    sh_bits[lid] = v;
    workgroupBarrier();
    for (var s = WORKGROUP / 2u; s > 0u; s >>= 1u) {
        if lid < s {
            sh_bits[lid] = sh_bits[lid] | sh_bits[lid + s];
        }
        workgroupBarrier();
    }
    let r = sh_bits[0];
    workgroupBarrier();
    return r;
}

fn wg_sum(lid: u32, v: Dd) -> Dd {
    sh_hi[lid] = v.hi;
    sh_lo[lid] = v.lo;
    workgroupBarrier();
    for (var s = WORKGROUP / 2u; s > 0u; s >>= 1u) {
        if lid < s {
            let t = dd_add(Dd(sh_hi[lid], sh_lo[lid]), Dd(sh_hi[lid + s], sh_lo[lid + s]));
            sh_hi[lid] = t.hi;
            sh_lo[lid] = t.lo;
        }
        workgroupBarrier();
    }
    let r = Dd(sh_hi[0], sh_lo[0]);
    workgroupBarrier();
    return r;
}

// x − m exactly (m the row maximum, x ≤ m); −inf (or an overflowing difference) gives hi = −inf.
fn shifted(x: f32, m: f32) -> Dd {
    let d = two_sum(x, -m);
    return Dd(d.hi, select(0.0, d.lo, d.hi > -inf()));
}

// Below this x − m, e^(x − m) is under 2^-158: it cannot change a sum that is ≥ 1 and its
// quotient by that sum rounds to zero.
const SHIFT_FLOOR: f32 = -110.0;

// e^(x − m) as 2^n·p; terms under SHIFT_FLOOR are clamped there (callers zero them).
fn exp_shifted(d: Dd) -> ExpDd {
    let deep = !(d.hi >= SHIFT_FLOOR);
    return exp_dd(select(d.hi, SHIFT_FLOOR, deep), select(d.lo, 0.0, deep));
}

struct RowStats {
    // The row maximum (of the possibly negated row).
    m: f32,
    // The sum of e^(x − m), ≥ 1 for a row without specials.
    s: Dd,
    // HAS_* flags over the row.
    flags: u32,
}

// Max, flags and the double-f32 sum of e^(x − m) over a row; `sign` −1 negates it (softmin).
fn softmax_stats(lid: u32, base: u32, n: u32, sign: f32) -> RowStats {
    var m = -inf();
    var fl = 0u;
    for (var j = lid; j < n; j += WORKGROUP) {
        let x = sign * src[base + j];
        fl |= flags_of(x);
        m = select(m, x, x > m);
    }
    let mx = wg_max(lid, m);
    let flags = wg_or(lid, fl);
    var acc = Dd(0.0, 0.0);
    for (var j = lid; j < n; j += WORKGROUP) {
        let d = shifted(sign * src[base + j], mx);
        let ed = exp_shifted(d);
        var e = unscale(ed.p, ed.red);
        e = dd_select(e, Dd(0.0, 0.0), !(d.hi >= SHIFT_FLOOR));
        acc = dd_add(acc, e);
    }
    return RowStats(mx, wg_sum(lid, acc), flags);
}

// A row whose softmax is all NaN: any NaN, any +inf, or every entry −inf.
fn softmax_bad(st: RowStats) -> bool {
    return ((st.flags & (HAS_NAN | HAS_POS_INF)) != 0u) | (st.m == -inf());
}

fn softmax_row(lid: u32, row: u32, sign: f32) {
    let n = rp.n;
    let base = row * n;
    let st = softmax_stats(lid, base, n, sign);
    let bad = softmax_bad(st);
    for (var j = lid; j < n; j += WORKGROUP) {
        let d = shifted(sign * src[base + j], st.m);
        let ed = exp_shifted(d);
        // (p / s)·2^n, rounded once where the result is normal.
        let q = dd_div(ed.p, st.s);
        var y = scale(dd_round(q), ed.red.t, ed.red.n);
        y = select(y, 0.0, !(d.hi >= SHIFT_FLOOR));
        dst[base + j] = select(y, nan(), bad);
    }
}

@compute @workgroup_size(WORKGROUP)
fn softmax(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let row = row_index(wid, nwg);
    if row >= rp.rows {
        return;
    }
    softmax_row(lid, row, 1.0);
}

@compute @workgroup_size(WORKGROUP)
fn softmin(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let row = row_index(wid, nwg);
    if row >= rp.rows {
        return;
    }
    softmax_row(lid, row, -1.0);
}

// log(s) for s = hi + lo ≥ 1, before its final rounding.
fn log_sum(s: Dd) -> Dd {
    return log_core_dd(s.hi, 0.0, div(s.lo, s.hi));
}

@compute @workgroup_size(WORKGROUP)
fn log_softmax(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let row = row_index(wid, nwg);
    if row >= rp.rows {
        return;
    }
    let n = rp.n;
    let base = row * n;
    let st = softmax_stats(lid, base, n, 1.0);
    let bad = softmax_bad(st);
    let l = log_sum(st.s);
    for (var j = lid; j < n; j += WORKGROUP) {
        // (x − m) − log s, both exact or double-f32, rounded once; −inf entries stay −inf.
        let d = shifted(src[base + j], st.m);
        let t = two_sum(d.hi, -l.hi);
        var y = t.hi + ((t.lo + d.lo) - l.lo);
        y = select(y, -inf(), d.hi == -inf());
        dst[base + j] = select(y, nan(), bad);
    }
}

@compute @workgroup_size(WORKGROUP)
fn logsumexp(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let row = row_index(wid, nwg);
    if row >= rp.rows {
        return;
    }
    let st = softmax_stats(lid, row * rp.n, rp.n, 1.0);
    let l = log_sum(st.s);
    if lid == 0u {
        // m + log s in double-f32, rounded once.
        let t = two_sum(st.m, l.hi);
        var y = t.hi + (t.lo + l.lo);
        // Any +inf gives +inf, all −inf gives −inf, NaN gives NaN (NaN wins).
        y = select(y, st.m, (st.m == inf()) | (st.m == -inf()));
        dst[row] = select(y, nan(), (st.flags & HAS_NAN) != 0u);
    }
}

// x − μ as a normalized double-f32 (|lo| ≤ ulp(hi)/2): squaring drops lo², which must
// then be negligible (next to the mean, x − μ.hi alone is not within 2^-24 of x − μ).
fn deviation(x: f32, mu: Dd) -> Dd {
    let d0 = two_sum(x, -mu.hi);
    return two_sum(d0.hi, d0.lo - mu.lo);
}

@compute @workgroup_size(WORKGROUP)
fn standardize(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let row = row_index(wid, nwg);
    if row >= rp.rows {
        return;
    }
    let n = rp.n;
    let base = row * n;
    let nf = f32(n);
    // Rows whose squares would overflow (or underflow) are standardized scaled by c = 2^-96
    // (or 2^64), exactly: (x·c − μ·c) / √(v·c² + ε·c²) is the same quotient (ε·c² may
    // underflow next to a huge row's variance; a zero deviation then still gives 0).
    var amax = 0.0;
    for (var j = lid; j < n; j += WORKGROUP) {
        let a = abs(src[base + j]);
        amax = select(amax, a, a > amax);
    }
    let big = wg_max(lid, amax);
    let c = select(select(1.0, 0x1p64f, (big < 0x1p-60f) & (big > 0.0)), 0x1p-96f, big > 0x1p60f);
    // μ = Σx / n in double-f32.
    var acc = Dd(0.0, 0.0);
    for (var j = lid; j < n; j += WORKGROUP) {
        acc = dd_add(acc, Dd(src[base + j] * c, 0.0));
    }
    let mu = dd_div(wg_sum(lid, acc), Dd(nf, 0.0));
    // v = Σ(x − μ)² / n (two passes: JAX's algorithm="stable"), then w = v + ε.
    var sq = Dd(0.0, 0.0);
    for (var j = lid; j < n; j += WORKGROUP) {
        let d = deviation(src[base + j] * c, mu);
        sq = dd_add(sq, dd_mul(d, d));
    }
    let v = dd_div(wg_sum(lid, sq), Dd(nf, 0.0));
    let w = dd_add(v, Dd(rp.eps * c * c, 0.0));
    // √w in double-f32: one Newton correction of the f32 root.
    let r = sqrt(w.hi);
    let r_lo = div(fnma(r, r, w.hi) + w.lo, r + r);
    let root = Dd(r, select(r_lo, 0.0, r == 0.0));
    for (var j = lid; j < n; j += WORKGROUP) {
        let d = deviation(src[base + j] * c, mu);
        let y = dd_round(dd_div(d, root));
        dst[base + j] = select(y, 0.0, (d.hi == 0.0) & (d.lo == 0.0) & (rp.eps > 0.0));
    }
}

@compute @workgroup_size(WORKGROUP)
fn glu(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    // One output per invocation: a·σ(b), a from the first half of its row, b the second.
    let o = (wid.y * nwg.x + wid.x) * WORKGROUP + lid;
    let h = rp.n / 2u;
    if o >= rp.rows * h {
        return;
    }
    let row = o / h;
    let j = o - row * h;
    let a = src[row * rp.n + j];
    let b = src[row * rp.n + h + j];
    dst[o] = canon(scaled_times(sigmoid_dd(b, 0.0), a));
}
