//! Helpers shared by the integration tests.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `../shared/fixtures`, beside the repository.
pub fn fixtures() -> PathBuf {
    root().join("../shared/fixtures")
}

/// The interop example configuration.
pub fn interop_config() -> PathBuf {
    root().join("examples/interop.toml")
}

/// A `tcodec` command with a clean environment: no HOME config, no TEMPORAL_* or TCODEC_*.
pub fn tcodec() -> Command {
    let mut cmd = Command::cargo_bin("tcodec").unwrap();
    for (key, _) in std::env::vars() {
        if key.starts_with("TEMPORAL_") || key.starts_with("TCODEC_") {
            cmd.env_remove(key);
        }
    }
    cmd.env("HOME", "/nonexistent")
        .env("XDG_CONFIG_HOME", "/nonexistent");
    cmd
}

/// `tcodec` with the interop configuration.
pub fn tcodec_interop() -> Command {
    let mut cmd = tcodec();
    cmd.env("TCODEC_CONFIG", interop_config());
    cmd
}

/// Files in `dir` whose names end with `suffix`, sorted.
pub fn files_ending(dir: &Path, suffix: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(suffix))
        .collect();
    v.sort();
    v
}

/// The test keys' material in every text form, to grep outputs for leaks.
pub fn key_material() -> Vec<String> {
    let mut out = Vec::new();
    for id in ["test-key-1", "test-key-2"] {
        let hex = std::fs::read_to_string(fixtures().join(format!("keys/{id}.hex"))).unwrap();
        let hex = hex.trim().to_string();
        let raw = ::hex::decode(&hex).unwrap();
        out.push(hex.clone());
        out.push(hex.to_uppercase());
        use base64::Engine as _;
        out.push(base64::engine::general_purpose::STANDARD.encode(&raw));
        out.push(base64::engine::general_purpose::STANDARD_NO_PAD.encode(&raw));
    }
    out
}

/// Asserts that `text` contains no test key material.
pub fn assert_no_key_material(text: &str) {
    for secret in key_material() {
        assert!(!text.contains(&secret), "key material leaked in: {text}");
    }
}
