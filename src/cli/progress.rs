//! Progress on standard error for long work: shown only when standard error is a
//! terminal, the input is large, and neither `--quiet` nor `TCODEC_NO_PROGRESS` says no.

use std::io::IsTerminal as _;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

/// `--quiet` for the whole run (set once by the dispatcher): no bar at all.
static QUIET: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Records `--quiet` for every bar of this run.
pub fn set_quiet(quiet: bool) {
    QUIET.store(quiet, std::sync::atomic::Ordering::Relaxed);
}

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

/// A bar over the inputs of a run of many (a directory or a bucket prefix): bytes read and
/// their rate, inputs done of all, elapsed, rate and ETA. Shown only on a terminal, without `--quiet` or
/// `TCODEC_NO_PROGRESS`, and for more than one input.
pub struct Inputs(Option<ProgressBar>, String, u64);

impl Inputs {
    /// Starts the bar `verb [bar] done/total inputs (rate, ETA)`.
    pub fn start(verb: &str, total: usize, quiet: bool) -> Inputs {
        let wanted = !quiet
            && !QUIET.load(std::sync::atomic::Ordering::Relaxed)
            && total > 1
            && std::env::var_os("TCODEC_NO_PROGRESS").is_none()
            && std::io::stderr().is_terminal();
        if !wanted {
            return Inputs(None, String::new(), 0);
        }
        let bar = ProgressBar::new(total as u64);
        let style = ProgressStyle::with_template(
            "{msg} [{bar:16}] {pos}/{len} inputs ({per_sec}, ETA {eta})",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        bar.set_message(verb.to_string());
        bar.enable_steady_tick(Duration::from_millis(200));
        Inputs(Some(bar), verb.to_string(), crate::io::bytes_read())
    }

    /// A guard that counts one input done when dropped (also when it is skipped or fails).
    pub fn one(&self) -> Done<'_> {
        Done(self)
    }

    /// One more input done.
    pub fn done(&self) {
        if let Some(bar) = &self.0 {
            bar.inc(1);
            // Bytes read since the bar started, and their rate.
            let bytes = crate::io::bytes_read().saturating_sub(self.2);
            let rate = bytes as f64 / bar.elapsed().as_secs_f64().max(0.001);
            bar.set_message(format!(
                "{} {} ({}/s)",
                self.1,
                indicatif::HumanBytes(bytes),
                indicatif::HumanBytes(rate as u64)
            ));
        }
    }
}

/// Counts one input done when dropped.
pub struct Done<'a>(&'a Inputs);

impl Drop for Done<'_> {
    fn drop(&mut self) {
        self.0.done();
    }
}

/// The verb a bar shows for a direction.
pub fn doing(direction: crate::codec::Direction) -> &'static str {
    match direction {
        crate::codec::Direction::Encode => "encoding",
        crate::codec::Direction::Decode => "decoding",
        crate::codec::Direction::Rekey => "rekeying",
    }
}

impl Drop for Inputs {
    fn drop(&mut self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}
