// Shared by the two import targets (included with `include!`, not a module of its own, so each
// target stays one file for cargo-fuzz).

use std::collections::HashSet;

use tenant_switch::import::{apply_import, name_key, parse_import, RowOutcome};
use tenant_switch::tenant::Tenant;

fn existing() -> Vec<Tenant> {
    [
        (
            "Contoso",
            "6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b",
            Some("contoso.com"),
        ),
        ("Fabrikam", "0b8f4e2a-1d3c-4f5e-8a7b-9c0d1e2f3a4b", None),
    ]
    .into_iter()
    .filter_map(|(name, id, domain)| Tenant::new(name, id, domain).ok())
    .collect()
}

/// Whatever the bytes, the preview adds up, applying it keeps every tenant the list had, leaves
/// no duplicate ID or name, and applying the same file again changes nothing more.
fn check_import(bytes: &[u8]) {
    let existing = existing();
    let Ok(preview) = parse_import(bytes, &existing, &[]) else {
        return;
    };
    let counts = preview.counts();
    assert_eq!(
        counts.new + counts.renamed + counts.unchanged + counts.rejected,
        preview.rows().len()
    );
    let new = preview
        .rows()
        .iter()
        .filter(|row| matches!(row.outcome, RowOutcome::New { .. }))
        .count();
    assert_eq!(new, counts.new);
    let applied = apply_import(&existing, &preview);
    assert_eq!(applied.len(), existing.len() + counts.new);
    for tenant in &existing {
        assert!(
            applied.iter().any(|t| t.id() == tenant.id()),
            "{tenant:?} lost"
        );
    }
    let ids: HashSet<_> = applied.iter().map(Tenant::id).collect();
    assert_eq!(ids.len(), applied.len(), "duplicate ID");
    let names: HashSet<_> = applied.iter().map(|t| name_key(t.name())).collect();
    assert_eq!(names.len(), applied.len(), "duplicate name");
    if let Ok(again) = parse_import(bytes, &applied, &[]) {
        assert_eq!(
            (again.counts().new, again.counts().renamed),
            (0, 0),
            "not idempotent"
        );
        assert_eq!(apply_import(&applied, &again), applied);
    }
}
