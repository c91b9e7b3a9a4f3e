//! The `tcodec` binary: all logic lives in the library.

// mimalloc: the codec server allocates and frees many small buffers per request; the
// system allocator cost ~16% of CPU under load (perf, scripts/bench-serve). Built with
// `no_thp`: mimalloc otherwise asks for transparent huge pages, and the kernel zeroing 2 MiB
// pages on first touch was ~20% of a short `check` run (perf: clear_page_erms; task-clock
// 160 -> 110 ms on scripts/bench-exports' small objects).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    tcodec::cli::run(std::env::args_os())
}
