//! One rule for spreading work over cores: small work stays on the calling thread (handing
//! it to rayon costs more than it saves, and the server's requests are small), large work
//! runs on all cores. Results keep the input's order. Callers decide what "large" is.

use rayon::prelude::*;

/// Base64 text in a body above which its payloads are converted on all cores (files of
/// large payloads; the server's requests stay below it).
pub const LARGE_TEXT: usize = 1 << 20;

/// `f` over `items`, in order: on all cores when `large`, else on this thread.
pub fn map<T: Send, R: Send>(
    items: Vec<T>,
    large: bool,
    f: impl Fn(T) -> R + Sync + Send,
) -> Vec<R> {
    if large && items.len() > 1 {
        items.into_par_iter().map(f).collect()
    } else {
        items.into_iter().map(f).collect()
    }
}

/// [`map`] over borrowed items.
pub fn map_ref<T: Sync, R: Send>(
    items: &[T],
    large: bool,
    f: impl Fn(&T) -> R + Sync + Send,
) -> Vec<R> {
    if large && items.len() > 1 {
        items.par_iter().map(f).collect()
    } else {
        items.iter().map(f).collect()
    }
}

/// [`map`] of a fallible `f`: every result in order, or `None` when any is `None`.
pub fn map_all<T: Send, R: Send>(
    items: Vec<T>,
    large: bool,
    f: impl Fn(T) -> Option<R> + Sync + Send,
) -> Option<Vec<R>> {
    if large && items.len() > 1 {
        items.into_par_iter().map(f).collect()
    } else {
        items.into_iter().map(f).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_is_kept_small_or_large() {
        let items: Vec<u32> = (0..1000).collect();
        for large in [false, true] {
            assert_eq!(
                map(items.clone(), large, |i| i * 2),
                (0..1000).map(|i| i * 2).collect::<Vec<_>>()
            );
            assert_eq!(map_ref(&items, large, |i| i + 1)[999], 1000);
            assert_eq!(map_all(items.clone(), large, Some).unwrap(), items);
            assert_eq!(
                map_all(items.clone(), large, |i| (i != 500).then_some(i)),
                None
            );
        }
    }
}
