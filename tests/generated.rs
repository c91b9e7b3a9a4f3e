//! The committed completions/ and man/ match what the clap definition renders now.
//! Refresh with: cargo run -- generate all .
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::root;

fn assert_fresh(dir: &str, files: Vec<(String, Vec<u8>)>) {
    let mut stale = Vec::new();
    for (name, bytes) in &files {
        let path = root().join(dir).join(name);
        if std::fs::read(&path).ok().as_ref() != Some(bytes) {
            stale.push(path.display().to_string());
        }
    }
    let committed = std::fs::read_dir(root().join(dir))
        .map(|d| d.count())
        .unwrap_or(0);
    assert!(
        stale.is_empty() && committed == files.len(),
        "{dir}/ is stale ({stale:?}, {committed} files committed, {} expected): run `cargo run -- generate all .`",
        files.len()
    );
}

#[test]
fn completions_are_up_to_date() {
    assert_fresh("completions", tcodec::cli::generate::completions());
}

#[test]
fn man_pages_are_up_to_date() {
    assert_fresh("man", tcodec::cli::generate::man_pages().unwrap());
}
