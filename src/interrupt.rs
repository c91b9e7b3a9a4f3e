//! SIGINT, SIGTERM, SIGHUP and SIGQUIT in the command-line tool: the temporary files being
//! written (outputs not yet renamed over their targets) are removed, one line says what
//! happened, and the process exits 128 + the signal (130 for SIGINT, 143 for SIGTERM). Finished outputs stay, so a bucket run
//! resumes where it stopped. The server handles these signals itself (graceful shutdown)
//! and does not install this.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Temporary files being written now.
static WRITING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// A temporary file being written: removed by the handler on a signal, forgotten on drop
/// (renamed over its target, or deleted by its owner).
#[derive(Debug)]
pub struct Tracked(PathBuf);

/// Creates a temporary file with `make` and tracks it until the returned guard drops. The
/// file is made under the same lock the handler takes, so no file is ever made after the
/// handler's sweep (it exits holding the lock) or before it is tracked.
pub fn create<T>(
    make: impl FnOnce() -> std::io::Result<T>,
    path: impl Fn(&T) -> &Path,
) -> std::io::Result<(T, Tracked)> {
    let mut writing = WRITING
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let made = make()?;
    let at = path(&made).to_path_buf();
    writing.push(at.clone());
    Ok((made, Tracked(at)))
}

impl Drop for Tracked {
    fn drop(&mut self) {
        if let Ok(mut writing) = WRITING.lock() {
            if let Some(i) = writing.iter().rposition(|p| *p == self.0) {
                writing.swap_remove(i);
            }
        }
    }
}

/// Installs the handler (once per process; the CLI calls it for every command but `serve`).
pub fn install() {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT, SIGTERM};
    // SIGHUP too: a closed terminal or a dropped ssh session stops the run the same way.
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP, SIGQUIT])
    else {
        return; // no handler: the default action (exit) leaves at most a hidden temp file
    };
    let spawned = std::thread::Builder::new()
        .name("tcodec-signals".into())
        .spawn(move || {
            if let Some(signal) = signals.forever().next() {
                // Held until the exit: no temporary file is made after this sweep.
                let writing = WRITING.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
                let removed = writing
                    .iter()
                    .filter(|p| std::fs::remove_file(p).is_ok())
                    .count();
                let name = match signal {
                    SIGINT => "SIGINT",
                    SIGHUP => "SIGHUP",
                    SIGQUIT => "SIGQUIT",
                    _ => "SIGTERM",
                };
                eprintln!(
                    "tcodec: interrupted ({name}): {removed} unfinished output{} removed, finished outputs kept (the same command resumes a bucket run)",
                    if removed == 1 { "" } else { "s" }
                );
                std::process::exit(128 + signal);
            }
        });
    drop(spawned);
}
