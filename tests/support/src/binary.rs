//! The workspace's binaries, from the running test's profile (`target/<profile>/`).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// `target/<profile>` of the running test or bench (`target/<profile>/deps/<exe>`), so it
/// follows `CARGO_TARGET_DIR`.
pub fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    exe.ancestors()
        .find(|p| p.file_name().is_some_and(|n| n == "deps"))
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .unwrap_or_else(|| panic!("{} is not under target/<profile>/deps", exe.display()))
}

/// The path of the workspace binary `name` beside the running test, brought up to date once
/// per process for `otentik` and `otentik-server`: `cargo test -p X` alone does not build other
/// packages' binaries, and a stale one would test old code. `make test` builds them first
/// and sets `OTENTIK_FLOWS_PREBUILT`, which skips this.
pub fn path(name: &str) -> PathBuf {
    static BUILT: OnceLock<()> = OnceLock::new();
    let profile = profile_dir();
    BUILT.get_or_init(|| {
        if std::env::var_os("OTENTIK_FLOWS_PREBUILT").is_some() {
            return;
        }
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let mut build = Command::new(cargo);
        build.args([
            "build",
            "--quiet",
            "-p",
            "otentik-cli",
            "-p",
            "otentik-server",
            "--bins",
        ]);
        if profile.file_name().is_some_and(|p| p == "release") {
            build.arg("--release");
        }
        assert!(
            build.status().unwrap().success(),
            "building the otentik and otentik-server binaries"
        );
    });
    let path = profile.join(name);
    assert!(
        path.exists(),
        "{} is missing: build it first (`make test` does)",
        path.display()
    );
    path
}
