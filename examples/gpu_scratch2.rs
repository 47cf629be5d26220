fn main() {
    let src = lanewise::gpu::map_shader("hard_swish", lanewise::gpu::Dtype::F32).unwrap();
    let m = naga::front::wgsl::parse_str(&src).unwrap();
    let info = naga::valid::Validator::new(naga::valid::ValidationFlags::all(), naga::valid::Capabilities::empty()).validate(&m).unwrap();
    let w = naga::back::spv::write_vec(&m, &info, &Default::default(), Some(&naga::back::spv::PipelineOptions{shader_stage: naga::ShaderStage::Compute, entry_point: "map".into()})).unwrap();
    std::fs::write("/tmp/scratch/hs.spv", w.iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<u8>>()).unwrap();
}
