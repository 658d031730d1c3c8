//! 5.1-1-2 unit (c) on the login surfaces nobody declared: each one unit (a) found is made a
//! mechanism (`login::discovered`) and given the universal corpus, with only the negative
//! control, since no credential is known for it. A surface hilt cannot make a trial of (a web
//! form) leaves the unit not performed, never passed.

use super::corpus_on_mechanisms::{corpus_on_all, MechanismTrial};
use super::CaseContext;
use crate::corpus::Credential;
use crate::facts::login_surfaces;
use crate::login::discovered;
use crate::model::verdict::{Blocker, Cause};
use std::time::Duration;

pub async fn corpus_on_found(
    ctx: &CaseContext<'_>,
    pause: Duration,
    corpus: &[Credential],
) -> MechanismTrial {
    let mut out = MechanismTrial::default();
    let found = match login_surfaces::get(ctx.sample, ctx.config).await {
        Ok(f) => &f.found,
        Err(why) => {
            out.blockers.push(
                why.clone()
                    .context("the login surfaces to try were not found"),
            );
            return out;
        }
    };
    let mut config = ctx.config.clone();
    let mut made = Vec::new();
    for f in found {
        match discovered::mechanism(f.port, f.protocol, &f.evidence) {
            Ok((service, mech)) => {
                config
                    .profile
                    .body
                    .ixit
                    .services
                    .push(crate::config::located::Located::unplaced(service));
                made.push(mech);
            }
            Err(why) => out.blockers.push(Blocker::new(
                Cause::Config,
                format!("TCP {}: not tried: {why}", f.port),
            )),
        }
    }
    let web = match login_surfaces::get(ctx.sample, ctx.config).await {
        Ok(f) => f.web_without_login.clone(),
        Err(_) => vec![],
    };
    for (port, answer) in web {
        out.blockers.push(Blocker::new(
            Cause::Config,
            format!("TCP {port} answers `{answer}` with no login at `/`: a login at another path (an API, a form) is not guessed; describe it to have it tried"),
        ));
    }
    out.gathered.details.push(format!(
        "unit (c): {} login surface(s) found on undeclared ports, {} tried with the corpus",
        found.len(),
        made.len()
    ));
    if made.is_empty() {
        return out;
    }
    let widened = CaseContext {
        config: &config,
        ..*ctx
    };
    let refs: Vec<&_> = made.iter().collect();
    for m in corpus_on_all(&widened, pause, &refs, corpus, false).await {
        out.gathered.absorb(m.gathered);
        out.findings.extend(m.findings);
        out.blockers.extend(m.blockers);
    }
    out
}
