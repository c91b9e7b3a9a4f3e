//! Reloading the configuration and keys while serving: on SIGHUP, and with `--watch-config`
//! when the file changes. Every start check runs again (in the reload closure); a config
//! that fails one is refused whole and the old one keeps serving.

use std::sync::Arc;
use std::time::Duration;

use super::audit;
use super::log::log;
use super::state::{AppState, Pipelines, Reload};

/// Loads the configuration and keys again and swaps them in whole, or keeps the old set
/// when the new one fails any check (logged, and counted in the metrics). `why` names the
/// trigger in the log (`SIGHUP`, `config changed`).
async fn reload_once(state: &AppState, reload: &Arc<Reload>, why: &str) {
    let load = Arc::clone(reload);
    // Keys may come from commands: off the I/O threads.
    let built =
        tokio::task::spawn_blocking(move || load().and_then(|config| Pipelines::build(&config)))
            .await;
    let applied = match built {
        Ok(Ok(pipelines)) => {
            let names = pipelines.names().join(", ");
            if let Ok(mut slot) = state.pipelines.write() {
                *slot = Arc::new(pipelines);
            }
            log(format_args!(
                "tcodec serve: {why}: configuration and keys reloaded; namespaces: {names}"
            ));
            true
        }
        Ok(Err(e)) => {
            log(format_args!(
                "tcodec serve: {why}: new configuration refused, keeping the old one: {e}"
            ));
            false
        }
        Err(_) => {
            log(format_args!(
                "tcodec serve: {why}: reload failed, keeping the old configuration"
            ));
            false
        }
    };
    if let Some(metrics) = &state.metrics {
        metrics.reloaded(applied);
    }
}

/// SIGHUP: reload the configuration and keys (swapped in whole, or refused whole), and
/// reopen the audit log (after logrotate moved it).
pub(super) async fn on_sighup(
    state: Arc<AppState>,
    audit: Option<Arc<audit::AuditLog>>,
    reload: Arc<Reload>,
) {
    #[cfg(unix)]
    {
        let Ok(mut hup) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())
        else {
            return;
        };
        while hup.recv().await.is_some() {
            reload_once(&state, &reload, "SIGHUP").await;
            if let Some(audit) = &audit {
                match audit.reopen() {
                    Ok(()) => log(format_args!("tcodec serve: SIGHUP: audit log reopened")),
                    Err(e) => log(format_args!("tcodec serve: SIGHUP: {e}")),
                }
            }
        }
    }
    #[cfg(not(unix))]
    let _ = (state, audit, reload);
}

/// What identifies a version of a file: its metadata after following links (a mounted
/// ConfigMap swaps a symlink), or `None` while it cannot be read.
fn file_version(path: &std::path::Path) -> Option<(std::time::SystemTime, u64, u64)> {
    let meta = std::fs::metadata(path).ok()?;
    #[cfg(unix)]
    let inode = std::os::unix::fs::MetadataExt::ino(&meta);
    #[cfg(not(unix))]
    let inode = 0;
    Some((meta.modified().ok()?, meta.len(), inode))
}

/// `--watch-config`: reloads whenever the configuration file changes (a Kubernetes
/// ConfigMap update, where no one can send SIGHUP), checked every `every`.
pub(super) async fn watch_config(
    state: Arc<AppState>,
    path: std::path::PathBuf,
    every: Duration,
    reload: Arc<Reload>,
) {
    let mut seen = file_version(&path);
    loop {
        tokio::time::sleep(every).await;
        let now = file_version(&path);
        if now.is_some() && now != seen {
            seen = now;
            reload_once(&state, &reload, "config changed").await;
        }
    }
}
