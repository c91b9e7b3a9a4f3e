//! Progress on standard error for long work: shown only when standard error is a
//! terminal, the input is large, and neither `--quiet` nor `TCODEC_NO_PROGRESS` says no.

use std::io::IsTerminal as _;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

/// Inputs smaller than this finish too fast for a progress line to help.
const LARGE_INPUT: u64 = 32 * 1024 * 1024;

/// A spinner naming the work, or nothing when progress should not show.
pub struct Progress(Option<ProgressBar>);

impl Progress {
    /// Starts a spinner `verb name (size)` for an input of `size` bytes (`None`: unknown,
    /// e.g. standard input, which shows progress only on a terminal and when it is large).
    pub fn start(verb: &str, name: &str, size: Option<u64>, quiet: bool) -> Progress {
        let wanted = !quiet
            && std::env::var_os("TCODEC_NO_PROGRESS").is_none()
            && std::io::stderr().is_terminal()
            && size.is_some_and(|s| s >= LARGE_INPUT);
        if !wanted {
            return Progress(None);
        }
        let bar = ProgressBar::new_spinner();
        let style = ProgressStyle::with_template("{spinner} {msg} [{elapsed}]")
            .unwrap_or_else(|_| ProgressStyle::default_spinner());
        bar.set_style(style);
        let mb = size.unwrap_or(0) as f64 / 1e6;
        bar.set_message(format!("{verb} {name} ({mb:.0} MB)"));
        bar.enable_steady_tick(Duration::from_millis(120));
        Progress(Some(bar))
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}
