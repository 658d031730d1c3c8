//! Programs the lab already uses for its relays or PDU, run once per action; exit 0 means done.

use super::{ActFuture, Action, Error, Switch};
use std::path::PathBuf;

pub(super) struct CommandSwitch {
    pub on: Option<Vec<String>>,
    pub off: Option<Vec<String>>,
    pub press: Option<Vec<String>>,
    pub cwd: PathBuf,
}

impl Switch for CommandSwitch {
    fn actuate(&self, action: Action) -> ActFuture<'_> {
        Box::pin(async move {
            let argv: Vec<String> = match action {
                Action::PowerOn => self.on.clone(),
                Action::PowerOff => self.off.clone(),
                Action::Press(d) => self.press.as_ref().map(|p| {
                    p.iter()
                        .map(|a| a.replace("{ms}", &d.as_millis().to_string()))
                        .collect()
                }),
            }
            .ok_or_else(|| Error::Config(format!("this backend cannot {action:?}")))?;
            let (program, args) = argv
                .split_first()
                .ok_or_else(|| Error::Config("empty command".into()))?;
            let out = tokio::process::Command::new(program)
                .args(args)
                .current_dir(&self.cwd)
                .kill_on_drop(true)
                .output()
                .await
                .map_err(|e| Error::Bench(format!("{program}: {e}")))?;
            if out.status.success() {
                Ok(())
            } else {
                Err(Error::Bench(format!(
                    "{program} exited with {}: {}",
                    out.status,
                    String::from_utf8_lossy(&out.stderr).trim()
                )))
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn command_backend_runs_the_program_and_reports_failure() {
        let ok = CommandSwitch {
            on: Some(vec!["true".into()]),
            off: Some(vec!["false".into()]),
            press: None,
            cwd: ".".into(),
        };
        assert!(ok.actuate(Action::PowerOn).await.is_ok());
        assert!(ok
            .actuate(Action::PowerOff)
            .await
            .unwrap_err()
            .to_string()
            .contains("exited"));
        assert!(ok
            .actuate(Action::Press(Duration::from_millis(1)))
            .await
            .is_err());
    }
}
