//! GPU path (feature `gpu`): shader translation, and every kernel on the device against the
//! f64 references. Run with `cargo test --release --features gpu --test gpu`; the device
//! tests need an adapter (Mesa's lavapipe is enough: `apt-get install mesa-vulkan-drivers`).
#![cfg(feature = "gpu")]

use half::{bf16, f16};
use lanewise::Dtype;
use lanewise::gpu::accuracy::{row_reference, sweep, sweep_rows};
use lanewise::gpu::{
    Gpu, GpuError, GpuOptions, RowFn, map_shader, map_shader_emulated_fma, prelude, rows_shader,
};
use lanewise::reference::rows::ulp_error_floor_f32;
use lanewise::table::OPS;
use std::sync::OnceLock;

/// The shared device; a machine without an adapter fails here with the recipe.
fn gpu() -> &'static Gpu {
    static GPU: OnceLock<Gpu> = OnceLock::new();
    GPU.get_or_init(|| {
        let g = Gpu::new().unwrap_or_else(|e| {
            panic!("{e}: the GPU tests need an adapter (Mesa lavapipe: apt-get install mesa-vulkan-drivers)")
        });
        eprintln!("GPU tests on {}", g.describe());
        g
    })
}

fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

// ---- shaders (no device) ----

/// Every WGSL module the crate builds (both fma variants), with a label.
fn all_modules() -> Vec<(String, String)> {
    let mut v = Vec::new();
    for op in OPS {
        for d in Dtype::ALL {
            v.push((format!("{}/{d}", op.name), map_shader(op.name, d).unwrap()));
            v.push((
                format!("{}/{d}/emulated-fma", op.name),
                map_shader_emulated_fma(op.name, d).unwrap(),
            ));
        }
    }
    v.push(("rows".to_string(), rows_shader(true)));
    v.push(("rows/emulated-fma".to_string(), rows_shader(false)));
    v
}

fn parse(label: &str, src: &str) -> (naga::Module, naga::valid::ModuleInfo) {
    let module = naga::front::wgsl::parse_str(src)
        .unwrap_or_else(|e| panic!("{label}: WGSL parse error:\n{}", e.emit_to_string(src)));
    let info = naga::valid::Validator::new(
        naga::valid::ValidationFlags::all(),
        naga::valid::Capabilities::default(),
    )
    .validate(&module)
    .unwrap_or_else(|e| panic!("{label}: validation error:\n{}", e.emit_to_string(src)));
    (module, info)
}

/// Every kernel translates to Metal Shading Language and to SPIR-V (what wgpu hands to
/// Metal and Vulkan), so a shader that Metal's front end would reject fails here.
#[test]
fn naga_translates_every_kernel_to_msl_and_spirv() {
    for (label, src) in all_modules() {
        let (module, info) = parse(&label, &src);
        let msl_opts = naga::back::msl::Options {
            lang_version: (2, 1),
            ..Default::default()
        };
        let (msl, _) = naga::back::msl::write_string(
            &module,
            &info,
            &msl_opts,
            &naga::back::msl::PipelineOptions::default(),
        )
        .unwrap_or_else(|e| panic!("{label}: MSL translation failed: {e}"));
        assert!(msl.contains("kernel void"), "{label}: no kernel in MSL");
        let spv =
            naga::back::spv::write_vec(&module, &info, &naga::back::spv::Options::default(), None)
                .unwrap_or_else(|e| panic!("{label}: SPIR-V translation failed: {e}"));
        assert_eq!(spv[0], 0x0723_0203, "{label}: not SPIR-V");
    }
}

/// The kernels never call the shading language's transcendental built-ins (Metal's are
/// fast-math approximations): every such function is lanewise's own polynomial.
#[test]
fn kernels_use_no_builtin_transcendentals() {
    let banned = [
        "exp",
        "exp2",
        "log",
        "log2",
        "tanh",
        "sinh",
        "cosh",
        "pow",
        "inverseSqrt",
        "sin",
        "cos",
    ];
    for (label, src) in all_modules() {
        // Comments mention the functions they compute (`// log(1 + x)`): code only.
        let src: String = src
            .lines()
            .map(|l| l.split("//").next().unwrap_or(""))
            .collect::<Vec<_>>()
            .join("\n");
        for name in banned {
            let call = format!("{name}(");
            for (at, _) in src.match_indices(&call) {
                let before = src[..at].chars().next_back().unwrap_or(' ');
                assert!(
                    before.is_alphanumeric() || before == '_',
                    "{label}: calls the built-in {name}()"
                );
            }
        }
    }
}

/// The generated prelude's literals are exactly the Rust constants: each `const` line
/// carries the Rust value (printed with `{:e}`, which round-trips) in its comment, and naga
/// must parse the literal to the same bits.
#[test]
fn prelude_constants_are_bit_exact() {
    let p = prelude();
    let src = format!(
        "{p}\nstruct Dd {{ hi: f32, lo: f32 }}\nfn fmadd(a: f32, b: f32, c: f32) -> f32 {{ return fma(a, b, c); }}\n"
    );
    let (module, _) = parse("prelude", &src);
    let literal = |h: naga::Handle<naga::Expression>| -> Vec<u32> {
        match &module.global_expressions[h] {
            naga::Expression::Literal(naga::Literal::F32(v)) => vec![v.to_bits()],
            naga::Expression::Literal(naga::Literal::U32(v)) => vec![*v],
            naga::Expression::Compose { components, .. } => components
                .iter()
                .map(|&c| match module.global_expressions[c] {
                    naga::Expression::Literal(naga::Literal::F32(v)) => v.to_bits(),
                    ref e => panic!("unexpected component {e:?}"),
                })
                .collect(),
            e => panic!("unexpected constant {e:?}"),
        }
    };
    let mut checked = 0;
    for line in p
        .lines()
        .filter(|l| l.starts_with("const ") && l.contains("f32") || l.contains(": Dd"))
    {
        let name = line["const ".len()..].split(':').next().unwrap();
        let comment = line
            .split("// ")
            .nth(1)
            .unwrap_or_else(|| panic!("no value comment: {line}"));
        let want: Vec<u32> = comment
            .split(" + ")
            .map(|v| v.trim().parse::<f32>().unwrap().to_bits())
            .collect();
        let (_, c) = module
            .constants
            .iter()
            .find(|(_, c)| c.name.as_deref() == Some(name))
            .unwrap_or_else(|| panic!("{name} missing"));
        assert_eq!(literal(c.init), want, "{line}");
        checked += 1;
    }
    assert!(checked > 60, "only {checked} constants checked");
}

// ---- elementwise on the device ----

/// Every function against its f64 reference over every 257th f32 bit pattern (16.7 M
/// inputs): the CPU's published bound holds, and every output is bit-identical to the CPU's.
#[test]
fn elementwise_f32_dense_sweep() {
    let g = gpu();
    for op in OPS {
        let r = sweep(g, op, &op.defaults(), Dtype::F32, 257, threads()).unwrap();
        eprintln!(
            "{:14} max {:.3} ulp (bound {}), {} of {} bit-identical to the CPU",
            op.name, r.stats.max_ulp, op.ulp_f32, r.cpu_identical, r.stats.count
        );
        assert!(
            r.stats.max_ulp <= op.ulp_f32,
            "{}: {} ulp at x = {:e} exceeds the bound {}",
            op.name,
            r.stats.max_ulp,
            r.stats.worst_input,
            op.ulp_f32
        );
        assert_eq!(
            r.cpu_identical, r.stats.count,
            "{}: bits differ from the CPU",
            op.name
        );
    }
}

/// Every function on all 65,536 f16 and bf16 inputs: within 1 half-ulp of the f64
/// reference rounded to the half type (the issue-4 contract), equal to the CPU's f32 result
/// rounded once.
#[test]
fn elementwise_half_exhaustive() {
    let g = gpu();
    for op in OPS {
        for d in [Dtype::F16, Dtype::Bf16] {
            let r = sweep(g, op, &op.defaults(), d, 1, threads()).unwrap();
            let cr = 100.0 * r.stats.correctly_rounded as f64 / r.stats.count as f64;
            eprintln!(
                "{:14} {d}: max {:.3} ulp, {cr:.3}% correctly rounded",
                op.name, r.stats.max_ulp
            );
            assert_eq!(r.stats.count, 65536);
            assert!(
                r.stats.max_ulp <= 1.0,
                "{} {d}: {} half-ulp at x = {:e}",
                op.name,
                r.stats.max_ulp,
                r.stats.worst_input
            );
            assert_eq!(
                r.cpu_identical, 65536,
                "{} {d}: differs from the CPU rounded",
                op.name
            );
        }
    }
}

fn specials() -> Vec<f32> {
    let mut v = vec![
        f32::NAN,
        -f32::NAN,
        f32::from_bits(0x7f80_0001), // signalling NaN
        f32::INFINITY,
        f32::NEG_INFINITY,
        0.0,
        -0.0,
        f32::MIN_POSITIVE,
        f32::from_bits(1),
        f32::from_bits(0x007f_ffff),
        f32::MAX,
        1.0,
        0.5,
        3.0,
        6.0,
        88.72284,
        88.72283,
        -87.33655,
        -103.97208,
        -104.0,
        1.0e-3,
        16.0,
        1.8446744e19,
        1.0e18,
    ];
    let neg: Vec<f32> = v.iter().map(|x| -x).collect();
    v.extend(neg);
    v
}

/// The special values of the spec (NaN, ±inf, ±0, subnormals, thresholds) give the CPU's
/// exact bits (NaN: a NaN), for every function.
#[test]
fn special_values_match_the_cpu() {
    let g = gpu();
    let xs = specials();
    for op in OPS {
        let p = op.defaults();
        let mut y = vec![0.0f32; xs.len()];
        g.map_slice(op.name, &xs, &mut y, &p).unwrap();
        let mut c = vec![0.0f32; xs.len()];
        (op.run)(&xs, &mut c, &p);
        for ((&x, &gy), &cy) in xs.iter().zip(&y).zip(&c) {
            assert!(
                gy.to_bits() == cy.to_bits() || (gy.is_nan() && cy.is_nan()),
                "{}({x:e}): gpu {gy:e} ({:08x}), cpu {cy:e} ({:08x})",
                op.name,
                gy.to_bits(),
                cy.to_bits()
            );
        }
    }
    // identity keeps NaN payloads.
    let mut y = [0.0f32; 1];
    g.map_slice("identity", &[f32::from_bits(0x7fc0_1234)], &mut y, &[])
        .unwrap();
    assert_eq!(y[0].to_bits(), 0x7fc0_1234);
}

/// Non-default parameters reach the kernel.
#[test]
fn parameters_reach_the_kernel() {
    let g = gpu();
    let xs: Vec<f32> = (-40..=40).map(|i| i as f32 * 0.37).collect();
    for (name, p) in [
        ("leaky_relu", vec![0.2f32]),
        ("hard_tanh", vec![-0.5, 2.0]),
        ("elu", vec![1.7]),
        ("celu", vec![0.3]),
        ("soft_shrink", vec![1.25]),
        ("hard_shrink", vec![1.25]),
        ("step", vec![0.5]),
        ("squareplus", vec![0.0]),
        ("squareplus", vec![9.0]),
    ] {
        let op = lanewise::table::find(name).unwrap();
        let mut y = vec![0.0f32; xs.len()];
        g.map_slice(name, &xs, &mut y, &p).unwrap();
        let mut c = vec![0.0f32; xs.len()];
        (op.run)(&xs, &mut c, &p);
        assert_eq!(
            y.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
            c.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
            "{name}{p:?}"
        );
    }
}

fn inputs(n: usize) -> Vec<f32> {
    (0..n)
        .map(|i| ((i as f32) * 0.618_034).sin() * 12.0)
        .collect()
}

/// Lengths around the workgroup size (and odd lengths for the packed half types), empty
/// input included: every element written, nothing else.
#[test]
fn lengths_not_multiple_of_the_workgroup() {
    let g = gpu();
    for n in [0usize, 1, 2, 3, 255, 256, 257, 511, 513, 1023, 4099, 65_537] {
        let x = inputs(n);
        let mut y = vec![f32::NAN; n];
        g.map_slice("gelu", &x, &mut y, &[]).unwrap();
        let mut c = vec![0.0f32; n];
        lanewise::gelu(&x, &mut c);
        assert_eq!(y, c, "f32 n = {n}");
        let xh: Vec<f16> = x.iter().map(|&v| f16::from_f32(v)).collect();
        let mut yh = vec![f16::NAN; n];
        g.map_slice("gelu", &xh, &mut yh, &[]).unwrap();
        let xb: Vec<bf16> = x.iter().map(|&v| bf16::from_f32(v)).collect();
        let mut yb = vec![bf16::NAN; n];
        g.map_slice("gelu", &xb, &mut yb, &[]).unwrap();
        for i in 0..n {
            let mut w = [0.0f32];
            lanewise::gelu(&[xh[i].to_f32()], &mut w);
            assert_eq!(yh[i], f16::from_f32(w[0]), "f16 n = {n}, i = {i}");
            lanewise::gelu(&[xb[i].to_f32()], &mut w);
            assert_eq!(yb[i], bf16::from_f32(w[0]), "bf16 n = {n}, i = {i}");
        }
    }
}

/// More than 65,535 workgroups: the 2-D dispatch grid covers every element.
#[test]
fn large_dispatch_uses_the_whole_grid() {
    let g = gpu();
    let n = 65_536 * 256 + 3;
    let x: Vec<f32> = (0..n)
        .map(|i| if i % 2 == 0 { -(i as f32) } else { i as f32 })
        .collect();
    let mut y = vec![f32::NAN; n];
    g.map_slice("relu", &x, &mut y, &[]).unwrap();
    for (i, (&a, &b)) in x.iter().zip(&y).enumerate() {
        assert_eq!(b, a.max(0.0), "element {i}");
    }
}

/// A chain of activations stays on the device (no download between steps) and equals the
/// CPU chain; in place equals out of place.
#[test]
fn chain_on_the_device() {
    let g = gpu();
    let x = inputs(10_001);
    let a = g.upload(&x).unwrap();
    let mut b = g.empty_like(&a).unwrap();
    g.map("gelu", &a, &mut b, &[]).unwrap();
    g.map_inplace("tanh", &mut b, &[]).unwrap();
    let mut c = g.empty_like(&b).unwrap();
    g.map("leaky_relu", &b, &mut c, &[0.1]).unwrap();
    g.map_inplace("hardswish", &mut c, &[]).unwrap();
    let got: Vec<f32> = g.download(&c).unwrap();
    let mut want = vec![0.0f32; x.len()];
    lanewise::gelu(&x, &mut want);
    lanewise::tanh_inplace(&mut want);
    lanewise::leaky_relu_inplace(&mut want, 0.1);
    lanewise::hard_swish_inplace(&mut want);
    assert_eq!(got, want);
    // The input buffer is untouched.
    assert_eq!(g.download::<f32>(&a).unwrap(), x);
}

#[test]
fn empty_buffers() {
    let g = gpu();
    let a = g.upload::<f32>(&[]).unwrap();
    let mut b = g.empty_like(&a).unwrap();
    g.map("exp", &a, &mut b, &[]).unwrap();
    assert!(g.download::<f32>(&b).unwrap().is_empty());
    let mut y: [f32; 0] = [];
    g.rows_slice(RowFn::Softmax, &[], &mut y, 4).unwrap();
}

#[test]
fn errors_are_reported() {
    let g = gpu();
    let a = g.upload(&[1.0f32]).unwrap();
    let mut b = g.empty_like(&a).unwrap();
    let e = g.map("no_such_function", &a, &mut b, &[]).unwrap_err();
    assert_eq!(e, GpuError::UnknownFunction("no_such_function".into()));
    assert!(e.to_string().contains("no_such_function"));
    let e = Gpu::with_options(&GpuOptions {
        adapter_name: Some("no such adapter".into()),
        ..Default::default()
    })
    .unwrap_err();
    assert!(matches!(e, GpuError::NoAdapter(_)), "{e}");
}

#[test]
#[should_panic(
    expected = "lanewise::gpu::map(gelu): input has 3 f32 elements but output has 2 f32"
)]
fn mismatched_lengths_panic() {
    let g = gpu();
    let a = g.upload(&[1.0f32; 3]).unwrap();
    let mut b = g.zeros(Dtype::F32, 2).unwrap();
    let _ = g.map("gelu", &a, &mut b, &[]);
}

#[test]
#[should_panic(expected = "lanewise::gpu::map(leaky_relu): takes 1 parameters, got 2")]
fn wrong_parameter_count_panics() {
    let g = gpu();
    let mut a = g.upload(&[1.0f32; 3]).unwrap();
    let _ = g.map_inplace("leaky_relu", &mut a, &[0.1, 0.2]);
}

#[test]
#[should_panic(expected = "lanewise::gpu::softmax: input of 10 elements is not rows of 4")]
fn ragged_rows_panic() {
    let mut y = [0.0f32; 10];
    let _ = gpu().rows_slice(RowFn::Softmax, &[0.0; 10], &mut y, 4);
}

#[test]
#[should_panic(expected = "lanewise::gpu::glu: row length 3 is odd")]
fn odd_glu_rows_panic() {
    let mut y = [0.0f32; 3];
    let _ = gpu().rows_slice(RowFn::Glu, &[0.0; 6], &mut y, 3);
}

// ---- row-wise on the device ----

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Random rows of many lengths (1 to 2^16) and scales, against the f64 references.
#[test]
fn rows_random_within_bounds() {
    let g = gpu();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for n in [1usize, 2, 3, 7, 64, 255, 256, 257, 1000, 4096, 65_536] {
        let rows = ((1 << 14) / n).clamp(2, 48);
        for scale in [1.0, 10.0, 100.0] {
            let x: Vec<f32> = (0..rows * n)
                .map(|_| ((rng.next() * 2.0 - 1.0) * scale) as f32)
                .collect();
            for f in RowFn::ALL {
                if f == RowFn::Glu && n % 2 == 1 {
                    continue;
                }
                let st = sweep_rows(g, f, &x, n).unwrap();
                assert!(
                    st.max_ulp <= f.ulp_bound(),
                    "{} n = {n} scale {scale}: {} ulp at {:e}",
                    f.name(),
                    st.max_ulp,
                    st.worst_input
                );
            }
        }
    }
}

fn run_row(f: RowFn, row: &[f32]) -> Vec<f32> {
    let mut y = vec![0.0f32; f.out_len(row.len(), row.len())];
    gpu().rows_slice(f, row, &mut y, row.len()).unwrap();
    y
}

/// The GPU bounds are never looser than the CPU row functions' (same metric, same floors).
#[test]
fn row_bounds_within_the_cpu_bounds() {
    for f in RowFn::ALL {
        assert!(f.ulp_bound() <= f.cpu_entry().ulp_f32, "{}", f.name());
    }
}

fn check_row(f: RowFn, row: &[f32], what: &str) {
    let y = run_row(f, row);
    let r = row_reference(f, row);
    assert_eq!(y.len(), r.len());
    for (i, (&yv, &rv)) in y.iter().zip(&r).enumerate() {
        let e = ulp_error_floor_f32(yv, rv);
        assert!(
            e <= f.ulp_bound(),
            "{} on {what} (n = {})[{i}] = {yv:e}, reference {:e}: {e} ulp",
            f.name(),
            row.len(),
            rv.value
        );
    }
}

/// The CPU row tests' adversarial rows (single elements, huge spreads, equal logits, −inf
/// entries, 2^16-long rows, dominated rows, rows near the mean, shifts f32 cannot hold,
/// subnormal outputs; masked ones left out: the GPU kernels take no mask), plus a few more.
#[test]
fn rows_adversarial_within_bounds() {
    let inf = f32::INFINITY;
    let mut cases: Vec<(String, Vec<f32>)> = lanewise::accuracy::rows::adversarial_rows()
        .into_iter()
        .filter(|t| t.mask.is_none())
        .map(|t| (t.name, t.x))
        .collect();
    cases.push(("equal huge".into(), vec![1e8, 1e8]));
    cases.push(("spread".into(), vec![1e30, 0.0, -1e30]));
    cases.push(("-inf entries".into(), vec![0.0, -inf, 2.0, -inf]));
    cases.push(("extremes".into(), vec![-3e38, 3e38]));
    cases.push(("subnormals".into(), vec![1e-40, -1e-40, 2e-45, 0.0]));
    for (name, row) in &cases {
        for f in RowFn::ALL {
            if f == RowFn::Glu && row.len() % 2 == 1 {
                continue;
            }
            check_row(f, row, name);
        }
    }
}

/// logsumexp where `max + log Σ` cancels (n copies of ≈ −log n): the floor `log Σ` makes
/// the bound an absolute one there.
#[test]
fn logsumexp_cancellation() {
    let mut rng = Rng(7);
    for n in [2usize, 3, 10, 100, 1000] {
        for _ in 0..20 {
            let m = -(n as f64).ln() as f32 * (1.0 + (rng.next() as f32 - 0.5) * 1e-6);
            check_row(RowFn::Logsumexp, &vec![m; n], "cancelling row");
        }
    }
}

/// The spec's special rows (§3): NaN, +inf, all −inf, single elements, ε = 0.
#[test]
fn rows_special_values() {
    let inf = f32::INFINITY;
    let nan = f32::NAN;
    let all_nan = |v: &[f32]| v.iter().all(|y| y.is_nan());
    for f in [RowFn::Softmax, RowFn::LogSoftmax] {
        assert!(all_nan(&run_row(f, &[1.0, nan, 2.0])), "{} NaN", f.name());
        assert!(all_nan(&run_row(f, &[1.0, inf, 2.0])), "{} +inf", f.name());
        assert!(all_nan(&run_row(f, &[-inf, -inf])), "{} all -inf", f.name());
    }
    assert!(all_nan(&run_row(RowFn::Softmin, &[1.0, -inf])));
    assert_eq!(run_row(RowFn::Softmin, &[1.0, inf]), [1.0, 0.0]);
    assert_eq!(run_row(RowFn::Softmax, &[1.0, -inf]), [1.0, 0.0]);
    assert_eq!(run_row(RowFn::Softmax, &[7.0]), [1.0]);
    assert_eq!(
        run_row(RowFn::Softmax, &[1e30, 0.0, -1e30]),
        [1.0, 0.0, 0.0]
    );
    assert_eq!(run_row(RowFn::LogSoftmax, &[0.0, -inf]), [0.0, -inf]);
    assert_eq!(
        run_row(RowFn::LogSoftmax, &[1e8, 1e8]),
        [-core::f32::consts::LN_2; 2]
    );
    assert_eq!(run_row(RowFn::Logsumexp, &[1.0, inf, -inf]), [inf]);
    assert_eq!(run_row(RowFn::Logsumexp, &[-inf, -inf]), [-inf]);
    assert!(run_row(RowFn::Logsumexp, &[inf, nan])[0].is_nan());
    assert_eq!(
        run_row(RowFn::Standardize { epsilon: 1e-5 }, &[3.0; 4]),
        [0.0; 4]
    );
    assert!(all_nan(&run_row(
        RowFn::Standardize { epsilon: 0.0 },
        &[3.0; 4]
    )));
    assert!(all_nan(&run_row(
        RowFn::Standardize { epsilon: 1e-5 },
        &[1.0, nan]
    )));
    assert!(run_row(RowFn::Glu, &[inf, -inf])[0].is_nan());
    assert_eq!(run_row(RowFn::Glu, &[2.0, inf]), [2.0]);
}

/// GLU against the CPU's silu-style kernel math: a·σ(b) per pair, many rows.
#[test]
fn glu_matches_reference_on_long_rows() {
    let g = gpu();
    let x = inputs(64 * 1024);
    let st = sweep_rows(g, RowFn::Glu, &x, 1024).unwrap();
    assert!(st.max_ulp <= RowFn::Glu.ulp_bound(), "{} ulp", st.max_ulp);
}
