//! Links the `ambit` binary as a position-dependent executable on Linux.
//!
//! A position-independent `ambit` spent half of a short command starting up: the dynamic
//! loader applied 94,000 relocations and copied 2 MB of relocated read-only data (550 page
//! faults; `ambit --version` 3.2 ms of CPU, 1.6 ms linked at a fixed address). The cost is
//! address randomisation of the executable's own image (shared libraries, heap and stack
//! stay randomised); see ARCHITECTURE.md, "Choices".

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if os == "linux" {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}
