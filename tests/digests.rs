//! Same bits on every machine: every instruction set this machine has must reproduce the
//! digests in `tests/data/digests.txt`, generated on x86-64 (see `lanewise::digest`).
//!
//! Run under qemu for aarch64 (NEON), this is the check that NEON gives x86's bits.

use lanewise::{Isa, digest, with_isa};

const FILE: &str = include_str!("data/digests.txt");
const REGENERATE: &str = "if the change of output bits is intended, regenerate the file on \
    x86-64 with `cargo run --release --example digests -- --write` and commit it";

#[test]
fn every_isa_reproduces_the_committed_digests() {
    let expected = digest::parse(FILE).unwrap();
    let cases = digest::cases();
    let mut failures = vec![];
    for c in &cases {
        if !expected.contains_key(&c.key()) {
            failures.push(format!("{}: no line in tests/data/digests.txt", c.key()));
        }
    }
    for key in expected.keys() {
        if !cases.iter().any(|c| &c.key() == key) {
            failures.push(format!("{key}: line in the file but no such case (stale)"));
        }
    }
    for isa in Isa::available() {
        for c in &cases {
            let Some(&want) = expected.get(&c.key()) else {
                continue;
            };
            let got = with_isa(isa, || c.digest()).unwrap();
            if got != want {
                failures.push(format!(
                    "{} on {isa}: digest {got:016x}, file has {want:016x}{}",
                    c.key(),
                    first_difference(c, isa)
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} problems with the {} digest cases on {}:\n{}\n{REGENERATE}",
        failures.len(),
        cases.len(),
        std::env::consts::ARCH,
        failures.join("\n")
    );
}

/// Where `isa` departs from the scalar level, if it does (the scalar level is the same code
/// on every machine, so a digest that differs on one ISA only points at that ISA's code).
fn first_difference(c: &digest::Case, isa: Isa) -> String {
    let a = with_isa(Isa::Scalar, || c.outputs()).unwrap();
    let b = with_isa(isa, || c.outputs()).unwrap();
    let w = c.width();
    match a.chunks(w).zip(b.chunks(w)).position(|(p, q)| p != q) {
        None => " (same bits as scalar here: this machine's scalar output differs too)".into(),
        Some(i) => format!(
            " (differs from scalar first at output {i}{}: scalar {:02x?}, {isa} {:02x?})",
            c.input_bits()
                .map(|x| format!(", input bits {:#x}", x[i]))
                .unwrap_or_default(),
            &a[i * w..(i + 1) * w],
            &b[i * w..(i + 1) * w]
        ),
    }
}

/// The digest notices a change of one output bit (and the file is not empty).
#[test]
fn a_one_bit_change_changes_the_digest() {
    let c = &digest::cases()[0];
    let mut y = c.outputs();
    let d = digest::fnv1a64(&y);
    let mid = y.len() / 2;
    y[mid] ^= 1;
    assert_ne!(digest::fnv1a64(&y), d);
    assert!(digest::parse(FILE).unwrap().len() >= lanewise::table::OPS.len());
}
