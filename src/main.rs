//! The `tcodec` binary: all logic lives in the library.

// mimalloc: the codec server allocates and frees many small buffers per request; the
// system allocator cost ~16% of CPU under load (perf, scripts/bench-serve).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    tcodec::cli::run(std::env::args_os())
}
