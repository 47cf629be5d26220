//! Lookup tables for the half formats: an elementwise function of one f16 or bf16 input has
//! only 65,536 inputs, so once a function (with its parameters) has been applied to enough
//! elements, lanewise tabulates it and later calls read the table instead of computing.
//!
//! A table is built by the very kernel it replaces, on the active instruction set, over all
//! 65,536 bit patterns in one call, so it holds exactly the bits that kernel returns: the
//! correctly rounded value of every input (see [`Element`](crate::Element)). Tables change
//! speed, never results.
//!
//! **When.** In the default mode, [`Tables::Auto`], the table for a (function, parameters,
//! format, instruction set) is built by the call that brings the elements computed for it to
//! 65,536 or more, which is about the cost of building it; so the total work is at most
//! about twice what computing every element would have cost, and a caller that applies
//! the same activation again and again runs from the table after the first 65,536 elements.
//! [`Tables::Eager`] builds at the first call, [`Tables::Off`] never uses tables. The mode is
//! set per thread by [`with_tables`], or for the process by the environment variable
//! `LANEWISE_HALF_TABLES=auto|eager|off` (read once).
//!
//! **Which.** Every function built on the transcendental primitives (families
//! [`Transcendental`](crate::table::Family::Transcendental) and
//! [`Primitive`](crate::table::Family::Primitive)), for `f16` and `bf16`; the
//! piecewise-linear ones keep their kernels, which outrun a lookup in cache. f32 never uses
//! tables (2^32 inputs), nor do PReLU (two inputs) and the row-wise functions.
//!
//! **Memory.** 128 KiB per table, at most [`MAX_TABLES`] tables (8 MiB) per process; calls
//! on further keys compute, and at most [`MAX_KEYS`] keys are counted. Tables live until
//! [`clear_tables`] or the process ends; building is thread-safe (one thread builds, others
//! wait for it).

use crate::dtype::Dtype;
use crate::isa::{Isa, active_isa};
use std::cell::Cell;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock, RwLock};

/// The most tables a process builds (128 KiB each).
pub const MAX_TABLES: usize = 64;
/// The most (function, parameters, format, instruction set) keys a process counts elements
/// for; calls on further keys compute and are not counted.
pub const MAX_KEYS: usize = 4096;
/// Input patterns of a half format, and the elements after which [`Tables::Auto`] builds.
const PATTERNS: usize = 1 << 16;

/// When half-format elementwise calls use lookup tables (see the [module](self) docs).
///
/// ```
/// use lanewise::{f16, lut::{Tables, with_tables}};
/// let x = [f16::from_f32(0.5)];
/// let mut y = [f16::ZERO];
/// with_tables(Tables::Off, || lanewise::sigmoid(&x, &mut y)); // always the kernel
/// let kernel = y[0];
/// with_tables(Tables::Eager, || lanewise::sigmoid(&x, &mut y)); // builds and reads a table
/// assert_eq!(y[0], kernel); // the same bits either way
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tables {
    /// Build a table once its key has been applied to 65,536 elements (the default).
    Auto,
    /// Build a table at the first call on its key.
    Eager,
    /// Never use tables: every call runs the kernel.
    Off,
}

impl Tables {
    /// Parses `auto`, `eager` or `off`.
    ///
    /// ```
    /// use lanewise::lut::Tables;
    /// assert_eq!(Tables::from_name("off"), Some(Tables::Off));
    /// assert_eq!(Tables::from_name("sometimes"), None);
    /// ```
    pub fn from_name(name: &str) -> Option<Tables> {
        match name.trim() {
            "auto" => Some(Tables::Auto),
            "eager" => Some(Tables::Eager),
            "off" => Some(Tables::Off),
            _ => None,
        }
    }
}

thread_local! {
    static MODE: Cell<Option<Tables>> = const { Cell::new(None) };
}

fn global_mode() -> Tables {
    static GLOBAL: OnceLock<Tables> = OnceLock::new();
    *GLOBAL.get_or_init(|| match std::env::var("LANEWISE_HALF_TABLES") {
        Ok(name) if !name.trim().is_empty() => Tables::from_name(&name).unwrap_or_else(|| {
            panic!("LANEWISE_HALF_TABLES: unknown mode {name:?} (expected auto, eager or off)")
        }),
        _ => Tables::Auto,
    })
}

/// The table mode of calls on this thread now: the innermost [`with_tables`], else
/// `LANEWISE_HALF_TABLES`, else [`Tables::Auto`].
///
/// ```
/// use lanewise::lut::{Tables, tables_mode, with_tables};
/// assert_eq!(with_tables(Tables::Off, tables_mode), Tables::Off);
/// ```
pub fn tables_mode() -> Tables {
    MODE.with(|m| m.get()).unwrap_or_else(global_mode)
}

/// Runs `f` with every half-format call on this thread using tables as `mode` says.
///
/// ```
/// use lanewise::{bf16, lut::{Tables, with_tables}};
/// let mut y = [bf16::ZERO; 1];
/// with_tables(Tables::Off, || lanewise::gelu(&[bf16::ONE], &mut y));
/// assert_eq!(y[0], bf16::from_f32(0.8413447));
/// ```
pub fn with_tables<R>(mode: Tables, f: impl FnOnce() -> R) -> R {
    struct Restore(Option<Tables>);
    impl Drop for Restore {
        fn drop(&mut self) {
            MODE.with(|m| m.set(self.0));
        }
    }
    let _restore = Restore(MODE.with(|m| m.replace(Some(mode))));
    f()
}

/// How many tables this process has built, and their bytes.
///
/// ```
/// let (tables, bytes) = lanewise::lut::tables_built();
/// assert_eq!(bytes, tables * 2 * 65_536);
/// ```
pub fn tables_built() -> (usize, usize) {
    let n = registry().built.load(Ordering::Relaxed) as usize;
    (n, n * 2 * PATTERNS)
}

/// Drops every table and every element count (memory is freed once no call still reads a
/// table); later calls start counting afresh.
///
/// ```
/// use lanewise::lut::{clear_tables, tables_built};
/// clear_tables();
/// assert_eq!(tables_built(), (0, 0));
/// ```
pub fn clear_tables() {
    let reg = registry();
    let mut keys = reg.keys.write().unwrap_or_else(|e| e.into_inner());
    keys.clear();
    reg.built.store(0, Ordering::Relaxed);
    reg.generation.fetch_add(1, Ordering::AcqRel);
    LAST.set(None);
}

/// What a table is of: function name, parameter bits, format, instruction set.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
struct Key {
    name: &'static str,
    params: [u32; 4],
    nparams: u8,
    dtype: Dtype,
    isa: Isa,
}

/// The state of one key: elements computed so far, and the table once built (the output for
/// each of the 65,536 inputs).
pub(crate) struct Entry {
    seen: AtomicU64,
    table: OnceLock<Option<Box<[u16; PATTERNS]>>>,
}

struct Registry {
    keys: RwLock<HashMap<Key, Arc<Entry>>>,
    built: AtomicU64,
    /// Incremented by [`clear_tables`], so that threads drop their cached entries.
    generation: AtomicU64,
}

thread_local! {
    /// The last table this thread used, with the registry generation it came from: repeated
    /// calls on one key skip the registry's lock and hash.
    static LAST: std::cell::RefCell<Option<(Key, u64, Arc<Entry>)>> =
        const { std::cell::RefCell::new(None) };
}

fn registry() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(|| Registry {
        keys: RwLock::new(HashMap::new()),
        built: AtomicU64::new(0),
        generation: AtomicU64::new(0),
    })
}

/// The entry of `key`, created if there is room.
fn entry(key: &Key) -> Option<Arc<Entry>> {
    let reg = registry();
    if let Some(e) = reg.keys.read().unwrap_or_else(|e| e.into_inner()).get(key) {
        return Some(e.clone());
    }
    let mut keys = reg.keys.write().unwrap_or_else(|e| e.into_inner());
    if keys.len() >= MAX_KEYS && !keys.contains_key(key) {
        return None;
    }
    Some(
        keys.entry(*key)
            .or_insert_with(|| {
                Arc::new(Entry {
                    seen: AtomicU64::new(0),
                    table: OnceLock::new(),
                })
            })
            .clone(),
    )
}

/// The table for a call of `n` elements on (`name`, `params`, `dtype`), if tables are on and
/// this key has one or has now earned one (then built with `build`, which must fill its
/// slice with the function of every bit pattern, in order).
pub(crate) fn table_for(
    name: &'static str,
    params: &[f32],
    dtype: Dtype,
    n: usize,
    build: impl FnOnce(&mut [u16]),
) -> Option<Arc<Entry>> {
    let mode = tables_mode();
    if mode == Tables::Off || n == 0 || params.len() > 4 {
        return None;
    }
    let mut bits = [0u32; 4];
    for (b, p) in bits.iter_mut().zip(params) {
        *b = p.to_bits();
    }
    let key = Key {
        name,
        params: bits,
        nparams: params.len() as u8,
        dtype,
        isa: active_isa(),
    };
    let generation = registry().generation.load(Ordering::Acquire);
    let cached = LAST.with_borrow(|last| match last {
        Some((k, g, e)) if *k == key && *g == generation => Some(e.clone()),
        _ => None,
    });
    if cached.is_some() {
        return cached;
    }
    let e = entry(&key)?;
    if e.table.get().is_none() {
        let seen = e.seen.fetch_add(n as u64, Ordering::Relaxed) + n as u64;
        if mode == Tables::Auto && seen < PATTERNS as u64 {
            return None;
        }
        e.table.get_or_init(|| {
            let reg = registry();
            if reg.built.fetch_add(1, Ordering::Relaxed) >= MAX_TABLES as u64 {
                reg.built.fetch_sub(1, Ordering::Relaxed);
                return None;
            }
            let mut t: Box<[u16; PATTERNS]> = (0..=u16::MAX)
                .collect::<Box<[u16]>>()
                .try_into()
                .expect("one entry per pattern");
            build(&mut t[..]);
            Some(t)
        });
    }
    e.table.get()?.as_ref()?;
    LAST.set(Some((key, generation, e.clone())));
    Some(e)
}

impl Entry {
    /// The table (present: [`table_for`] only returns entries that have one).
    fn table(&self) -> &[u16; PATTERNS] {
        self.table
            .get()
            .and_then(|t| t.as_deref())
            .expect("table_for returns built entries")
    }

    /// `out[i] = table[x[i]]` (lengths checked by the caller).
    ///
    /// Plain loads: a u16 index into a 65,536-entry array needs no bounds check, and one
    /// load per element outran AVX2 and AVX-512 gathers in standalone tests on both machines
    /// measured (Zen 3: 2.2–3.2 against 1.1–2.2 Gelem/s in cache, about 3 against 1.5–2 at
    /// 1M elements; Zen 5: 3.7–4.0 against 2.4–3.1 in cache).
    pub(crate) fn map(&self, x: &[u16], out: &mut [u16]) {
        debug_assert_eq!(x.len(), out.len());
        let t = self.table();
        for (o, &i) in out.iter_mut().zip(x) {
            *o = t[i as usize];
        }
    }

    /// `x[i] = table[x[i]]`.
    pub(crate) fn map_inplace(&self, x: &mut [u16]) {
        let t = self.table();
        for x in x.iter_mut() {
            *x = t[*x as usize];
        }
    }
}
