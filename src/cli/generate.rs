//! Shell completions (bash, zsh, fish, PowerShell, elvish) and man pages, rendered from the
//! clap definition. The output is deterministic (no dates) and committed in `completions/`
//! and `man/`; `tests/generated.rs` fails when the committed files are stale.

use std::path::{Path, PathBuf};

use clap_complete::Shell;

use super::GenerateArgs;
use crate::error::{Error, ExitStatus, Result};

/// Completion scripts as (file name, contents).
pub fn completions() -> Vec<(String, Vec<u8>)> {
    [
        Shell::Bash,
        Shell::Zsh,
        Shell::Fish,
        Shell::PowerShell,
        Shell::Elvish,
    ]
    .into_iter()
    .map(|shell| {
        let mut cmd = super::command();
        let mut buf = Vec::new();
        clap_complete::generate(shell, &mut cmd, "tcodec", &mut buf);
        let name = match shell {
            Shell::Bash => "tcodec.bash".to_string(),
            Shell::Zsh => "_tcodec".to_string(),
            Shell::Fish => "tcodec.fish".to_string(),
            Shell::PowerShell => "_tcodec.ps1".to_string(),
            _ => "tcodec.elv".to_string(),
        };
        (name, buf)
    })
    .collect()
}

/// Man pages as (file name, contents): `tcodec.1` and one `tcodec-<sub>.1` per subcommand.
pub fn man_pages() -> Result<Vec<(String, Vec<u8>)>> {
    let mut cmd = super::command();
    cmd.build();
    let mut pages = vec![("tcodec.1".to_string(), render_man(cmd.clone())?)];
    for sub in cmd
        .get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
    {
        let name = format!("tcodec-{}", sub.get_name());
        let page = sub.clone().name(name.clone());
        pages.push((format!("{name}.1"), render_man(page)?));
        for nested in sub.get_subcommands().filter(|s| s.get_name() != "help") {
            let nested_name = format!("{name}-{}", nested.get_name());
            pages.push((
                format!("{nested_name}.1"),
                render_man(nested.clone().name(nested_name.clone()))?,
            ));
        }
    }
    Ok(pages)
}

fn render_man(cmd: clap::Command) -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    clap_mangen::Man::new(cmd)
        .render(&mut buf)
        .map_err(|e| Error::io("cannot render", "man page", e))?;
    Ok(buf)
}

fn write_all(dir: &Path, files: Vec<(String, Vec<u8>)>) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io("cannot create", dir, e))?;
    for (name, bytes) in files {
        crate::io::write_atomic(&dir.join(name), &bytes)?;
    }
    Ok(())
}

/// `tcodec generate completions|man|all DIR`.
pub fn run(args: &GenerateArgs) -> Result<ExitStatus> {
    let (completions_dir, man_dir): (PathBuf, PathBuf) = match args.what.as_str() {
        "all" => (args.dir.join("completions"), args.dir.join("man")),
        _ => (args.dir.clone(), args.dir.clone()),
    };
    if args.what != "man" {
        write_all(&completions_dir, completions())?;
    }
    if args.what != "completions" {
        write_all(&man_dir, man_pages()?)?;
    }
    Ok(ExitStatus::Ok)
}
