//! Issue #24 (first part): temporal-proxy's envelope encryption with `base64key://` KEKs,
//! against an independent implementation (`../shared/interop/proxy_envelope.py`, Python
//! `cryptography` + PyNaCl): what the peer seals tcodec opens, what tcodec seals the peer
//! opens, one data key serves many payloads, and the key never shows in a message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{files_ending, fixtures, peer_python, root, tcodec};
use serde_json::Value;

/// A published test KEK (32 bytes 0..31, URL-safe base64): never use it for real data.
const KEK: &str = "base64key://AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

fn config(dir: &Path) -> PathBuf {
    let cfg = dir.join("proxy.toml");
    std::fs::write(
        &cfg,
        format!("[namespaces.default]\ncodecs = [{{ type = \"kms\", kek = \"{KEK}\", data_key_lifetime = \"1h\" }}]\n"),
    )
    .unwrap();
    cfg
}

fn peer(args: &[&std::ffi::OsStr]) -> Option<String> {
    let py = peer_python()?;
    let out = Command::new(py)
        .arg(root().join("../shared/interop/proxy_envelope.py"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(String::from_utf8_lossy(&out.stdout).to_string())
}

fn plain_payloads() -> PathBuf {
    files_ending(&fixtures().join("payloads/default"), ".decoded.json")
        .into_iter()
        .next()
        .unwrap()
}

fn json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

#[test]
fn tcodec_and_the_peer_read_each_others_envelopes() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path());
    let plain = plain_payloads();
    // tcodec seals, the peer opens.
    let sealed = dir.path().join("sealed.json");
    let out = tcodec()
        .arg("--config")
        .arg(&cfg)
        .args(["encode", "-n", "default", "-o"])
        .arg(&sealed)
        .arg(&plain)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc = json(&sealed);
    let first = &doc["payloads"][0]["metadata"];
    assert_eq!(
        first.as_object().unwrap().len(),
        3,
        "exactly three metadata entries"
    );
    assert!(!String::from_utf8_lossy(&out.stderr).contains("AAECAw"));
    let opened = dir.path().join("opened.json");
    let Some(_) = peer(&["open".as_ref(), sealed.as_os_str(), opened.as_os_str()]) else {
        return;
    };
    assert_eq!(json(&opened)["payloads"], json(&plain)["payloads"]);
    let deks = peer(&["count-deks".as_ref(), sealed.as_os_str()]).unwrap();
    assert_eq!(deks.trim(), "1", "one data key for the whole run");
    // The peer seals (a new data key every 2 payloads), tcodec opens.
    let peer_sealed = dir.path().join("peer.json");
    peer(&[
        "seal".as_ref(),
        "--kek".as_ref(),
        KEK.as_ref(),
        "--dek-every".as_ref(),
        "2".as_ref(),
        plain.as_os_str(),
        peer_sealed.as_os_str(),
    ])
    .unwrap();
    let out = tcodec()
        .arg("--config")
        .arg(&cfg)
        .args(["decode", "-n", "default", "-q"])
        .arg(&peer_sealed)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let decoded: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(decoded["payloads"], json(&plain)["payloads"]);
    // Another KEK cannot open it, and says so without showing key material.
    let other = dir.path().join("other.toml");
    std::fs::write(
        &other,
        "[namespaces.default]\ncodecs = [{ type = \"kms\", kek = \"base64key://HxwdHhsaGRgXFhUUExIREA8ODQwLCgkIBwYFBAMCAQA\" }]\n",
    )
    .unwrap();
    let out = tcodec()
        .arg("--config")
        .arg(&other)
        .args(["decode", "-n", "default"])
        .arg(&peer_sealed)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("unknown encryption key id \"base64key://***\""),
        "{err}"
    );
    assert!(!err.contains("AAECAw") && !err.contains("HxwdHh"), "{err}");
}

#[test]
fn kms_schemes_not_yet_supported_are_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("aws.toml");
    std::fs::write(
        &cfg,
        "[namespaces.default]\ncodecs = [{ type = \"kms\", kek = \"awskms:///arn:aws:kms:us-east-1:1:key/x?region=us-east-1\" }]\n",
    )
    .unwrap();
    let out = tcodec()
        .arg("--config")
        .arg(&cfg)
        .args(["config", "check"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("kms codec: KEK scheme awskms:// is not supported yet"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
