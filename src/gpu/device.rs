//! The device handle: adapter selection, the pipeline cache, and elementwise dispatch.

use super::GpuError;
use super::buffer::GpuBuffer;
use super::shaders::{self, WORKGROUP};
use crate::Dtype;
use crate::Element;
use crate::table::OpInfo;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use wgpu::util::DeviceExt;

/// How to pick an adapter. The default takes the first high-performance adapter of any
/// backend (wgpu's `WGPU_BACKEND` and `WGPU_ADAPTER_NAME` environment variables apply).
///
/// ```
/// let opts = lanewise::gpu::GpuOptions { adapter_name: Some("llvmpipe".into()), ..Default::default() };
/// assert!(!opts.low_power);
/// ```
#[derive(Clone, Debug, Default)]
pub struct GpuOptions {
    /// Take the first adapter whose name contains this (case-insensitive).
    pub adapter_name: Option<String>,
    /// Prefer a low-power adapter (integrated GPU) over a high-performance one.
    pub low_power: bool,
}

/// Which compiled kernel: an elementwise function in place or not, or a row-wise entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Kernel {
    Map {
        op: &'static str,
        dtype: Dtype,
        inplace: bool,
    },
    Rows(&'static str),
    /// The fused-fma probe.
    Probe,
}

/// How an entry point uses a binding of group 0.
#[derive(Clone, Copy)]
enum Binding {
    Read,
    ReadWrite,
    Uniform,
}

/// The bindings each entry point declares (kernels/map_*.wgsl, kernels/rows.wgsl).
fn bindings_of(kernel: Kernel) -> &'static [(u32, Binding)] {
    match kernel {
        Kernel::Map { inplace: true, .. } => &[(2, Binding::Uniform), (3, Binding::ReadWrite)],
        Kernel::Map { .. } | Kernel::Rows(_) | Kernel::Probe => &[
            (0, Binding::Read),
            (1, Binding::ReadWrite),
            (2, Binding::Uniform),
        ],
    }
}

/// The binding numbers of [`bindings_of`], ascending.
fn binding_numbers(kernel: Kernel) -> Vec<u32> {
    bindings_of(kernel).iter().map(|&(b, _)| b).collect()
}

/// A GPU device with its queue and compiled pipelines.
///
/// Pipelines are compiled on first use and cached for the device's lifetime. Calls record
/// and submit their work without waiting; [`Gpu::download`] (or [`Gpu::sync`]) waits.
pub struct Gpu {
    pub(crate) device: wgpu::Device,
    pub(crate) queue: wgpu::Queue,
    info: wgpu::AdapterInfo,
    pub(crate) max_binding: u64,
    max_groups: u32,
    /// Kernels go to the driver as SPIR-V with IEEE (`NoContraction`) arithmetic.
    exact: bool,
    /// The device's `fma` rounds once (else the kernels emulate it).
    fused_fma: bool,
    pipelines: Mutex<HashMap<Kernel, Arc<wgpu::ComputePipeline>>>,
}

impl std::fmt::Debug for Gpu {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gpu")
            .field("adapter", &self.describe())
            .finish()
    }
}

impl Gpu {
    /// Opens the default adapter (see [`GpuOptions`]).
    ///
    /// # Errors
    /// [`GpuError::NoAdapter`] when the machine has no usable adapter,
    /// [`GpuError::RequestDevice`] when it refuses a device.
    ///
    /// ```no_run
    /// let gpu = lanewise::gpu::Gpu::new()?;
    /// println!("{}", gpu.describe());
    /// # Ok::<(), lanewise::gpu::GpuError>(())
    /// ```
    pub fn new() -> Result<Gpu, GpuError> {
        Gpu::with_options(&GpuOptions::default())
    }

    /// Opens an adapter chosen by `opts`.
    ///
    /// # Errors
    /// As [`Gpu::new`]; the [`GpuError::NoAdapter`] message lists the adapters found.
    ///
    /// ```no_run
    /// use lanewise::gpu::{Gpu, GpuOptions};
    /// let gpu = Gpu::with_options(&GpuOptions { adapter_name: Some("llvmpipe".into()), ..Default::default() })?;
    /// # Ok::<(), lanewise::gpu::GpuError>(())
    /// ```
    pub fn with_options(opts: &GpuOptions) -> Result<Gpu, GpuError> {
        let instance =
            wgpu::Instance::new(wgpu::InstanceDescriptor::new_without_display_handle_from_env());
        let adapter = match &opts.adapter_name {
            Some(name) => {
                let all = pollster::block_on(instance.enumerate_adapters(wgpu::Backends::all()));
                let wanted = name.to_lowercase();
                let names: Vec<String> = all.iter().map(|a| a.get_info().name).collect();
                all.into_iter()
                    .find(|a| a.get_info().name.to_lowercase().contains(&wanted))
                    .ok_or_else(|| {
                        GpuError::NoAdapter(format!("none named like {name:?} among {names:?}"))
                    })?
            }
            None => {
                let power = if opts.low_power {
                    wgpu::PowerPreference::LowPower
                } else {
                    wgpu::PowerPreference::HighPerformance
                };
                pollster::block_on(instance.request_adapter(&wgpu::RequestAdapterOptions {
                    power_preference: power,
                    ..Default::default()
                }))
                .map_err(|e| GpuError::NoAdapter(e.to_string()))?
            }
        };
        let limits = adapter.limits();
        let info = adapter.get_info();
        // Vulkan: IEEE SPIR-V through a passthrough module (see `spirv`).
        let exact = info.backend == wgpu::Backend::Vulkan
            && adapter
                .features()
                .contains(wgpu::Features::PASSTHROUGH_SHADERS);
        let features = if exact {
            wgpu::Features::PASSTHROUGH_SHADERS
        } else {
            wgpu::Features::empty()
        };
        let (device, queue) = pollster::block_on(adapter.request_device(&wgpu::DeviceDescriptor {
            label: Some("lanewise"),
            required_features: features,
            required_limits: limits.clone(),
            ..Default::default()
        }))
        .map_err(|e| GpuError::RequestDevice(e.to_string()))?;
        Gpu {
            device,
            queue,
            info,
            exact,
            fused_fma: true,
            max_binding: limits
                .max_storage_buffer_binding_size
                .min(limits.max_buffer_size),
            max_groups: limits.max_compute_workgroups_per_dimension,
            pipelines: Mutex::new(HashMap::new()),
        }
        .with_fma_probe()
    }

    /// Runs the fma probe and records whether the device's `fma` is fused.
    fn with_fma_probe(mut self) -> Result<Gpu, GpuError> {
        let one = 1.0 + f32::EPSILON * 2048.0; // 1 + 2^-12
        let src = self.upload(&[one, -(1.0 + f32::EPSILON * 4096.0)])?;
        let dst = self.zeros(Dtype::F32, 1)?;
        let pipeline = self.pipeline(Kernel::Probe)?;
        self.dispatch(&pipeline, &[(0, src.raw()), (1, dst.raw())], &[0; 16], 2, 1);
        let y: Vec<f32> = self.download(&dst)?;
        self.fused_fma = y[0] == f32::EPSILON / 2.0;
        self.pipelines
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
        Ok(self)
    }

    /// The adapter: name, backend and device type, e.g. `llvmpipe (LLVM 15.0.6, 256 bits)
    /// (Vulkan, Cpu)`.
    ///
    /// ```no_run
    /// # let gpu = lanewise::gpu::Gpu::new()?;
    /// println!("running on {}", gpu.describe());
    /// # Ok::<(), lanewise::gpu::GpuError>(())
    /// ```
    pub fn describe(&self) -> String {
        format!(
            "{} ({:?}, {:?}, {}, {})",
            self.info.name,
            self.info.backend,
            self.info.device_type,
            if self.exact {
                "IEEE SPIR-V"
            } else {
                "WGSL, driver float rules"
            },
            if self.fused_fma {
                "fused fma"
            } else {
                "emulated fma"
            }
        )
    }

    /// Whether kernels run with IEEE arithmetic as written: true on Vulkan, where lanewise
    /// compiles them to SPIR-V with every float operation marked `NoContraction`. Elsewhere
    /// (Metal, DX12) the driver compiles the WGSL under its own float rules (Metal: fast
    /// math), and the published bounds are not verified (see the README).
    ///
    /// ```no_run
    /// # let gpu = lanewise::gpu::Gpu::new()?;
    /// assert!(gpu.is_exact());
    /// # Ok::<(), lanewise::gpu::GpuError>(())
    /// ```
    pub fn is_exact(&self) -> bool {
        self.exact
    }

    /// Whether the device's `fma` rounds once (probed when the device opens). Where it does
    /// not (Mesa's lavapipe computes a product then a sum, as WGSL and Vulkan allow), the
    /// kernels use an exact-product emulation, so the results stay those of a fused fma.
    ///
    /// ```no_run
    /// # let gpu = lanewise::gpu::Gpu::new()?;
    /// println!("fused fma: {}", gpu.has_fused_fma());
    /// # Ok::<(), lanewise::gpu::GpuError>(())
    /// ```
    pub fn has_fused_fma(&self) -> bool {
        self.fused_fma
    }

    /// The wgpu device and queue, to interleave lanewise kernels with the caller's own work
    /// on the same buffers ([`GpuBuffer::raw`]).
    ///
    /// ```no_run
    /// # let gpu = lanewise::gpu::Gpu::new()?;
    /// let (device, queue) = gpu.raw();
    /// # Ok::<(), lanewise::gpu::GpuError>(())
    /// ```
    pub fn raw(&self) -> (&wgpu::Device, &wgpu::Queue) {
        (&self.device, &self.queue)
    }

    /// Waits until every submitted kernel has finished.
    ///
    /// # Errors
    /// [`GpuError::Device`] if the device was lost.
    ///
    /// ```no_run
    /// # let gpu = lanewise::gpu::Gpu::new()?;
    /// gpu.sync()?;
    /// # Ok::<(), lanewise::gpu::GpuError>(())
    /// ```
    pub fn sync(&self) -> Result<(), GpuError> {
        self.device
            .poll(wgpu::PollType::wait_indefinitely())
            .map(|_| ())
            .map_err(|e| GpuError::Device(e.to_string()))
    }

    /// The cached pipeline of `kernel`, compiling it on first use.
    pub(crate) fn pipeline(&self, kernel: Kernel) -> Result<Arc<wgpu::ComputePipeline>, GpuError> {
        let mut cache = self.pipelines.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(p) = cache.get(&kernel) {
            return Ok(p.clone());
        }
        let (label, source, entry) = match kernel {
            Kernel::Map { op, dtype, inplace } => {
                let info = crate::table::find(op).expect("kernel names come from the table");
                let entry = if inplace { "map_inplace" } else { "map" };
                let source = shaders::map_source(info, dtype, self.fused_fma);
                (format!("{op}/{dtype}"), source, entry)
            }
            Kernel::Rows(entry) => (
                format!("rows/{entry}"),
                shaders::rows_source(self.fused_fma),
                entry,
            ),
            Kernel::Probe => (
                "fma probe".to_string(),
                shaders::fma_probe_source(),
                "probe",
            ),
        };
        let scope = self.device.push_error_scope(wgpu::ErrorFilter::Validation);
        let pipeline = if self.exact {
            let words = super::spirv::compile(&source, entry, &binding_numbers(kernel)).map_err(
                |message| GpuError::Shader {
                    kernel: label.clone(),
                    message,
                },
            )?;
            // SAFETY: the words are naga's own SPIR-V for a module naga has validated, with
            // only NoContraction decorations added, compiled with bounds-restricted indexing;
            // `layout` declares exactly the bindings the entry point uses (`bindings_of`).
            let module = unsafe {
                self.device.create_shader_module_passthrough(
                    wgpu::ShaderModuleDescriptorPassthrough {
                        label: Some(&label),
                        entry_points: vec![wgpu::PassthroughShaderEntryPoint {
                            name: entry.into(),
                            workgroup_size: (WORKGROUP, 1, 1),
                        }]
                        .into(),
                        spirv: Some(words.into()),
                        ..Default::default()
                    },
                )
            };
            let layout = self.layout(kernel);
            self.device
                .create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
                    label: Some(&label),
                    layout: Some(&layout),
                    module: &module,
                    entry_point: Some(entry),
                    compilation_options: Default::default(),
                    cache: None,
                })
        } else {
            let module = self
                .device
                .create_shader_module(wgpu::ShaderModuleDescriptor {
                    label: Some(&label),
                    source: wgpu::ShaderSource::Wgsl(source.into()),
                });
            self.device
                .create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
                    label: Some(&label),
                    layout: None,
                    module: &module,
                    entry_point: Some(entry),
                    compilation_options: Default::default(),
                    cache: None,
                })
        };
        if let Some(err) = pollster::block_on(scope.pop()) {
            return Err(GpuError::Shader {
                kernel: label,
                message: err.to_string(),
            });
        }
        let pipeline = Arc::new(pipeline);
        cache.insert(kernel, pipeline.clone());
        Ok(pipeline)
    }

    /// The pipeline layout of `kernel`'s entry point: (binding, kind) as the WGSL declares.
    fn layout(&self, kernel: Kernel) -> wgpu::PipelineLayout {
        let entries: Vec<wgpu::BindGroupLayoutEntry> = bindings_of(kernel)
            .iter()
            .map(|&(binding, ty)| wgpu::BindGroupLayoutEntry {
                binding,
                visibility: wgpu::ShaderStages::COMPUTE,
                ty: match ty {
                    Binding::Read => wgpu::BindingType::Buffer {
                        ty: wgpu::BufferBindingType::Storage { read_only: true },
                        has_dynamic_offset: false,
                        min_binding_size: None,
                    },
                    Binding::ReadWrite => wgpu::BindingType::Buffer {
                        ty: wgpu::BufferBindingType::Storage { read_only: false },
                        has_dynamic_offset: false,
                        min_binding_size: None,
                    },
                    Binding::Uniform => wgpu::BindingType::Buffer {
                        ty: wgpu::BufferBindingType::Uniform,
                        has_dynamic_offset: false,
                        min_binding_size: None,
                    },
                },
                count: None,
            })
            .collect();
        let group = self
            .device
            .create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
                label: None,
                entries: &entries,
            });
        self.device
            .create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
                label: None,
                bind_group_layouts: &[Some(&group)],
                immediate_size: 0,
            })
    }

    /// Records and submits one dispatch of `pipeline` over `items` invocations (rounded up
    /// to whole workgroups) with the given (binding, buffer) pairs.
    pub(crate) fn dispatch(
        &self,
        pipeline: &wgpu::ComputePipeline,
        bindings: &[(u32, &wgpu::Buffer)],
        uniform: &[u8],
        uniform_binding: u32,
        groups: u64,
    ) {
        let ubuf = self
            .device
            .create_buffer_init(&wgpu::util::BufferInitDescriptor {
                label: Some("lanewise params"),
                contents: uniform,
                usage: wgpu::BufferUsages::UNIFORM,
            });
        let mut entries: Vec<wgpu::BindGroupEntry> = bindings
            .iter()
            .map(|&(binding, buf)| wgpu::BindGroupEntry {
                binding,
                resource: buf.as_entire_binding(),
            })
            .collect();
        entries.push(wgpu::BindGroupEntry {
            binding: uniform_binding,
            resource: ubuf.as_entire_binding(),
        });
        let group = self.device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: None,
            layout: &pipeline.get_bind_group_layout(0),
            entries: &entries,
        });
        // A 2-D grid: x up to the per-dimension limit, y as many rows of groups as needed.
        let max = u64::from(self.max_groups);
        let gx = groups.min(max);
        let gy = groups.div_ceil(gx.max(1));
        assert!(
            gy <= max,
            "lanewise::gpu: {groups} workgroups exceed the device grid ({max} x {max})"
        );
        let mut enc = self
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor { label: None });
        {
            let mut pass = enc.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: None,
                timestamp_writes: None,
            });
            pass.set_pipeline(pipeline);
            pass.set_bind_group(0, &group, &[]);
            pass.dispatch_workgroups(gx as u32, gy as u32, 1);
        }
        self.queue.submit([enc.finish()]);
    }

    fn find(name: &str) -> Result<&'static OpInfo, GpuError> {
        crate::table::find(name).ok_or_else(|| GpuError::UnknownFunction(name.to_string()))
    }

    /// Packs the parameters of `op` (empty: its defaults) into the uniform block.
    #[track_caller]
    fn map_uniform(op: &OpInfo, n: usize, params: &[f32]) -> [u8; 32] {
        let defaults = op.defaults();
        let p = if params.is_empty() {
            &defaults[..]
        } else {
            params
        };
        assert!(
            p.len() == op.params.len(),
            "lanewise::gpu::map({}): takes {} parameters, got {}",
            op.name,
            op.params.len(),
            params.len()
        );
        let mut u = [0u8; 32];
        let n = u32::try_from(n).expect("lanewise::gpu: more than 2^32 elements");
        u[..4].copy_from_slice(&n.to_le_bytes());
        for (i, v) in p.iter().enumerate() {
            u[16 + 4 * i..20 + 4 * i].copy_from_slice(&v.to_le_bytes());
        }
        u
    }

    fn map_groups(dtype: Dtype, n: usize) -> u64 {
        let items = match dtype {
            Dtype::F32 => n,
            Dtype::F16 | Dtype::Bf16 => n.div_ceil(2),
        };
        (items as u64).div_ceil(u64::from(WORKGROUP))
    }

    /// Runs the elementwise function `name` (lanewise name or MLX/Flax alias) from `x` into
    /// `out`, on the device. `params` are the function's parameters in table order
    /// ([`crate::table::OpInfo::params`]); empty means the defaults.
    ///
    /// # Errors
    /// [`GpuError::UnknownFunction`], or [`GpuError::Shader`] if the kernel fails to compile.
    ///
    /// # Panics
    /// If `x` and `out` differ in length or element type, or `params` has the wrong length
    /// (the message names the function and the sizes).
    ///
    /// ```no_run
    /// # let gpu = lanewise::gpu::Gpu::new()?;
    /// let x = gpu.upload(&[1.0f32, -1.0])?;
    /// let mut y = gpu.empty_like(&x)?;
    /// gpu.map("leaky_relu", &x, &mut y, &[0.2])?;
    /// # Ok::<(), lanewise::gpu::GpuError>(())
    /// ```
    #[track_caller]
    pub fn map(
        &self,
        name: &str,
        x: &GpuBuffer,
        out: &mut GpuBuffer,
        params: &[f32],
    ) -> Result<(), GpuError> {
        let op = Self::find(name)?;
        assert!(
            x.len() == out.len() && x.dtype() == out.dtype(),
            "lanewise::gpu::map({}): input has {} {} elements but output has {} {}",
            op.name,
            x.len(),
            x.dtype(),
            out.len(),
            out.dtype()
        );
        let uniform = Self::map_uniform(op, x.len(), params);
        if x.is_empty() {
            return Ok(());
        }
        let pipeline = self.pipeline(Kernel::Map {
            op: op.name,
            dtype: x.dtype(),
            inplace: false,
        })?;
        self.dispatch(
            &pipeline,
            &[(0, x.raw()), (1, out.raw())],
            &uniform,
            2,
            Self::map_groups(x.dtype(), x.len()),
        );
        Ok(())
    }

    /// In-place form of [`Gpu::map`]: overwrites `x` with the result.
    ///
    /// # Errors
    /// As [`Gpu::map`].
    ///
    /// # Panics
    /// If `params` has the wrong length.
    ///
    /// ```no_run
    /// # let gpu = lanewise::gpu::Gpu::new()?;
    /// let mut x = gpu.upload(&[1.0f32, -1.0])?;
    /// gpu.map_inplace("silu", &mut x, &[])?;
    /// # Ok::<(), lanewise::gpu::GpuError>(())
    /// ```
    #[track_caller]
    pub fn map_inplace(
        &self,
        name: &str,
        x: &mut GpuBuffer,
        params: &[f32],
    ) -> Result<(), GpuError> {
        let op = Self::find(name)?;
        let uniform = Self::map_uniform(op, x.len(), params);
        if x.is_empty() {
            return Ok(());
        }
        let pipeline = self.pipeline(Kernel::Map {
            op: op.name,
            dtype: x.dtype(),
            inplace: true,
        })?;
        self.dispatch(
            &pipeline,
            &[(3, x.raw())],
            &uniform,
            2,
            Self::map_groups(x.dtype(), x.len()),
        );
        Ok(())
    }

    /// Slice in, slice out: uploads `x`, runs `name`, downloads into `out` (f32, f16 or bf16).
    ///
    /// # Errors
    /// As [`Gpu::map`], plus transfer errors.
    ///
    /// # Panics
    /// If `x` and `out` differ in length, or `params` has the wrong length.
    ///
    /// ```no_run
    /// # let gpu = lanewise::gpu::Gpu::new()?;
    /// let x = [half::f16::from_f32(0.5)];
    /// let mut y = [half::f16::ZERO];
    /// gpu.map_slice("sigmoid", &x, &mut y, &[])?;
    /// # Ok::<(), lanewise::gpu::GpuError>(())
    /// ```
    #[track_caller]
    pub fn map_slice<T: Element>(
        &self,
        name: &str,
        x: &[T],
        out: &mut [T],
        params: &[f32],
    ) -> Result<(), GpuError> {
        let op = Self::find(name)?;
        assert!(
            x.len() == out.len(),
            "lanewise::gpu::map_slice({}): input has {} elements but output has {}",
            op.name,
            x.len(),
            out.len()
        );
        let mut buf = self.upload(x)?;
        self.map_inplace(op.name, &mut buf, params)?;
        self.download_into(&buf, out)
    }
}
