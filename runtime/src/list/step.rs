//! The decisions of an offset or cursor walk, kept apart from the requests: whether a page was
//! the last one, and the cursor of the next page.

use crate::error::ListError;
use std::cmp::Ordering;

/// How the last page of an offset or cursor list is known (the spec's `end`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ListEnd {
    /// A page with fewer items than [`crate::ListMethod::PAGE_SIZE`] is the last.
    Short,
    /// The answer's `total` (items in all) is reached, or a page is empty.
    Total,
    /// [`crate::ListMethod::has_more`] reads a flag of the result that is false on the last
    /// page; an empty page ends the walk too.
    Flag,
}

/// What one page tells about the end.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PageEnd {
    /// Items on the page.
    pub items: u64,
    /// Items walked so far, this page included.
    pub seen: u64,
    /// The envelope's `total`.
    pub total: Option<u64>,
    /// The result's "more pages follow" flag.
    pub more: Option<bool>,
}

impl ListEnd {
    /// Whether the page described by `p` is the last, for pages of `page_size` items. Without
    /// the `total` or flag it counts on, a walk falls back to the short-page rule.
    pub(crate) fn is_last(self, p: PageEnd, page_size: u64) -> bool {
        let short = p.items < page_size;
        match self {
            ListEnd::Short => short,
            ListEnd::Total => p.items == 0 || p.total.map_or(short, |t| p.seen >= t),
            ListEnd::Flag => p.items == 0 || p.more.map_or(short, |more| !more),
        }
    }
}

/// The cursor of a walk: the last one sent and the direction it moves in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Cursor {
    /// The cursor sent for the current page (`None`: the first page, as the caller built it).
    pub sent: Option<i64>,
    /// The direction of the first move, which every later move must keep.
    pub direction: Option<Ordering>,
}

impl Cursor {
    /// The cursor after a page whose last item gave `next`: it must exist and move on, in the
    /// same direction as before, so that the walk cannot ask for a page twice.
    pub(crate) fn advance(self, next: Option<i64>) -> Result<Cursor, ListError> {
        let next = next.ok_or(ListError::NoCursor)?;
        let Some(sent) = self.sent else {
            return Ok(Cursor {
                sent: Some(next),
                direction: None,
            });
        };
        let moved = next.cmp(&sent);
        let keeps = match self.direction {
            None => moved != Ordering::Equal,
            Some(d) => moved == d,
        };
        if !keeps {
            return Err(ListError::Stuck { sent, next });
        }
        Ok(Cursor {
            sent: Some(next),
            direction: Some(moved),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(items: u64, seen: u64, total: Option<u64>, more: Option<bool>) -> PageEnd {
        PageEnd {
            items,
            seen,
            total,
            more,
        }
    }

    #[test]
    fn each_end_rule_reads_its_signal() {
        // Short: fewer items than a page; a page over the size (unread messages) goes on.
        assert!(ListEnd::Short.is_last(page(3, 103, None, Some(true)), 50));
        assert!(!ListEnd::Short.is_last(page(50, 100, Some(100), Some(false)), 50));
        assert!(!ListEnd::Short.is_last(page(60, 60, None, None), 50));
        // Total: the count, not the page's length (a short page before it goes on).
        assert!(ListEnd::Total.is_last(page(50, 100, Some(100), None), 50));
        assert!(!ListEnd::Total.is_last(page(40, 90, Some(100), None), 50));
        assert!(ListEnd::Total.is_last(page(0, 90, Some(100), None), 50));
        assert!(ListEnd::Total.is_last(page(40, 90, None, None), 50));
        // Flag: the flag, not the page's length; an empty page always ends.
        assert!(!ListEnd::Flag.is_last(page(10, 10, None, Some(true)), 50));
        assert!(ListEnd::Flag.is_last(page(50, 50, None, Some(false)), 50));
        assert!(ListEnd::Flag.is_last(page(0, 50, None, Some(true)), 50));
        assert!(!ListEnd::Flag.is_last(page(50, 50, None, None), 50));
    }

    #[test]
    fn a_cursor_must_move_on_in_one_direction() {
        let first = Cursor::default().advance(Some(900)).unwrap();
        assert_eq!(first.sent, Some(900));
        let second = first.advance(Some(850)).unwrap();
        assert_eq!(second.direction, Some(Ordering::Less));
        assert_eq!(second.advance(Some(800)).unwrap().sent, Some(800));
        assert_eq!(
            second.advance(Some(850)),
            Err(ListError::Stuck {
                sent: 850,
                next: 850
            })
        );
        assert_eq!(
            second.advance(Some(860)),
            Err(ListError::Stuck {
                sent: 850,
                next: 860
            })
        );
        assert_eq!(
            first.advance(Some(900)).unwrap_err().to_string(),
            "the cursor did not advance: a page asked for with 900 ends at 900"
        );
        assert_eq!(second.advance(None), Err(ListError::NoCursor));
    }
}
