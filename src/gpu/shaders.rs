//! WGSL assembly: the generated prelude (every constant of `src/math`, formatted bit-exactly
//! from the Rust constants) plus the hand-written kernels under `kernels/`.
//!
//! The polynomial coefficients, splits and thresholds have one source of truth, the Rust
//! constants: [`prelude`] prints each as a WGSL hexadecimal float literal (exact by
//! construction, whatever the parser's decimal rounding) and each coefficient array as an
//! unrolled Horner function with one `fma` per coefficient, in the order of the CPU's
//! `V::poly`.

use crate::Dtype;
use crate::math::{erf, exp, log, sigmoid, softplus, tanh};
use crate::ops::kernels as k;
use crate::table::OpInfo;
use std::fmt::Write;

/// Invocations per workgroup in every kernel.
pub(crate) const WORKGROUP: u32 = 256;

const MATH: &str = include_str!("../../kernels/math.wgsl");
const OPS: &str = include_str!("../../kernels/ops.wgsl");
const MAP_F32: &str = include_str!("../../kernels/map_f32.wgsl");
const MAP_HALF: &str = include_str!("../../kernels/map_half.wgsl");
const F16: &str = include_str!("../../kernels/f16.wgsl");
const BF16: &str = include_str!("../../kernels/bf16.wgsl");
const ROWS: &str = include_str!("../../kernels/rows.wgsl");
const FMA_FUSED: &str = include_str!("../../kernels/fma_fused.wgsl");
const FMA_EMULATED: &str = include_str!("../../kernels/fma_emulated.wgsl");

/// The `fmadd` of the kernels: the WGSL `fma` builtin (`fused`), or its emulation.
fn fmadd(fused: bool) -> &'static str {
    if fused { FMA_FUSED } else { FMA_EMULATED }
}

/// An f32 as an exact WGSL literal: `0x1.8p+1f` for 3, `0.0f` / `-0.0f` for zeros.
///
/// # Panics
/// On infinities and NaN, which WGSL cannot write as literals.
pub(crate) fn wgsl_f32(v: f32) -> String {
    assert!(v.is_finite(), "lanewise::gpu: no WGSL literal for {v}");
    let b = v.to_bits();
    let sign = if b >> 31 == 1 { "-" } else { "" };
    let e = ((b >> 23) & 0xff) as i32;
    let m = b & 0x7f_ffff;
    if e == 0 && m == 0 {
        return format!("{sign}0.0f");
    }
    // Normal: 1.m · 2^(e − 127); subnormal: 0.m · 2^−126. The 23 fraction bits are
    // shifted left once to fill six hex digits.
    let (lead, exp) = if e == 0 { (0, -126) } else { (1, e - 127) };
    let digits = format!("{:06x}", m << 1);
    let digits = digits.trim_end_matches('0');
    let digits = if digits.is_empty() { "0" } else { digits };
    format!("{sign}0x{lead}.{digits}p{exp:+}f")
}

struct Prelude(String);

impl Prelude {
    fn scalar(&mut self, name: &str, v: f32) {
        let lit = wgsl_f32(v);
        writeln!(self.0, "const {name}: f32 = {lit}; // {v:e}").unwrap();
    }
    fn pair(&mut self, name: &str, (hi, lo): (f32, f32)) {
        let (h, l) = (wgsl_f32(hi), wgsl_f32(lo));
        writeln!(
            self.0,
            "const {name}: Dd = Dd({h}, {l}); // {hi:e} + {lo:e}"
        )
        .unwrap();
    }
    fn bits(&mut self, name: &str, v: u32) {
        writeln!(self.0, "const {name}: u32 = 0x{v:08x}u;").unwrap();
    }
    /// `poly_<name>(x)`: `c[0] + x·(c[1] + x·(…))`, one fma per coefficient.
    fn poly(&mut self, name: &str, c: &[f32]) {
        for (i, &v) in c.iter().enumerate() {
            self.scalar(&format!("{name}_{i}"), v);
        }
        let n = c.len();
        let lower = name.to_lowercase();
        writeln!(self.0, "fn poly_{lower}(x: f32) -> f32 {{").unwrap();
        writeln!(self.0, "    var acc = {name}_{};", n - 1).unwrap();
        for i in (0..n - 1).rev() {
            writeln!(self.0, "    acc = fmadd(acc, x, {name}_{i});").unwrap();
        }
        writeln!(self.0, "    return acc;\n}}").unwrap();
    }
    /// `estrin_<name>(x)`: the same polynomial in the tree of `V::poly_estrin` (pairs
    /// `c[i] + c[i+1]·x`, then pairs of pairs with `x²`, `x⁴`, …), so the bits agree.
    fn estrin(&mut self, name: &str, c: &[f32]) {
        for (i, &v) in c.iter().enumerate() {
            self.scalar(&format!("{name}_{i}"), v);
        }
        let lower = name.to_lowercase();
        writeln!(self.0, "fn estrin_{lower}(x: f32) -> f32 {{").unwrap();
        let mut terms: Vec<String> = (0..c.len())
            .step_by(2)
            .map(|i| {
                if i + 1 < c.len() {
                    format!("fmadd({name}_{}, x, {name}_{i})", i + 1)
                } else {
                    format!("{name}_{i}")
                }
            })
            .collect();
        let mut level = 0;
        while terms.len() > 1 {
            let prev = if level == 0 {
                "x".to_string()
            } else {
                format!("p{level}")
            };
            level += 1;
            writeln!(self.0, "    let p{level} = {prev} * {prev};").unwrap();
            terms = terms
                .chunks(2)
                .map(|t| match t {
                    [lo, hi] => format!("fmadd({hi}, p{level}, {lo})"),
                    [lo] => lo.clone(),
                    _ => unreachable!(),
                })
                .collect();
        }
        writeln!(self.0, "    return {};\n}}", terms[0]).unwrap();
    }
}

/// The generated WGSL prelude: every constant the kernels use, from the Rust constants.
///
/// ```
/// let p = lanewise::gpu::prelude();
/// assert!(p.contains("const SHIFTER: f32 = 0x1.8p+23f;"));
/// ```
pub fn prelude() -> String {
    let mut p = Prelude(String::from(
        "// Generated by lanewise::gpu::prelude() from the constants of src/math and\n\
         // src/ops/kernels.rs: do not edit.\n\n",
    ));
    p.bits("INF_BITS", f32::INFINITY.to_bits());
    p.bits("NAN_BITS", f32::NAN.to_bits());
    p.bits("WORKGROUP", WORKGROUP);
    p.scalar("F32_MIN_POSITIVE", f32::MIN_POSITIVE);
    // src/math/exp.rs
    p.scalar("LOG2E", exp::LOG2E);
    p.scalar("SHIFTER", exp::SHIFTER);
    p.scalar("LN2_HI", exp::LN2_HI);
    p.scalar("LN2_LO", exp::LN2_LO);
    p.scalar("EXP_OVERFLOW", exp::EXP_OVERFLOW);
    p.scalar("EXP_UNDERFLOW", exp::EXP_UNDERFLOW);
    p.poly("EXP_Q", &exp::EXP_Q);
    p.poly("EXPM1_Q", &exp::EXPM1_Q);
    // src/math/sigmoid.rs
    p.scalar("SIGMOID_LEAN", sigmoid::SIGMOID_LEAN);
    p.scalar("SIGMOID_FAR", sigmoid::SIGMOID_FAR);
    // src/math/softplus.rs
    p.scalar("SOFTPLUS_LEAN", softplus::SOFTPLUS_LEAN);
    p.poly("ATANH_T", &softplus::ATANH_T);
    // src/math/log.rs
    p.scalar("LOG_LN2_HI", log::LN2_HI);
    p.scalar("LOG_LN2_LO", log::LN2_LO);
    p.bits("SQRT_HALF_BITS", log::SQRT_HALF_BITS);
    p.poly("LOG1P_P", &log::LOG1P_P);
    // src/math/tanh.rs
    p.scalar("TANH_SMALL", tanh::TANH_SMALL);
    p.poly("TANH_P", &tanh::TANH_P);
    // src/math/erf.rs
    p.scalar("ERF_C0_HI", erf::ERF_C0_HI);
    p.scalar("ERF_C0_LO", erf::ERF_C0_LO);
    p.scalar("ERF_SMALL", erf::ERF_SMALL);
    p.poly("ERF_Q", &erf::ERF_Q);
    p.scalar("H_C0_HI", erf::H_C0_HI);
    p.scalar("H_C0_LO", erf::H_C0_LO);
    p.estrin("H_Q", &erf::H_Q);
    p.poly("PHI_P", &erf::PHI_P);
    p.scalar("RSQRT2_HI", erf::RSQRT2_HI);
    p.scalar("RSQRT2_LO", erf::RSQRT2_LO);
    p.scalar("TAIL_MAX", erf::TAIL_MAX);
    // src/ops/kernels.rs
    p.pair("SELU_LAMBDA", k::SELU_LAMBDA);
    p.pair("SELU_LA", k::SELU_LA);
    p.pair("GELU_FAST", k::GELU_FAST);
    p.pair("GELU_TANH_K", k::GELU_TANH_K);
    p.pair("GELU_TANH_C", k::GELU_TANH_C);
    p.0
}

/// The complete WGSL module of one elementwise function for one storage type: prelude,
/// math library, functions, the entry points `map` and `map_inplace`; `fused` picks the
/// `fmadd` (the device's fused `fma`, or its emulation).
pub(crate) fn map_source(op: &OpInfo, dtype: Dtype, fused: bool) -> String {
    let storage = match dtype {
        Dtype::F32 => MAP_F32.to_string(),
        Dtype::F16 => format!("{MAP_HALF}\n{F16}"),
        Dtype::Bf16 => format!("{MAP_HALF}\n{BF16}"),
    };
    // Identity copies (NaN payloads included); every other function returns one NaN.
    let body = if op.name == "identity" {
        "return x;".to_string()
    } else {
        format!("return canon(op_{}(x, p));", op.name)
    };
    format!(
        "{}\n{}\n{MATH}\n{OPS}\n{storage}\nfn apply(x: f32, p: vec4<f32>) -> f32 {{\n    {body}\n}}\n",
        prelude(),
        fmadd(fused)
    )
}

/// The WGSL module of the row-wise functions (f32 storage).
pub(crate) fn rows_source(fused: bool) -> String {
    format!("{}\n{}\n{MATH}\n{ROWS}", prelude(), fmadd(fused))
}

/// A one-invocation module that stores `fma(1 + 2^-12, 1 + 2^-12, −(1 + 2^-11))` (exactly
/// 2^-24 when fused, 0 when the product is rounded first) at binding 1.
pub(crate) fn fma_probe_source() -> String {
    "@group(0) @binding(0) var<storage, read> src: array<f32>;\n\
     @group(0) @binding(1) var<storage, read_write> dst: array<f32>;\n\
     @group(0) @binding(2) var<uniform> unused: vec4<f32>;\n\
     @compute @workgroup_size(1)\n\
     fn probe() { dst[0] = fma(src[0], src[0], src[1]) + unused.x; }\n"
        .to_string()
}
