// Elementwise entry points for f32 storage: one element per invocation.
// `apply` (generated) calls one `op_<name>`; `params.p` holds its parameters.

struct MapParams {
    n: u32,
    pad0: u32,
    pad1: u32,
    pad2: u32,
    p: vec4<f32>,
}

@group(0) @binding(0) var<storage, read> src: array<f32>;
@group(0) @binding(1) var<storage, read_write> dst: array<f32>;
@group(0) @binding(2) var<uniform> params: MapParams;
@group(0) @binding(3) var<storage, read_write> data: array<f32>;

// The index of this invocation in a 2-D grid of WORKGROUP-sized groups (the grid is 2-D so
// that more than 65,535 groups can run in one dispatch).
fn flat_index(wid: vec3<u32>, nwg: vec3<u32>, lid: u32) -> u32 {
    return (wid.y * nwg.x + wid.x) * WORKGROUP + lid;
}

@compute @workgroup_size(WORKGROUP)
fn map(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let i = flat_index(wid, nwg, lid);
    if i < params.n {
        dst[i] = apply(src[i], params.p);
    }
}

@compute @workgroup_size(WORKGROUP)
fn map_inplace(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let i = flat_index(wid, nwg, lid);
    if i < params.n {
        data[i] = apply(data[i], params.p);
    }
}
