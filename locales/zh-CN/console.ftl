# Messages of the console pages (issue 20). New ids here; `touch src/i18n.rs` after adding a file.
