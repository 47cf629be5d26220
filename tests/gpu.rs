//! GPU path (feature `gpu`): shader translation, and every kernel on the device against the
//! f64 references. Run with `cargo test --release --features gpu --test gpu`; the device
//! tests need an adapter (Mesa lavapipe is enough: `apt-get install mesa-vulkan-drivers`).
#![cfg(feature = "gpu")]

use lanewise::gpu::{Dtype, map_shader, rows_shader};
use lanewise::table::OPS;

/// Every WGSL module the crate builds, with a label.
fn all_modules() -> Vec<(String, String)> {
    let mut v = Vec::new();
    for op in OPS {
        for d in Dtype::ALL {
            v.push((format!("{}/{d}", op.name), map_shader(op.name, d).unwrap()));
        }
    }
    v.push(("rows".to_string(), rows_shader()));
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
        // The built-ins the kernels must not use (they are fast-math approximations on Metal).
        for banned in ["metal::exp(", "metal::tanh(", "metal::log(", "metal::precise::"] {
            assert!(!msl.contains(banned), "{label}: MSL uses {banned}");
        }
        let spv = naga::back::spv::write_vec(
            &module,
            &info,
            &naga::back::spv::Options::default(),
            None,
        )
        .unwrap_or_else(|e| panic!("{label}: SPIR-V translation failed: {e}"));
        assert_eq!(spv[0], 0x0723_0203, "{label}: not SPIR-V");
    }
}
