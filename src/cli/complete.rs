//! Dynamic shell completion (`COMPLETE=bash tcodec`, clap_complete's engine): values that
//! only the configuration knows, such as `-n <TAB>` → the configured namespaces.

use std::ffi::{OsStr, OsString};
use std::path::PathBuf;

use clap_complete::engine::{ArgValueCompleter, CompletionCandidate};

/// The completer of every `-n/--namespace`.
pub fn namespaces() -> ArgValueCompleter {
    ArgValueCompleter::new(complete_namespace)
}

fn complete_namespace(current: &OsStr) -> Vec<CompletionCandidate> {
    let typed = current.to_string_lossy();
    let words: Vec<OsString> = std::env::args_os().collect();
    let explicit =
        config_named(&words).or_else(|| std::env::var_os("TCODEC_CONFIG").map(PathBuf::from));
    // Only names are read (parsing runs no key command and reads no key).
    let Ok(config) = crate::config::Config::discover(explicit.as_deref()) else {
        return Vec::new();
    };
    config
        .namespaces()
        .keys()
        .filter(|ns| ns.as_str() != "*" && ns.starts_with(typed.as_ref()))
        .map(|ns| CompletionCandidate::new(ns.clone()))
        .collect()
}

/// The `--config FILE` (or `--config=FILE`) among the words being completed.
fn config_named(words: &[OsString]) -> Option<PathBuf> {
    let mut iter = words.iter();
    while let Some(word) = iter.next() {
        let text = word.to_string_lossy();
        if text == "--config" {
            return iter.next().map(PathBuf::from);
        }
        if let Some(path) = text.strip_prefix("--config=") {
            return Some(PathBuf::from(path));
        }
    }
    None
}

/// Answers a completion request when the shell asked for one (`COMPLETE` set): true when
/// it did (the process then exits), false for a normal run.
pub fn answer(args: &[OsString]) -> Result<bool, clap::Error> {
    let cwd = std::env::current_dir().ok();
    clap_complete::CompleteEnv::with_factory(super::command)
        .try_complete(args.iter().cloned(), cwd.as_deref())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_config_is_found_among_the_words() {
        let words = |w: &[&str]| w.iter().map(OsString::from).collect::<Vec<_>>();
        assert_eq!(
            config_named(&words(&[
                "tcodec", "--", "tcodec", "--config", "a.toml", "decode", "-n"
            ])),
            Some(PathBuf::from("a.toml"))
        );
        assert_eq!(
            config_named(&words(&["tcodec", "--config=b.toml", "check"])),
            Some(PathBuf::from("b.toml"))
        );
        assert_eq!(config_named(&words(&["tcodec", "decode", "-n"])), None);
    }
}
