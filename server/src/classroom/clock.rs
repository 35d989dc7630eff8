//! The school's clock: classroom pages show times in the school's zone, and
//! "keep labs warm until 10:00" means 10:00 there. The zone is
//! `--timezone` (an IANA name), else the server's own.

use berth_app::model::Millis;
use jiff::civil::Time;
use jiff::tz::TimeZone;
use jiff::{Timestamp, Zoned};

#[derive(Clone, Debug)]
pub struct SchoolClock {
    zone: TimeZone,
    name: String,
}

impl SchoolClock {
    /// The zone named (`Europe/Berlin`); for `--timezone`.
    pub fn parse(name: &str) -> Result<Self, String> {
        let zone = TimeZone::get(name).map_err(|e| format!("unknown time zone `{name}`: {e}"))?;
        Ok(Self {
            zone,
            name: name.to_string(),
        })
    }

    /// The server's own zone (`TZ`, else `/etc/localtime`), or UTC when it
    /// cannot be told.
    pub fn system() -> Self {
        match TimeZone::try_system() {
            Ok(zone) => {
                let name = zone.iana_name().unwrap_or("local time").to_string();
                Self { zone, name }
            }
            Err(e) => {
                tracing::warn!(error = %e, "the server's time zone is unknown: classroom times are UTC (set --timezone)");
                Self {
                    zone: TimeZone::UTC,
                    name: "UTC".into(),
                }
            }
        }
    }

    /// The zone's name, for forms ("Until (Europe/Berlin)").
    pub fn name(&self) -> &str {
        &self.name
    }

    fn at(&self, at: Millis) -> Option<Zoned> {
        Some(Timestamp::from_millisecond(at.get()).ok()?.to_zoned(self.zone.clone()))
    }

    /// `2026-12-07 10:00 CET`.
    pub fn minutes(&self, at: Millis) -> String {
        self.at(at)
            .map(|z| z.strftime("%Y-%m-%d %H:%M %Z").to_string())
            .unwrap_or_default()
    }

    /// The next moment after `now` whose time of day in the school's zone
    /// is `HH:MM`.
    pub fn next_time_of_day(&self, text: &str, now: Millis) -> Option<Millis> {
        let time = Time::strptime("%H:%M", text.trim()).ok()?;
        let now = self.at(now)?;
        let mut when = now.with().time(time).build().ok()?;
        if when <= now {
            when = now.tomorrow().ok()?.with().time(time).build().ok()?;
        }
        Some(Millis(when.timestamp().as_millisecond()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn millis(text: &str) -> Millis {
        Millis(text.parse::<Timestamp>().unwrap().as_millisecond())
    }

    #[test]
    fn ten_o_clock_is_the_schools_ten_o_clock_today_or_tomorrow() {
        let berlin = SchoolClock::parse("Europe/Berlin").unwrap();
        // 08:30 UTC is 09:30 in Berlin in winter: 10:00 is half an hour on.
        let now = millis("2026-12-07T08:30:00Z");
        assert_eq!(
            berlin.next_time_of_day("10:00", now),
            Some(millis("2026-12-07T09:00:00Z"))
        );
        // Past 10:00 there, it is tomorrow's.
        let now = millis("2026-12-07T09:30:00Z");
        assert_eq!(
            berlin.next_time_of_day("10:00", now),
            Some(millis("2026-12-08T09:00:00Z"))
        );
        // Summer time moves it by an hour.
        let now = millis("2026-07-01T06:00:00Z");
        assert_eq!(
            berlin.next_time_of_day(" 10:00 ", now),
            Some(millis("2026-07-01T08:00:00Z"))
        );
        assert_eq!(berlin.next_time_of_day("soon", now), None);
        assert_eq!(berlin.next_time_of_day("25:00", now), None);
    }

    #[test]
    fn times_are_shown_in_the_schools_zone_with_its_abbreviation() {
        let berlin = SchoolClock::parse("Europe/Berlin").unwrap();
        assert_eq!(berlin.minutes(millis("2026-12-07T09:00:00Z")), "2026-12-07 10:00 CET");
        assert_eq!(berlin.minutes(millis("2026-07-01T08:00:00Z")), "2026-07-01 10:00 CEST");
        assert_eq!(berlin.name(), "Europe/Berlin");
        assert!(SchoolClock::parse("Mars/Olympus").is_err());
    }
}
