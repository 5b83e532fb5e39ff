//! Parameter and field tables into trees of [`DocField`]s.
//!
//! A field table has a header whose first cell names the column (`Name`, `Parameter`,
//! `Field`), with the type either on the second line of that cell (`**Name**` newline
//! `` `type` ``), in its own `Type` column, or absent. Any other table (a list of
//! allowed values, a colour chart) is not a field table and is left alone.
//!
//! Nesting comes from three places, all merged:
//! - dotted names in one table (`result.bot` under `result`, `a[].b` under `a`);
//! - a table nested inside the description cell;
//! - a section of the region (its subsections, or for a region that is itself a
//!   subsection also the sections after it within its parent; never a section of
//!   another region), linked from the row of a
//!   field that can hold fields (object, array, named type, or untyped) by an anchor
//!   (`[below](#fields)` to `### Parameter fields {#fields}`) or, failing that, by a
//!   heading that names the field (`### PARAMS Parameter`, `#### RESULT[] Object`).
//!
//! A subsection of the region that holds a field table but is linked from no row is
//! reported, so its fields are never dropped silently.

use super::inline::{code_spans, local_anchors, plain};
use super::outline::{Outline, Section};
use super::types::{has_fields, parse_doc_type};
use super::yfm::{Problem, Row, Table};
use super::DocField;
use bitrix_codegen::spec::Required;

/// Where a field table keeps the type of each row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TypeCol {
    /// On the lines after the name, in the name cell.
    InName,
    /// In its own column.
    Column(usize),
    /// Nowhere: the table gives no types.
    Missing,
}

/// The columns of a field table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    /// Column of the name.
    pub name: usize,
    /// Where the type is.
    pub ty: TypeCol,
    /// Column of the description.
    pub desc: Option<usize>,
}

const NAME_HEADERS: &[&str] = &[
    "name",
    "parameter",
    "parameters",
    "field",
    "fields",
    "key",
    "parameter name",
    "field name",
];

/// The shape of `table` when it is a field table.
pub fn shape(table: &Table) -> Option<Shape> {
    let header = table.rows.first()?;
    let cells: Vec<Vec<String>> = header
        .cells
        .iter()
        .map(|c| {
            c.text
                .lines()
                .map(|l| plain(l).to_ascii_lowercase())
                .filter(|l| !l.is_empty())
                .collect()
        })
        .collect();
    let first = cells.first()?;
    if !NAME_HEADERS.contains(&first.first()?.as_str()) {
        return None;
    }
    let mut ty = if first.get(1).is_some_and(|l| l == "type") {
        TypeCol::InName
    } else {
        TypeCol::Missing
    };
    let mut desc = None;
    for (i, c) in cells.iter().enumerate().skip(1) {
        match c.first().map(String::as_str) {
            Some("type") if ty == TypeCol::Missing => ty = TypeCol::Column(i),
            Some("description") if desc.is_none() => desc = Some(i),
            _ => {}
        }
    }
    if desc.is_none() && cells.len() > 1 {
        desc = Some(cells.len() - 1);
    }
    Some(Shape { name: 0, ty, desc })
}

/// A field with what is needed to find its nested fields.
#[derive(Debug, Clone)]
struct Node {
    field: DocField,
    /// Raw description cell.
    desc: String,
    /// Tables nested in the description cell.
    tables: Vec<Table>,
    children: Vec<Node>,
}

impl Node {
    fn into_field(self) -> DocField {
        let mut f = self.field;
        f.fields = self.children.into_iter().map(Node::into_field).collect();
        f
    }
}

/// A parsed name cell: the path (from dots or a `NAME (PARENT)` form) and the marker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name {
    /// Path segments; the last is the field's own name.
    pub path: Vec<String>,
    /// Whether a required marker (`*`, `\*`, `^*^`) follows the name.
    pub required: bool,
}

/// Reads the first line of a name cell (`**CHAT_ID***`, `` `event` ``, `**a.b[].c**`).
pub fn parse_name(line: &str) -> Option<Name> {
    let mut s = line.trim().to_string();
    let mut required = false;
    loop {
        let t = s.trim_end().to_string();
        if let Some(x) = t.strip_suffix("^*^") {
            required = true;
            s = x.to_string();
        } else if let Some(x) = t.strip_suffix("\\*") {
            required = true;
            s = x.to_string();
        } else if t.ends_with('*') && !t.ends_with("**") {
            // `**NAME** *` or `NAME*`
            required = true;
            s = t[..t.len() - 1].to_string();
        } else {
            s = t;
            break;
        }
    }
    // Bold: `**NAME**`, or `**NAME***` whose inner text ends with the marker.
    if let Some(inner) = s.strip_prefix("**").and_then(|x| x.strip_suffix("**")) {
        s = inner.to_string();
    } else if let Some(inner) = s.strip_prefix("__").and_then(|x| x.strip_suffix("__")) {
        s = inner.to_string();
    }
    let trimmed = s.trim();
    if let Some(inner) = trimmed.strip_suffix("^*^") {
        // `**NAME^*^**`: the superscript marker inside the bold.
        required = true;
        s = inner.to_string();
    } else if let Some(inner) = trimmed.strip_suffix('*') {
        required = true;
        s = inner.to_string();
    }
    let spans = code_spans(&s);
    let mut name = if spans.len() == 1 && s.trim().starts_with('`') && s.trim().ends_with('`') {
        spans[0].clone()
    } else {
        plain(&s)
    };
    if let Some(x) = name.strip_suffix('*') {
        required = true;
        name = x.trim_end().to_string();
    }
    let name = name.trim();
    // `TITLE (LANG)`: a field of the object in parentheses.
    let (own, parent) = match name.split_once(" (") {
        Some((own, rest)) => match rest.strip_suffix(')') {
            Some(p) if is_name(p.trim()) => (own.trim(), Some(p.trim())),
            _ => (name, None),
        },
        None => (name, None),
    };
    if !is_name(own) {
        return None;
    }
    let mut path: Vec<String> = parent.map(|p| p.to_string()).into_iter().collect();
    path.extend(split_path(own));
    if path.iter().any(String::is_empty) {
        return None;
    }
    Some(Name { path, required })
}

/// Splits a dotted name into segments, dropping `[]` element marks (`a[].b` → `a`, `b`).
fn split_path(name: &str) -> Vec<String> {
    name.split('.')
        .map(|seg| seg.trim_end_matches("[]").to_string())
        .collect()
}

/// Characters a wire name may hold.
fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_.[]{}<>-$:".contains(c))
}

/// Reads a written type (`[`string`](..)\|[`integer`](..)`, ```` [```string|null```](..) ````)
/// into `string|integer`. `None` when the text holds no type.
/// Types stacked on separate lines form a union.
pub fn parse_type(text: &str) -> Option<String> {
    let t: Vec<String> = text
        .lines()
        .flat_map(|l| {
            plain(l)
                .split('|')
                .map(|x| x.trim().to_string())
                .collect::<Vec<_>>()
        })
        .filter(|x| !x.is_empty())
        .collect();
    (!t.is_empty()).then(|| t.join("|"))
}

/// Whether a written type is one the parser understands (names, `[]`, unions).
fn type_is_readable(ty: &str) -> bool {
    ty.split('|').all(|alt| {
        let a = alt.trim();
        !a.is_empty()
            && a.chars()
                .all(|c| c.is_ascii_alphanumeric() || "_[]".contains(c))
    })
}

/// Whether a description says the parameter is required only for webhook calls.
pub fn webhook_only(desc: &str) -> bool {
    let d = plain(desc).to_ascii_lowercase();
    const PHRASES: &[&str] = &[
        "required only for webhook",
        "mandatory only for webhook",
        "only required for webhook",
        "required for webhook",
        "required for authorization via webhook",
        "required for authorisation via webhook",
    ];
    PHRASES.iter().any(|p| {
        d.match_indices(p)
            .any(|(i, _)| !d[..i].trim_end().ends_with("not"))
    })
}

/// Reads the rows of a field table into flat nodes (paths still dotted).
fn read_rows(table: &Table, shape: Shape, problems: &mut Vec<Problem>) -> Vec<(Vec<String>, Node)> {
    let mut out = Vec::new();
    if shape.ty == TypeCol::Missing && table.rows.len() > 1 {
        problems.push(Problem {
            line: table.line,
            message: format!(
                "field table has no type column; the types of its {} rows are unknown",
                table.rows.len() - 1
            ),
        });
    }
    for row in table.rows.iter().skip(1) {
        if let Some(x) = read_row(row, shape, problems) {
            out.push(x);
        }
    }
    out
}

fn read_row(row: &Row, shape: Shape, problems: &mut Vec<Problem>) -> Option<(Vec<String>, Node)> {
    let name_cell = row.cells.get(shape.name)?;
    let line = if name_cell.line > 0 {
        name_cell.line
    } else {
        row.line
    };
    if row.cells.iter().all(|c| c.text.is_empty()) {
        return None;
    }
    let mut lines = name_cell
        .text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty());
    let Some(first) = lines.next() else {
        problems.push(Problem {
            line,
            message: "row has an empty name cell and is ignored".into(),
        });
        return None;
    };
    let Some(name) = parse_name(first) else {
        problems.push(Problem {
            line,
            message: format!("cannot read a field name from {first:?}; the row is ignored"),
        });
        return None;
    };
    let ty_text = match shape.ty {
        TypeCol::InName => lines.collect::<Vec<_>>().join("\n"),
        TypeCol::Column(i) => {
            let rest: Vec<_> = lines.collect();
            if !rest.is_empty() {
                problems.push(Problem {
                    line,
                    message: format!(
                        "extra text in the name cell is ignored: {:?}",
                        rest.join(" ")
                    ),
                });
            }
            row.cells.get(i).map(|c| c.text.clone()).unwrap_or_default()
        }
        TypeCol::Missing => String::new(),
    };
    let ty = parse_type(&ty_text);
    if let Some(t) = &ty {
        if !type_is_readable(t) {
            problems.push(Problem {
                line,
                message: format!(
                    "type {t:?} of {} is not a type name; kept as written",
                    name.path.join(".")
                ),
            });
        }
    } else if shape.ty != TypeCol::Missing {
        problems.push(Problem {
            line,
            message: format!("row {} gives no type", name.path.join(".")),
        });
    }
    let desc_cell = shape.desc.and_then(|i| row.cells.get(i));
    let desc = desc_cell.map(|c| c.text.clone()).unwrap_or_default();
    let tables = desc_cell.map(|c| c.tables.clone()).unwrap_or_default();
    let own_desc = strip_tables(&desc);
    let required = if webhook_only(&own_desc) {
        Required::Webhook
    } else if name.required {
        Required::Yes
    } else {
        Required::No
    };
    let leaf = name.path.last().cloned().unwrap_or_default();
    Some((
        name.path,
        Node {
            field: DocField {
                name: leaf,
                ty,
                required,
                fields: Vec::new(),
                line,
            },
            desc: own_desc,
            tables,
            children: Vec::new(),
        },
    ))
}

/// The description without the text of nested tables.
fn strip_tables(desc: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    for l in desc.lines() {
        let t = l.trim_start();
        if t.starts_with("#|") {
            depth += 1;
        }
        if depth == 0 {
            out.push_str(l);
            out.push('\n');
        }
        if t.starts_with("|#") {
            depth = depth.saturating_sub(1);
        }
    }
    out
}

/// Puts flat dotted rows into a tree. A missing parent is created without a type.
fn build_tree(rows: Vec<(Vec<String>, Node)>) -> Vec<Node> {
    let mut roots: Vec<Node> = Vec::new();
    for (path, node) in rows {
        insert(&mut roots, &path, node);
    }
    roots
}

fn insert(level: &mut Vec<Node>, path: &[String], node: Node) {
    if path.len() <= 1 {
        level.push(node);
        return;
    }
    let head = &path[0];
    let idx = match level.iter().rposition(|n| &n.field.name == head) {
        Some(i) => i,
        None => {
            level.push(Node {
                field: DocField {
                    name: head.clone(),
                    ty: None,
                    required: Required::No,
                    fields: Vec::new(),
                    line: node.field.line,
                },
                desc: String::new(),
                tables: Vec::new(),
                children: Vec::new(),
            });
            level.len() - 1
        }
    };
    insert(&mut level[idx].children, &path[1..], node);
}

/// Merges `more` into `into`: new names are appended, known names merge their children.
fn merge(into: &mut Vec<Node>, more: Vec<Node>) {
    for n in more {
        match into.iter_mut().find(|x| x.field.name == n.field.name) {
            Some(x) => {
                if x.field.ty.is_none() {
                    x.field.ty = n.field.ty;
                }
                merge(&mut x.children, n.children);
            }
            None => into.push(n),
        }
    }
}

/// How deep fields may nest before the parser stops (a guard against link loops).
const MAX_DEPTH: usize = 24;

/// Reads the field tables of one region (a parameters or returned-data section) and the
/// subsections they link to.
pub struct Region<'o, 'a> {
    outline: &'o Outline<'a>,
    root: Section<'a>,
    candidates: Vec<Section<'a>>,
    claimed: Vec<usize>,
    stack: Vec<usize>,
    /// Problems met, with their lines.
    pub problems: Vec<Problem>,
}

impl<'o, 'a> Region<'o, 'a> {
    /// A region rooted at `root`. The candidates for nested fields are its subsections
    /// and, when the root is itself a subsection (`### Returned Data` under
    /// `## Response Handling`), the sections after it up to the end of its parent, where
    /// pages put the object sections as siblings.
    pub fn new(outline: &'o Outline<'a>, root: Section<'a>) -> Self {
        let mut candidates = outline.descendants(&root);
        if root.level >= 3 {
            if let Some(parent) = outline
                .sections
                .iter()
                .filter(|p| p.head < root.head && root.head < p.end && p.level < root.level)
                .max_by_key(|p| p.level)
            {
                candidates.extend(
                    outline
                        .sections
                        .iter()
                        .filter(|s| s.head >= root.end && s.head < parent.end)
                        .copied(),
                );
            }
        }
        Region {
            outline,
            root,
            candidates,
            claimed: Vec::new(),
            stack: vec![root.head],
            problems: Vec::new(),
        }
    }

    /// Reads the region: the fields of its own field tables, with nesting resolved.
    /// When the root has no field table of its own, the field tables of its direct
    /// subsections are read as top-level fields. Returns the fields and whether any
    /// field table was found.
    pub fn read(mut self) -> (Vec<DocField>, bool, Vec<Problem>) {
        let own = self.outline.own_tables(&self.root);
        let mut found = own.iter().any(|t| shape(t).is_some());
        let mut nodes = self.nodes_of(&own);
        if !found {
            let children: Vec<Section<'a>> = self
                .candidates
                .iter()
                .filter(|s| s.level == self.root.level + 1 && s.head < self.root.end)
                .copied()
                .collect();
            for c in children {
                let tables = self.outline.own_tables(&c);
                if tables.iter().any(|t| shape(t).is_some()) {
                    found = true;
                    self.claimed.push(c.head);
                    let more = self.nodes_of(&tables);
                    merge(&mut nodes, more);
                }
            }
        }
        for n in &mut nodes {
            self.expand(n, &[]);
        }
        // "Additional Parameters": a direct subsection that continues the list.
        let extra: Vec<Section<'a>> = self
            .candidates
            .iter()
            .filter(|s| {
                s.level == self.root.level + 1
                    && s.head < self.root.end
                    && !self.claimed.contains(&s.head)
                    && self
                        .outline
                        .title(s)
                        .to_ascii_lowercase()
                        .contains("parameters")
                    && self
                        .outline
                        .own_tables(s)
                        .iter()
                        .any(|t| shape(t).is_some())
            })
            .copied()
            .collect();
        for s in extra {
            self.claimed.push(s.head);
            let tables = self.outline.own_tables(&s);
            let mut more = self.nodes_of(&tables);
            for n in &mut more {
                self.expand(n, &[]);
            }
            merge(&mut nodes, more);
        }
        self.report_unlinked();
        let fields = nodes.into_iter().map(Node::into_field).collect();
        (fields, found, self.problems)
    }

    /// Field-table rows of `tables`, as a tree.
    fn nodes_of(&mut self, tables: &[&Table]) -> Vec<Node> {
        let mut rows = Vec::new();
        for t in tables {
            if let Some(sh) = shape(t) {
                rows.extend(read_rows(t, sh, &mut self.problems));
            }
        }
        build_tree(rows)
    }

    /// Resolves the nested fields of `node` and, recursively, of its children. A section
    /// stays on the stack while the fields it gave are expanded, so a section that links
    /// to itself (directly or through others) is read once per path.
    fn expand(&mut self, node: &mut Node, parent: &[String]) {
        let mut path = parent.to_vec();
        path.push(node.field.name.clone());
        if path.len() > MAX_DEPTH {
            self.problems.push(Problem {
                line: node.field.line,
                message: format!(
                    "fields nest deeper than {MAX_DEPTH} levels under {}; the rest is not read",
                    path.join(".")
                ),
            });
            return;
        }
        // Tables inside the description cell.
        for t in std::mem::take(&mut node.tables) {
            if let Some(sh) = shape(&t) {
                let rows = read_rows(&t, sh, &mut self.problems);
                merge(&mut node.children, build_tree(rows));
            }
        }
        // Only a field that can hold fields takes nested sections.
        let atoms = node
            .field
            .ty
            .as_deref()
            .map(parse_doc_type)
            .unwrap_or_default();
        let could_nest = atoms.is_empty() || has_fields(&atoms);
        let mut pushed = 0;
        // Subsections of this region linked by anchor. A link to a section of another
        // region ("use the fields of the [result](#result) table") is a reference, not
        // nesting.
        let mut linked = false;
        for a in local_anchors(&node.desc) {
            let Some(sec) = self.outline.by_anchor(&a) else {
                continue;
            };
            if !could_nest || !self.candidates.iter().any(|c| c.head == sec.head) {
                continue;
            }
            linked = true;
            if !self.claimed.contains(&sec.head) {
                self.claimed.push(sec.head);
            }
            if self.read_section(node, sec) {
                self.stack.push(sec.head);
                pushed += 1;
            }
        }
        // A subsection whose heading names the field.
        if !linked && node.children.is_empty() && could_nest {
            if let Some(sec) = self.by_title(&path) {
                self.claimed.push(sec.head);
                if self.read_section(node, sec) {
                    self.stack.push(sec.head);
                    pushed += 1;
                }
            }
        }
        for c in &mut node.children {
            self.expand(c, &path);
        }
        for _ in 0..pushed {
            self.stack.pop();
        }
    }

    /// Adds the fields of section `sec` to `node`, unless the section is already being
    /// expanded on this path. Returns whether fields were added.
    fn read_section(&mut self, node: &mut Node, sec: Section<'a>) -> bool {
        if self.stack.contains(&sec.head) {
            return false;
        }
        let tables = self.outline.own_tables(&sec);
        if !tables.iter().any(|t| shape(t).is_some()) {
            return false;
        }
        let more = self.nodes_of(&tables);
        merge(&mut node.children, more);
        true
    }

    /// An unclaimed candidate whose title names the field (its own name or dotted path),
    /// exactly or, failing that, up to case.
    fn by_title(&self, path: &[String]) -> Option<Section<'a>> {
        let own = path.last()?;
        let dotted = path.join(".");
        let free: Vec<&Section<'a>> = self
            .candidates
            .iter()
            .filter(|s| !self.claimed.contains(&s.head) && !self.stack.contains(&s.head))
            .collect();
        let names = |s: &Section<'a>, eq: &dyn Fn(&str, &str) -> bool| {
            self.outline.title(s).split_whitespace().any(|tok| {
                let tok = tok.trim_end_matches("[]");
                eq(tok, own) || eq(tok, &dotted)
            })
        };
        free.iter()
            .find(|s| names(s, &|a, b| a == b))
            .or_else(|| {
                free.iter()
                    .find(|s| names(s, &|a, b| a.eq_ignore_ascii_case(b)))
            })
            .map(|s| **s)
    }

    /// Warns about subsections with field tables that no row links to.
    fn report_unlinked(&mut self) {
        for s in self.candidates.clone() {
            if self.claimed.contains(&s.head) {
                continue;
            }
            let tables = self.outline.own_tables(&s);
            if let Some(t) = tables.iter().find(|t| shape(t).is_some()) {
                self.problems.push(Problem {
                    line: s.heading.line,
                    message: format!(
                        "fields under {:?} (table at line {}) are linked from no parameter or field and are ignored",
                        self.outline.title(&s),
                        t.line
                    ),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_markers() {
        let n = |s: &str| parse_name(s).map(|n| (n.path.join("."), n.required));
        assert_eq!(n("**CHAT_ID***"), Some(("CHAT_ID".into(), true)));
        assert_eq!(n("**CHAT_ID** "), Some(("CHAT_ID".into(), false)));
        assert_eq!(n("**name*** "), Some(("name".into(), true)));
        assert_eq!(n("**id**^*^"), Some(("id".into(), true)));
        assert_eq!(n("**id**\\*"), Some(("id".into(), true)));
        assert_eq!(n("**CHAT_ID^*^**"), Some(("CHAT_ID".into(), true)));
        assert_eq!(n("`event`"), Some(("event".into(), false)));
        assert_eq!(n("**result.bot**"), Some(("result.bot".into(), false)));
        assert_eq!(n("**a.b[].c**"), Some(("a.b.c".into(), false)));
        assert_eq!(n("**TITLE (LANG)**"), Some(("LANG.TITLE".into(), false)));
        assert_eq!(n("**Element /{BOT_ID/}**"), None);
        assert_eq!(n("**/{BOT_ID/}**"), Some(("{BOT_ID}".into(), false)));
    }

    #[test]
    fn types() {
        assert_eq!(
            parse_type("[`string`](../x.md)\\|[`integer`](../x.md)").as_deref(),
            Some("string|integer")
        );
        assert_eq!(
            parse_type("[```string | boolean```](../x.md#c)").as_deref(),
            Some("string|boolean")
        );
        assert_eq!(
            parse_type("[`User[]`](../e.md#user)").as_deref(),
            Some("User[]")
        );
        assert_eq!(parse_type("  "), None);
    }

    #[test]
    fn webhook_wording() {
        assert!(webhook_only(
            "This parameter is required only for webhooks."
        ));
        assert!(webhook_only(
            "Token. Required for webhook authorization, not needed for OAuth"
        ));
        assert!(!webhook_only("Required when `eventMode = webhook`"));
        assert!(!webhook_only("It is not required for webhooks"));
    }
}
