//! Shell completions (bash, zsh, fish, PowerShell, elvish) and man pages, rendered from the
//! clap definition. The output is deterministic (no dates) and committed in `completions/`
//! and `man/`; `tests/generated.rs` fails when the committed files are stale.

use std::path::{Path, PathBuf};

use clap_complete::Shell;

use super::exit::ExitStatus;
use super::GenerateArgs;
use crate::error::{Error, Result};

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
    // No `help` subcommand in the pages: there is no tcodec-help(1) to point to.
    let mut cmd = super::command().disable_help_subcommand(true);
    cmd.build();
    let mut pages = vec![("tcodec.1".to_string(), render_man(cmd.clone())?)];
    for sub in cmd
        .get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
    {
        let name = format!("tcodec-{}", sub.get_name());
        let page = with_exit_codes(sub.clone().name(name.clone()));
        pages.push((format!("{name}.1"), render_man(page)?));
        for nested in sub.get_subcommands().filter(|s| s.get_name() != "help") {
            let nested_name = format!("{name}-{}", nested.get_name());
            pages.push((
                format!("{nested_name}.1"),
                render_man(with_exit_codes(nested.clone().name(nested_name.clone())))?,
            ));
        }
    }
    pages.push(("tcodec.toml.5".to_string(), config_page()));
    Ok(pages)
}

/// tcodec.toml(5): the configuration format, by its annotated example.
fn config_page() -> Vec<u8> {
    let mut page = String::from(
        ".TH tcodec.toml 5 \"\" \"tcodec\"\n.SH NAME\ntcodec.toml \\- tcodec configuration: keys and per-namespace codec pipelines\n.SH DESCRIPTION\nA TOML file with a [keys] table (key id = file, env or command) and one [namespaces.NAME] table per Temporal namespace, whose codecs list is the pipeline in Go CodecDataConverter order. The annotated example below shows every key source, codec and option; tcodec config example prints it.\n.SH EXAMPLE\n.nf\n",
    );
    for line in super::config_cmd::EXAMPLE.lines() {
        // Roff: a leading dot or quote would be a request; backslashes are escapes.
        let line = line.replace('\\', "\\e");
        if line.starts_with('.') || line.starts_with('\'') {
            page.push_str("\\&");
        }
        page.push_str(&line);
        page.push('\n');
    }
    page.push_str(".fi\n.SH SEE ALSO\ntcodec(1), tcodec-config(1)\n");
    page.into_bytes()
}

/// A subcommand's page ends with its examples, then the exit codes.
fn with_exit_codes(cmd: clap::Command) -> clap::Command {
    if let Some(long) = cmd.get_after_long_help() {
        let after = format!("{long}\n\n{}", super::help::EXIT_CODES);
        return cmd.after_long_help(after);
    }
    let after = match cmd.get_after_help() {
        Some(help) => format!("{help}\n\n{}", super::help::EXIT_CODES),
        None => super::help::EXIT_CODES.to_string(),
    };
    cmd.after_help(after)
}

fn render_man(cmd: clap::Command) -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    clap_mangen::Man::new(cmd)
        .render(&mut buf)
        .map_err(|e| Error::io("cannot render", "man page", e))?;
    Ok(buf)
}

/// Writes the files into `dir` and says so (unless quiet).
fn write_all(dir: &Path, files: Vec<(String, Vec<u8>)>, quiet: bool) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io("cannot create", dir, e))?;
    let count = files.len();
    for (name, bytes) in files {
        crate::io::write_atomic(&dir.join(name), &bytes)?;
    }
    if !quiet {
        let s = if count == 1 { "" } else { "s" };
        eprintln!("tcodec: wrote {count} file{s} to {}", dir.display());
    }
    Ok(())
}

/// Writes man pages where `man` looks for them: into a `man1` directory itself (section 5
/// into its sibling `man5`), else into DIR/man1 and DIR/man5 (DIR is then a man root, as
/// in `MANPATH=DIR man tcodec`).
fn write_man(dir: &Path, pages: Vec<(String, Vec<u8>)>, quiet: bool) -> Result<()> {
    let (section1, section5): (Vec<_>, Vec<_>) =
        pages.into_iter().partition(|(n, _)| n.ends_with(".1"));
    let (man1, man5) = match dir.file_name() {
        Some(n) if n == "man1" => (
            dir.to_path_buf(),
            dir.parent().unwrap_or(Path::new(".")).join("man5"),
        ),
        _ => (dir.join("man1"), dir.join("man5")),
    };
    write_all(&man1, section1, quiet)?;
    write_all(&man5, section5, quiet)
}

/// `tcodec generate completions|man|all DIR`.
pub fn run(args: &GenerateArgs, quiet: bool) -> Result<ExitStatus> {
    if args.what == "man" && args.shell.is_some() {
        return Err(Error::Usage(
            "--shell chooses a completion script: `generate man` takes none".into(),
        ));
    }
    if args.dir.as_os_str() == "-" {
        let bytes = match args.what.as_str() {
            "completions" => {
                let shell = args.shell.or_else(Shell::from_env).ok_or_else(|| {
                    Error::Usage(
                        "name the shell: tcodec generate completions --shell bash|zsh|fish|powershell|elvish -".into(),
                    )
                })?;
                let mut buf = Vec::new();
                clap_complete::generate(shell, &mut super::command(), "tcodec", &mut buf);
                buf
            }
            "man" => render_man(super::command().disable_help_subcommand(true))?,
            _ => {
                return Err(Error::Usage(
                    "`generate all` writes many files: name a directory, not -".into(),
                ))
            }
        };
        crate::io::write_stdout(&bytes)?;
        return Ok(ExitStatus::Ok);
    }
    let (completions_dir, man_dir): (PathBuf, PathBuf) = match args.what.as_str() {
        "all" => (args.dir.join("completions"), args.dir.join("man")),
        _ => (args.dir.clone(), args.dir.clone()),
    };
    if args.what != "man" {
        let mut scripts = completions();
        // With --shell, only that shell's script.
        if let Some(shell) = args.shell {
            let mut buf = Vec::new();
            clap_complete::generate(shell, &mut super::command(), "tcodec", &mut buf);
            scripts.retain(|(_, bytes)| *bytes == buf);
        }
        write_all(&completions_dir, scripts, quiet)?;
    }
    if args.what != "completions" {
        write_man(&man_dir, man_pages()?, quiet)?;
    }
    Ok(ExitStatus::Ok)
}
