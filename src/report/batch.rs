//! Rendering in batches on both cores, the bytes those of a serial rendering: the parts of a
//! report that are many independent pieces (the finding rows) at national scale (issue 19).
//! Renders nothing itself and writes only through the caller's `write`.

/// `items` rendered in batches of `batch`, two at a time, the second on another core, each
/// batch's text handed to `write` in order: the bytes of a serial rendering, in about half the
/// time when the second core is free. At most two batches' texts are held.
pub(crate) fn two_at_a_time<T: Sync, R: Send, E: Send>(
    items: &[T],
    batch: usize,
    render: impl Fn(usize, &[T]) -> Result<R, E> + Sync,
    mut write: impl FnMut(R) -> Result<(), E>,
) -> Result<(), E> {
    let batch = batch.max(1);
    let mut start = 0;
    while start < items.len() {
        let mid = (start + batch).min(items.len());
        let end = (mid + batch).min(items.len());
        std::thread::scope(|s| {
            let render = &render;
            let second = (mid < end).then(|| s.spawn(move || render(mid, &items[mid..end])));
            write(render(start, &items[start..mid])?)?;
            if let Some(second) = second {
                match second.join() {
                    Ok(text) => write(text?)?,
                    Err(panic) => std::panic::resume_unwind(panic),
                }
            }
            Ok::<(), E>(())
        })?;
        start = end;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_are_written_in_order_whatever_their_sizes() {
        let items: Vec<usize> = (0..1000).collect();
        for batch in [0, 1, 3, 7, 999, 1000, 5000] {
            let mut out = Vec::new();
            two_at_a_time(
                &items,
                batch,
                |first, xs: &[usize]| {
                    assert_eq!(xs.first().copied().unwrap_or(first), first);
                    Ok::<_, ()>(xs.to_vec())
                },
                |xs| {
                    out.extend(xs);
                    Ok(())
                },
            )
            .expect("no error");
            assert_eq!(out, items, "batch {batch}");
        }
    }
}
