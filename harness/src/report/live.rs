//! The live view on standard error: one line per sample running a case, with the case, what it
//! is doing, the attempts made of those planned, the time in the case and, once it can be
//! told, the time left. On a terminal indicatif redraws the lines in place; elsewhere (CI, a
//! pipe, `--format json`) each line is printed plainly every 30 s, so a long run is never
//! silent. Standard output stays libtest's.

use crate::cases::budget::readable;
use crate::model::activity::SampleNow;
use crate::model::event::{Event, Reporter, ReporterError};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::Write;
use std::time::Duration;

pub struct Live {
    mode: Mode,
}

enum Mode {
    /// Redrawn in place; cleared before any other reporter writes to the terminal.
    InPlace {
        multi: MultiProgress,
        bars: Vec<(String, ProgressBar)>,
    },
    /// Printed every `every`, from the run's start.
    Plain {
        out: Box<dyn Write + Send>,
        every: Duration,
        next: Duration,
    },
}

impl Live {
    pub fn in_place() -> Live {
        let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
        Live {
            mode: Mode::InPlace {
                multi,
                bars: Vec::new(),
            },
        }
    }

    pub fn plain(out: Box<dyn Write + Send>, every: Duration) -> Live {
        Live {
            mode: Mode::Plain {
                out,
                every,
                next: every,
            },
        }
    }

    fn tick(&mut self, elapsed: Duration, samples: &[SampleNow]) {
        match &mut self.mode {
            Mode::InPlace { multi, bars } => {
                bars.retain(|(slot, bar)| {
                    let running = samples.iter().any(|s| &s.slot == slot);
                    if !running {
                        bar.finish_and_clear();
                        multi.remove(bar);
                    }
                    running
                });
                for s in samples {
                    let bar = match bars.iter().find(|(slot, _)| slot == &s.slot) {
                        Some((_, bar)) => bar.clone(),
                        None => {
                            let bar = multi.add(ProgressBar::new_spinner());
                            let style = ProgressStyle::with_template("{spinner} {wide_msg}")
                                .expect("the template is valid");
                            bar.set_style(style);
                            bars.push((s.slot.clone(), bar.clone()));
                            bar
                        }
                    };
                    bar.set_message(line(s));
                    bar.tick();
                }
            }
            Mode::Plain { out, every, next } => {
                if elapsed < *next {
                    return;
                }
                while *next <= elapsed {
                    *next += *every;
                }
                for s in samples {
                    // Progress only: a closed standard error must not fail the run's record.
                    let _ = writeln!(out, "hilt: [{:7.1}s] {}", elapsed.as_secs_f64(), line(s));
                }
            }
        }
    }
}

impl Reporter for Live {
    fn on(&mut self, event: &Event<'_>) -> Result<(), ReporterError> {
        match (event, &mut self.mode) {
            (Event::Tick { elapsed, samples }, _) => self.tick(*elapsed, samples),
            // Another reporter is about to write to the terminal: the lines make way, and the
            // next tick draws them again below what it wrote.
            (_, Mode::InPlace { multi, .. }) => {
                let _ = multi.clear();
            }
            (_, Mode::Plain { .. }) => {}
        }
        Ok(())
    }
}

/// `slot1 5.1-1-2 (case 3 of 11) 1m 5s: corpus on ssh 40/67, about 35s left`
pub fn line(s: &SampleNow) -> String {
    let mut text = s.slot.clone();
    if let Some((case, since)) = &s.case {
        text.push_str(&format!(
            " {case} (case {} of {}) {}",
            s.cases_done + 1,
            s.cases_total,
            readable(since.elapsed())
        ));
    }
    if let Some(now) = &s.activity {
        text.push_str(&format!(": {}", now.phase));
        match now.total {
            Some(total) => text.push_str(&format!(" {}/{total}", now.done)),
            None if now.done > 0 => text.push_str(&format!(" {} done", now.done)),
            None => {}
        }
        if let Some(left) = now.eta() {
            text.push_str(&format!(", about {} left", readable(left)));
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::activity::Now;
    use std::sync::{Arc, Mutex};
    use std::time::Instant;

    fn sample(slot: &str, activity: Option<Now>) -> SampleNow {
        SampleNow {
            slot: slot.into(),
            case: Some(("5.1-1-2", Instant::now() - Duration::from_secs(65))),
            cases_done: 2,
            cases_total: 11,
            activity,
        }
    }

    #[test]
    fn a_line_names_the_case_its_phase_attempts_and_time_left() {
        let now = Now {
            phase: "corpus on ssh".into(),
            done: 40,
            total: Some(80),
            since: Instant::now() - Duration::from_secs(40),
        };
        let text = line(&sample("slot1", Some(now)));
        assert!(
            text.starts_with("slot1 5.1-1-2 (case 3 of 11) 1m 5s: corpus on ssh 40/80, about 4"),
            "{text}"
        );
        assert!(text.ends_with("s left"), "{text}");
        assert_eq!(
            line(&sample("slot2", None)),
            "slot2 5.1-1-2 (case 3 of 11) 1m 5s"
        );
    }

    /// What the plain view wrote, shared with the test.
    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);
    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().write(buf)
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn without_a_terminal_each_sample_gets_a_line_every_period() {
        let written = Shared::default();
        let mut live = Live::plain(Box::new(written.clone()), Duration::from_secs(30));
        let samples = [sample("slot1", None), sample("slot2", None)];
        for secs in [1, 29, 30, 31, 59, 95] {
            let tick = Event::Tick {
                elapsed: Duration::from_secs(secs),
                samples: &samples,
            };
            live.on(&tick).unwrap();
        }
        let text = String::from_utf8(written.0.lock().unwrap().clone()).unwrap();
        let stamps: Vec<&str> = text.lines().map(|l| &l[6..16]).collect();
        assert_eq!(
            stamps,
            ["[   30.0s]", "[   30.0s]", "[   95.0s]", "[   95.0s]"],
            "{text}"
        );
        assert!(text.contains("slot2 5.1-1-2"), "{text}");
    }
}
