//! What 5.13-1-2 feeds unexpected values: the profile's inputs, each one use of it (a request or a
//! command line), whose fields are replaced one at a time.

use crate::config::auth_mechanism::{Lockout, LoginSurface};
use crate::config::configuration_function::ConfigurationFunction;
use crate::config::located::Located;
use crate::config::pattern::Pattern;
use crate::config::procedure::{HttpStep, Step};
pub use crate::config::step_fields::{command_words, fields_of, Field, FieldPath, Segment};
use crate::config::Profile;
use std::time::Duration;

/// One input as hilt uses it.
pub struct Target<'p> {
    /// How the report names it: `login web-admin`, `configuration update-server`, `input ping`.
    pub name: String,
    /// The IXIT 1 mechanism whose account is signed in; none for an input used without login.
    pub mechanism: Option<&'p str>,
    /// A login: its password is a wrong one, so no value hilt sends can log in.
    pub login: bool,
    pub authenticate: &'p [Located<Step>],
    pub steps: Vec<Located<Step>>,
    /// What a login's wrong passwords may lock, waited out after the input.
    pub lockout: Option<Duration>,
    /// A configuration function whose setting is put back afterwards.
    pub restore: Option<&'p ConfigurationFunction>,
    /// A console input's prompt, when it is not the shell's.
    pub prompt: Option<&'p Pattern>,
}

/// Every input of the profile that has fields, and why others are left out.
pub fn targets(profile: &Profile) -> (Vec<Target<'_>>, Vec<String>) {
    let (mut out, mut left_out) = (Vec::new(), Vec::new());
    for m in &profile.body.ixit.auth_mechanisms {
        let LoginSurface::Http(login) = &m.login else {
            continue;
        };
        let Some(service) = &m.service else { continue };
        if login.json.is_none() && login.form.is_none() {
            continue;
        }
        let lockout = match m.brute_force.as_ref().map(|b| b.lockout) {
            Some(Lockout::Permanent) => {
                left_out.push(format!("login {}: its lockout is permanent, and every value hilt sends is a failed login", m.id));
                continue;
            }
            Some(Lockout::For(d)) => Some(d.0),
            None => None,
        };
        let step = Step::Http(HttpStep {
            service: service.value.clone(),
            method: login.method.clone(),
            path: login.path.clone(),
            json: login.json.clone(),
            form: login.form.clone(),
            basic_auth: None,
            authorization: None,
            expect_status: vec![],
            capture: Default::default(),
            within: login.within,
        });
        out.push(Target {
            name: format!("login {}", m.id),
            mechanism: Some(m.id.as_str()),
            login: true,
            authenticate: &[],
            steps: vec![Located::unplaced(step)],
            lockout,
            restore: None,
            prompt: None,
        });
    }
    for f in &profile.body.ixit.configuration_functions {
        out.push(Target {
            name: format!("configuration {}", f.id),
            mechanism: Some(f.mechanism.value.as_str()),
            login: false,
            authenticate: &f.authenticate,
            steps: f.change.clone(),
            lockout: None,
            restore: Some(&f.value),
            prompt: None,
        });
    }
    for i in &profile.body.ixit.inputs {
        out.push(Target {
            name: format!("input {}", i.id),
            mechanism: i.mechanism.as_ref().map(|m| m.value.as_str()),
            login: false,
            authenticate: &i.authenticate,
            steps: i.use_steps.clone(),
            lockout: None,
            restore: None,
            prompt: i.prompt.as_ref(),
        });
    }
    (out, left_out)
}
