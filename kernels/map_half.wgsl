// Elementwise entry points for 16-bit storage (f16 or bf16): two elements packed in each u32
// word (element 2k in the low half), one word per invocation. `widen` and `narrow` come from
// f16.wgsl or bf16.wgsl: each element is widened exactly to f32, computed in f32 and rounded
// once to nearest-even on store. A word's unused upper half (odd lengths) is scratch.

struct MapParams {
    n: u32,
    pad0: u32,
    pad1: u32,
    pad2: u32,
    p: vec4<f32>,
}

@group(0) @binding(0) var<storage, read> src: array<u32>;
@group(0) @binding(1) var<storage, read_write> dst: array<u32>;
@group(0) @binding(2) var<uniform> params: MapParams;
@group(0) @binding(3) var<storage, read_write> data: array<u32>;

fn flat_index(wid: vec3<u32>, nwg: vec3<u32>, lid: u32) -> u32 {
    return (wid.y * nwg.x + wid.x) * WORKGROUP + lid;
}

fn map_word(w: u32) -> u32 {
    let lo = narrow(apply(widen(w & 0xffffu), params.p));
    let hi = narrow(apply(widen(w >> 16u), params.p));
    return lo | (hi << 16u);
}

@compute @workgroup_size(WORKGROUP)
fn map(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let i = flat_index(wid, nwg, lid);
    if i < (params.n + 1u) / 2u {
        dst[i] = map_word(src[i]);
    }
}

@compute @workgroup_size(WORKGROUP)
fn map_inplace(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let i = flat_index(wid, nwg, lid);
    if i < (params.n + 1u) / 2u {
        data[i] = map_word(data[i]);
    }
}
