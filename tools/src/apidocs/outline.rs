//! The section tree of a page: each heading owns the blocks up to the next heading of the
//! same or a higher level.

use super::inline::plain;
use super::yfm::{Block, Heading, Table};

/// A section: a heading and the span of blocks it owns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Section<'a> {
    /// The heading.
    pub heading: &'a Heading,
    /// Index of the heading block.
    pub head: usize,
    /// Heading level.
    pub level: usize,
    /// End of the section (exclusive block index).
    pub end: usize,
    /// End of the section's own content, before its first subsection (exclusive).
    pub own_end: usize,
}

/// The headings of a page, with their spans.
#[derive(Debug)]
pub struct Outline<'a> {
    /// The page's blocks.
    pub blocks: &'a [Block],
    /// Every section, in page order.
    pub sections: Vec<Section<'a>>,
}

impl<'a> Outline<'a> {
    /// Builds the outline of `blocks`.
    pub fn new(blocks: &'a [Block]) -> Self {
        let heads: Vec<(usize, &Heading)> = blocks
            .iter()
            .enumerate()
            .filter_map(|(i, b)| match b {
                Block::Heading(h) => Some((i, h)),
                _ => None,
            })
            .collect();
        let sections = heads
            .iter()
            .enumerate()
            .map(|(k, &(head, heading))| {
                let level = heading.level;
                let end = heads[k + 1..]
                    .iter()
                    .find(|&&(_, h)| h.level <= level)
                    .map_or(blocks.len(), |&(i, _)| i);
                let own_end = heads.get(k + 1).map_or(blocks.len(), |&(i, _)| i.min(end));
                Section {
                    heading,
                    head,
                    level,
                    end,
                    own_end,
                }
            })
            .collect();
        Outline { blocks, sections }
    }

    /// The heading text of a section, in plain form.
    pub fn title(&self, s: &Section<'_>) -> String {
        plain(&s.heading.text)
    }

    /// The section's own blocks, before its first subsection.
    pub fn own_blocks(&self, s: &Section<'_>) -> &'a [Block] {
        &self.blocks[s.head + 1..s.own_end]
    }

    /// The tables of the section's own blocks.
    pub fn own_tables(&self, s: &Section<'_>) -> Vec<&'a Table> {
        self.own_blocks(s)
            .iter()
            .filter_map(|b| match b {
                Block::Table(t) => Some(t),
                _ => None,
            })
            .collect()
    }

    /// Every section nested inside `s`, at any depth, in page order.
    pub fn descendants(&self, s: &Section<'_>) -> Vec<Section<'a>> {
        self.sections
            .iter()
            .filter(|x| x.head > s.head && x.head < s.end)
            .copied()
            .collect()
    }

    /// The sections whose lower-case plain title and level satisfy `pred`.
    pub fn find(&self, pred: impl Fn(&str, usize) -> bool) -> Vec<Section<'a>> {
        self.sections
            .iter()
            .filter(|s| pred(&self.title(s).to_ascii_lowercase(), s.level))
            .copied()
            .collect()
    }

    /// The section whose heading carries the explicit anchor `anchor`.
    pub fn by_anchor(&self, anchor: &str) -> Option<Section<'a>> {
        self.sections
            .iter()
            .find(|s| s.heading.anchor.as_deref() == Some(anchor))
            .copied()
    }
}
