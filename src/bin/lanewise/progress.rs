//! A progress bar with an ETA on stderr, safe to advance from the sweep threads.
//!
//! On a terminal the bar redraws in place a few times a second; otherwise (a log file) a
//! line is written every 30 seconds, so a long run under `nohup` still shows how far it is.

use std::io::{IsTerminal, Write};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Progress over a known number of work units.
pub struct Progress {
    total: u64,
    done: AtomicU64,
    start: Instant,
    enabled: bool,
    tty: bool,
    state: Mutex<State>,
}

struct State {
    label: String,
    last_draw: Option<Instant>,
}

impl Progress {
    /// A bar over `total` units; draws nothing when `enabled` is false.
    pub fn new(total: u64, enabled: bool) -> Self {
        let start = Instant::now();
        let tty = std::io::stderr().is_terminal();
        Progress {
            total: total.max(1),
            done: AtomicU64::new(0),
            start,
            enabled,
            tty,
            state: Mutex::new(State {
                label: String::new(),
                // A log gets its first line after 30 s, not at 0%.
                last_draw: (!tty).then_some(start),
            }),
        }
    }

    /// Names the work in progress (shown after the bar).
    pub fn set_label(&self, label: String) {
        self.state.lock().expect("progress lock").label = label;
        self.draw(true);
    }

    /// Marks `units` more as done.
    pub fn add(&self, units: u64) {
        self.done.fetch_add(units, Ordering::Relaxed);
        self.draw(false);
    }

    /// Clears the bar (on a terminal) once the work is over.
    pub fn finish(&self) {
        if self.enabled && self.tty {
            eprint!("\r\x1b[2K");
            let _ = std::io::stderr().flush();
        }
    }

    fn draw(&self, force: bool) {
        if !self.enabled {
            return;
        }
        let now = Instant::now();
        let Ok(mut st) = self.state.try_lock() else {
            return;
        };
        let every = if self.tty {
            Duration::from_millis(200)
        } else {
            Duration::from_secs(30)
        };
        let due = st.last_draw.is_none_or(|t| now - t >= every);
        if !(due || (force && self.tty)) {
            return;
        }
        st.last_draw = Some(now);
        let done = self.done.load(Ordering::Relaxed).min(self.total);
        let frac = done as f64 / self.total as f64;
        let elapsed = now - self.start;
        let eta = if done > 0 {
            format_duration(elapsed.as_secs_f64() * (1.0 - frac) / frac)
        } else {
            "?".to_string()
        };
        let line = format!(
            "{:5.1}%  {} elapsed, ETA {eta}  {}",
            100.0 * frac,
            format_duration(elapsed.as_secs_f64()),
            st.label
        );
        if self.tty {
            const WIDTH: usize = 30;
            let filled = ((frac * WIDTH as f64) as usize).min(WIDTH);
            eprint!(
                "\r\x1b[2K[{}{}] {line}",
                "#".repeat(filled),
                " ".repeat(WIDTH - filled)
            );
        } else {
            eprintln!("progress {line}");
        }
        let _ = std::io::stderr().flush();
    }
}

/// `0.42` → `0.4s`, `75` → `1m15s`.
pub fn format_duration(secs: f64) -> String {
    if secs < 9.95 {
        return format!("{secs:.1}s");
    }
    let s = secs.round() as u64;
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m{:02}s", s / 60, s % 60),
        _ => format!("{}h{:02}m", s / 3600, (s % 3600) / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::format_duration;

    #[test]
    fn durations() {
        assert_eq!(format_duration(4.44), "4.4s");
        assert_eq!(format_duration(12.4), "12s");
        assert_eq!(format_duration(75.0), "1m15s");
        assert_eq!(format_duration(7320.0), "2h02m");
    }
}
