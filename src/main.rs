//! The `tcodec` binary: all logic lives in the library.

fn main() -> std::process::ExitCode {
    tcodec::cli::run(std::env::args_os())
}
