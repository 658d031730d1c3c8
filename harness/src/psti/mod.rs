//! Gathering the PSTI evidence that is not on the unit: the manufacturer's published pages and
//! security.txt are fetched and stored in the bundle, and requirements 2 and 3 and the statement
//! of compliance are checked from them and the profile. Requirement 1 comes from the run's own
//! password cases (`model::psti::view`).

mod page;
mod published;
pub mod security_txt;
mod statement;

use crate::config::profile::Product;
use crate::config::psti::PstiSection;
use crate::model::psti::{Check, Gathered, Outcome, SourceRecord};
use crate::transport::published::{chain_pem, Fetched, Fetcher};
use crate::util::hash::sha256_hex;
use std::path::Path;
use std::time::Duration;

/// Where the fetched pages go inside the bundle.
pub const FOLDER: &str = "published";

/// Fetches every source the section names into `run_dir/published/` and judges it. Never fails:
/// a page that cannot be fetched is a check waiting for the officer, with the reason.
pub async fn gather(
    section: &PstiSection,
    product: &Product,
    profile_file: &Path,
    run_dir: &Path,
) -> Gathered {
    let base = profile_file.parent().unwrap_or(Path::new("."));
    let roots: Vec<_> = section
        .published
        .trust
        .iter()
        .map(|t| base.join(&t.value))
        .collect();
    let resolve = section
        .published
        .resolve
        .iter()
        .filter_map(|(h, a)| Some((h.clone(), a.value.parse().ok()?)))
        .collect();
    let mut out = Gathered {
        as_sold: as_sold(section, product),
        ..Gathered::default()
    };
    let fetched = match Fetcher::new(&roots, resolve, Duration::from_secs(20)) {
        Ok(fetcher) => fetch_all(&fetcher, section, run_dir, &mut out.sources).await,
        Err(e) => {
            let why = format!("the HTTP client could not be set up: {e}");
            out.reporting_issues.push(Check::new(
                "published",
                "published pages fetched",
                Outcome::NeedsConfirmation,
                why.clone(),
            ));
            out.support_period.push(Check::new(
                "published",
                "published pages fetched",
                Outcome::NeedsConfirmation,
                why,
            ));
            return out;
        }
    };
    let now = chrono::Utc::now();
    out.reporting_issues = published::reporting_issues(&fetched, now);
    out.support_period = published::support_period(&fetched, section);
    out.statement = statement::checks(section, product, now.date_naive());
    out.statement_firmware = section
        .statement_of_compliance
        .as_ref()
        .and_then(|s| s.firmware_version.clone());
    out.confirmations = section
        .confirmations
        .iter()
        .map(|(id, c)| (id.clone(), (c.answer, c.note.clone())))
        .collect();
    out
}

/// One fetched source with where its files are in the bundle.
pub(crate) struct Source {
    pub role: &'static str,
    pub fetched: Fetched,
    pub files: Vec<String>,
}

async fn fetch_all(
    fetcher: &Fetcher,
    section: &PstiSection,
    run_dir: &Path,
    records: &mut Vec<SourceRecord>,
) -> Vec<Source> {
    let p = &section.published;
    let mut wanted: Vec<(&'static str, String)> = Vec::new();
    if let Some(origin) = &p.security_txt {
        let origin = origin.value.trim_end_matches('/');
        wanted.push(("security_txt", format!("{origin}/.well-known/security.txt")));
    }
    wanted.extend(
        p.disclosure_policy
            .iter()
            .map(|u| ("disclosure_policy", u.value.clone())),
    );
    wanted.extend(
        p.support_period
            .iter()
            .map(|u| ("support_period", u.value.clone())),
    );
    let mut out = Vec::new();
    for (i, (role, url)) in wanted.into_iter().enumerate() {
        let fetched = fetcher.fetch(&url).await;
        let files = store(run_dir, i + 1, role, &fetched);
        records.push(SourceRecord {
            role: role.to_string(),
            url: fetched.url.clone(),
            final_url: fetched.final_url.clone(),
            status: fetched.status,
            fetched_at: fetched.fetched_at.clone(),
            sha256: sha256_hex(&fetched.body),
            error: fetched.error.clone(),
            files: files.clone(),
        });
        out.push(Source {
            role,
            fetched,
            files,
        });
    }
    out
}

/// `published/<n>-<role>/`: the body as served, the answer's head and the certificate chain.
fn store(run_dir: &Path, n: usize, role: &str, f: &Fetched) -> Vec<String> {
    let rel = format!("{FOLDER}/{n:02}-{role}");
    let dir = run_dir.join(&rel);
    if std::fs::create_dir_all(&dir).is_err() {
        return vec![];
    }
    let mut head = format!(
        "url: {}\nfinal_url: {}\nfetched_at: {}\nstatus: {}\nsha256: {}\n",
        f.url,
        f.final_url,
        f.fetched_at,
        f.status
            .map(|s| s.to_string())
            .unwrap_or_else(|| "none".into()),
        sha256_hex(&f.body)
    );
    for r in &f.redirects {
        head.push_str(&format!("redirect: {r}\n"));
    }
    if let Some(e) = &f.error {
        head.push_str(&format!("error: {e}\n"));
    }
    if f.truncated {
        head.push_str("truncated: the body was cut at 2 MiB\n");
    }
    head.push('\n');
    for (k, v) in &f.headers {
        head.push_str(&format!("{k}: {v}\n"));
    }
    let mut files = vec![];
    let mut write = |name: &str, bytes: &[u8]| {
        if std::fs::write(dir.join(name), bytes).is_ok() {
            files.push(format!("{rel}/{name}"));
        }
    };
    write("body", &f.body);
    write("answer.txt", head.as_bytes());
    if !f.chain.is_empty() {
        write("chain.pem", chain_pem(&f.chain).as_bytes());
    }
    files
}

fn as_sold(section: &PstiSection, product: &Product) -> Vec<(String, String)> {
    let s = &section.as_sold;
    let mut out = vec![
        ("manufacturer".to_string(), product.manufacturer.clone()),
        ("model".to_string(), product.model.clone()),
    ];
    let optional = [
        ("hardware revision", s.hardware_revision.clone()),
        ("batch", s.batch.clone()),
        ("obtained from", s.obtained_from.clone()),
        ("obtained on", s.obtained_on.map(|d| d.to_string())),
    ];
    out.extend(
        optional
            .into_iter()
            .filter_map(|(k, v)| Some((k.to_string(), v?))),
    );
    out
}
