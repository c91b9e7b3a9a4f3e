//! Byte-exact interop with payloads written by the real Python SDK through the real
//! Temporal dev server (`../shared/fixtures`): every encoded payload list decodes to the
//! plaintext the `temporal` CLI itself recorded.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::*;

fn check_namespace(ns: &str) -> usize {
    let dir = fixtures().join("payloads").join(ns);
    let encoded = files_ending(&dir, ".encoded.json");
    assert!(!encoded.is_empty(), "no fixtures in {}", dir.display());
    for file in &encoded {
        let want_path = file
            .to_string_lossy()
            .replace(".encoded.json", ".decoded.json");
        let want = std::fs::read_to_string(&want_path).unwrap();
        let out = tcodec_interop()
            .args(["decode", "-n", ns])
            .arg(file)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}: {}",
            file.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        let got = String::from_utf8(out.stdout).unwrap();
        // Same bytes as the recorded plaintext; we end the file with a newline, Python does not.
        assert_eq!(got.trim_end(), want.trim_end(), "{}", file.display());
    }
    encoded.len()
}

#[test]
fn encrypted_fixtures_decode_byte_exactly_with_both_rotated_keys() {
    assert_eq!(check_namespace("default"), 10);
}

#[test]
fn zlib_fixtures_decode_byte_exactly() {
    assert_eq!(check_namespace("zipped"), 2);
}

#[test]
fn decoding_the_plaintext_again_changes_nothing() {
    // Decoding passes through payloads no codec owns, as the SDKs do.
    for file in files_ending(&fixtures().join("payloads/default"), ".decoded.json") {
        let want = std::fs::read_to_string(&file).unwrap();
        let out = tcodec_interop()
            .args(["decode", "-n", "both"])
            .arg(&file)
            .output()
            .unwrap();
        assert!(out.status.success());
        assert_eq!(
            String::from_utf8(out.stdout).unwrap().trim_end(),
            want.trim_end()
        );
    }
}

#[test]
fn encode_then_decode_gives_the_fixture_plaintext_back_in_every_namespace() {
    let dir = tempfile::tempdir().unwrap();
    for ns in ["default", "zipped", "both"] {
        for file in files_ending(&fixtures().join("payloads/default"), ".decoded.json") {
            let enc = dir.path().join("enc.json");
            tcodec_interop()
                .args(["encode", "-n", ns])
                .arg(&file)
                .arg("-o")
                .arg(&enc)
                .assert()
                .success();
            let out = tcodec_interop()
                .args(["decode", "-n", ns])
                .arg(&enc)
                .output()
                .unwrap();
            let want = std::fs::read_to_string(&file).unwrap();
            assert_eq!(
                String::from_utf8(out.stdout).unwrap().trim_end(),
                want.trim_end(),
                "{ns}"
            );
        }
    }
}
