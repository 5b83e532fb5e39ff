//! `bitrix-tools`: the spec tools that a build of `bitrix-api` never needs.
//!
//! - [`apidocs`]: a parser for the official documentation pages (YFM Markdown) into facts.
//! - [`drift`]: compares those facts with the spec and lists every difference.
//! - [`import`]: drafts a spec file from a documentation page.
//!
//! The `bitrix-tools` binary runs them (`check`, `render`, `drift`, `import`); the generator
//! itself is `bitrix-codegen`.

pub mod apidocs;
pub mod drift;
pub mod import;
