//! WGSL → SPIR-V with IEEE arithmetic: every floating-point operation marked `NoContraction`,
//! signed zeros, infinities and NaN preserved.
//!
//! SPIR-V that carries no such decoration lets a Vulkan driver treat float arithmetic as
//! real-number arithmetic: Mesa's NIR, for one, rewrites `(a + b) − b` to `a` and fuses
//! `a·b + c`. That turns the Cody–Waite shifter (`(x·log2e + 1.5·2^23) − 1.5·2^23`) into
//! `x·log2e` and every TwoSum/Fast2Sum error term into 0: on lavapipe exp(1) came out as 2.
//! WGSL cannot ask for exact arithmetic and naga's SPIR-V writer does not emit the
//! decoration, so the Vulkan path compiles the WGSL with naga itself, decorates the result
//! of every float add, subtract, multiply, divide, negate and `fma` with `NoContraction`
//! (SPIR-V's "evaluate exactly as written", GLSL's `precise`), and hands the words to the
//! driver as a passthrough shader.

const OP_EXTENSION: u32 = 10;
const OP_EXT_INST_IMPORT: u32 = 11;
const OP_EXT_INST: u32 = 12;
const OP_ENTRY_POINT: u32 = 15;
const OP_EXECUTION_MODE: u32 = 16;
const OP_CAPABILITY: u32 = 17;
const OP_DECORATE: u32 = 71;
const OP_MEMBER_DECORATE: u32 = 72;
const DECORATION_NO_CONTRACTION: u32 = 42;
const CAPABILITY_SIGNED_ZERO_INF_NAN_PRESERVE: u32 = 4466;
const MODE_SIGNED_ZERO_INF_NAN_PRESERVE: u32 = 4461;
const FLOAT_CONTROLS: &[u8] = b"SPV_KHR_float_controls";
/// OpFNegate, OpFAdd, OpFSub, OpFMul, OpFDiv, OpFRem, OpFMod, OpVectorTimesScalar, OpDot.
const FLOAT_ARITH: [u32; 9] = [127, 129, 131, 133, 136, 140, 141, 142, 148];
/// GLSL.std.450 Fma.
const GLSL_FMA: u32 = 50;

/// Compiles entry point `entry` of the WGSL `source` to IEEE SPIR-V words ([`make_ieee`]). `bindings` are the group-0 bindings the
/// entry point uses, in ascending order: wgpu's Vulkan backend numbers a layout's
/// descriptors 0, 1, 2, … in that order, so the SPIR-V must use those numbers.
pub(crate) fn compile(source: &str, entry: &str, bindings: &[u32]) -> Result<Vec<u32>, String> {
    let module = naga::front::wgsl::parse_str(source).map_err(|e| e.emit_to_string(source))?;
    let info = naga::valid::Validator::new(
        naga::valid::ValidationFlags::all(),
        naga::valid::Capabilities::empty(),
    )
    .validate(&module)
    .map_err(|e| e.emit_to_string(source))?;
    let opts = naga::back::spv::Options {
        bounds_check_policies: naga::proc::BoundsCheckPolicies {
            index: naga::proc::BoundsCheckPolicy::Restrict,
            buffer: naga::proc::BoundsCheckPolicy::Restrict,
            image_load: naga::proc::BoundsCheckPolicy::Restrict,
            binding_array: naga::proc::BoundsCheckPolicy::Restrict,
        },
        binding_map: bindings
            .iter()
            .enumerate()
            .map(|(i, &b)| {
                let info = naga::back::spv::BindingInfo {
                    descriptor_set: 0,
                    binding: i as u32,
                    binding_array_size: None,
                };
                (
                    naga::ResourceBinding {
                        group: 0,
                        binding: b,
                    },
                    info,
                )
            })
            .collect(),
        fake_missing_bindings: false,
        ..Default::default()
    };
    let pipeline = naga::back::spv::PipelineOptions {
        shader_stage: naga::ShaderStage::Compute,
        entry_point: entry.to_string(),
    };
    let words = naga::back::spv::write_vec(&module, &info, &opts, Some(&pipeline))
        .map_err(|e| e.to_string())?;
    Ok(make_ieee(&words))
}

/// Splits a SPIR-V module (after its 5-word header) into instructions.
fn instructions(words: &[u32]) -> impl Iterator<Item = &[u32]> {
    let mut at = 5;
    std::iter::from_fn(move || {
        if at >= words.len() {
            return None;
        }
        let count = (words[at] >> 16) as usize;
        assert!(count > 0, "lanewise::gpu: malformed SPIR-V from naga");
        let ins = &words[at..at + count];
        at += count;
        Some(ins)
    })
}

/// Returns `words` made IEEE: an `OpDecorate <id> NoContraction` for the result of every
/// float arithmetic instruction (at the start of the annotation section), and the
/// `SignedZeroInfNanPreserve` execution mode for 32-bit floats on every entry point (with its
/// capability and the `SPV_KHR_float_controls` extension), without which a driver may fold
/// `x·0` to `+0` or `x + 0` to `x` (Mesa does).
pub(crate) fn make_ieee(words: &[u32]) -> Vec<u32> {
    let glsl: Vec<u32> = instructions(words)
        .filter(|i| i[0] & 0xffff == OP_EXT_INST_IMPORT)
        .filter(|i| {
            let name: Vec<u8> = i[2..].iter().flat_map(|w| w.to_le_bytes()).collect();
            name.starts_with(b"GLSL.std.450")
        })
        .map(|i| i[1])
        .collect();
    let mut targets = Vec::new();
    let mut entries = Vec::new();
    let (mut after_caps, mut after_modes, mut first_annotation) = (None, None, None);
    let mut at = 5;
    for i in instructions(words) {
        let op = i[0] & 0xffff;
        at += i.len();
        if FLOAT_ARITH.contains(&op)
            || (op == OP_EXT_INST && glsl.contains(&i[3]) && i[4] == GLSL_FMA)
        {
            targets.push(i[2]);
        }
        match op {
            OP_CAPABILITY => after_caps = Some(at),
            OP_ENTRY_POINT => {
                entries.push(i[2]);
                after_modes.get_or_insert(at);
            }
            OP_EXECUTION_MODE => after_modes = Some(at),
            OP_DECORATE | OP_MEMBER_DECORATE => {
                first_annotation.get_or_insert(at - i.len());
            }
            _ => {}
        }
    }
    let malformed = "lanewise::gpu: unexpected SPIR-V layout from naga";
    let after_caps = after_caps.expect(malformed);
    let after_modes = after_modes.expect(malformed);
    let first_annotation = first_annotation.expect(malformed);
    assert!(
        after_caps < after_modes && after_modes <= first_annotation,
        "{malformed}"
    );
    let mut out = Vec::with_capacity(words.len() + 3 * targets.len() + 16);
    out.extend_from_slice(&words[..after_caps]);
    out.extend_from_slice(&[
        (2 << 16) | OP_CAPABILITY,
        CAPABILITY_SIGNED_ZERO_INF_NAN_PRESERVE,
    ]);
    let mut ext: Vec<u32> = FLOAT_CONTROLS
        .chunks(4)
        .map(|c| {
            let mut w = [0u8; 4];
            w[..c.len()].copy_from_slice(c);
            u32::from_le_bytes(w)
        })
        .collect();
    if FLOAT_CONTROLS.len().is_multiple_of(4) {
        ext.push(0);
    }
    out.push(((1 + ext.len() as u32) << 16) | OP_EXTENSION);
    out.extend_from_slice(&ext);
    out.extend_from_slice(&words[after_caps..after_modes]);
    for &e in &entries {
        out.extend_from_slice(&[
            (4 << 16) | OP_EXECUTION_MODE,
            e,
            MODE_SIGNED_ZERO_INF_NAN_PRESERVE,
            32,
        ]);
    }
    out.extend_from_slice(&words[after_modes..first_annotation]);
    for id in targets {
        out.extend_from_slice(&[(3 << 16) | OP_DECORATE, id, DECORATION_NO_CONTRACTION]);
    }
    out.extend_from_slice(&words[first_annotation..]);
    out
}
