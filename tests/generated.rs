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
    let (section1, section5) = tcodec::cli::generate::man_pages()
        .unwrap()
        .into_iter()
        .partition(|(name, _)| name.ends_with(".1"));
    assert_fresh("man/man1", section1);
    assert_fresh("man/man5", section5);
}

/// Pages land where `man` looks: a man1 directory gets section 1 and its sibling man5
/// section 5; any other directory is a man root (DIR/man1, DIR/man5).
#[test]
fn generate_man_writes_each_section_into_its_directory() {
    let dir = tempfile::tempdir().unwrap();
    for (arg, man1, man5) in [
        ("root", "root/man1", "root/man5"),
        ("share/man/man1", "share/man/man1", "share/man/man5"),
    ] {
        let out = common::tcodec()
            .args(["generate", "man", arg])
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        let pages = tcodec::cli::generate::man_pages().unwrap().len();
        assert_eq!(
            String::from_utf8_lossy(&out.stderr),
            format!(
                "tcodec: wrote {} files to {man1}\ntcodec: wrote 1 file to {man5}\n",
                pages - 1
            )
        );
        assert!(dir.path().join(man1).join("tcodec.1").is_file());
        assert!(dir.path().join(man1).join("tcodec-decode.1").is_file());
        assert!(!dir.path().join(man1).join("tcodec.toml.5").exists());
        assert!(dir.path().join(man5).join("tcodec.toml.5").is_file());
    }
}

#[test]
fn generate_man_refuses_a_shell() {
    let out = common::tcodec()
        .args(["generate", "man", "--shell", "bash", "x"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "tcodec: error: --shell chooses a completion script: `generate man` takes none\n"
    );
}
