//! deploy/: the Kubernetes manifests validate against the Kubernetes schemas
//! (kubernetes-validate, strict), and what they rely on is what `tcodec serve` really
//! exposes: the ConfigMap's config (with its [serve] table) starts a server, on the port
//! the Deployment names, whose probe paths answer 200 over TLS, checked with the same
//! `tcodec probe` the Dockerfile's HEALTHCHECK runs.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::Command;

use common::{fixtures, peer_python, root, Server};
use serde_json::Value;

/// A YAML file as JSON, read by PyYAML (installed with kubernetes-validate).
fn yaml(py: &std::ffi::OsStr, file: &str) -> Value {
    let out = Command::new(py)
        .args([
            "-c",
            "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))",
        ])
        .arg(root().join(file))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn manifests_validate_and_match_what_tcodec_serve_exposes() {
    let Some(py) = peer_python() else {
        return;
    };
    let validate = std::path::Path::new(&py).with_file_name("kubernetes-validate");
    let files: Vec<_> = std::fs::read_dir(root().join("deploy/k8s"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert!(files.len() >= 7, "{files:?}");
    let out = Command::new(&validate)
        .arg("--strict")
        .args(&files)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );

    let deployment = yaml(&py, "deploy/k8s/deployment.yaml");
    let container = &deployment["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(container["args"], serde_json::json!(["serve"]));
    let port = container["ports"][0]["containerPort"].as_u64().unwrap();
    let live = container["livenessProbe"]["httpGet"]["path"]
        .as_str()
        .unwrap()
        .to_string();
    let ready = container["readinessProbe"]["httpGet"]["path"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(container["livenessProbe"]["httpGet"]["scheme"], "HTTPS");
    assert_eq!(
        container["securityContext"]["readOnlyRootFilesystem"],
        Value::Bool(true)
    );

    // The ConfigMap's config, with the Secret's files replaced by test ones.
    let configmap = yaml(&py, "deploy/k8s/configmap.yaml");
    let toml = configmap["data"]["tcodec.toml"].as_str().unwrap();
    assert!(
        toml.contains(&format!("listen = \"0.0.0.0:{port}\"")),
        "{toml}"
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("keys")).unwrap();
    std::fs::create_dir_all(dir.path().join("tls")).unwrap();
    for id in ["prod-2026", "prod-2025"] {
        let key = dir.path().join(format!("keys/{id}.key"));
        std::fs::copy(fixtures().join("keys/test-key-1.key"), &key).unwrap();
        // As the Secret mounts it (defaultMode 0400).
        std::fs::set_permissions(&key, std::os::unix::fs::PermissionsExt::from_mode(0o400))
            .unwrap();
    }
    std::fs::write(dir.path().join("keys/tokens"), "t0ken decode\n").unwrap();
    let data = root().join("tests/data");
    std::fs::copy(data.join("tls-cert.pem"), dir.path().join("tls/tls.crt")).unwrap();
    std::fs::copy(data.join("tls-key.pem"), dir.path().join("tls/tls.key")).unwrap();
    let cfg = dir.path().join("tcodec.toml");
    std::fs::write(&cfg, toml).unwrap();
    // Only --listen differs (a free loopback port): every other option comes from [serve].
    let server = Server::start(&cfg, &[]);
    assert!(
        server.base.starts_with("https://127.0.0.1:"),
        "TLS from [serve]: {}",
        server.base
    );
    let dockerfile = std::fs::read_to_string(root().join("deploy/Dockerfile")).unwrap();
    assert!(dockerfile.contains(&format!("EXPOSE {port}")));
    assert!(dockerfile.contains(&format!(
        "\"probe\", \"--insecure\", \"https://127.0.0.1:{port}{live}\""
    )));
    for path in [&live, &ready] {
        let out = common::tcodec()
            .args(["probe", "--insecure", &server.url(path)])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{path}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // And the probe fails when the endpoint does.
    let out = common::tcodec()
        .args(["probe", "--insecure", &server.url("/nope")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(5));
    assert!(server
        .log()
        .contains("browsers allowed from: https://temporal-ui.example.com"));
}
