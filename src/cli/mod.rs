//! The command line: argument definitions and dispatch.
//!
//! One clap definition feeds `--help`, the man pages and the shell completions
//! (`tcodec generate`), so they cannot disagree.

mod args;
mod bucket_args;
mod check;
mod complete;
mod config_cmd;
mod doctor;
pub mod exit;
mod export_wire;
pub mod generate;
mod help;
mod input_window;
mod inputs;
mod keygen;
mod keys;
mod outputs;
mod probe;
mod progress;
mod resolve;
mod serve;
mod serve_args;
mod still_encoded;
mod transform;

pub use args::*;
pub use serve_args::*;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

use crate::error::Error;
use exit::ExitStatus;

/// Parses every input and calls `each` with every document as a tree; a failing input is
/// reported and the others still run. Returns the inputs read and the worst exit status.
fn for_each_tree(
    inputs: &[String],
    options: crate::document::ReadOptions,
    each: impl FnMut(&mut crate::document::TreeDocument),
) -> (usize, ExitStatus) {
    for_each_tree_or(inputs, options, each, |_, e| exit::report(e))
}

/// [`for_each_tree`], handing each failing input's name and error to `failed`.
fn for_each_tree_or(
    inputs: &[String],
    options: crate::document::ReadOptions,
    each: impl FnMut(&mut crate::document::TreeDocument),
    failed: impl FnMut(&str, &Error),
) -> (usize, ExitStatus) {
    for_each_input(inputs, options, each, None, failed)
}

/// How a read-only command works a binary export's executions from the wire: `work`
/// checks one execution's payload sites (on any core), `merge` takes each result in order.
struct SitesHandler<'h> {
    work: &'h (dyn Fn(Vec<crate::document::wire::WireSite<'_>>) -> crate::rules::Report + Sync),
    merge: &'h mut dyn FnMut(crate::rules::Report),
}

/// [`for_each_tree_or`]; with `sites`, a binary export's executions go to `sites` as
/// payload sites found on the wire instead of as trees (for commands that only read).
fn for_each_input(
    inputs: &[String],
    options: crate::document::ReadOptions,
    mut each: impl FnMut(&mut crate::document::TreeDocument),
    mut sites: Option<SitesHandler<'_>>,
    mut failed: impl FnMut(&str, &Error),
) -> (usize, ExitStatus) {
    use crate::document::DocType;
    let mut files = 0;
    let mut worst = ExitStatus::Ok;
    // Reports go to stdout; the bar (a terminal's stderr only) never mixes with them.
    let bar = progress::Inputs::start("reading", inputs.len(), false);
    let mut bytes = Vec::new();
    let mut record = |name: &str, read: Result<(), Error>| {
        match read {
            Ok(()) => files += 1,
            Err(e) => {
                failed(name, &e);
                worst = worst.max(exit::status(&e));
            }
        }
        bar.done();
    };
    let mut rest = inputs;
    while let Some((input, after)) = rest.split_first() {
        // Small binary exports: a window of them on every core, merged in order.
        if let (Some(sites), DocType::Export) = (sites.as_mut(), options.doc_type) {
            let sizes = input_window::sizes(rest);
            if sizes.len() > 1 {
                let (these, after) = rest.split_at(sizes.len());
                let outcomes = input_window::work(these, &sizes, options, sites.work);
                for (input, outcome) in these.iter().zip(outcomes) {
                    let read = match outcome {
                        input_window::Outcome::Sites(results) => results.merge(&mut *sites.merge),
                        input_window::Outcome::Other(got, format) => {
                            work_input(input, &got, format, options, &mut each, None)
                        }
                        input_window::Outcome::Grew => {
                            read_and_work(input, &mut bytes, options, &mut each, Some(sites))
                        }
                        input_window::Outcome::Failed(e) => Err(e),
                    };
                    record(crate::io::display_name(input), read);
                }
                rest = after;
                continue;
            }
        }
        rest = after;
        let read = read_and_work(input, &mut bytes, options, &mut each, sites.as_mut());
        record(crate::io::display_name(input), read);
    }
    (files, worst)
}

/// One input of [`for_each_input`] on its own: read into `bytes`, then worked.
fn read_and_work(
    input: &str,
    bytes: &mut Vec<u8>,
    options: crate::document::ReadOptions,
    each: &mut impl FnMut(&mut crate::document::TreeDocument),
    sites: Option<&mut SitesHandler<'_>>,
) -> Result<(), Error> {
    crate::io::read_input_into(input, bytes)?;
    let name = crate::io::display_name(input);
    let format = crate::document::resolve_format(bytes, name, options)?;
    work_input(input, bytes, format, options, each, sites)
}

/// The read input `bytes` worked: a binary export's executions as payload sites with
/// `sites`, everything else as trees.
fn work_input(
    input: &str,
    bytes: &[u8],
    format: crate::document::OutputFormat,
    options: crate::document::ReadOptions,
    each: &mut impl FnMut(&mut crate::document::TreeDocument),
    sites: Option<&mut SitesHandler<'_>>,
) -> Result<(), Error> {
    use crate::document::{DocType, OutputFormat};
    let name = crate::io::display_name(input);
    if let (Some(sites), OutputFormat::Proto, DocType::Export) = (sites, format, options.doc_type) {
        let top = crate::error::Location::file(name);
        return crate::document::executions::each_binary_sites(
            bytes,
            &top,
            sites.work,
            &mut *sites.merge,
        );
    }
    crate::document::parse_each(bytes, name, format, options, |doc| {
        each(&mut doc.into_tree());
        Ok(())
    })
}

/// The command line as given, for `serve`'s `[serve]` table (which fills only options the
/// command line and environment leave at their defaults).
static ARGV: std::sync::OnceLock<Vec<OsString>> = std::sync::OnceLock::new();

/// The clap command, for generators and tests: each subcommand's usage line fixed as its
/// help shows it (clap's errors would otherwise list the flags just given, as in `Usage:
/// tcodec decode --in-place --config <FILE> <FILE>...`).
pub fn command() -> clap::Command {
    // The lines come from a built copy (only a built command knows its full name); the
    // command returned stays unbuilt, so generators may still change it.
    let mut built = Cli::command();
    built.build();
    steady_usage(Cli::command(), &built)
}

fn steady_usage(mut cmd: clap::Command, built: &clap::Command) -> clap::Command {
    for sub in built.get_subcommands().filter(|s| s.get_name() != "help") {
        let mut sub = sub.clone();
        let usage = sub.render_usage().to_string();
        let line = usage.strip_prefix("Usage: ").unwrap_or(&usage).to_string();
        cmd = cmd.mut_subcommand(sub.get_name(), |c| {
            steady_usage(c, &sub).override_usage(line)
        });
    }
    cmd
}

/// Runs tcodec with `args` and returns the process exit code.
pub fn run(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    let args: Vec<OsString> = args.into_iter().collect();
    let _ = ARGV.set(args.clone());
    // `COMPLETE=<shell> tcodec ...`: the shell asks for completions (or the registration
    // script); nothing else runs.
    match complete::answer(&args) {
        Ok(true) => return ExitCode::SUCCESS,
        Ok(false) => {}
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(ExitStatus::Usage.code());
        }
    }
    // The plain command parses; only a refusal (or help) is parsed again by the one with
    // the steady usage lines, to show them: building those lines is two more builds of
    // the whole command (~1 ms), which a run that parses owes nothing.
    let parse = |cmd: clap::Command, args: &[OsString]| {
        cmd.try_get_matches_from(args)
            .and_then(|m| Cli::from_arg_matches(&m))
    };
    let cli = match parse(Cli::command(), &args).or_else(|_| parse(command(), &args)) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() {
                ExitStatus::Usage.code()
            } else {
                ExitStatus::Ok.code()
            });
        }
    };
    let status = match dispatch(&cli) {
        Ok(status) => status,
        Err(e) => {
            exit::report(&e);
            exit::status(&e)
        }
    };
    ExitCode::from(status.code())
}

fn dispatch(cli: &Cli) -> Result<ExitStatus, Error> {
    progress::set_quiet(cli.quiet);
    // SIGINT/SIGTERM: unfinished outputs removed, exit 130/143 (serve shuts down itself).
    if !matches!(cli.command, Command::Serve(_)) {
        crate::interrupt::install();
    }
    match &cli.command {
        Command::Encode(args) => transform::run(
            cli,
            &args.common,
            crate::codec::Direction::Encode,
            transform::Mode {
                from_values: args.from_values,
                from_readable: args.from_readable,
                deterministic: args.deterministic,
                force: args.force,
                no_offload: args.no_offload,
                ..Default::default()
            },
        ),
        Command::Decode(args) => transform::run(
            cli,
            &args.common,
            crate::codec::Direction::Decode,
            transform::Mode {
                readable: args.readable,
                to_values: args.to_values,
                keep_going: args.keep_going,
                strict: args.strict,
                keep_refs: args.keep_refs,
                ..Default::default()
            },
        ),
        Command::Check(args) => check::run(cli, args),
        Command::Rekey(args) => transform::run(
            cli,
            args,
            crate::codec::Direction::Rekey,
            transform::Mode::default(),
        ),
        Command::Keys(KeysCommand::Used(args)) => keys::used(cli, args),
        Command::Serve(args) => serve::run(cli, args),
        Command::Doctor(args) => doctor::run(cli, args),
        Command::Probe(args) => probe::run(args),
        Command::Keygen(args) => keygen::run(cli.quiet, args),
        Command::Config(ConfigCommand::Check) => config_cmd::check(cli),
        Command::Config(ConfigCommand::Example) => {
            crate::io::write_stdout(config_cmd::EXAMPLE.as_bytes())?;
            Ok(ExitStatus::Ok)
        }
        Command::Generate(args) => generate::run(args, cli.quiet),
    }
}

/// `check` and `keys used` write their report to standard output: `-o` there is refused
/// with the flag that was meant, as `decode -o json` is.
fn report_flag(output: Option<&str>) -> Result<(), Error> {
    match output {
        None => Ok(()),
        Some(value) => Err(Error::Usage(format!(
            "-o {value}: this command writes its report to standard output (redirect it with > FILE); for the format use --output-format (text or json)"
        ))),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn clap_definition_is_consistent() {
        super::command().debug_assert();
    }
}
