//! The one runtime KMS calls run on (AWS KMS, the extension protocol), driven from the
//! synchronous codec code.

use std::sync::OnceLock;

/// The KMS runtime: one worker thread, made on first use.
pub fn runtime() -> Result<&'static tokio::runtime::Runtime, String> {
    static RUNTIME: OnceLock<Result<tokio::runtime::Runtime, String>> = OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()
                .map_err(|e| format!("cannot start the KMS runtime: {e}"))
        })
        .as_ref()
        .map_err(Clone::clone)
}

/// Runs a KMS call to completion from synchronous codec code: on the KMS runtime, from a
/// scoped thread when the caller is itself on a runtime (the server).
pub fn block_on<F>(future: F) -> Result<F::Output, String>
where
    F: std::future::Future + Send,
    F::Output: Send,
{
    let runtime = runtime()?;
    if tokio::runtime::Handle::try_current().is_err() {
        return Ok(runtime.block_on(future));
    }
    std::thread::scope(|s| {
        s.spawn(|| runtime.block_on(future))
            .join()
            .map_err(|_| "the KMS call panicked".to_string())
    })
}
