//! `LANEWISE_ISA` is read once per process: run the check in a child process.

#[test]
fn env_override_and_error() {
    let exe = std::env::current_exe().unwrap();
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
    for want in ["scalar", "bogus"] {
        let status = std::process::Command::new(&exe)
            .args(["--exact", "env_override_and_error", "--nocapture"])
            .env("LANEWISE_ISA", want)
            .env("LANEWISE_ISA_CHILD", want)
            .status()
            .unwrap();
        assert!(status.success(), "child with LANEWISE_ISA={want} failed");
    }
}
