//! `LANEWISE_ISA` is read once per process: run the check in a child process.

use std::process::Command;

/// A command that runs this test binary again.
///
/// Under user-mode emulation (`cargo test --target aarch64-unknown-linux-gnu` with a qemu
/// runner) the host kernel cannot start the aarch64 binary by itself, so the child goes
/// through the same runner cargo used, read from `CARGO_TARGET_<TRIPLE>_RUNNER`.
fn this_test_binary() -> Command {
    let exe = std::env::current_exe().unwrap();
    let prefix = format!(
        "CARGO_TARGET_{}_",
        std::env::consts::ARCH.to_ascii_uppercase()
    );
    let runner = std::env::vars()
        .find(|(k, v)| k.starts_with(&prefix) && k.ends_with("_RUNNER") && !v.trim().is_empty())
        .map(|(_, v)| v);
    match runner {
        Some(runner) => {
            let mut words = runner.split_whitespace();
            let mut cmd = Command::new(words.next().unwrap());
            cmd.args(words).arg(exe);
            cmd
        }
        None => Command::new(exe),
    }
}

#[test]
fn env_override_and_error() {
    if let Ok(want) = std::env::var("LANEWISE_ISA_CHILD") {
        if want == "bogus" {
            let r = std::panic::catch_unwind(lanewise::active_isa);
            let msg = r.unwrap_err();
            let msg = msg.downcast_ref::<String>().unwrap();
            assert!(msg.contains("unknown instruction set"), "{msg}");
        } else {
            assert_eq!(lanewise::active_isa().name(), want);
        }
        return;
    }
    let mut wants = vec!["scalar", "bogus"];
    // The best level by name too (neon on aarch64, avx512 or avx2 on x86-64).
    wants.push(lanewise::Isa::best().name());
    for want in wants {
        let status = this_test_binary()
            .args(["--exact", "env_override_and_error", "--nocapture"])
            .env("LANEWISE_ISA", want)
            .env("LANEWISE_ISA_CHILD", want)
            .status()
            .unwrap();
        assert!(status.success(), "child with LANEWISE_ISA={want} failed");
    }
}
