//! ICS rows for a profile hilt writes (`hilt init`, `hilt draft-profile`): one per provision of
//! the catalogue, since `hilt check` wants them all.

use crate::standard::catalogue::Catalogue;

/// Y for the provisions hilt tests, so that it tests them; N, to be replaced, for the rest.
pub fn rows(catalogue: &Catalogue) -> Vec<String> {
    let automated: Vec<&str> = crate::cases::ALL.iter().map(|c| c.spec().id).collect();
    catalogue
        .provisions
        .iter()
        .map(|p| {
            let tested = p
                .test_cases
                .iter()
                .any(|t| automated.contains(&t.id.as_str()));
            let (support, detail) = if tested {
                (
                    "Y",
                    "tested by hilt: replace with the manufacturer's statement",
                )
            } else {
                ("N", "to be replaced from the manufacturer's ICS")
            };
            let id = format!("{:?}:", p.id);
            format!("  {id:<9} {{ support: {support}, detail: \"{detail}\" }}")
        })
        .collect()
}

/// The rows of the newest built-in catalogue.
pub fn newest() -> Vec<String> {
    crate::standard::catalogue::built_in()
        .last()
        .map(rows)
        .unwrap_or_default()
}
