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
    assert!(files.len() >= 6, "{files:?}");
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
    let key = dir.path().join("keys/prod-2026.key");
    std::fs::copy(fixtures().join("keys/test-key-1.key"), &key).unwrap();
    // As the Secret mounts it (defaultMode 0400).
    std::fs::set_permissions(&key, std::os::unix::fs::PermissionsExt::from_mode(0o400)).unwrap();
    std::fs::write(dir.path().join("keys/tokens"), "t0ken decode\n").unwrap();
    let data = root().join("tests/data");
    std::fs::copy(data.join("tls-cert.pem"), dir.path().join("tls/tls.crt")).unwrap();
    std::fs::copy(data.join("tls-key.pem"), dir.path().join("tls/tls.key")).unwrap();
    // The ConfigMap is a directory mount (updates reach the pod; a subPath mount never
    // updates), and TCODEC_CONFIG names the file inside it.
    let mounts = container["volumeMounts"].as_array().unwrap();
    assert!(
        mounts.iter().all(|m| m.get("subPath").is_none()),
        "{mounts:?}"
    );
    let config_mount = mounts.iter().find(|m| m["name"] == "config").unwrap();
    let env = container["env"].as_array().unwrap();
    let config_env = env.iter().find(|e| e["name"] == "TCODEC_CONFIG").unwrap();
    assert_eq!(
        config_env["value"].as_str().unwrap(),
        format!(
            "{}/tcodec.toml",
            config_mount["mountPath"].as_str().unwrap()
        )
    );
    // Egress: DNS and 443 only (JWKS, S3/GCS, KMS); metrics in from monitoring only.
    let policy = yaml(&py, "deploy/k8s/networkpolicy.yaml");
    let egress_ports: Vec<u64> = policy["spec"]["egress"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["ports"].as_array().unwrap().clone())
        .map(|p| p["port"].as_u64().unwrap())
        .collect();
    assert_eq!(egress_ports, [53, 53, 443]);
    let metrics_port = container["ports"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "metrics")
        .unwrap()["containerPort"]
        .as_u64()
        .unwrap();
    assert!(toml.contains(&format!("metrics-listen = \"0.0.0.0:{metrics_port}\"")));
    let ingress_ports: Vec<u64> = policy["spec"]["ingress"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["ports"].as_array().unwrap().clone())
        .map(|p| p["port"].as_u64().unwrap())
        .collect();
    assert_eq!(ingress_ports, [port, metrics_port]);
    let cfg = dir.path().join("tcodec.toml");
    let mounted = format!("{}/", dir.path().display());
    std::fs::write(&cfg, toml.replace("/etc/tcodec/", &mounted)).unwrap();
    // Only --listen and --metrics-listen differ (free loopback ports): every other option
    // comes from [serve], including watch-config, made quick here.
    let server = Server::start(
        &cfg,
        &["--metrics-listen", "127.0.0.1:0", "--watch-config", "0.2"],
    );
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
    // /metrics is on its own listener, never on the codec port.
    let out = common::tcodec()
        .args(["probe", "--insecure", &server.url("/metrics")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(5), "no /metrics on the codec port");
    let log = server.log();
    let metrics_url = log
        .lines()
        .find_map(|l| l.strip_prefix("tcodec serve: metrics on "))
        .unwrap()
        .to_string();
    let out = common::tcodec()
        .args(["probe", &metrics_url])
        .output()
        .unwrap();
    assert!(out.status.success(), "{metrics_url}");
    // A ConfigMap update (the file changes, no SIGHUP) is reloaded; a bad one is refused.
    let text = std::fs::read_to_string(&cfg).unwrap();
    std::fs::write(
        &cfg,
        text.replace(
            "[namespaces.\"*\"]",
            "[namespaces.added]\ncodecs = []\n[namespaces.\"*\"]",
        ),
    )
    .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !server
        .log()
        .contains("config changed: configuration and keys reloaded; namespaces: added, *")
    {
        assert!(std::time::Instant::now() < deadline, "{}", server.log());
    }
    std::fs::write(
        &cfg,
        text.replace("[serve]", "[policy]\nbogus = 1\n[serve]"),
    )
    .unwrap();
    while !server
        .log()
        .contains("config changed: new configuration refused, keeping the old one")
    {
        assert!(std::time::Instant::now() < deadline, "{}", server.log());
    }
}

/// The README's Kubernetes guide names what the manifests use: the Secrets the Deployment
/// mounts, the manifest folder, and the metrics port.
#[test]
fn the_kubernetes_guide_matches_the_manifests() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let guide = readme
        .split("### Run it in Kubernetes")
        .nth(1)
        .unwrap()
        .split("\n### ")
        .next()
        .unwrap();
    let deployment = std::fs::read_to_string(root().join("deploy/k8s/deployment.yaml")).unwrap();
    for secret in ["tcodec-keys", "tcodec-tls"] {
        assert!(
            deployment.contains(&format!("secretName: {secret}")),
            "{secret}"
        );
        assert!(
            guide.contains(&format!("secret generic {secret}"))
                || guide.contains(&format!("secret tls {secret}")),
            "{secret}"
        );
    }
    assert!(guide.contains("kubectl apply -f deploy/k8s/"));
    // Applying the folder must not replace the Secrets the guide made.
    for entry in std::fs::read_dir(root().join("deploy/k8s")).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        assert!(
            !text.contains("kind: Secret"),
            "a Secret in deploy/k8s/ would be applied"
        );
    }
    // Every key file the ConfigMap names is one the guide puts in the Secret.
    let configmap_text = std::fs::read_to_string(root().join("deploy/k8s/configmap.yaml")).unwrap();
    for file in configmap_text.split("/etc/tcodec/keys/").skip(1) {
        let name = file.split('"').next().unwrap();
        assert!(
            guide.contains(&format!("--from-file={name}")),
            "{name} is not in the guide's Secret"
        );
    }
    assert!(guide.contains("docker build -f deploy/Dockerfile"));
    let configmap = std::fs::read_to_string(root().join("deploy/k8s/configmap.yaml")).unwrap();
    assert!(configmap.contains("metrics-listen = \"0.0.0.0:9464\""));
    assert!(guide.contains("port 9464"));
    assert!(configmap.contains("watch-config = 30") && guide.contains("watch-config = 30"));
    // The guide's key and token commands work as written.
    let dir = tempfile::tempdir().unwrap();
    let out = common::tcodec()
        .current_dir(dir.path())
        .args(["keygen", "--id", "prod-2026", "-o", "prod-2026.key"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(
        std::fs::read(dir.path().join("prod-2026.key"))
            .unwrap()
            .len(),
        32
    );
}

/// Issue #23: `deploy/jobs/export-check.yaml` validates (strict schema), is an Indexed Job
/// whose completions, parallelism and `--shard I/N` agree, and its arguments, with the
/// variables Kubernetes fills in, are a `tcodec check` command line tcodec accepts.
#[test]
fn the_export_check_job_validates_and_runs_a_real_sharded_check() {
    let Some(py) = peer_python() else {
        return;
    };
    let validate = std::path::Path::new(&py).with_file_name("kubernetes-validate");
    let out = Command::new(&validate)
        .arg("--strict")
        .arg(root().join("deploy/jobs/export-check.yaml"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let job = yaml(&py, "deploy/jobs/export-check.yaml");
    let spec = &job["spec"];
    assert_eq!(spec["completionMode"], "Indexed");
    let n = spec["completions"].as_u64().unwrap();
    assert_eq!(spec["parallelism"].as_u64(), Some(n));
    assert_eq!(spec["template"]["spec"]["restartPolicy"], "Never");
    let container = &spec["template"]["spec"]["containers"][0];
    let env: std::collections::HashMap<String, String> = container["env"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let value = match e["value"].as_str() {
                Some(v) => v.to_string(),
                None => {
                    assert_eq!(
                        e["valueFrom"]["fieldRef"]["fieldPath"],
                        "metadata.annotations['batch.kubernetes.io/job-completion-index']"
                    );
                    "0".to_string()
                }
            };
            (e["name"].as_str().unwrap().to_string(), value)
        })
        .collect();
    // $(VAR) as Kubernetes expands it.
    let args: Vec<String> = container["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            let mut a = a.as_str().unwrap().to_string();
            for (k, v) in &env {
                a = a.replace(&format!("$({k})"), v);
            }
            a
        })
        .collect();
    assert_eq!(args[0], "check");
    let shard = args.iter().position(|a| a == "--shard").unwrap();
    assert_eq!(args[shard + 1], format!("0/{n}"));
    assert!(args
        .iter()
        .any(|a| a.starts_with("s3://") && a.ends_with(".json")));
    // tcodec parses the command line (a typo in a flag would exit 2 with a usage error):
    // `--help` after it still parses every flag before it.
    let mut parsed = args.clone();
    parsed.push("--help".into());
    let out = common::tcodec().args(&parsed).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
