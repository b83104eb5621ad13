//! What the benches share: timings of one read, printed as a row of figures.

use std::time::Duration;

/// One read's timings and the rows it returned.
pub struct Figures {
    pub name: &'static str,
    pub times: Vec<Duration>,
    pub rows: usize,
}

impl Figures {
    /// Prints the count, p50, p95 and maximum in ms, and rows per read.
    pub fn print(&mut self) {
        self.times.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1_000.0;
        let at = |p: f64| self.times[((self.times.len() - 1) as f64 * p).round() as usize];
        println!(
            "{:<36} {:>5} {:>9.2} {:>9.2} {:>9.2} {:>9.1}",
            self.name,
            self.times.len(),
            ms(at(0.50)),
            ms(at(0.95)),
            ms(*self.times.last().expect("timed")),
            self.rows as f64 / self.times.len() as f64,
        );
    }
}
