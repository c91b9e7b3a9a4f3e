//! Which way payloads go through a pipeline.

/// Encoding direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Plain payloads to encoded payloads.
    Encode,
    /// Encoded payloads back to plain payloads.
    Decode,
    /// Payloads encoded by the pipeline's outermost codec are decoded and encoded again
    /// (with the active key); all others are left as they are.
    Rekey,
}

impl Direction {
    /// `encode` or `decode`.
    pub fn verb(self) -> &'static str {
        match self {
            Direction::Encode => "encode",
            Direction::Decode => "decode",
            Direction::Rekey => "rekey",
        }
    }
}
