//! Device-resident buffers and host transfers.

use super::GpuError;
use super::device::Gpu;
use crate::{Dtype, Element};

/// A buffer of `len` elements of one [`Dtype`] that lives on the device.
///
/// 16-bit elements are packed two per 32-bit word (element `2k` in the low half); the
/// buffer is padded to whole words.
///
/// ```no_run
/// # let gpu = lanewise::gpu::Gpu::new()?;
/// let b = gpu.upload(&[1.0f32, 2.0, 3.0])?;
/// assert_eq!((b.len(), b.dtype()), (3, lanewise::Dtype::F32));
/// # Ok::<(), lanewise::gpu::GpuError>(())
/// ```
#[derive(Debug)]
pub struct GpuBuffer {
    buf: wgpu::Buffer,
    len: usize,
    dtype: Dtype,
}

impl GpuBuffer {
    /// Number of elements.
    ///
    /// ```no_run
    /// # let gpu = lanewise::gpu::Gpu::new()?;
    /// assert_eq!(gpu.upload(&[0.0f32; 5])?.len(), 5);
    /// # Ok::<(), lanewise::gpu::GpuError>(())
    /// ```
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the buffer holds no element.
    ///
    /// ```no_run
    /// # let gpu = lanewise::gpu::Gpu::new()?;
    /// assert!(gpu.upload::<f32>(&[])?.is_empty());
    /// # Ok::<(), lanewise::gpu::GpuError>(())
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Element type.
    ///
    /// ```no_run
    /// # let gpu = lanewise::gpu::Gpu::new()?;
    /// let b = gpu.upload(&[half::bf16::ONE])?;
    /// assert_eq!(b.dtype(), lanewise::Dtype::Bf16);
    /// # Ok::<(), lanewise::gpu::GpuError>(())
    /// ```
    pub fn dtype(&self) -> Dtype {
        self.dtype
    }

    /// The wgpu buffer (usage `STORAGE | COPY_SRC | COPY_DST`), for the caller's own passes.
    ///
    /// ```no_run
    /// # let gpu = lanewise::gpu::Gpu::new()?;
    /// let b = gpu.upload(&[1.0f32])?;
    /// assert!(b.raw().size() >= 4);
    /// # Ok::<(), lanewise::gpu::GpuError>(())
    /// ```
    pub fn raw(&self) -> &wgpu::Buffer {
        &self.buf
    }
}

/// Bytes a buffer of `len` elements occupies: whole 32-bit words, at least one.
fn padded_bytes(dtype: Dtype, len: usize) -> u64 {
    ((len * dtype.size()).div_ceil(4) * 4).max(4) as u64
}

impl Gpu {
    fn check_size(&self, bytes: u64) -> Result<(), GpuError> {
        if bytes > self.max_binding {
            return Err(GpuError::TooLarge {
                bytes,
                limit: self.max_binding,
            });
        }
        Ok(())
    }

    /// A device buffer of `len` elements of `dtype`, zeroed.
    ///
    /// # Errors
    /// [`GpuError::TooLarge`] past the device's storage-binding limit.
    ///
    /// ```no_run
    /// # let gpu = lanewise::gpu::Gpu::new()?;
    /// let b = gpu.zeros(lanewise::Dtype::F16, 1000)?;
    /// # Ok::<(), lanewise::gpu::GpuError>(())
    /// ```
    pub fn zeros(&self, dtype: Dtype, len: usize) -> Result<GpuBuffer, GpuError> {
        let size = padded_bytes(dtype, len);
        self.check_size(size)?;
        let buf = self.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("lanewise buffer"),
            size,
            usage: wgpu::BufferUsages::STORAGE
                | wgpu::BufferUsages::COPY_SRC
                | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        Ok(GpuBuffer { buf, len, dtype })
    }

    /// A zeroed device buffer of the same length and element type as `like`.
    ///
    /// # Errors
    /// As [`Gpu::zeros`].
    ///
    /// ```no_run
    /// # let gpu = lanewise::gpu::Gpu::new()?;
    /// let a = gpu.upload(&[1.0f32; 8])?;
    /// let b = gpu.empty_like(&a)?;
    /// # Ok::<(), lanewise::gpu::GpuError>(())
    /// ```
    pub fn empty_like(&self, like: &GpuBuffer) -> Result<GpuBuffer, GpuError> {
        self.zeros(like.dtype, like.len)
    }

    /// Copies `x` to a new device buffer.
    ///
    /// # Errors
    /// As [`Gpu::zeros`].
    ///
    /// ```no_run
    /// # let gpu = lanewise::gpu::Gpu::new()?;
    /// let b = gpu.upload(&[half::f16::ONE, half::f16::ZERO])?;
    /// # Ok::<(), lanewise::gpu::GpuError>(())
    /// ```
    pub fn upload<T: Element>(&self, x: &[T]) -> Result<GpuBuffer, GpuError> {
        let b = self.zeros(T::DTYPE, x.len())?;
        self.write(&b, x);
        Ok(b)
    }

    /// Overwrites the device buffer `b` with `x`.
    ///
    /// # Panics
    /// If the lengths or element types differ.
    ///
    /// ```no_run
    /// # let gpu = lanewise::gpu::Gpu::new()?;
    /// let b = gpu.zeros(lanewise::Dtype::F32, 2)?;
    /// gpu.write(&b, &[1.0f32, 2.0]);
    /// # Ok::<(), lanewise::gpu::GpuError>(())
    /// ```
    #[track_caller]
    pub fn write<T: Element>(&self, b: &GpuBuffer, x: &[T]) {
        assert!(
            b.len == x.len() && b.dtype == T::DTYPE,
            "lanewise::gpu::write: buffer has {} {} elements but the slice has {} {}",
            b.len,
            b.dtype,
            x.len(),
            T::DTYPE
        );
        let mut bytes = bytemuck::cast_slice::<T, u8>(x).to_vec();
        bytes.resize(padded_bytes(b.dtype, b.len) as usize, 0);
        self.queue.write_buffer(&b.buf, 0, &bytes);
    }

    /// Copies a device buffer back to a new vector (waits for the work that writes it).
    ///
    /// # Errors
    /// [`GpuError::Device`] if the transfer fails.
    ///
    /// # Panics
    /// If `T` is not the buffer's element type.
    ///
    /// ```no_run
    /// # let gpu = lanewise::gpu::Gpu::new()?;
    /// let b = gpu.upload(&[1.0f32, 2.0])?;
    /// assert_eq!(gpu.download::<f32>(&b)?, [1.0, 2.0]);
    /// # Ok::<(), lanewise::gpu::GpuError>(())
    /// ```
    #[track_caller]
    pub fn download<T: Element>(&self, b: &GpuBuffer) -> Result<Vec<T>, GpuError> {
        let mut out = vec![T::zeroed(); b.len];
        self.download_into(b, &mut out)?;
        Ok(out)
    }

    /// Copies a device buffer back into `out`.
    ///
    /// # Errors
    /// [`GpuError::Device`] if the transfer fails.
    ///
    /// # Panics
    /// If the lengths or element types differ.
    ///
    /// ```no_run
    /// # let gpu = lanewise::gpu::Gpu::new()?;
    /// let b = gpu.upload(&[1.0f32, 2.0])?;
    /// let mut y = [0.0f32; 2];
    /// gpu.download_into(&b, &mut y)?;
    /// # Ok::<(), lanewise::gpu::GpuError>(())
    /// ```
    #[track_caller]
    pub fn download_into<T: Element>(&self, b: &GpuBuffer, out: &mut [T]) -> Result<(), GpuError> {
        assert!(
            b.len == out.len() && b.dtype == T::DTYPE,
            "lanewise::gpu::download: buffer has {} {} elements but the slice has {} {}",
            b.len,
            b.dtype,
            out.len(),
            T::DTYPE
        );
        if out.is_empty() {
            return Ok(());
        }
        let size = padded_bytes(b.dtype, b.len);
        let staging = self.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("lanewise staging"),
            size,
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let mut enc = self
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor { label: None });
        enc.copy_buffer_to_buffer(&b.buf, 0, &staging, 0, size);
        self.queue.submit([enc.finish()]);
        let (tx, rx) = std::sync::mpsc::channel();
        staging.map_async(wgpu::MapMode::Read, .., move |r| {
            let _ = tx.send(r);
        });
        self.sync()?;
        rx.recv()
            .map_err(|e| GpuError::Device(e.to_string()))?
            .map_err(|e| GpuError::Device(e.to_string()))?;
        {
            let view = staging
                .get_mapped_range(..)
                .map_err(|e| GpuError::Device(e.to_string()))?;
            let bytes = &view[..out.len() * b.dtype.size()];
            bytemuck::cast_slice_mut::<T, u8>(out).copy_from_slice(bytes);
        }
        staging.unmap();
        Ok(())
    }
}
